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
    return [0.9 if tool == "bash" else float(i % 2) for i, tool in enumerate(expert_tool)]


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
    # kept/* are TRL's figures over what reaches the loss; TRL's own `reward` also saw the dropped bash groups
    assert all(h["kept/reward_mean"] == 0.5 and h["kept/frac_reward_zero_std"] == 0.0 for h in logged)
    assert any(h["reward"] > 0.5 for h in logged)
    assert all(0 < h["kept/completions/mean_length"] <= 12 and 0 <= h["kept/completions/clipped_ratio"] <= 1
               for h in logged)


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
    logged = [h for h in trainer.state.log_history if "kept/frac_reward_zero_std" in h]
    assert logged and all(h["kept/frac_reward_zero_std"] == 1.0 for h in logged)


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


@pytest.mark.slow
def test_num_iterations_reuses_each_filtered_batch(tiny_policy, steps_ds, tmp_path):
    trainer, tokenizer, tool_of_prompt = make_trainer(tiny_policy, steps_ds, tmp_path, scripted_bash_constant,
                                                      num_iterations=2, max_steps=4)
    trainer.train()
    assert trainer.state.global_step == 4
    assert len(trainer.sampling_log) == 2  # one filtered generation batch per 2 optimizer steps
    assert len(trainer.loss_batches) == 8
    for batch in trainer.loss_batches:
        assert "old_per_token_logps" in batch  # TRL computes them when a batch is used more than once
        assert batch["old_per_token_logps"].shape == batch["completion_mask"].shape
        assert "bash" not in [tool_of_prompt[p] for p in loss_prompts(batch, tokenizer)]
    # the second pass sees the very batch of the first (same rows, same advantages)
    first, second = trainer.loss_batches[0:2], trainer.loss_batches[2:4]
    key = lambda b: sorted(zip(b["advantages"].tolist(), b["completion_ids"].sum(dim=1).tolist()))  # noqa: E731
    assert sorted(key(b) for b in first) == sorted(key(b) for b in second)


@pytest.mark.slow
def test_truncated_completions_are_masked_in_the_filtered_batch(tiny_policy, steps_ds, tmp_path):
    trainer, tokenizer, _ = make_trainer(tiny_policy, steps_ds, tmp_path, scripted_bash_constant,
                                         mask_truncated_completions=True, max_completion_length=6, max_steps=2)
    trainer.train()
    stops = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    truncated_rows = 0
    for batch in trainer.loss_batches:
        for ids, mask in zip(batch["completion_ids"], batch["completion_mask"]):
            ended = any(int(t) in stops for t in ids)
            if not ended:
                truncated_rows += 1
                assert mask.sum() == 0  # a cut completion adds nothing to the loss
    assert truncated_rows > 0  # 6 tokens: most rollouts are cut
    logged = [h for h in trainer.state.log_history if "kept/completions/clipped_ratio" in h]
    assert logged and all(h["kept/completions/clipped_ratio"] > 0 for h in logged)


class GreedyProbe(RecordingTrainer):
    """Records, per evaluation batch, whether generation sampled and what it produced."""

    def __init__(self, *args, **kwargs):
        self.eval_generations: list[tuple[bool, torch.Tensor]] = []
        super().__init__(*args, **kwargs)

    def _generate_and_score_completions(self, inputs):
        out = super()._generate_and_score_completions(inputs)
        if not self.model.training:
            self.eval_generations.append((bool(self.generation_config.do_sample), out["completion_ids"].clone()))
        return out


@pytest.mark.slow
@pytest.mark.parametrize("greedy", [True, False])
def test_validation_decodes_greedily(tiny_policy, steps_ds, tmp_path, greedy):
    cfg = load_config(TINY_CONFIG, max_completion_length=12, output_dir=str(tmp_path), save_strategy="no",
                      eval_strategy="no", greedy_eval=greedy, per_device_eval_batch_size=4)
    tokenizer = load_tokenizer(tiny_policy)
    rows = srl_dataset(steps_ds, tokenizer, cfg)
    trainer = GreedyProbe(model=str(tiny_policy), reward_funcs=[scripted_constant], args=cfg,
                          train_dataset=rows, eval_dataset=rows.select(range(4)), processing_class=tokenizer)
    runs = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        trainer.eval_generations.clear()
        trainer.evaluate()
        runs.append(trainer.eval_generations[:])
    assert runs[0] and all(sampled is not greedy for sampled, _ in runs[0] + runs[1])
    assert trainer.generation_config.do_sample  # training goes on sampling
    same = all(torch.equal(a, b) for (_, a), (_, b) in zip(runs[0], runs[1]))
    assert same if greedy else not same
