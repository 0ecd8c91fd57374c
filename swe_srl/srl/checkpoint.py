"""Checkpoints that evaluation can load on its own: model, tokenizer and the config used.

HF's Trainer already writes model and tokenizer into every `checkpoint-N` folder; the
callback here adds the run's YAML (the TRL/SRL options it was built from) so a checkpoint
says how its prompts were built (`window`, `max_prompt_tokens`, `max_completion_length`,
`tool_profile`). `load_policy_checkpoint` is the one entry point for eval.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from swe_srl.srl.config import TrainConfig, dump_config, load_config

log = logging.getLogger(__name__)

CONFIG_FILENAME = "swe_srl_config.yaml"
METRICS_FILENAME = "metrics.jsonl"


class SaveConfigCallback(TrainerCallback):
    """Write the run's config next to every checkpoint HF's Trainer saves."""

    def __init__(self, config: TrainConfig):
        self.config = config

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if folder.is_dir():
                dump_config(self.config, folder / CONFIG_FILENAME)
        return control


class MetricsFileCallback(TrainerCallback):
    """Append every log record (train and eval metrics) to `metrics.jsonl` in the run folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            record = {"step": state.global_step}
            for key, value in logs.items():
                if isinstance(value, float) and not math.isfinite(value):
                    value = None
                if isinstance(value, (int, float, str, bool)) or value is None:
                    record[key] = value
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
        return control


def read_metrics(run_dir: str | Path) -> list[dict[str, Any]]:
    """The log records a run wrote to `metrics.jsonl`."""
    path = Path(run_dir) / METRICS_FILENAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_tokenizer(path: str | Path):
    """A tokenizer from a folder or Hub id, honouring a plain `TokenizersBackend` class.

    For qwen2 checkpoints AutoTokenizer substitutes Qwen2Tokenizer, which re-imposes Qwen's
    pre-tokenizer; the tiny tokenizer is a plain fast tokenizer and must load as one.
    """
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    config_file = Path(path) / "tokenizer_config.json"
    if config_file.is_file():
        declared = json.loads(config_file.read_text(encoding="utf-8")).get("tokenizer_class")
        if declared in ("TokenizersBackend", "PreTrainedTokenizerFast"):
            return PreTrainedTokenizerFast.from_pretrained(str(path))
    return AutoTokenizer.from_pretrained(str(path))


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The highest `checkpoint-N` folder of a run, if any."""
    folders = [p for p in Path(run_dir).glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()]
    return max(folders, key=lambda p: int(p.name.split("-")[-1]), default=None)


def save_policy(trainer, config: TrainConfig, folder: str | Path) -> Path:
    """Save the trained policy (model, tokenizer, config) into `folder`."""
    folder = Path(folder)
    trainer.save_model(str(folder))
    if trainer.is_world_process_zero():
        trainer.processing_class.save_pretrained(str(folder))
        dump_config(config, folder / CONFIG_FILENAME)
    return folder


def load_policy_checkpoint(path: str | Path, *, dtype: Any = None, device_map: Any = None):
    """(model, tokenizer, config) from a run's final folder or any `checkpoint-N`.

    LoRA checkpoints (an `adapter_config.json`) are loaded onto their base model and
    merged, so callers always get a plain causal LM. `config` is None when the folder
    has no saved config (e.g. a Hub model).
    """
    from transformers import AutoModelForCausalLM

    path = Path(path)
    kwargs: dict[str, Any] = {}
    if dtype is not None:
        kwargs["dtype"] = dtype
    if device_map is not None:
        kwargs["device_map"] = device_map
    if (path / "adapter_config.json").is_file():
        from peft import AutoPeftModelForCausalLM

        model = AutoPeftModelForCausalLM.from_pretrained(str(path), **kwargs).merge_and_unload()
    else:
        model = AutoModelForCausalLM.from_pretrained(str(path), **kwargs)
    tokenizer = load_tokenizer(path)
    config_file = path / CONFIG_FILENAME
    config = load_checkpoint_config(config_file) if config_file.is_file() else None
    model.eval()
    return model, tokenizer, config


def load_checkpoint_config(path: str | Path) -> TrainConfig:
    """The config a checkpoint was trained with, readable on any machine.

    A GPU recipe (`bf16: true`) cannot be built where no GPU is visible, so there it is
    read with `use_cpu: true`: the config only tells eval how the run built its prompts.
    """
    import torch

    return load_config(path, use_cpu=None if torch.cuda.is_available() else True)
