"""Launched by test_multiprocess.py as two CPU processes (`torchrun --nproc_per_node 2`).

Trains a few GRPO steps with dynamic sampling and a scripted reward (zero variance for
`bash` steps), then writes what each rank saw: generation rounds per step and the size
and tools of every micro-batch that reached the loss.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from swe_srl.srl.checkpoint import load_tokenizer
from swe_srl.srl.config import load_config
from swe_srl.srl.data import load_steps, srl_dataset
from swe_srl.srl.trainer import SRLGRPOTrainer


def scripted(prompts, completions, expert_tool, **kwargs):
    return [0.5 if tool == "bash" else float(i % 2) for i, tool in enumerate(expert_tool)]


class Recording(SRLGRPOTrainer):
    def __init__(self, *args, **kwargs):
        self.seen: list[dict] = []
        super().__init__(*args, **kwargs)

    def _compute_loss(self, model, inputs):
        prompts = [
            self.processing_class.decode(ids[mask.bool()], skip_special_tokens=False)
            for ids, mask in zip(inputs["prompt_ids"], inputs["prompt_mask"])
        ]
        self.seen.append({"rows": int(inputs["completion_ids"].shape[0]), "prompts": prompts})
        return super()._compute_loss(model, inputs)


def main() -> None:
    policy, steps_file, config_file, out = map(Path, sys.argv[1:5])
    # 2 prompts x 4 rollouts per step over 2 processes: one micro-batch of 4 (one group) per rank
    cfg = load_config(config_file, max_completion_length=12, max_steps=4, gradient_accumulation_steps=1,
                      eval_strategy="no", save_strategy="no", output_dir=str(out / "run"))
    tokenizer = load_tokenizer(policy)
    train = srl_dataset(load_steps(steps_file), tokenizer, cfg)
    trainer = Recording(model=str(policy), reward_funcs=[scripted], args=cfg, train_dataset=train,
                        processing_class=tokenizer)
    trainer.train()
    tool_of = dict(zip(train["prompt"], train["expert_tool"]))
    record = {
        "rank": trainer.accelerator.process_index,
        "world": trainer.accelerator.num_processes,
        "rounds": [r["dynamic_sampling/generation_rounds"] for r in trainer.sampling_log],
        "batches": [{"rows": b["rows"], "tools": [tool_of[p] for p in b["prompts"]]} for b in trainer.seen],
        "threads": torch.get_num_threads(),
    }
    (out / f"rank{record['rank']}.json").write_text(json.dumps(record))


if __name__ == "__main__":
    main()
