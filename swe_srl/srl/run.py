"""One training run, SRL or SFT, from a config: data -> policy -> TRL trainer -> checkpoint."""

from __future__ import annotations

import json

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from swe_srl.srl.config import TrainConfig, dump_config
from swe_srl.srl.reward import SRLReward
from swe_srl.srl.tiny import build_tiny_policy

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
    """The model folder or Hub id to train; `tiny` is built here from the training steps."""
    if config.model != "tiny":
        return config.model
    with _main_process_first():
        folder = build_tiny_policy(
            config.tiny,
            step_data.tokenizer_corpus(train_steps),
            step_data.warm_start_pairs(train_steps, config.window),
            output_dir / "tiny-base",
            max_length=config.max_prompt_tokens + config.max_completion_tokens,
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
    """Train with `config` (CLI options override its fields) and save the final policy."""
    updates = {"data": data, "output_dir": str(output_dir) if output_dir else None, "method": method, "max_steps": max_steps}
    config = config.model_copy(update={k: v for k, v in updates.items() if v is not None})
    config = TrainConfig.model_validate(config.model_dump())
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
    tokenizer = load_tokenizer(config.tokenizer or model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    build = step_data.srl_dataset if config.method == "srl" else step_data.sft_dataset
    with _main_process_first():
        train_ds = build(train_steps, tokenizer, config, "train")
        val_ds = build(val_steps, tokenizer, config, "validation") if len(val_steps) else None
    if val_ds is not None and config.max_eval_steps:
        val_ds = val_ds.select(range(min(config.max_eval_steps, len(val_ds))))
    has_eval = val_ds is not None and len(val_ds) > 0
    dump_config(config, out / CONFIG_FILENAME)
    data_counts = {"steps": len(steps) + dropped, "dropped_after_divergence": dropped,
                   "train_steps": len(train_steps), "validation_steps": len(val_steps)}
    (out / "data.json").write_text(json.dumps(data_counts, indent=2) + "\n")
    cbs = [SaveConfigCallback(config), MetricsFileCallback(out / "metrics.jsonl"), *(callbacks or [])]

    from swe_srl.srl.trainer import peft_config

    if config.method == "srl":
        from swe_srl.srl.trainer import SRLGRPOTrainer, build_grpo_config

        trainer = SRLGRPOTrainer(
            model=model_path,
            reward_funcs=[SRLReward(config.reward.mode, autojunk=config.reward.autojunk, backend=config.reward.backend)],
            args=build_grpo_config(config, str(out), has_eval=has_eval),
            train_dataset=train_ds,
            eval_dataset=val_ds if has_eval else None,
            processing_class=tokenizer,
            peft_config=peft_config(config),
            callbacks=cbs,
            dynamic_sampling=config.dynamic_sampling,
            greedy_eval=config.greedy_eval,
        )
    else:
        from trl import SFTTrainer

        from swe_srl.srl.sft import build_sft_config

        keep = ["prompt", "completion"]
        trainer = SFTTrainer(
            model=model_path,
            args=build_sft_config(config, str(out), has_eval=has_eval),
            train_dataset=train_ds.select_columns(keep),
            eval_dataset=val_ds.select_columns(keep) if has_eval else None,
            processing_class=tokenizer,
            peft_config=peft_config(config),
            callbacks=cbs,
        )
    log.info("training %s on %d steps (%d held out) from %s", config.method, len(train_ds), len(val_steps), model_path)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    final = save_policy(trainer, config, out / FINAL_DIR)
    return RunResult(out, final, trainer.state.global_step, read_metrics(out), len(train_ds), len(val_ds or []))
