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
import os
import time
from typing import Any

import torch
from trl import GRPOConfig, GRPOTrainer

from swe_srl.srl.config import DynamicSamplingConfig, TrainConfig
from swe_srl.srl.sampling import (
    RefillSource,
    concat_batches,
    group_rows,
    keep_groups,
    plan_take,
    select_rows,
    trim_padding,
)

log = logging.getLogger(__name__)


class SRLGRPOTrainer(GRPOTrainer):
    """GRPOTrainer + dynamic sampling with refill + greedy validation."""

    def __init__(
        self,
        *args: Any,
        dynamic_sampling: DynamicSamplingConfig | None = None,
        greedy_eval: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.dynamic_sampling = dynamic_sampling or DynamicSamplingConfig()
        self.greedy_eval = greedy_eval
        self._srl_rewards: torch.Tensor | None = None
        self._refill: RefillSource | None = None
        self.sampling_log: list[dict[str, float]] = []  # one record per generation batch
        if self.dynamic_sampling.enabled:
            self._check_layout()

    # -- layout checks ---------------------------------------------------------------
    def _check_layout(self) -> None:
        local = self.args.per_device_train_batch_size * self.args.steps_per_generation
        if local % self.num_generations:
            raise ValueError(
                f"dynamic sampling needs whole groups on each rank: per_device_train_batch_size x "
                f"steps_per_generation = {local} is not a multiple of num_generations = {self.num_generations} "
                "(make prompts_per_batch a multiple of the number of processes)"
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
        kept_rewards: list[torch.Tensor] = []
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
            keep = keep_groups(rewards, size, cfg.epsilon)
            sampled += keep.numel()
            kept += int(keep.sum())
            kept_rewards.append(rewards.view(-1, size)[keep].flatten())
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
        kept_all = torch.cat(kept_rewards)
        if kept_all.numel() and not torch.isnan(kept_all).all():  # TRL averages logged lists: no NaN entries
            record["dynamic_sampling/kept_reward_mean"] = float(kept_all.nanmean())
        for key, value in record.items():
            self._metrics["train"][key].append(value)
        bookkeeping = time.perf_counter() - began - first_s - regen_s  # filtering, cutting, re-padding
        self.sampling_log.append({**record, "first_round_s": first_s, "regeneration_s": regen_s, "bookkeeping_s": bookkeeping})
        return result

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


def world_size() -> int:
    """Processes in this launch (accelerate/torchrun set WORLD_SIZE)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def batch_layout(config: TrainConfig, processes: int) -> dict[str, int]:
    """Per-device batch and accumulation steps giving `prompts_per_batch` prompts per optimizer step."""
    total = config.completions_per_step()
    micro = config.per_device_batch_size * processes
    if total % micro:
        raise ValueError(
            f"prompts_per_batch x rollouts_per_prompt = {total} completions must be a multiple of "
            f"per_device_batch_size x processes = {micro}"
        )
    if config.prompts_per_batch % processes:
        raise ValueError(f"prompts_per_batch ({config.prompts_per_batch}) must be a multiple of the {processes} processes")
    return {"per_device_train_batch_size": config.per_device_batch_size, "gradient_accumulation_steps": total // micro}


def checkpointing_arg(config_class: type, enabled: bool) -> dict[str, bool]:
    """Activation checkpointing under the name this transformers version uses (renamed in 5.x)."""
    fields = getattr(config_class, "__dataclass_fields__", {})
    return {"activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing": enabled}


def use_cpu(config: TrainConfig) -> bool:
    return (not torch.cuda.is_available()) if config.use_cpu is None else config.use_cpu


def model_init_kwargs(config: TrainConfig) -> dict[str, Any]:
    on_cpu = use_cpu(config)
    kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if config.bf16 and not on_cpu else torch.float32}
    if config.attn_implementation:
        kwargs["attn_implementation"] = config.attn_implementation
    return kwargs


def run_args(config: TrainConfig, config_class, *, has_eval: bool) -> dict[str, Any]:
    """The TrainingArguments both trainers share: checkpoints, eval, logging, devices."""
    on_cpu = use_cpu(config)
    evaluate = has_eval and bool(config.eval_steps)
    return dict(
        max_steps=config.max_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        eval_strategy="steps" if evaluate else "no",
        eval_steps=config.eval_steps if evaluate else None,
        per_device_eval_batch_size=config.eval_batch_size,
        logging_steps=config.logging_steps,
        report_to=config.report_to,
        run_name=config.run_name,
        bf16=config.bf16 and not on_cpu,
        use_cpu=on_cpu,
        **checkpointing_arg(config_class, config.gradient_checkpointing),
        model_init_kwargs=model_init_kwargs(config),
    )


def build_grpo_config(config: TrainConfig, output_dir: str, *, has_eval: bool, processes: int | None = None) -> GRPOConfig:
    """Translate the SRL config into TRL's GRPOConfig (`trl_args` override anything)."""
    processes = processes or world_size()
    vllm = config.vllm
    args: dict[str, Any] = dict(
        output_dir=output_dir,
        seed=config.seed,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        **batch_layout(config, processes),
        num_generations=config.rollouts_per_prompt,
        max_completion_length=config.max_completion_tokens,
        temperature=config.temperature,
        top_p=config.top_p,
        beta=config.kl_coef,
        loss_type=config.loss_type,
        scale_rewards=config.scale_rewards,
        num_iterations=config.num_iterations,
        mask_truncated_completions=config.mask_truncated_completions,
        num_train_epochs=config.epochs,
        **run_args(config, GRPOConfig, has_eval=has_eval),
        num_generations_eval=config.eval_rollouts,
        log_completions=config.log_completions,
        remove_unused_columns=False,
        use_vllm=vllm.enabled,
        vllm_mode=vllm.mode,
        vllm_gpu_memory_utilization=vllm.gpu_memory_utilization,
        vllm_tensor_parallel_size=vllm.tensor_parallel_size,
        vllm_enable_sleep_mode=vllm.enable_sleep_mode,
        vllm_max_model_length=vllm.max_model_length,
        vllm_server_base_url=vllm.server_base_url,
        vllm_server_host=vllm.server_host,
        vllm_server_port=vllm.server_port,
        vllm_server_timeout=vllm.server_timeout,
    )
    args.update(config.trl_args)
    return GRPOConfig(**args)


def peft_config(config: TrainConfig):
    if not config.lora.enabled:
        return None
    from peft import LoraConfig

    lora = config.lora
    return LoraConfig(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=lora.target_modules, task_type="CAUSAL_LM"
    )
