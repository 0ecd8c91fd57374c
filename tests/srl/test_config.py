"""Configs: TRL's own config classes plus SRL's fields, loaded from YAML by TRL's parser."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
import yaml

from swe_srl.srl.config import (
    SRLConfig,
    SRLSFTConfig,
    dump_config,
    load_config,
    parse_config,
    replace_config,
)
from swe_srl.srl.trl_version import PIN, require_trl

from .conftest import REPO_ROOT, TINY_CONFIG

CONFIGS = REPO_ROOT / "configs"
SHIPPED = sorted(CONFIGS.glob("*.yaml"))
# The GPU recipes say bf16; transformers refuses bf16 where no GPU is visible unless use_cpu.
ON_CPU = {} if torch.cuda.is_available() else {"use_cpu": True}


def recipe(name: str, **overrides):
    return load_config(CONFIGS / name, **{**ON_CPU, **overrides})


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_yaml_builds_with_its_own_names(path):
    cfg = load_config(path, **ON_CPU)
    mapping = yaml.safe_load(path.read_text())
    assert type(cfg) is (SRLSFTConfig if mapping.get("method") == "sft" else SRLConfig)
    for key, value in mapping.items():  # every key is a field, holding the YAML's value: nothing is translated
        assert hasattr(cfg, key), key
        if key not in ("report_to",) and value is not None:  # transformers reads report_to: none as []
            assert getattr(cfg, key) == value, key
    if isinstance(cfg, SRLConfig):  # each GRPO recipe also runs as the SFT baseline on the same steps
        sft = load_config(path, method="sft", **ON_CPU)
        assert isinstance(sft, SRLSFTConfig) and sft.max_length == cfg.max_prompt_tokens + cfg.max_completion_length
        assert sft.learning_rate == cfg.learning_rate and sft.window == cfg.window


def test_shipped_configs_are_trl_configs():
    from trl import GRPOConfig, ModelConfig, SFTConfig

    assert issubclass(SRLConfig, GRPOConfig) and issubclass(SRLConfig, ModelConfig)
    assert issubclass(SRLSFTConfig, SFTConfig) and issubclass(SRLSFTConfig, ModelConfig)


def test_paper_recipe_carries_the_paper_settings():
    cfg = recipe("srl-qwen2.5-coder-7b.yaml")
    assert cfg.model_name_or_path == "Qwen/Qwen2.5-Coder-7B-Instruct"
    assert (cfg.learning_rate, cfg.beta, cfg.num_generations, cfg.temperature) == (5e-7, 0.0, 8, 1.0)
    assert (cfg.max_grad_norm, cfg.warmup_steps, cfg.bf16, cfg.lr_scheduler_type) == (1.0, 0.0, True, "constant")
    # 512 prompts per optimizer step on one node of 8 GPUs
    assert cfg.per_device_train_batch_size * 8 * cfg.gradient_accumulation_steps == 512 * cfg.num_generations
    assert cfg.window == 2 and cfg.reward_mode == "difflib" and cfg.dynamic_sampling and cfg.greedy_eval
    assert cfg.use_vllm and cfg.vllm_mode == "colocate" and cfg.num_generations_eval == 1
    server = recipe("srl-qwen2.5-coder-7b-vllm-server.yaml")
    assert server.vllm_mode == "server" and server.per_device_train_batch_size * 4 * server.gradient_accumulation_steps == 4096
    sft = recipe("sft-qwen2.5-coder-7b.yaml")
    assert isinstance(sft, SRLSFTConfig) and sft.window == 2 and not getattr(sft, "use_vllm", False)


@pytest.mark.parametrize("name", ["srl-qwen2.5-coder-7b.yaml", "srl-qwen2.5-coder-7b-vllm-server.yaml", "sft-qwen2.5-coder-7b.yaml"])
def test_7b_recipes_hold_the_long_expert_actions(name):
    cfg = recipe(name)
    assert cfg.max_completion_length >= 4096  # p99 SWE-smith action (7.4k chars, ~2.1k tokens) plus a monologue
    assert cfg.warmup_steps < 1  # a ratio of the run's steps, never read as a step count
    if isinstance(cfg, SRLSFTConfig):
        assert cfg.max_length >= cfg.max_prompt_tokens + cfg.max_completion_length
        return
    assert cfg.mask_truncated_completions
    if cfg.vllm_mode == "colocate":
        assert cfg.vllm_max_model_length >= cfg.max_prompt_tokens + cfg.max_completion_length
        # KV cache left on an 80 GB GPU after the bf16 weights, in tokens (Qwen2.5-7B: 28 layers x 4 KV heads
        # x 128 dims x K,V x 2 bytes), must hold at least 4 groups at full length (shared prompt + 8 completions).
        kv_tokens = (cfg.vllm_gpu_memory_utilization * 80e9 - 15.2e9) / (28 * 4 * 128 * 2 * 2)
        assert kv_tokens >= 4 * (cfg.max_prompt_tokens + cfg.num_generations * cfg.max_completion_length)


def test_tiny_config_is_a_cpu_grpo_config():
    cfg = load_config(TINY_CONFIG)
    assert cfg.num_generations == 4 and cfg.beta == 0.0 and cfg.temperature == 1.0
    assert cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps == 8
    assert cfg.generation_batch_size == 8 and cfg.steps_per_generation == 2
    assert cfg.max_completion_length == 96 and cfg.use_cpu and not cfg.bf16 and not cfg.gradient_checkpointing
    assert cfg.eval_strategy == "steps" and cfg.num_generations_eval == 1
    assert cfg.tiny_model().hidden_size == 96 and cfg.model_name_or_path == "tiny"


def test_any_trl_option_passes_through_unchanged():
    cfg = load_config(TINY_CONFIG, ["--top_k", "5", "--mask_truncated_completions", "true", "--window", "all"],
                      num_iterations=2)
    assert cfg.top_k == 5 and cfg.mask_truncated_completions and cfg.num_iterations == 2 and cfg.window == "all"
    assert load_config(TINY_CONFIG, ["--method", "sft", "--packing", "true"]).packing


def test_sft_from_a_grpo_recipe_leaves_out_the_grpo_options():
    cfg = load_config(TINY_CONFIG, method="sft")
    assert isinstance(cfg, SRLSFTConfig) and cfg.max_length == 1024 + 96 and cfg.max_completion_length == 96
    assert not hasattr(cfg, "num_generations") and cfg.per_device_train_batch_size == 4


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"window": -1}, "window"),
        ({"window": "last"}, "window"),
        ({"reward_mode": "bleu"}, "reward_mode"),
        ({"learning_rate_typo": 1.0}, "unknown config option"),
        ({"num_generations": 1, "per_device_train_batch_size": 2}, "at least 2 generations"),
        ({"tool_profile": "vim"}, "profile"),
        ({"scale_rewards": "batch"}, "scale_rewards: batch"),
        ({"multi_objective_aggregation": "normalize_then_sum"}, "normalize_then_sum"),
        ({"warmup_steps": 1.5}, "warmup_steps"),
        ({"method": "dpo"}, "method"),
    ],
)
def test_invalid_configs_are_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        load_config(TINY_CONFIG, **bad)


def test_normalisations_that_see_dropped_groups_are_fine_without_dynamic_sampling():
    cfg = load_config(TINY_CONFIG, dynamic_sampling=False, scale_rewards="batch")
    assert cfg.scale_rewards == "batch"


def test_dump_and_reload_round_trip(tmp_path):
    cfg = load_config(TINY_CONFIG, ["--learning_rate", "3e-4"], window="all", output_dir=tmp_path / "run")
    again = load_config(dump_config(cfg, tmp_path / "c.yaml"))
    assert again.to_dict() == cfg.to_dict()
    assert again.learning_rate == 3e-4 and again.window == "all"
    changed = replace_config(cfg, max_steps=3, method="sft")
    assert isinstance(changed, SRLSFTConfig) and changed.max_steps == 3 and changed.learning_rate == 3e-4


def test_env_mapping_is_exported_like_trls_parser(tmp_path, monkeypatch):
    monkeypatch.delenv("SWE_SRL_TEST_VAR", raising=False)
    path = tmp_path / "c.yaml"
    path.write_text(f"env:\n  SWE_SRL_TEST_VAR: x1\nuse_cpu: true\noutput_dir: {tmp_path}\n")
    load_config(path)
    import os

    assert os.environ["SWE_SRL_TEST_VAR"] == "x1"


def test_a_config_built_elsewhere_cannot_be_dumped_silently(tmp_path):
    with pytest.raises(ValueError, match="not built by"):
        dump_config(SRLConfig(output_dir=str(tmp_path), use_cpu=True), tmp_path / "c.yaml")
    assert parse_config({"use_cpu": True, "output_dir": str(tmp_path)}).method == "srl"


def test_another_trl_series_fails_once_and_clearly():
    assert require_trl("1.16.3") == "1.16.3"
    for version in ("1.17.0", "0.29.1", "2.0.0.dev0", "garbage"):
        with pytest.raises(ImportError, match=f"TRL {version} is installed"):
            require_trl(version)
    code = "import trl; trl.__version__ = '1.17.0'; import swe_srl.srl.trainer"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1] == (
        f"ImportError: swe-srl training is written against TRL 1.16 (it overrides GRPOTrainer internals and extends "
        f"its configs), but TRL 1.17.0 is installed: pip install '{PIN}'"
    )
