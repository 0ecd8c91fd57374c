"""GRPO on TRL with SRL's dynamic sampling.

`SRLGRPOTrainer` is TRL's `GRPOTrainer` with one generation-time change. TRL's
`_prepare_inputs` calls `_generate_and_score_completions` once per generation batch
(`per_device_train_batch_size x steps_per_generation` completions) and then shuffles and
splits the result into the `steps_per_generation` micro-batches that gradient
accumulation consumes. Dynamic sampling hooks that call: it scores the batch, keeps the
groups whose rewards disagree (population std > epsilon), draws further prompt batches
until every rank holds as many kept groups as a normal batch has, and returns a batch of
exactly the normal size. TRL's buffering, accumulation, `num_iterations` and resume logic
therefore run unchanged on a batch in which every group carries an advantage.

Multi-process: rewards are gathered across ranks by TRL before advantages are computed,
so every rank sees the same keep mask and can compute every rank's count; each rank only
takes groups it holds locally, and the loop ends on a condition all ranks evaluate
identically (min over ranks). Every rank thus runs the same number of generation rounds
(the collectives inside stay matched) and ends with the same number of groups.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import torch

from swe_srl.srl.trl_version import require_trl

require_trl()

from trl import GRPOTrainer  # noqa: E402

from swe_srl.srl.config import DynamicSampling, check_dynamic_sampling  # noqa: E402
from swe_srl.srl.sampling import (  # noqa: E402
    RefillSource,
    concat_batches,
    group_rows,
    group_std,
    keep_groups,
    plan_take,
    select_rows,
    trim_padding,
)

log = logging.getLogger(__name__)

ROW_REWARDS = "_srl_row_rewards"  # per-row reward carried through the selections, popped before TRL sees the batch


def nanstd(values: torch.Tensor) -> torch.Tensor:
    """Standard deviation ignoring NaN, as TRL's `nanstd` (Bessel-corrected)."""
    from trl.trainer.utils import nanstd as trl_nanstd

    return trl_nanstd(values)


