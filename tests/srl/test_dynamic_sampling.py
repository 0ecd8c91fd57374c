"""Dynamic sampling inside a real (CPU, tiny model) GRPO run with scripted rewards.

The scripted reward gives every rollout of a `bash` step the same value (a zero-variance
group) and alternating values to the other steps. Recording what `_compute_loss` receives
proves that zero-variance groups never reach the loss, and that refills keep the batch full.
"""

from __future__ import annotations

import pytest
import torch

from swe_srl.srl.checkpoint import load_tokenizer
from swe_srl.srl.config import load_config
from swe_srl.srl.data import srl_dataset
from swe_srl.srl.trainer import SRLGRPOTrainer

from .conftest import TINY_CONFIG


class RecordingTrainer(SRLGRPOTrainer):
    """Keeps a copy of every micro-batch the loss sees."""

    def __init__(self, *args, **kwargs):
        self.loss_batches: list[dict] = []
        super().__init__(*args, **kwargs)

    def _compute_loss(self, model, inputs):
        self.loss_batches.append({k: v.detach().clone() if isinstance(v, torch.Tensor) else v for k, v in inputs.items()})
        return super()._compute_loss(model, inputs)


def scripted_bash_constant(prompts, completions, expert_tool, **kwargs):
    return [0.5 if tool == "bash" else float(i % 2) for i, tool in enumerate(expert_tool)]


def scripted_constant(prompts, completions, **kwargs):
    return [0.0] * len(completions)


def make_trainer(tiny_policy, steps_ds, tmp_path, reward, **overrides):
    cfg = load_config(TINY_CONFIG, **{"max_completion_length": 12, "max_steps": 3, "eval_strategy": "no",
                                       "save_strategy": "no", "output_dir": str(tmp_path), **overrides})
    tokenizer = load_tokenizer(tiny_policy)
    train = srl_dataset(steps_ds, tokenizer, cfg)
    trainer = RecordingTrainer(
        model=str(tiny_policy),
        reward_funcs=[reward],
        args=cfg,  # the SRLConfig is the GRPOConfig: the trainer reads dynamic_sampling* from it
        train_dataset=train,
        processing_class=tokenizer,
    )
    tool_of_prompt = dict(zip(train["prompt"], train["expert_tool"]))
    return trainer, tokenizer, tool_of_prompt


def loss_prompts(batch, tokenizer) -> list[str]:
    return [
        tokenizer.decode(ids[mask.bool()], skip_special_tokens=False)
        for ids, mask in zip(batch["prompt_ids"], batch["prompt_mask"])
    ]


@pytest.mark.slow
def test_zero_variance_groups_never_reach_the_loss(tiny_policy, steps_ds, tmp_path):
    trainer, tokenizer, tool_of_prompt = make_trainer(tiny_policy, steps_ds, tmp_path, scripted_bash_constant)
    trainer.train()
    assert trainer.state.global_step == 3
    # 3 optimizer steps x 2 accumulation micro-batches of 4 completions
    assert len(trainer.loss_batches) == 6
    for batch in trainer.loss_batches:
        assert batch["completion_ids"].shape[0] == 4
        tools = [tool_of_prompt[p] for p in loss_prompts(batch, tokenizer)]
        assert "bash" not in tools
        assert torch.all(batch["advantages"].abs() > 0.5)  # [0, 1, 0, 1] -> +-1 advantages
    log = trainer.sampling_log
    assert len(log) == 3 and all(r["dynamic_sampling/cap_hit"] == 0.0 for r in log)
    # about half the fixture steps are bash steps, so some batches had to be refilled
    assert any(r["dynamic_sampling/generation_rounds"] > 1 for r in log)
    assert any(r["dynamic_sampling/kept_fraction"] < 1.0 for r in log)
    logged = [h for h in trainer.state.log_history if "dynamic_sampling/kept_fraction" in h]
    assert len(logged) == 3 and all(0 < h["dynamic_sampling/kept_fraction"] <= 1 for h in logged)


@pytest.mark.slow
def test_refill_cap_completes_the_batch_without_signal(tiny_policy, steps_ds, tmp_path):
    trainer, _, _ = make_trainer(
        tiny_policy, steps_ds, tmp_path, scripted_constant,
        dynamic_sampling_max_refill_rounds=1,
    )
    trainer.train()
    assert all(r["dynamic_sampling/generation_rounds"] == 2.0 for r in trainer.sampling_log)
    assert all(r["dynamic_sampling/cap_hit"] == 1.0 for r in trainer.sampling_log)
    assert all(r["dynamic_sampling/filler_groups"] == 2.0 for r in trainer.sampling_log)
    assert all(torch.all(b["advantages"] == 0) for b in trainer.loss_batches)
    assert len(trainer.loss_batches) == 6


@pytest.mark.slow
def test_disabled_dynamic_sampling_is_plain_grpo(tiny_policy, steps_ds, tmp_path):
    trainer, tokenizer, tool_of_prompt = make_trainer(
        tiny_policy, steps_ds, tmp_path, scripted_bash_constant,
        dynamic_sampling=False, max_steps=2,
    )
    trainer.train()
    assert trainer.sampling_log == []
    tools = [tool_of_prompt[p] for b in trainer.loss_batches for p in loss_prompts(b, tokenizer)]
    assert len(tools) == 16
