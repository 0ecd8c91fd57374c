"""Dynamic sampling pieces: group std, keep mask, per-rank plans, batch cutting and refill."""

from __future__ import annotations

import math

import torch

from swe_srl.srl.sampling import (
    RefillSource,
    concat_batches,
    group_rows,
    group_std,
    keep_groups,
    plan_take,
    select_rows,
    trim_padding,
)


def test_group_std_is_the_population_std():
    rewards = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, -1.0, float("nan"), -1.0, -1.0])
    std = group_std(rewards, 4)
    assert std[0] == 0.0 and math.isclose(float(std[1]), 0.5) and std[2] == 0.0


def test_keep_groups_uses_epsilon():
    rewards = torch.tensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5005, 0.0, 1.0, float("nan")] + [float("nan")] * 3)
    assert keep_groups(rewards, 3, 1e-4).tolist() == [False, True, True, False]
    assert keep_groups(rewards, 3, 0.01).tolist() == [False, False, True, False]


def test_plan_take_gives_each_rank_only_what_it_still_needs():
    keep = torch.tensor([[True, False, True, True], [False, False, True, False]])
    assert plan_take(keep, [0, 0], 2) == [[0, 2], [2]]
    assert plan_take(keep, [1, 1], 2) == [[0], [2]]
    assert plan_take(keep, [2, 0], 2) == [[], [2]]


def fake_batch(n_rows: int, prompt_w: int, comp_w: int, offset: int = 0) -> dict:
    return {
        "prompt_ids": torch.arange(n_rows * prompt_w).view(n_rows, prompt_w) + offset,
        "prompt_mask": torch.ones(n_rows, prompt_w, dtype=torch.long),
        "completion_ids": torch.arange(n_rows * comp_w).view(n_rows, comp_w) + offset,
        "completion_mask": torch.ones(n_rows, comp_w, dtype=torch.long),
        "advantages": torch.arange(n_rows, dtype=torch.float) + offset,
        "old_per_token_logps": None,
        "num_items_in_batch": torch.tensor(n_rows * comp_w),
        "num_images": [0] * n_rows,
    }


def test_select_rows_cuts_every_per_completion_entry():
    batch = fake_batch(6, 2, 3)
    out = select_rows(batch, group_rows([1], 2))
    assert out["advantages"].tolist() == [2.0, 3.0]
    assert out["completion_ids"].shape == (2, 3) and out["num_images"] == [0, 0]
    assert out["num_items_in_batch"] is batch["num_items_in_batch"] and out["old_per_token_logps"] is None


def test_concat_pads_prompts_left_and_completions_right():
    a, b = fake_batch(2, 2, 3), fake_batch(2, 4, 1, offset=100)
    out = concat_batches([a, b], pad_token_id=-7)
    assert out["prompt_ids"].shape == (4, 4) and out["completion_ids"].shape == (4, 3)
    assert out["prompt_ids"][0].tolist() == [-7, -7, 0, 1]
    assert out["prompt_mask"][0].tolist() == [0, 0, 1, 1]
    assert out["completion_ids"][2].tolist() == [100, -7, -7]
    assert out["completion_mask"][2].tolist() == [1, 0, 0]
    assert out["advantages"].tolist() == [0.0, 1.0, 100.0, 101.0]
    assert out["num_images"] == [0] * 4


def test_refill_source_is_the_same_on_every_rank_and_splits_groups(steps_ds):
    ranks = [RefillSource(steps_ds, 4, 16, process_index=r, num_processes=2, seed=5) for r in range(2)]
    batches = [src.next_local_batch() for src in ranks]
    assert all(len(b) == 8 for b in batches)
    ids = [[row["expert_action"] for row in b] for b in batches]
    for rank_ids in ids:  # whole groups: G identical prompts in a row
        assert all(len(set(rank_ids[g * 4 : g * 4 + 4])) == 1 for g in range(2))
    again = RefillSource(steps_ds, 4, 16, process_index=1, num_processes=2, seed=5).next_local_batch()
    assert [r["expert_action"] for r in again] == ids[1]
    src = RefillSource(steps_ds, 2, 4, seed=1)
    seen = [r["step_index"] for _ in range(20) for r in src.next_local_batch()]
    assert len(seen) == 80  # keeps cycling through epochs


