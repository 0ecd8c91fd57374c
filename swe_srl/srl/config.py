"""Training configuration: TRL's own configs plus SRL's few fields.

`SRLConfig` is a `trl.GRPOConfig` (and `SRLSFTConfig`, for `method: sft`, a
`trl.SFTConfig`); both also carry TRL's `ModelConfig` fields (`model_name_or_path`,
`dtype`, `attn_implementation`, `use_peft`, `lora_*`), as TRL's own `trl grpo` script
takes them, and the fields in `SRLFields`. Every TRL and transformers option keeps its
own name and meaning: nothing is renamed or translated. A YAML is one flat mapping of
those names, read the way `trl.TrlParser` reads `--config` (its `env:` mapping included),
and command-line style `--name value` arguments override it through the same parser.

The batch is TRL's: `num_generations` rollouts per prompt, and
`per_device_train_batch_size x processes x gradient_accumulation_steps / num_generations`
prompts per optimizer step (paper: 512 x 8 = 4096 completions).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from swe_srl.srl.trl_version import require_trl

require_trl()

from trl import GRPOConfig, ModelConfig, SFTConfig, TrlParser  # noqa: E402

log = logging.getLogger(__name__)

REWARD_MODES = ("difflib", "structured", "indel")
REWARD_BACKENDS = ("auto", "native", "cydifflib", "difflib")


@dataclass(frozen=True)
class TinyModelConfig:
    """A Qwen2-architecture model and a BPE tokenizer built on the spot (no Hub access)."""

    vocab_size: int = 4096
    hidden_size: int = 64
    intermediate_size: int = 256
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 4096
    warm_start_steps: int = 60
    warm_start_learning_rate: float = 3e-3
    warm_start_batch_size: int = 4


@dataclass(frozen=True)
class DynamicSampling:
    """Drop groups whose reward population std is <= epsilon; refill from new prompts."""

    enabled: bool = True
    epsilon: float = 1e-4
    max_refill_rounds: int = 4

    @classmethod
    def from_args(cls, args: Any) -> "DynamicSampling":
        """The settings of a config (defaults for a plain GRPOConfig)."""
        return cls(
            enabled=getattr(args, "dynamic_sampling", cls.enabled),
            epsilon=getattr(args, "dynamic_sampling_epsilon", cls.epsilon),
            max_refill_rounds=getattr(args, "dynamic_sampling_max_refill_rounds", cls.max_refill_rounds),
        )


def _help(text: str, **extra: Any) -> dict[str, Any]:
    return {"help": text, **extra}


@dataclass
class SRLFields:
    """What SRL adds to TRL's configs: data, prompts, reward, dynamic sampling, tiny model."""

    method: Literal["srl", "sft"] = field(default="srl", metadata=_help("srl (GRPO with the step reward) or sft (baseline)."))
    # data
    data: str | None = field(default=None, metadata=_help("Collect output folder, steps .jsonl file or Hub dataset of step rows."))
    data_split: str = field(default="train", metadata=_help("Split to read when `data` is a Hub dataset."))
    val_trajectories: int = field(default=30, metadata=_help("Trajectories held out for validation (whole trajectories)."))
    max_eval_samples: int | None = field(default=None, metadata=_help("Cap on held-out step rows used for validation."))
    drop_after_divergence: float | None = field(
        default=0.2,
        metadata=_help("Drop a trajectory's steps after its first replayed observation that diverged from the "
                       "recorded one by more than this; null keeps every step."),
    )
    dataset_num_proc: int | None = field(default=None, metadata=_help("Processes that build the training rows."))
    # prompts and tools
    window: str = field(default="2", metadata=_help("Earlier expert rounds shown in a prompt: a number or `all`."))
    max_prompt_tokens: int = field(
        default=4096, metadata=_help("Token budget the prompt builder fits each prompt to (observations cut first).")
    )
    tool_profile: str = field(
        default="swe-agent",
        metadata=_help("Tools the policy learns to call and eval runs it with (swe_srl.sandbox.tools.PROFILES)."),
    )
    # reward
    reward_mode: Literal["difflib", "structured", "indel"] = field(
        default="difflib", metadata=_help("difflib (the paper's ratio), structured (tool/command/path gate) or indel.")
    )
    reward_autojunk: bool = field(default=False, metadata=_help("SequenceMatcher's autojunk heuristic."))
    reward_backend: Literal["auto", "native", "cydifflib", "difflib"] = field(
        default="auto", metadata=_help("Implementation of the ratio (identical values).")
    )
    # dynamic sampling (GRPO only)
    dynamic_sampling: bool = field(default=True, metadata=_help("Keep only groups whose rewards disagree; refill."))
    dynamic_sampling_epsilon: float = field(default=1e-4, metadata=_help("Keep a group when its reward std is above this."))
    dynamic_sampling_max_refill_rounds: int = field(default=4, metadata=_help("Extra generation rounds per batch at most."))
    greedy_eval: bool = field(default=True, metadata=_help("Validation decodes greedily (as the paper's evaluation)."))
    # model_name_or_path: tiny builds this model locally from the training steps
    tiny_vocab_size: int = TinyModelConfig.vocab_size
    tiny_hidden_size: int = TinyModelConfig.hidden_size
    tiny_intermediate_size: int = TinyModelConfig.intermediate_size
    tiny_num_hidden_layers: int = TinyModelConfig.num_hidden_layers
    tiny_num_attention_heads: int = TinyModelConfig.num_attention_heads
    tiny_num_key_value_heads: int = TinyModelConfig.num_key_value_heads
    tiny_max_position_embeddings: int = TinyModelConfig.max_position_embeddings
    tiny_warm_start_steps: int = field(
        default=60,
        metadata=_help("Supervised steps on the expert steps before RL, so the random tiny model follows the "
                       "format sometimes (GRPO needs reward variance)."),
    )
    tiny_warm_start_learning_rate: float = 3e-3
    tiny_warm_start_batch_size: int = 4

    def tiny_model(self) -> TinyModelConfig:
        return TinyModelConfig(**{f.name: getattr(self, f"tiny_{f.name}") for f in dataclasses.fields(TinyModelConfig)})

    def _check_srl_fields(self) -> None:
        from swe_srl.sandbox.tools import check_profile

        window = str(self.window).strip()
        if window != "all":
            if not window.lstrip("-").isdigit() or int(window) < 0:
                raise ValueError(f"window must be a number >= 0 or 'all', got {self.window!r}")
            window = int(window)
        self.window = window  # type: ignore[assignment]
        self.tool_profile = check_profile(self.tool_profile)
        if self.method not in ("srl", "sft"):
            raise ValueError(f"method must be srl or sft, got {self.method!r}")
        if self.reward_mode not in REWARD_MODES:
            raise ValueError(f"reward_mode must be one of {REWARD_MODES}, got {self.reward_mode!r}")
        if self.reward_backend not in REWARD_BACKENDS:
            raise ValueError(f"reward_backend must be one of {REWARD_BACKENDS}, got {self.reward_backend!r}")
        if self.dynamic_sampling_epsilon < 0 or self.dynamic_sampling_max_refill_rounds < 0:
            raise ValueError("dynamic_sampling_epsilon and dynamic_sampling_max_refill_rounds must be >= 0")
        if self.max_prompt_tokens <= 0:
            raise ValueError("max_prompt_tokens must be > 0")
        if self.val_trajectories < 0:
            raise ValueError("val_trajectories must be >= 0")
        warmup = getattr(self, "warmup_steps", 0) or 0
        if warmup >= 1 and float(warmup) != int(warmup):
            raise ValueError(f"warmup_steps {warmup}: below 1 it is a ratio of the run's steps, from 1 on a whole "
                             "number of steps; a fractional value above 1 is neither")