class SRLGRPOTrainer(GRPOTrainer):
    """GRPOTrainer + dynamic sampling with refill + greedy validation.

    Reads its settings from `args` (an `SRLConfig`: `dynamic_sampling*`, `greedy_eval`);
    with a plain `GRPOConfig` it uses their defaults. `dynamic_sampling` / `greedy_eval`
    given here take precedence (benchmarks compare settings on one config).
    """

    def __init__(
        self,
        *args: Any,
        dynamic_sampling: DynamicSampling | None = None,
        greedy_eval: bool | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.dynamic_sampling = dynamic_sampling or DynamicSampling.from_args(self.args)
        self.greedy_eval = getattr(self.args, "greedy_eval", True) if greedy_eval is None else greedy_eval
        self._srl_rewards: torch.Tensor | None = None
        self._refill: RefillSource | None = None
        self.sampling_log: list[dict[str, float]] = []  # one record per generation batch
        if self.dynamic_sampling.enabled:
            check_dynamic_sampling(self.args)
            self._check_layout()

    # -- layout checks ---------------------------------------------------------------
    def _check_layout(self) -> None:
        local = self.args.per_device_train_batch_size * self.args.steps_per_generation
        if local % self.num_generations:
            raise ValueError(
                f"dynamic sampling needs whole groups on each rank: per_device_train_batch_size x "
                f"steps_per_generation = {local} is not a multiple of num_generations = {self.num_generations} "
                "(per_device_train_batch_size x steps_per_generation must hold whole groups of num_generations)"
            )
        columns = getattr(self.train_dataset, "column_names", None)
        if columns is None:
            raise ValueError("dynamic sampling refills from the dataset by index: pass a map-style Dataset")
        if {"image", "images"} & set(columns):
            raise ValueError("SRL training is text-only; drop the `image` column (swe_srl.srl.data does)")

    def _refill_source(self) -> RefillSource:
        if self._refill is None:
            self._refill = RefillSource(
                self.train_dataset,
                self.num_generations,
                self.args.generation_batch_size,
                self.accelerator.process_index,
                self.accelerator.num_processes,
                seed=self.args.seed + 1 + self.state.global_step,
            )
        return self._refill

    # -- hooks -----------------------------------------------------------------------
    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        rewards_per_func = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        # Gathered over all ranks; the weighted sum is the reward TRL turns into advantages.
        weights = self.reward_weights.to(rewards_per_func.device).unsqueeze(0)
        rewards = (rewards_per_func * weights).nansum(dim=1)
        rewards[torch.isnan(rewards_per_func).all(dim=1)] = torch.nan
        self._srl_rewards = rewards
        return rewards_per_func

    def _generate_and_score_completions(self, inputs):
        if not self.model.training or not self.dynamic_sampling.enabled:
            return super()._generate_and_score_completions(inputs)
        return self._dynamic_sampling_batch(inputs)

    def _dynamic_sampling_batch(self, inputs) -> dict[str, Any]:
        cfg = self.dynamic_sampling
        size = self.num_generations
        ranks, rank = self.accelerator.num_processes, self.accelerator.process_index
        need = len(inputs) // size  # groups per rank in a normal batch
        have = [0] * ranks
        pieces: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        sampled = kept = rounds = 0
        first_s = regen_s = 0.0
        began = time.perf_counter()
        batch = inputs
        while True:
            start = time.perf_counter()
            out = super()._generate_and_score_completions(batch)
            elapsed = time.perf_counter() - start
            if rounds == 0:
                first_s = elapsed
            else:
                regen_s += elapsed
            rounds += 1
            rewards = self._srl_rewards
            local = rewards.numel() // ranks
            out[ROW_REWARDS] = rewards[rank * local : (rank + 1) * local]  # rides along the row selections
            keep = keep_groups(rewards, size, cfg.epsilon)
            sampled += keep.numel()
            kept += int(keep.sum())
            plan = plan_take(keep.view(ranks, need), have, need)
            if plan[rank]:
                pieces.append(select_rows(out, group_rows(plan[rank], size)))
            have = [h + len(p) for h, p in zip(have, plan)]
            last = out
            if min(have) >= need:
                break
            if rounds > cfg.max_refill_rounds:
                log.warning(
                    "dynamic sampling: refill cap hit (%d rounds, %d/%d groups kept, rank %d holds %d of %d); "
                    "the batch is completed with repeats of kept groups, or zero-advantage groups where a rank "
                    "kept none",
                    rounds, kept, sampled, rank, have[rank], need,
                )
                break
            batch = self._refill_source().next_local_batch()

        result, repeated, filler = self._complete(pieces, last, have[rank], need)
        row_rewards = result.pop(ROW_REWARDS)
        if rounds > 1:
            result = trim_padding(result)
        loss_mask = result["completion_mask"]
        if result.get("tool_mask") is not None:
            loss_mask = loss_mask * result["tool_mask"]
        result["num_items_in_batch"] = self.accelerator.gather(loss_mask.sum()).sum()

        record = {
            "dynamic_sampling/kept_fraction": kept / max(sampled, 1),
            "dynamic_sampling/generation_rounds": float(rounds),
            "dynamic_sampling/cap_hit": float(min(have) < need),
            "dynamic_sampling/repeated_groups": float(repeated),
            "dynamic_sampling/filler_groups": float(filler),
        }
        record.update(self._kept_metrics(result, row_rewards))
        for key, value in record.items():
            self._metrics["train"][key].append(value)
        bookkeeping = time.perf_counter() - began - first_s - regen_s  # filtering, cutting, re-padding
        self.sampling_log.append({**record, "first_round_s": first_s, "regeneration_s": regen_s, "bookkeeping_s": bookkeeping})
        return result

    def _kept_metrics(self, result: dict[str, Any], row_rewards: torch.Tensor) -> dict[str, float]:
        """TRL's reward and length figures over the batch that reaches the loss (`kept/*`).

        TRL logs `reward`, `reward_std`, `frac_reward_zero_std` and `completions/*` for every
        generation round, dropped groups included; these are the same figures for the kept
        groups (and any repeats or fillers the refill cap forced), over all ranks.
        """
        rewards = self.accelerator.gather(row_rewards)
        # Lengths are the completion tokens in the loss (a cut completion has none under
        # mask_truncated_completions); a completion is cut when it never emitted EOS.
        lengths = result["completion_mask"].sum(dim=1)
        ids = result["completion_ids"]
        eos = torch.tensor(list(self.eos_token_ids), device=ids.device)
        truncated = ~torch.isin(ids, eos).any(dim=1)
        lengths, truncated = self.accelerator.gather(lengths), self.accelerator.gather(truncated)
        metrics = {
            "kept/completions/mean_length": float(lengths.float().mean()),
            "kept/completions/clipped_ratio": float(truncated.float().mean()),
        }
        if not torch.isnan(rewards).all():  # TRL averages logged lists: no NaN entries
            std = group_std(rewards, self.num_generations)
            metrics.update({
                "kept/reward_mean": float(rewards.nanmean()),
                "kept/reward_std": float(nanstd(rewards)),
                "kept/frac_reward_zero_std": float((torch.nan_to_num(std, nan=0.0) <= self.dynamic_sampling.epsilon).float().mean()),
            })
        return metrics

    def _complete(self, pieces, last, held: int, need: int) -> tuple[dict[str, Any], int, int]:
        """Concatenate this rank's kept groups and top up to `need` groups if the cap was hit.

        Repeating kept groups keeps the step's gradient that of the kept groups (the DAPO
        loss normalises by tokens); a rank that kept nothing gets zero-advantage groups,
        which add no policy gradient but keep the ranks' batch shapes equal.
        """
        size = self.num_generations
        pad_id = self.processing_class.pad_token_id if hasattr(self.processing_class, "pad_token_id") else 0
        if held == 0:
            filler = select_rows(last, group_rows(list(range(need)), size))
            filler["advantages"] = torch.zeros_like(filler["advantages"])
            return filler, 0, need
        result = concat_batches(pieces, pad_id)
        missing = need - held
        if missing <= 0:
            return result, 0, 0
        extra = [g % held for g in range(missing)]
        rows = torch.cat([torch.arange(held * size), group_rows(extra, size)])
        return select_rows(result, rows), missing, 0

    # -- validation ------------------------------------------------------------------
    def evaluate(self, *args: Any, **kwargs: Any):
        """Validation on held-out steps; greedy decoding when `greedy_eval` (as in the paper's eval)."""
        if not self.greedy_eval:
            return super().evaluate(*args, **kwargs)
        saved_config = getattr(self, "generation_config", None)
        vllm = getattr(self, "vllm_generation", None) if self.use_vllm else None
        saved_temperature = getattr(vllm, "temperature", None)
        if saved_config is not None:
            greedy = copy.deepcopy(saved_config)
            greedy.do_sample = False
            greedy.temperature = greedy.top_p = greedy.top_k = greedy.min_p = None
            self.generation_config = greedy
        if vllm is not None:
            vllm.temperature = 0.0
        try:
            return super().evaluate(*args, **kwargs)
        finally:
            if saved_config is not None:
                self.generation_config = saved_config
            if vllm is not None:
                vllm.temperature = saved_temperature


def model_init_kwargs(config) -> dict[str, Any]:
    """`model_init_kwargs` from the ModelConfig fields, as TRL's own `trl grpo`/`trl sft` scripts build them."""
    kwargs: dict[str, Any] = dict(
        revision=config.model_revision,
        trust_remote_code=config.trust_remote_code,
        attn_implementation=config.attn_implementation,
        dtype=config.dtype,
    )
    kwargs.update(config.model_init_kwargs or {})
    return kwargs


def peft_config(config):
    """TRL's `get_peft_config` on the config's ModelConfig fields (`use_peft`, `lora_*`)."""
    from trl import get_peft_config

    return get_peft_config(config)
