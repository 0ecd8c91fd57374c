"""`EvalConfig`: everything one evaluation run needs (the CLI and the pipeline build it)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from swe_srl.evaluation.harness import RUN_ID_RE

PolicyKind = Literal["replay", "model", "endpoint", "noop", "garbage"]
DEFAULT_DATASET = "SWE-bench/SWE-bench_Verified"


class EvalConfig(BaseModel):
    """One run: which tasks, which policy, the loop's limits, where results go."""

    model_config = ConfigDict(extra="forbid")

    # tasks: None = the bundled tasks; else a .json/.jsonl/.parquet file, folder or HF dataset
    tasks: str | None = None
    split: str | None = None  # None: the dataset's own (train for SWE-smith/SWE-Gym, else test)
    image_source: Literal["swebench", "swegym", "swesmith"] | None = None  # names rows without `image`; None: from the dataset name
    instances: list[str] | None = None  # instance ids to keep (in task order)
    limit: int | None = Field(default=None, ge=1)

    policy: PolicyKind = "replay"
    model: str | None = None  # checkpoint path (model) or served model name (endpoint)
    base_url: str | None = None  # endpoint; default $OPENAI_BASE_URL
    trajectories: str | None = None  # replay source; default the bundled canonical experts
    trajectories_format: str = "auto"
    temperature: float = 0.0  # greedy, as in the paper's evaluation
    max_new_tokens: int | None = None  # per step; default the checkpoint's, else 4096
    max_prompt_tokens: int | None = None  # model policy; default the checkpoint's
    device: str | None = None  # model policy: cpu, cuda, ... (default: cuda when available)
    request_timeout: float = 600.0
    max_retries: int = 8

    setting: Literal["end-to-end", "oracle-files"] = "end-to-end"
    max_steps: int = Field(default=50, ge=1)
    max_total_tokens: int | None = Field(default=None, ge=1)
    time_limit: float | None = 1800.0
    action_timeout: float = 120.0
    window: int | Literal["all"] | None = None  # None: what the policy was trained with (2)
    tool_profile: str | None = None  # swe_srl.sandbox.tools.PROFILES; None: the policy's own
    max_observation_chars: int | None = 20_000

    workers: int = Field(default=1, ge=1)
    run_id: str | None = None
    out: Path | None = None  # default runs/eval/<run_id>
    harness_timeout: int = 1800
    build_images: bool = True  # build missing bundled task images (offline)
    pull: bool = True
    sandbox: Literal["docker", "local"] = "docker"  # local: NOT isolated, runs on this machine
    repos: str | None = None  # local sandbox: folder holding <instance_id>/ (default: the bundled repos)
    network: bool = False
    mem_limit: str = "4g"
    cpus: float = 2.0
    seed: int = 0

    @field_validator("tool_profile")
    @classmethod
    def _tool_profile(cls, value: str | None) -> str | None:
        from swe_srl.sandbox.tools import check_profile

        return None if value is None else check_profile(value)

    @field_validator("run_id")
    @classmethod
    def _run_id(cls, value: str | None) -> str | None:
        if value is not None and not RUN_ID_RE.match(value):
            raise ValueError(f"run id must match {RUN_ID_RE.pattern} (it names containers)")
        return value

    def signature(self) -> dict:
        """What decides a task's outcome. A rerun with the same run id skips only the
        instances recorded under the same signature, so a retrained checkpoint or another
        setting is never reported with stale results."""
        sig = {k: getattr(self, k) for k in ("policy", "model", "trajectories", "setting", "max_steps", "max_total_tokens",
                                              "window", "tool_profile", "temperature", "max_new_tokens", "max_prompt_tokens", "seed")}
        if self.policy == "model" and self.model and Path(self.model).is_dir():
            sig["checkpoint"] = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in Path(self.model).iterdir() if p.is_file())
        return json.loads(json.dumps(sig, default=str))

    def resolved_run_id(self) -> str:
        return self.run_id or f"{self.policy}-{self.setting}-{time.strftime('%Y%m%d-%H%M%S')}"
