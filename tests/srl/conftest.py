"""Fixtures for the SRL tests: the step-row fixture and one tiny policy per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
STEPS = DATA / "steps.jsonl"
REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO_ROOT / "configs" / "tiny-cpu.yaml"


def tiny_config(**overrides):
    """configs/tiny-cpu.yaml with some options changed (TRL/SRL names)."""
    from swe_srl.srl.config import load_config

    return load_config(TINY_CONFIG, **overrides)


@pytest.fixture(scope="session")
def step_rows() -> list[dict]:
    return [json.loads(line) for line in STEPS.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def steps_ds():
    from swe_srl.srl.data import load_steps

    return load_steps(STEPS)


@pytest.fixture(scope="session")
def tiny_tokenizer(steps_ds):
    from swe_srl.srl.data import tokenizer_corpus
    from swe_srl.srl.tiny import build_tokenizer

    return build_tokenizer(tokenizer_corpus(steps_ds), 4096)


@pytest.fixture(scope="session")
def word_tokenizer(steps_ds):
    """A tokenizer whose tokens stop at word boundaries, like real LLM tokenizers."""
    from swe_srl.srl.data import tokenizer_corpus
    from swe_srl.srl.tiny import build_tokenizer

    return build_tokenizer(tokenizer_corpus(steps_ds), 2048, span_whitespace=False)


@pytest.fixture(scope="session")
def tiny_policy(steps_ds, tmp_path_factory) -> Path:
    """A warm-started tiny policy on all fixture steps, built once and shared."""
    from swe_srl.srl.data import tokenizer_corpus, warm_start_pairs
    from swe_srl.srl.tiny import build_tiny_policy

    cfg = tiny_config(tiny_warm_start_steps=100)  # enough on the 22 fixture rows
    return build_tiny_policy(
        cfg.tiny_model(),
        tokenizer_corpus(steps_ds),
        warm_start_pairs(steps_ds, cfg.window),
        tmp_path_factory.mktemp("tiny-policy"),
        max_length=cfg.max_prompt_tokens + cfg.max_completion_length,
        seed=0,
    )
