"""The SFT baseline on the same step rows: imitate the expert's thought and call.

Same prompts as SRL (issue + last K rounds, same truncation), completion = the expert's
thought inside `<think>` then the expert's call, loss on the completion only, so SRL and
SFT are compared on identical data.
"""

from __future__ import annotations

from typing import Any

from trl import SFTConfig

from swe_srl.srl.config import TrainConfig
from swe_srl.srl.trainer import run_args


def build_sft_config(config: TrainConfig, output_dir: str, *, has_eval: bool) -> SFTConfig:
    """Translate the run config into TRL's SFTConfig (`trl_args` override anything)."""
    sft = config.sft
    args: dict[str, Any] = dict(
        output_dir=output_dir,
        seed=config.seed,
        learning_rate=sft.learning_rate,
        lr_scheduler_type=sft.lr_scheduler_type,
        warmup_steps=sft.warmup_ratio,
        max_grad_norm=config.max_grad_norm,
        per_device_train_batch_size=sft.per_device_batch_size,
        gradient_accumulation_steps=sft.gradient_accumulation_steps,
        num_train_epochs=sft.epochs,
        max_length=sft.max_length or config.max_prompt_tokens + config.max_completion_tokens,
        completion_only_loss=True,
        **run_args(config, SFTConfig, has_eval=has_eval),
    )
    args.update(config.trl_args)
    return SFTConfig(**args)
