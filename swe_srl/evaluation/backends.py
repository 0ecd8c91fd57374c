"""Build the policy a config names (heavy backends are imported only when chosen)."""

from __future__ import annotations

from swe_srl import bundled
from swe_srl.evaluation.config import EvalConfig
from swe_srl.evaluation.policy import GarbagePolicy, NoopPolicy, Policy, ReplayPolicy

DEFAULT_REPLAY_SOURCE = bundled.EXPERTS_DIR / "canonical"


def make_policy(cfg: EvalConfig) -> Policy:
    if cfg.policy == "replay":
        return ReplayPolicy.from_source(cfg.trajectories or str(DEFAULT_REPLAY_SOURCE), cfg.trajectories_format)
    if cfg.policy == "noop":
        return NoopPolicy()
    if cfg.policy == "garbage":
        return GarbagePolicy(cfg.seed)
    if cfg.policy == "endpoint":
        from swe_srl.evaluation.endpoint import EndpointPolicy

        if not cfg.model:
            raise ValueError("--policy endpoint needs --model (the served model name)")
        return EndpointPolicy(
            cfg.model, cfg.base_url, temperature=cfg.temperature, max_new_tokens=cfg.max_new_tokens or 4096,
            request_timeout=cfg.request_timeout, max_retries=cfg.max_retries,
        )
    if cfg.policy == "model":
        from swe_srl.evaluation.local_model import ModelPolicy

        if not cfg.model:
            raise ValueError("--policy model needs --model (a `swe-srl train` checkpoint folder)")
        return ModelPolicy.from_checkpoint(
            cfg.model, device=cfg.device, temperature=cfg.temperature,
            max_new_tokens=cfg.max_new_tokens, max_prompt_tokens=cfg.max_prompt_tokens, seed=cfg.seed,
        )
    raise ValueError(f"unknown policy {cfg.policy!r}")
