"""One training run, SRL or SFT, from a config: data -> policy -> TRL trainer -> checkpoint."""

from __future__ import annotations

import json

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers.trainer_utils import IntervalStrategy

from swe_srl.srl import data as step_data
from swe_srl.srl.checkpoint import (
    CONFIG_FILENAME,
    MetricsFileCallback,
    SaveConfigCallback,
    latest_checkpoint,
    load_tokenizer,
    read_metrics,
    save_policy,
)
from swe_srl.srl.config import TrainConfig, dump_config, replace_config
from swe_srl.srl.reward import SRLReward
from swe_srl.srl.tiny import build_tiny_policy
from swe_srl.srl.trainer import model_init_kwargs

log = logging.getLogger(__name__)

FINAL_DIR = "final"


@dataclass
class RunResult:
    output_dir: Path
    final_dir: Path
    global_step: int
    metrics: list[dict[str, Any]]
    train_rows: int
    val_rows: int


def _main_process_first():
    from accelerate import PartialState

    return PartialState().main_process_first()


def prepare_policy(config: TrainConfig, train_steps, output_dir: Path) -> str:
    """The model folder or Hub id to train (`model_name_or_path`); `tiny` is built here from the training steps."""
    if not config.model_name_or_path:
        raise ValueError("no model: set `model_name_or_path` (a Hub id, a local folder, or tiny)")
    if config.model_name_or_path != "tiny":
        return config.model_name_or_path
    with _main_process_first():
        folder = build_tiny_policy(
            config.tiny_model(),
            step_data.tokenizer_corpus(train_steps),
            step_data.warm_start_pairs(train_steps, config.window),
            output_dir / "tiny-base",
            max_length=config.max_prompt_tokens + config.max_completion_length,
            seed=config.seed,
        )
    return str(folder)


def run_training(
    config: TrainConfig,
    *,
    data: str | None = None,
    output_dir: str | Path | None = None,
    method: str | None = None,
    max_steps: int | None = None,
    resume: bool = False,
    callbacks: list | None = None,
) -> RunResult:
    """Train with `config` and save the final policy.

    `config` is an `SRLConfig` (TRL's GRPOConfig) or `SRLSFTConfig` (TRL's SFTConfig) from
    `config.load_config`; the keyword options (the CLI's) change those fields of it.
    """
    changes = {"data": data, "output_dir": str(output_dir) if output_dir else None, "method": method, "max_steps": max_steps}
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        config = replace_config(config, **changes)
    if not config.data:
        raise ValueError("no training data: pass --data or set `data:` in the config")
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = None
    if resume:
        checkpoint = latest_checkpoint(out)
        if checkpoint is None:
            raise FileNotFoundError(f"--resume: no checkpoint-N folder in {out}")

    steps = step_data.load_steps(config.data, config.data_split)
    steps, dropped = step_data.drop_after_divergence(steps, config.drop_after_divergence)
    train_steps, val_steps = step_data.split_by_trajectory(steps, config.val_trajectories, config.seed)
    model_path = prepare_policy(config, train_steps, out)
    tokenizer = load_tokenizer(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    build = step_data.srl_dataset if config.method == "srl" else step_data.sft_dataset
    with _main_process_first():
        train_ds = build(train_steps, tokenizer, config, "train")
        val_ds = build(val_steps, tokenizer, config, "validation") if len(val_steps) else None
    if val_ds is not None and config.max_eval_samples:
        val_ds = val_ds.select(range(min(config.max_eval_samples, len(val_ds))))
    has_eval = val_ds is not None and len(val_ds) > 0
    if not has_eval and config.eval_strategy != IntervalStrategy.NO:
        log.warning("no validation rows (val_trajectories=%d): eval_strategy %s -> no", config.val_trajectories,
                    config.eval_strategy)
        config.eval_strategy = IntervalStrategy.NO
        config.do_eval = False
    # As TRL's own scripts do: the model is loaded with the ModelConfig fields.
    config.model_init_kwargs = model_init_kwargs(config)
    dump_config(config, out / CONFIG_FILENAME)
    data_counts = {"steps": len(steps) + dropped, "dropped_after_divergence": dropped,
                   "train_steps": len(train_steps), "validation_steps": len(val_steps)}
    (out / "data.json").write_text(json.dumps(data_counts, indent=2) + "\n")
    cbs = [SaveConfigCallback(config), MetricsFileCallback(out / "metrics.jsonl"), *(callbacks or [])]

    if config.method == "srl":
        from swe_srl.srl.trainer import SRLGRPOTrainer, peft_config

        trainer = SRLGRPOTrainer(
            model=model_path,
            reward_funcs=[SRLReward(config.reward_mode, autojunk=config.reward_autojunk, backend=config.reward_backend)],
            args=config,
            train_dataset=train_ds,
            eval_dataset=val_ds if has_eval else None,
            processing_class=tokenizer,
            peft_config=peft_config(config),
            callbacks=cbs,
        )
    else:
        from swe_srl.srl.sft import sft_trainer

        trainer = sft_trainer(config, model_path, tokenizer, train_ds, val_ds if has_eval else None, cbs)
    log.info("training %s on %d steps (%d held out) from %s", config.method, len(train_ds), len(val_steps), model_path)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final = save_policy(trainer, config, out / FINAL_DIR)
    return RunResult(out, final, trainer.state.global_step, read_metrics(out), len(train_ds), len(val_ds or []))
