"""Configs: YAML loading and validation, and their translation into TRL configs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from swe_srl.srl.config import TrainConfig, dump_config, load_config
from swe_srl.srl.trainer import batch_layout, build_grpo_config

from .conftest import REPO_ROOT

CONFIGS = REPO_ROOT / "configs"


def test_paper_recipe_carries_the_paper_settings():
    cfg = load_config(CONFIGS / "srl-qwen2.5-coder-7b.yaml")
    assert cfg.model == "Qwen/Qwen2.5-Coder-7B-Instruct"
    assert (cfg.learning_rate, cfg.kl_coef, cfg.rollouts_per_prompt, cfg.temperature) == (5e-7, 0.0, 8, 1.0)
    assert (cfg.prompts_per_batch, cfg.max_grad_norm, cfg.warmup_ratio, cfg.bf16) == (512, 1.0, 0.0, True)
    assert cfg.window == 2 and cfg.reward.mode == "difflib" and cfg.dynamic_sampling.enabled
    assert cfg.vllm.enabled and cfg.vllm.mode == "colocate" and cfg.greedy_eval


def test_base_configs_are_merged_underneath():
    server = load_config(CONFIGS / "srl-qwen2.5-coder-7b-vllm-server.yaml")
    assert server.vllm.mode == "server" and server.vllm.gpu_memory_utilization == 0.35
    assert server.learning_rate == 5e-7
    sft = load_config(CONFIGS / "sft-qwen2.5-coder-7b.yaml")
    assert sft.method == "sft" and not sft.vllm.enabled and sft.window == 2


def test_paper_batch_on_one_node_and_two():
    cfg = load_config(CONFIGS / "srl-qwen2.5-coder-7b.yaml")
    assert batch_layout(cfg, 8) == {"per_device_train_batch_size": 4, "gradient_accumulation_steps": 128}
    assert batch_layout(cfg, 16) == {"per_device_train_batch_size": 4, "gradient_accumulation_steps": 64}
    with pytest.raises(ValueError, match="multiple"):
        batch_layout(cfg, 7)


def test_grpo_config_translation():
    cfg = load_config(CONFIGS / "tiny-cpu.yaml")
    args = build_grpo_config(cfg, "/tmp/x", has_eval=True, processes=1)
    assert args.num_generations == 4 and args.beta == 0.0 and args.temperature == 1.0
    assert args.per_device_train_batch_size * args.gradient_accumulation_steps == 8
    assert args.generation_batch_size == 8 and args.steps_per_generation == 2
    assert args.max_completion_length == 96 and args.use_cpu and not args.bf16
    assert args.eval_strategy == "steps" and args.num_generations_eval == 1
    assert build_grpo_config(cfg, "/tmp/x", has_eval=False, processes=1).eval_strategy == "no"
    assert not args.gradient_checkpointing


def test_trl_args_pass_through():
    cfg = load_config(CONFIGS / "tiny-cpu.yaml", trl_args={"mask_truncated_completions": True, "top_k": 5})
    args = build_grpo_config(cfg, "/tmp/x", has_eval=False, processes=1)
    assert args.mask_truncated_completions and args.top_k == 5


@pytest.mark.parametrize(
    "bad",
    [
        {"report_to": "mlflow"},
        {"rollouts_per_prompt": 1},
        {"window": -1},
        {"reward": {"mode": "bleu"}},
        {"vllm": {"mode": "remote"}},
        {"learning_rate_typo": 1.0},
        {"per_device_batch_size": 3, "rollouts_per_prompt": 8},
    ],
)
def test_invalid_configs_are_rejected(bad):
    with pytest.raises(ValidationError):
        TrainConfig.model_validate(bad)


def test_dump_and_reload_round_trip(tmp_path):
    cfg = load_config(CONFIGS / "tiny-cpu.yaml", window="all")
    assert load_config(dump_config(cfg, tmp_path / "c.yaml")) == cfg


def test_base_loops_are_reported(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\n")
    with pytest.raises(ValueError, match="loops"):
        load_config(tmp_path / "a.yaml")
