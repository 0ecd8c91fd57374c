"""A policy from a local transformers checkpoint (what `swe-srl train` saves, or any Hub
causal LM), generating on CPU or one GPU.

The prompt is rendered by the training code (`render_prompt`: chat template, window of
K rounds, observations cut to the token budget) with the window and budget the checkpoint
was trained with, and the completion is decoded the way TRL decodes rollouts, so the
policy is evaluated on exactly the distribution it learned on. Decoding is greedy unless
a temperature is given. For many workers or big models, serve the checkpoint with vLLM
and use the endpoint policy instead: this one generates one step at a time.
"""

from __future__ import annotations

import threading
import zlib
from pathlib import Path

from swe_srl.evaluation.policy import Completion, PolicyError, StepInput
from swe_srl.srl.prompt import render_prompt

DEFAULT_MAX_PROMPT_TOKENS = 4096
DEFAULT_MAX_NEW_TOKENS = 1024


class ModelPolicy:
    """Generates the next step with `model`; one generation at a time (a lock), so
    parallel workers share one copy of the weights."""

    def __init__(
        self,
        model,
        tokenizer,
        *,
        name: str,
        window: int | str | None = 2,
        max_prompt_tokens: int | None = DEFAULT_MAX_PROMPT_TOKENS,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        temperature: float = 0.0,
        seed: int = 0,
        tool_profile: str = "swe-agent",
    ):
        self.model = model.eval()
        self.tool_profile = tool_profile
        self.tokenizer = tokenizer
        self.name = name
        self.window = window
        self.max_prompt_tokens = max_prompt_tokens
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.seed = seed
        self._lock = threading.Lock()

    @classmethod
    def from_checkpoint(
        cls,
        path: str | Path,
        *,
        device: str | None = None,
        temperature: float = 0.0,
        max_new_tokens: int | None = None,
        max_prompt_tokens: int | None = None,
        seed: int = 0,
    ) -> "ModelPolicy":
        """Load a `swe-srl train` checkpoint with the training code's loader; window and
        token budgets default to the ones it was trained with."""
        import torch

        from swe_srl.srl.checkpoint import load_policy_checkpoint

        model, tokenizer, config = load_policy_checkpoint(path)
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        model.to(device)
        return cls(
            model,
            tokenizer,
            name=str(path),
            window=getattr(config, "window", 2),
            max_prompt_tokens=max_prompt_tokens or getattr(config, "max_prompt_tokens", DEFAULT_MAX_PROMPT_TOKENS),
            max_new_tokens=max_new_tokens or getattr(config, "max_completion_length", DEFAULT_MAX_NEW_TOKENS),
            temperature=temperature,
            seed=seed,
            tool_profile=getattr(config, "tool_profile", "swe-agent"),
        )

    def tool_profile_for(self, instance_id: str) -> str:
        """The tools the policy was trained on (the checkpoint's `tool_profile`)."""
        return self.tool_profile

    def act(self, step: StepInput) -> Completion:
        import torch

        rendered = render_prompt(step.problem_statement, step.history, self.tokenizer, self.max_prompt_tokens, step.window)
        if not rendered.fits:
            raise PolicyError(f"the prompt needs {rendered.num_tokens} tokens, over max_prompt_tokens={self.max_prompt_tokens}",
                              infra=False, exit_status="context_exceeded")
        inputs = self.tokenizer(rendered.text, return_tensors="pt").to(self.model.device)
        sampling = {"do_sample": True, "temperature": self.temperature, "top_p": 1.0} if self.temperature > 0 else {"do_sample": False}
        with self._lock, torch.inference_mode():
            if self.temperature > 0:
                torch.manual_seed(zlib.crc32(f"{self.seed}:{step.instance_id}:{step.step}".encode()))
            output = self.model.generate(
                **inputs, max_new_tokens=self.max_new_tokens, pad_token_id=self.tokenizer.pad_token_id,
                eos_token_id=self.tokenizer.eos_token_id, **sampling,
            )
        new = output[0, inputs["input_ids"].shape[1]:]
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return Completion(text, tokens=int(new.shape[0]), prompt_tokens=rendered.num_tokens, prompt_truncated=rendered.truncated)
