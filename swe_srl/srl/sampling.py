"""Dynamic sampling: keep only groups whose rollouts disagree, refill the rest.

A group of G rollouts whose rewards are all alike has zero GRPO advantage, so it only
dilutes the batch. The pieces here are pure tensor/list functions so they can be tested
without a trainer: which groups to keep, how many each rank takes so that every rank ends
with the same number, how to cut and re-pad TRL's per-completion batches, and where
refill prompts come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

LEFT_PADDED = ("prompt_ids", "prompt_mask")


def group_std(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """Population std of each group of `group_size` consecutive rewards, ignoring NaN."""
    grouped = rewards.view(-1, group_size).float()
    valid = ~torch.isnan(grouped)
    count = valid.sum(dim=1)
    filled = torch.where(valid, grouped, torch.zeros_like(grouped))
    mean = filled.sum(dim=1) / count.clamp(min=1)
    var = (torch.where(valid, grouped - mean[:, None], torch.zeros_like(grouped)) ** 2).sum(dim=1) / count.clamp(min=1)
    std = var.sqrt()
    return torch.where(count > 0, std, torch.full_like(std, float("nan")))


def keep_groups(rewards: torch.Tensor, group_size: int, epsilon: float) -> torch.Tensor:
    """True for groups whose reward population std is > epsilon (NaN groups are dropped)."""
    std = group_std(rewards, group_size)
    return torch.nan_to_num(std, nan=-1.0) > epsilon


def plan_take(keep_by_rank: torch.Tensor, have: Sequence[int], need: int) -> list[list[int]]:
    """Per rank, the local group indices to take this round.

    `keep_by_rank[r, g]` says whether rank r's local group g is kept; `have[r]` how many
    groups rank r already holds. Every rank computes this from the same gathered rewards,
    so all ranks agree on every rank's count without extra communication.
    """
    plan = []
    for r in range(keep_by_rank.shape[0]):
        kept = torch.nonzero(keep_by_rank[r], as_tuple=False).flatten().tolist()
        plan.append(kept[: max(need - have[r], 0)])
    return plan


def group_rows(groups: Sequence[int], group_size: int) -> torch.Tensor:
    """Row indices of whole groups, in group order."""
    if not groups:
        return torch.zeros(0, dtype=torch.long)
    return torch.cat([torch.arange(g * group_size, (g + 1) * group_size) for g in groups])


def select_rows(batch: dict[str, Any], rows: torch.Tensor) -> dict[str, Any]:
    """The given rows of every per-completion entry; scalars are kept as they are."""
    n = batch["completion_ids"].shape[0]
    out: dict[str, Any] = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor) and value.ndim >= 1 and value.shape[0] == n:
            out[key] = value[rows.to(value.device)]
        elif isinstance(value, list) and len(value) == n:
            out[key] = [value[i] for i in rows.tolist()]
        else:
            out[key] = value
    return out


def _pad_value(key: str, pad_token_id: int) -> float:
    if key in ("prompt_ids", "completion_ids"):
        return pad_token_id
    if key == "tool_mask":
        return 1
    return 0


def _pad_to(t: torch.Tensor, width: int, value: float, left: bool) -> torch.Tensor:
    extra = width - t.shape[1]
    if extra <= 0:
        return t
    pad = torch.full((t.shape[0], extra, *t.shape[2:]), value, dtype=t.dtype, device=t.device)
    return torch.cat([pad, t] if left else [t, pad], dim=1)


def concat_batches(pieces: Sequence[dict[str, Any]], pad_token_id: int) -> dict[str, Any]:
    """Stack TRL batches from several generation rounds along the rows.

    Each round pads to its own longest prompt/completion, so 2-D entries are padded to a
    common width first (prompts on the left, everything else on the right, with values
    the loss masks out). Scalars (e.g. `num_items_in_batch`) are taken from the first
    piece; the caller recomputes what depends on the final rows.
    """
    if len(pieces) == 1:
        return dict(pieces[0])
    n_rows = [p["completion_ids"].shape[0] for p in pieces]
    out: dict[str, Any] = {}
    for key in pieces[0]:
        values = [p.get(key) for p in pieces]
        first = values[0]
        if first is None:
            out[key] = None
        elif isinstance(first, torch.Tensor) and first.ndim >= 1 and first.shape[0] == n_rows[0]:
            if first.ndim >= 2:
                width = max(v.shape[1] for v in values)
                values = [_pad_to(v, width, _pad_value(key, pad_token_id), key in LEFT_PADDED) for v in values]
            out[key] = torch.cat(values, dim=0)
        elif isinstance(first, list) and len(first) == n_rows[0]:
            out[key] = [x for v in values for x in v]
        else:
            out[key] = first
    return out


def trim_padding(batch: dict[str, Any]) -> dict[str, Any]:
    """Drop columns that are padding in every row (left of the prompts, right of the completions).

    Rows gathered from several generation rounds carry each round's padding width; the loss
    should not pay for columns no kept row uses.
    """
    out = dict(batch)
    n = batch["completion_ids"].shape[0]
    comp_w = batch["completion_ids"].shape[1]
    keep_c = int(batch["completion_mask"].sum(dim=1).max()) if n else 0
    keep_p = int(batch["prompt_mask"].sum(dim=1).max()) if n else 0
    for key, value in batch.items():
        if not (isinstance(value, torch.Tensor) and value.ndim >= 2 and value.shape[0] == n):
            continue
        if key in LEFT_PADDED:
            out[key] = value[:, value.shape[1] - keep_p :]
        elif value.shape[1] == comp_w and keep_c < comp_w:
            out[key] = value[:, : max(keep_c, 1)]
    return out


class RefillSource:
    """Fresh prompt batches for refills, in the same order on every rank.

    Mirrors TRL's `RepeatSampler` layout: each prompt repeated G times in a row, the global
    generation batch cut into equal contiguous slices, one per rank. The order comes from a
    seeded permutation, so every rank draws the same prompts without communicating.
    """

    def __init__(
        self,
        dataset,
        num_generations: int,
        generation_batch_size: int,
        process_index: int = 0,
        num_processes: int = 1,
        seed: int = 0,
    ):
        if len(dataset) == 0:
            raise ValueError("dynamic sampling needs a non-empty training dataset")
        if generation_batch_size % (num_generations * num_processes):
            raise ValueError("generation batch must split into whole groups on every rank")
        self.dataset = dataset
        self.num_generations = num_generations
        self.prompts_per_batch = generation_batch_size // num_generations
        self.local_rows = generation_batch_size // num_processes
        self.process_index = process_index
        self.seed = seed
        self._order: list[int] = []
        self._pos = 0
        self._epoch = 0

    def _prompt_indices(self, n: int) -> list[int]:
        out: list[int] = []
        while len(out) < n:
            if self._pos >= len(self._order):
                g = torch.Generator().manual_seed(self.seed + self._epoch)
                self._order = torch.randperm(len(self.dataset), generator=g).tolist()
                self._epoch += 1
                self._pos = 0
            take = min(n - len(out), len(self._order) - self._pos)
            out.extend(self._order[self._pos : self._pos + take])
            self._pos += take
        return out

    def next_local_batch(self) -> list[dict[str, Any]]:
        """This rank's rows of the next global generation batch."""
        prompts = self._prompt_indices(self.prompts_per_batch)
        rows = [i for i in prompts for _ in range(self.num_generations)]
        start = self.process_index * self.local_rows
        return [self.dataset[i] for i in rows[start : start + self.local_rows]]