@dataclass
class SRLConfig(GRPOConfig, ModelConfig, SRLFields):
    """`trl.GRPOConfig` + `trl.ModelConfig` + SRL's fields: the config of `method: srl`."""

    def __post_init__(self):
        self._check_srl_fields()
        if self.method != "srl":
            raise ValueError("SRLConfig is the config of method srl; method sft uses SRLSFTConfig")
        if self.dynamic_sampling:
            check_dynamic_sampling(self)
        ModelConfig.__post_init__(self)
        GRPOConfig.__post_init__(self)


@dataclass
class SRLSFTConfig(SFTConfig, ModelConfig, SRLFields):
    """`trl.SFTConfig` + `trl.ModelConfig` + SRL's fields: the SFT baseline on the same steps."""

    max_completion_length: int = field(
        default=1024,
        metadata=_help("Completion budget of the policy: what eval generates at most (SFT trains on max_length)."),
    )

    def __post_init__(self):
        self._check_srl_fields()
        if self.method != "sft":
            raise ValueError("SRLSFTConfig is the config of method sft")
        ModelConfig.__post_init__(self)
        SFTConfig.__post_init__(self)


TrainConfig = SRLConfig | SRLSFTConfig


def check_dynamic_sampling(args: Any) -> None:
    """Reject the reward normalisations that would see the groups dynamic sampling drops.

    TRL computes advantages over the whole generated batch before the filter runs, so
    `scale_rewards: batch` (std over the batch) and `multi_objective_aggregation:
    normalize_then_sum` (per-reward normalisation over the batch) would be shaped by
    groups that are then thrown away. Per-group scaling (`group`, `none`) is exact.
    """
    bad = []
    if getattr(args, "scale_rewards", "group") == "batch":
        bad.append("scale_rewards: batch")
    if getattr(args, "multi_objective_aggregation", "sum_then_normalize") == "normalize_then_sum":
        bad.append("multi_objective_aggregation: normalize_then_sum")
    if bad:
        raise ValueError(
            f"dynamic sampling cannot be combined with {' and '.join(bad)}: those normalise rewards over the whole "
            "generated batch, including the groups dynamic sampling then drops. Use scale_rewards: group (or none) "
            "and multi_objective_aggregation: sum_then_normalize, or set dynamic_sampling: false."
        )


