"""Real CPU training through `swe-srl train`: SRL (GRPO) with checkpoints, metrics and
resume, the SFT baseline, and loading the saved policy back for evaluation."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from swe_srl.cli import app
from swe_srl.srl.checkpoint import CONFIG_FILENAME, load_policy_checkpoint, read_metrics
from swe_srl.srl.parse import parse_output
from swe_srl.srl.prompt import render_prompt

from .conftest import STEPS, TINY_CONFIG

runner = CliRunner()


def train(*args: str) -> None:
    result = runner.invoke(app, ["train", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def generate_one(path, row) -> str:
    model, tokenizer, config = load_policy_checkpoint(path)
    rendered = render_prompt(row["problem_statement"], row["history"], tokenizer, config.max_prompt_tokens, config.window)
    inputs = tokenizer(rendered.text, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=config.max_completion_length, do_sample=False)
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


@pytest.mark.slow
def test_srl_run_saves_checkpoints_logs_metrics_and_resumes(tmp_path, step_rows):
    run = tmp_path / "run"
    train("--config", str(TINY_CONFIG), "--data", str(STEPS), "--output", str(run), "--max-steps", "2")

    ckpt = run / "checkpoint-2"
    for name in ("model.safetensors", "tokenizer.json", "config.json", CONFIG_FILENAME, "trainer_state.json"):
        assert (ckpt / name).is_file(), name
    metrics = read_metrics(run)
    train_logs = [m for m in metrics if "loss" in m]
    assert [m["step"] for m in train_logs] == [1, 2]
    for key in ("reward", "srl/format_failure_rate", "srl/exact_match_rate", "dynamic_sampling/kept_fraction",
                "dynamic_sampling/generation_rounds"):
        assert all(key in m for m in train_logs), key
    assert any("srl/valid_similarity_mean" in m for m in train_logs)
    evals = [m for m in metrics if "eval_reward" in m]
    assert evals and "eval_srl/exact_match_rate" in evals[0] and "eval_srl/format_failure_rate" in evals[0]

    # the final policy loads back for evaluation and produces parseable text
    text = generate_one(run / "final", step_rows[0])
    parse_output(text)  # may be valid or not; it must parse without raising
    model, tokenizer, config = load_policy_checkpoint(ckpt)
    assert config.max_steps == 2 and config.method == "srl" and tokenizer.eos_token == "<|im_end|>"

    train("--config", str(TINY_CONFIG), "--data", str(STEPS), "--output", str(run), "--max-steps", "3", "--resume")
    steps = [m["step"] for m in read_metrics(run) if "loss" in m]
    assert steps == [1, 2, 3]  # continued from checkpoint-2, did not start over
    state = json.loads((run / "checkpoint-3" / "trainer_state.json").read_text()) if (run / "checkpoint-3").exists() else None
    final_config = load_policy_checkpoint(run / "final")[2]
    assert final_config.max_steps == 3
    if state is not None:
        assert state["global_step"] == 3


@pytest.mark.slow
def test_resume_without_a_checkpoint_fails_clearly(tmp_path):
    result = runner.invoke(app, ["train", "--config", str(TINY_CONFIG), "--data", str(STEPS), "--output",
                                 str(tmp_path / "empty"), "--resume"])
    assert result.exit_code != 0
    assert "no checkpoint" in str(result.exception)


@pytest.mark.slow
def test_sft_baseline_run(tmp_path, tiny_policy, step_rows):
    run = tmp_path / "sft"
    # the GRPO recipe as the SFT baseline, TRL options on the command line as in `trl sft`
    train("--config", str(TINY_CONFIG), "--data", str(STEPS), "--output", str(run), "--method", "sft", "--max-steps", "3",
          "--model_name_or_path", str(tiny_policy), "--per_device_train_batch_size", "2", "--gradient_accumulation_steps", "1")
    assert (run / "checkpoint-2" / CONFIG_FILENAME).is_file()
    metrics = read_metrics(run)
    losses = [m["loss"] for m in metrics if "loss" in m]
    assert len(losses) == 3 and all(loss > 0 for loss in losses)
    assert any("eval_loss" in m for m in metrics)
    model, tokenizer, cfg = load_policy_checkpoint(run / "final")
    assert cfg.method == "sft"
    parse_output(generate_one(run / "final", step_rows[1]))


@pytest.mark.slow
def test_lora_run_saves_an_adapter_that_loads_merged(tmp_path, tiny_policy):
    config = tmp_path / "lora.yaml"  # TRL's ModelConfig names, as `trl grpo` takes them
    text = TINY_CONFIG.read_text().replace("model_name_or_path: tiny\n", f"model_name_or_path: {tiny_policy}\n")
    config.write_text(text + "use_peft: true\nlora_r: 4\nlora_alpha: 8\nlora_target_modules: all-linear\n")
    run = tmp_path / "lora"
    train("--config", str(config), "--data", str(STEPS), "--output", str(run), "--max-steps", "1")
    assert (run / "final" / "adapter_config.json").is_file()
    model, tokenizer, cfg = load_policy_checkpoint(run / "final")
    assert cfg.use_peft and type(model).__name__ == "Qwen2ForCausalLM"  # merged, no PEFT wrapper