def test_trim_padding_drops_columns_no_row_uses():
    batch = concat_batches([fake_batch(2, 2, 3), fake_batch(2, 4, 1, offset=100)], pad_token_id=-7)
    batch["completion_mask"][:, 2] = 0  # no row uses the last completion column
    batch["old_per_token_logps"] = torch.zeros(4, 3)
    out = trim_padding(batch)
    assert out["completion_ids"].shape == (4, 2) and out["old_per_token_logps"].shape == (4, 2)
    assert out["prompt_ids"].shape == (4, 4)  # the wider prompts use all four columns
    only_short = trim_padding(select_rows(batch, torch.tensor([0, 1])))
    assert only_short["prompt_ids"].tolist() == [[0, 1], [2, 3]]
    assert torch.equal(only_short["advantages"], batch["advantages"][:2])


def vllm_round(n_rows: int, comp_w: int, lengths: list[int], base: float) -> dict:
    """A generation round as TRL 1.16 builds it with vLLM: the sampling engine's per-token
    log-probs and the importance-sampling ratio (per token (B, T) or per sequence (B, 1))."""
    mask = torch.zeros(n_rows, comp_w, dtype=torch.long)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    values = base + torch.arange(n_rows * comp_w, dtype=torch.float).view(n_rows, comp_w)
    return {
        "prompt_ids": torch.ones(n_rows, 3, dtype=torch.long),
        "prompt_mask": torch.ones(n_rows, 3, dtype=torch.long),
        "completion_ids": torch.full((n_rows, comp_w), 7),
        "completion_mask": mask,
        "advantages": torch.arange(n_rows, dtype=torch.float) + base,
        "old_per_token_logps": -values * mask,
        "sampling_per_token_logps": -values * mask,
        "importance_sampling_ratio": 1 + values * mask / 1000,
        "sequence_ratio": 1 + torch.arange(n_rows, dtype=torch.float).unsqueeze(1) / 10 + base,
        "num_items_in_batch": torch.tensor(float(mask.sum())),
    }


def test_vllm_only_keys_follow_their_rows_through_cutting_and_joining():
    a = vllm_round(4, 5, [5, 2, 3, 1], base=0.0)
    b = vllm_round(4, 3, [1, 3, 2, 2], base=100.0)
    pieces = [select_rows(a, torch.tensor([2, 3])), select_rows(b, torch.tensor([0, 1]))]
    joined = trim_padding(concat_batches(pieces, pad_token_id=0))
    width = joined["completion_ids"].shape[1]
    assert width == 3  # the longest kept completion; a's width-5 padding is gone
    for key in ("sampling_per_token_logps", "importance_sampling_ratio", "old_per_token_logps"):
        assert joined[key].shape == joined["completion_mask"].shape == (4, 3), key
    expected_rows = [(a, 2), (a, 3), (b, 0), (b, 1)]
    for out_row, (src, row) in enumerate(expected_rows):
        n = int(src["completion_mask"][row].sum())
        assert joined["completion_mask"][out_row].sum() == n
        for key in ("sampling_per_token_logps", "importance_sampling_ratio"):
            assert torch.equal(joined[key][out_row, :n], src[key][row, :n]), (key, out_row)
        assert joined["advantages"][out_row] == src["advantages"][row]
        # per-sequence ratios keep their (B, 1) shape and their row
        assert joined["sequence_ratio"][out_row, 0] == src["sequence_ratio"][row, 0]
    assert joined["sequence_ratio"].shape == (4, 1)
    # padding beyond a row's completion is masked out of every loss term
    assert torch.all(joined["importance_sampling_ratio"][joined["completion_mask"] == 0] * 0 == 0)
