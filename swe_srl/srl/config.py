"""Training configuration: one pydantic model, loaded from YAML.

The YAML speaks the paper's language (prompts per batch, rollouts per prompt, KL
coefficient, epsilon); `trainer.build_grpo_config` and `sft.build_sft_config` translate it
into TRL's configs, and `trl_args` passes anything else straight through to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TinyModelConfig(_Section):
    """A Qwen2-architecture model and a BPE tokenizer built on the spot (no Hub access)."""

    vocab_size: int = 4096
    hidden_size: int = 64
    intermediate_size: int = 256
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 4096
    # A short supervised warm start on the expert steps, so the random model emits the
    # format sometimes and rollouts get non-zero reward variance (the paper's stated
    # precondition: the student must already follow the format now and then).
    warm_start_steps: int = 60
    warm_start_lr: float = 3e-3
    warm_start_batch_size: int = 4


class LoraConfig(_Section):
    enabled: bool = False
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] | str = "all-linear"


class VLLMConfig(_Section):
    """Generation through vLLM on GPUs: `colocate` shares the training GPUs, `server` talks to `trl vllm-serve`."""

    enabled: bool = False
    mode: Literal["colocate", "server"] = "colocate"
    gpu_memory_utilization: float = 0.3
    tensor_parallel_size: int = 1
    enable_sleep_mode: bool = False
    max_model_length: int | None = None
    server_base_url: str | None = None
    server_host: str = "0.0.0.0"
    server_port: int = 8000
    server_timeout: float = 240.0


class RewardConfig(_Section):
    mode: Literal["difflib", "structured", "indel"] = "difflib"
    autojunk: bool = False
    backend: Literal["auto", "native", "cydifflib", "difflib"] = "auto"


class DynamicSamplingConfig(_Section):
    """Drop groups whose reward population std is <= epsilon; refill from new prompts."""

    enabled: bool = True
    epsilon: float = 1e-4
    max_refill_rounds: int = 4


class SFTSettings(_Section):
    """The SFT baseline's own optimiser settings (same data, same prompts)."""

    learning_rate: float = 1e-5
    per_device_batch_size: int = 1
    gradient_accumulation_steps: int = 8
    warmup_ratio: float = 0.03
    lr_scheduler_type: str = "cosine"
    epochs: float = 1.0
    max_length: int | None = None  # default: max_prompt_tokens + max_completion_tokens


class TrainConfig(_Section):
    """Everything `swe-srl train` needs; see configs/*.yaml for annotated examples."""

    method: Literal["srl", "sft"] = "srl"
    # model: a Hub id, a local path, or "tiny" (built locally from `tiny`)
    model: str = "tiny"
    tokenizer: str | None = None
    tiny: TinyModelConfig = Field(default_factory=TinyModelConfig)
    attn_implementation: str | None = None
    bf16: bool = False
    gradient_checkpointing: bool = False
    use_cpu: bool | None = None  # None: CPU when no accelerator is visible
    lora: LoraConfig = Field(default_factory=LoraConfig)

    # data
    data: str | None = None  # collect output folder, steps jsonl file, or HF dataset name
    data_split: str = "train"
    val_trajectories: int = 30
    window: int | Literal["all"] = 2
    # Steps of a trajectory after its first replayed observation that diverged from the
    # recorded one by more than this are dropped (their history is not what the expert
    # saw); null keeps every step.
    drop_after_divergence: float | None = 0.2
    # The tools the policy learns to call and eval runs it with (swe_srl.sandbox.tools.PROFILES):
    # the profile of the data's source (swe-agent for SWE-smith, openhands for SWE-Gym).
    tool_profile: str = "swe-agent"
    max_prompt_tokens: int = 4096
    max_completion_tokens: int = 1024
    data_workers: int = 1

    # optimisation (paper: lr 5e-7, no warm-up, grad norm 1.0, KL 0, G=8, T=1.0, B=512)
    learning_rate: float = 5e-7
    lr_scheduler_type: str = "constant"
    warmup_ratio: float = 0.0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    rollouts_per_prompt: int = 8
    prompts_per_batch: int = 512
    per_device_batch_size: int = 8  # completions per forward/backward micro-batch
    temperature: float = 1.0
    top_p: float = 1.0
    kl_coef: float = 0.0
    loss_type: str = "dapo"
    scale_rewards: str = "group"
    num_iterations: int = 1
    mask_truncated_completions: bool = False
    reward: RewardConfig = Field(default_factory=RewardConfig)
    dynamic_sampling: DynamicSamplingConfig = Field(default_factory=DynamicSamplingConfig)
    sft: SFTSettings = Field(default_factory=SFTSettings)

    # schedule, checkpoints, validation, logging
    epochs: float = 1.0
    max_steps: int = -1
    save_steps: int = 50
    save_total_limit: int | None = None
    eval_steps: int | None = 50  # None: no validation during training
    eval_batch_size: int = 8
    eval_rollouts: int = 1
    greedy_eval: bool = True
    max_eval_steps: int | None = None  # cap on held-out rows used for validation
    logging_steps: int = 1
    report_to: str | list[str] = "none"
    run_name: str | None = None
    log_completions: bool = False
    output_dir: str = "runs/srl"
    seed: int = 42
    vllm: VLLMConfig = Field(default_factory=VLLMConfig)
    trl_args: dict[str, Any] = Field(default_factory=dict)

    @field_validator("report_to")
    @classmethod
    def _report_to(cls, value: str | list[str]) -> str | list[str]:
        allowed = {"none", "wandb", "tensorboard"}
        values = [value] if isinstance(value, str) else value
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"report_to must be among {sorted(allowed)}, got {bad}")
        return value

    @field_validator("tool_profile")
    @classmethod
    def _tool_profile(cls, value: str) -> str:
        from swe_srl.sandbox.tools import check_profile

        return check_profile(value)

    @field_validator("window")
    @classmethod
    def _window(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 0:
            raise ValueError("window must be >= 0 or 'all'")
        return value

    @model_validator(mode="after")
    def _batch_shape(self) -> "TrainConfig":
        if self.rollouts_per_prompt < 2:
            raise ValueError("GRPO needs rollouts_per_prompt >= 2")
        if self.per_device_batch_size % self.rollouts_per_prompt and self.rollouts_per_prompt % self.per_device_batch_size:
            raise ValueError(
                "per_device_batch_size and rollouts_per_prompt must divide one another so that micro-batches "
                "hold whole groups or whole fractions of one"
            )
        return self

    def completions_per_step(self) -> int:
        return self.prompts_per_batch * self.rollouts_per_prompt


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_config_dict(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A YAML config as a dict; `base: other.yaml` (relative to this file) is merged underneath."""
    path = Path(path).resolve()
    if path in _seen:
        raise ValueError(f"{path}: `base` chain loops back to itself")
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if loaded is not None and not isinstance(loaded, dict):
        raise ValueError(f"{path}: the top level of a config must be a mapping")
    data = loaded or {}
    base = data.pop("base", None)
    if base is not None:
        data = _deep_merge(read_config_dict(path.parent / base, (*_seen, path)), data)
    return data


def load_config(path: str | Path | None = None, **overrides: Any) -> TrainConfig:
    """Read a YAML config (or defaults) and apply non-None keyword overrides."""
    data = read_config_dict(path) if path is not None else {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig.model_validate(data)


def dump_config(config: TrainConfig, path: str | Path) -> Path:
    """Write the config as YAML (what checkpoints carry so eval can reload the run)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    return path
