"""The SFT baseline on the same step rows: imitate the expert's thought and call.

Same prompts as SRL (issue + last K rounds, same truncation), completion = the expert's
thought inside `<think>` then the expert's call, loss on the completion only, so SRL and
SFT are compared on identical data.
"""

from __future__ import annotations

from typing import Any

from trl import SFTConfig

from swe_srl.srl.config import TrainConfig
from swe_srl.srl.trainer import checkpointing_arg, model_init_kwargs, use_cpu


def build_sft_config(config: TrainConfig, output_dir: str, *, has_eval: bool) -> SFTConfig:
    """Translate the run config into TRL's SFTConfig (`trl_args` override anything)."""
    on_cpu = use_cpu(config)
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
        max_steps=config.max_steps,
        max_length=sft.max_length or config.max_prompt_tokens + config.max_completion_tokens,
        completion_only_loss=True,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        eval_strategy="steps" if has_eval and config.eval_steps else "no",
        eval_steps=config.eval_steps if has_eval and config.eval_steps else None,
        per_device_eval_batch_size=config.eval_batch_size,
        logging_steps=config.logging_steps,
        report_to=config.report_to,
        run_name=config.run_name,
        bf16=config.bf16 and not on_cpu,
        use_cpu=on_cpu,
        **checkpointing_arg(SFTConfig, config.gradient_checkpointing),
        model_init_kwargs=model_init_kwargs(config),
    )
    args.update(config.trl_args)
    return SFTConfig(**args)
