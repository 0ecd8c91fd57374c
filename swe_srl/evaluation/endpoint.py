"""A policy served behind an OpenAI-compatible chat endpoint (`vllm serve`, SGLang,
hosted providers). The prompt is the training prompt as chat messages, so the server's
chat template renders it exactly as `swe-srl train` did for the same model.

Retries are ours, not the client's (the client is built with max_retries=0): 429, 5xx,
timeouts and dropped connections back off exponentially (honouring Retry-After), so a
busy server shared by many workers slows a run down instead of failing its tasks.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from swe_srl.evaluation.policy import Completion, PolicyError, StepInput

API_KEY_ENV = ("SWE_SRL_API_KEY", "OPENAI_API_KEY")


def api_key_from_env() -> str:
    """The first key set in SWE_SRL_API_KEY / OPENAI_API_KEY; vLLM without --api-key takes any."""
    for name in API_KEY_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return "EMPTY"


class EndpointPolicy:
    """Chat completions from `model` at `base_url`, greedy unless `temperature` > 0."""

    window = 2

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        temperature: float = 0.0,
        max_new_tokens: int | None = 4096,
        request_timeout: float = 600.0,
        max_retries: int = 8,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        extra_body: dict[str, Any] | None = None,
    ):
        from openai import OpenAI

        self.name = model
        self.model = model
        self.temperature = temperature
        self.max_new_tokens = max_new_tokens
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.extra_body = extra_body
        self.retries = 0  # total retries made, for the run summary
        self.client = OpenAI(
            base_url=base_url or os.environ.get("OPENAI_BASE_URL"),
            api_key=api_key or api_key_from_env(),
            timeout=request_timeout,
            max_retries=0,
        )

    def _delay(self, attempt: int, exc: Exception) -> float:
        delay = min(self.max_backoff, self.backoff * 2**attempt) * (0.5 + random.random() / 2)
        response = getattr(exc, "response", None)
        header = response.headers.get("retry-after") if response is not None else None
        try:
            delay = max(delay, min(self.max_backoff, float(header))) if header else delay
        except ValueError:
            pass
        return delay

    def act(self, step: StepInput) -> Completion:
        import openai

        retryable = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)
        for attempt in range(self.max_retries + 1):
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    messages=step.messages,
                    temperature=self.temperature,
                    max_tokens=self.max_new_tokens,
                    extra_body=self.extra_body,
                )
                break
            except retryable as exc:
                if attempt == self.max_retries:
                    raise PolicyError(f"endpoint failed after {attempt + 1} attempts: {exc}", infra=True) from exc
                self.retries += 1
                time.sleep(self._delay(attempt, exc))
            except openai.BadRequestError as exc:
                # Almost always the prompt outgrew the context: the model's limit, not infra.
                raise PolicyError(f"endpoint refused the request: {exc}", infra=False, exit_status="context_exceeded") from exc
            except openai.APIStatusError as exc:  # 401, 404 (wrong model name), ...
                raise PolicyError(f"endpoint error {exc.status_code}: {exc}", infra=True) from exc
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        usage = response.usage
        return Completion(
            text,
            tokens=usage.completion_tokens if usage else None,
            prompt_tokens=usage.prompt_tokens if usage else None,
            info={"finish_reason": choice.finish_reason if choice is not None else None},
        )