# Options both TRL configs have, with a different meaning (GRPO's `loss_type: dapo` is not an SFT loss).
SAME_NAME_OTHER_MEANING = frozenset({"loss_type"})


def config_class(method: str) -> type:
    if method == "srl":
        return SRLConfig
    if method == "sft":
        return SRLSFTConfig
    raise ValueError(f"method must be srl or sft, got {method!r}")


def _field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def read_config_dict(path: str | Path) -> dict[str, Any]:
    """A YAML config as a mapping, as `TrlParser` reads `--config` (its `env:` entries are exported)."""
    path = Path(path)
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: a config must be a YAML mapping")
    env = loaded.pop("env", {}) or {}
    if not isinstance(env, dict):
        raise ValueError(f"{path}: `env` must be a mapping")
    for key, value in env.items():
        os.environ[key] = str(value)
    return loaded


def _method_from_args(args: Sequence[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg == "--method" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--method="):
            return arg.split("=", 1)[1]
    return None


def parse_config(mapping: dict[str, Any] | None = None, args: Sequence[str] = ()) -> TrainConfig:
    """The config of a mapping of TRL/SRL names, then `--name value` arguments, through TRL's parser.

    `method` (mapping, or `--method` in `args`) picks the class. A GRPO recipe can be
    run as the SFT baseline: its GRPO-only options are then left out (and logged), and
    `max_length` defaults to `max_prompt_tokens + max_completion_length`.
    """
    mapping = dict(mapping or {})
    args = list(args)
    method = _method_from_args(args) or mapping.get("method") or "srl"
    cls = config_class(method)
    mapping["method"] = method
    if method == "sft":
        grpo_only = sorted(
            k for k in mapping
            if k in SAME_NAME_OTHER_MEANING or (k in _field_names(SRLConfig) and k not in _field_names(SRLSFTConfig))
        )
        if grpo_only:
            log.info("method sft: leaving out GRPO-only options %s", ", ".join(grpo_only))
        if "max_length" not in mapping:
            prompt = mapping.get("max_prompt_tokens", SRLFields.max_prompt_tokens)
            completion = mapping.get("max_completion_length", SRLSFTConfig.max_completion_length)
            mapping["max_length"] = int(prompt) + int(completion)
        mapping = {k: v for k, v in mapping.items() if k not in grpo_only}
    parser = TrlParser(cls)
    unknown = parser.set_defaults_with_config(**mapping)
    if unknown:
        names = [s[2:] for s in unknown[::2]]
        raise ValueError(f"unknown config option(s) {names}: not a {cls.__name__} field (TRL's GRPOConfig/SFTConfig, "
                         "ModelConfig or SRL's own, see swe_srl/srl/config.py)")
    config, rest = parser.parse_args_into_dataclasses(args=args, return_remaining_strings=True)
    if rest:
        raise ValueError(f"unknown argument(s) {rest}")
    # What dump_config writes: the mapping, and the options given as arguments as parsed.
    given = config.to_dict()
    config._srl_source = {**mapping, **{name: given[name] for name in _arg_names(args) if name in given}}
    return config


def _arg_names(args: Sequence[str]) -> list[str]:
    return [a[2:].split("=", 1)[0].replace("-", "_") for a in args if a.startswith("--")]


def load_config(path: str | Path | None = None, args: Sequence[str] = (), **overrides: Any) -> TrainConfig:
    """Read a YAML config (or defaults), apply non-None keyword overrides (TRL/SRL names), then `args`."""
    mapping = read_config_dict(path) if path is not None else {}
    mapping.update({k: str(v) if isinstance(v, Path) else v for k, v in overrides.items() if v is not None})
    return parse_config(mapping, args)


def config_source(config: Any) -> dict[str, Any]:
    """The mapping a config was built from: what reloads it exactly."""
    source = getattr(config, "_srl_source", None)
    if source is None:
        raise ValueError("this config was not built by swe_srl.srl.config.parse_config/load_config")
    return dict(source)


def replace_config(config: Any, **changes: Any) -> TrainConfig:
    """A copy of a config with some options changed (parsed anew, so every check runs again)."""
    return parse_config({**config_source(config), **changes})


def dump_config(config: Any, path: str | Path) -> Path:
    """Write the config as YAML (what checkpoints carry so eval can reload the run)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config_source(config), sort_keys=False), encoding="utf-8")
    return path
