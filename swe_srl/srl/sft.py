"""The SFT baseline on the same step rows: imitate the expert's thought and call.

Same prompts as SRL (issue + last K rounds, same truncation), completion = the expert's
thought inside `<think>` then the expert's call (rendered by `parse.render_completion`),
loss on the completion only (TRL's default for prompt/completion rows), so SRL and SFT
are compared on identical data. The config is an `SRLSFTConfig`, i.e. TRL's `SFTConfig`.
"""

from __future__ import annotations

from typing import Any


def sft_trainer(config, model: str, tokenizer, train_ds, eval_ds, callbacks: list[Any]):
    """TRL's SFTTrainer on the prompt/completion columns of the step rows."""
    from trl import SFTTrainer

    from swe_srl.srl.trainer import peft_config

    keep = ["prompt", "completion"]
    return SFTTrainer(
        model=model,
        args=config,
        train_dataset=train_ds.select_columns(keep),
        eval_dataset=eval_ds.select_columns(keep) if eval_ds is not None else None,
        processing_class=tokenizer,
        peft_config=peft_config(config),
        callbacks=callbacks,
    )
