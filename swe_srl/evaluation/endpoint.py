"""A policy served behind an OpenAI-compatible chat endpoint (`vllm serve`, SGLang,
hosted providers). The prompt is the training prompt as chat messages, so the server's
chat template renders it exactly as `swe-srl train` did for the same model.

Retries are the `openai` client's own (`max_retries`, `request_timeout`): it retries 408,
409, 429, 5xx, timeouts and dropped connections with exponential back-off, honouring
Retry-After, so a busy server shared by many workers slows a run down instead of failing
its tasks. What is left once it gives up is classified here: infra, or the model's limit.
"""

from __future__ import annotations

import os
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
        extra_body: dict[str, Any] | None = None,
    ):
        from openai import OpenAI

        self.name = model
        self.model = model
        self.temperature = temperature
        self.max_new_tokens = max_new_tokens
        self.extra_body = extra_body
        self.client = OpenAI(
            base_url=base_url or os.environ.get("OPENAI_BASE_URL"),
            api_key=api_key or api_key_from_env(),
            timeout=request_timeout,
            max_retries=max_retries,
        )

    def act(self, step: StepInput) -> Completion:
        import openai

        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=step.messages,
                temperature=self.temperature,
                max_tokens=self.max_new_tokens,
                extra_body=self.extra_body,
            )
        except openai.BadRequestError as exc:
            # Almost always the prompt outgrew the context: the model's limit, not infra.
            raise PolicyError(f"endpoint refused the request: {exc}", infra=False, exit_status="context_exceeded") from exc
        except openai.APIStatusError as exc:  # 401, 404 (wrong model name), 5xx after the retries ...
            raise PolicyError(f"endpoint error {exc.status_code} (after up to {self.client.max_retries} retries): {exc}", infra=True) from exc
        except openai.APIError as exc:  # timeouts and dropped connections after the retries
            raise PolicyError(f"endpoint failed after up to {self.client.max_retries} retries: {exc}", infra=True) from exc
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        usage = response.usage
        return Completion(
            text,
            tokens=usage.completion_tokens if usage else None,
            prompt_tokens=usage.prompt_tokens if usage else None,
            info={"finish_reason": choice.finish_reason if choice is not None else None},
        )
