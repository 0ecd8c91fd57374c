"""A tiny checkpoint trained by `swe-srl train`'s own code runs through the agent loop:
loaded with the training loader, prompted with the training renderer, greedy, on CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from swe_srl.evaluation import EvalConfig, run_eval
from swe_srl.evaluation.local_model import ModelPolicy
from swe_srl.evaluation.policy import StepInput
from swe_srl.srl.prompt import build_messages, render_prompt

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """One SRL optimiser step of configs/tiny-cpu.yaml (about 10 s on 2 cores)."""
    from swe_srl.srl.config import load_config
    from swe_srl.srl.run import run_training

    cfg = load_config(REPO / "configs" / "tiny-cpu.yaml", data=str(REPO / "tests" / "srl" / "data" / "steps.jsonl"),
                      eval_strategy="no", save_steps=1000, tiny_warm_start_steps=20)
    return run_training(cfg, output_dir=tmp_path_factory.mktemp("tiny-train"), max_steps=1).final_dir


def test_checkpoint_loads_with_its_training_prompt_settings(tiny_checkpoint):
    from swe_srl.srl.config import load_config

    trained = load_config(REPO / "configs" / "tiny-cpu.yaml")
    policy = ModelPolicy.from_checkpoint(tiny_checkpoint, device="cpu")
    expected = (trained.window, trained.max_prompt_tokens, trained.max_completion_length, 0.0)
    assert (policy.window, policy.max_prompt_tokens, policy.max_new_tokens, policy.temperature) == expected
    history = [{"thought": "", "action": "<function=bash>\n<parameter=command>ls</parameter>\n</function>", "observation": "x" * 20_000}] * 3
    step = StepInput("swe-srl__confkit-1", 3, "the issue", history, 2, build_messages("the issue", history, 2))
    first, second = policy.act(step), policy.act(step)
    assert first.text == second.text  # greedy
    expected = render_prompt("the issue", history, policy.tokenizer, policy.max_prompt_tokens, 2)
    assert first.prompt_tokens == expected.num_tokens <= policy.max_prompt_tokens and first.prompt_truncated
    assert 0 < first.tokens <= policy.max_new_tokens


@pytest.mark.docker
def test_tiny_checkpoint_runs_the_loop_end_to_end(tiny_checkpoint, bundled_images, tmp_path):
    report = run_eval(
        EvalConfig(policy="model", model=str(tiny_checkpoint), run_id="pytest-tiny", out=tmp_path / "out",
                   max_steps=3, instances=["swe-srl__confkit-1"], pull=False, device="cpu"),
        Console(file=open("/dev/null", "w")),  # noqa: SIM115
    )
    assert report["infra_failure_ids"] == [] and report["model_name_or_path"] == str(tiny_checkpoint)
    inst = report["instances"]["swe-srl__confkit-1"]
    assert 1 <= inst["steps"] <= 3 and inst["tokens"] > 0 and not inst["tokens_estimated"]
    record = json.loads((tmp_path / "out" / "instances" / "swe-srl__confkit-1.json").read_text())
    assert len(record["agent"]["transcript"]) == inst["steps"]
    assert inst["status"] in ("resolved", "unresolved")
