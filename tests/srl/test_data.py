"""Step data: loading a collect folder, a file or a dataset; trajectory-level split; rows."""

from __future__ import annotations

import json

import pytest

from swe_srl.srl.data import load_steps, sft_dataset, split_by_trajectory, srl_dataset
from swe_srl.srl.reward import srl_reward

from .conftest import REPO_ROOT, STEPS, tiny_config


def test_collect_folder_loads_every_steps_file(tmp_path, step_rows):
    (tmp_path / "manifest.json").write_text(json.dumps({"rows": len(step_rows)}))
    half = len(step_rows) // 2
    for name, rows in (("steps-00000.jsonl", step_rows[:half]), ("steps-00001.jsonl", step_rows[half:])):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    ds = load_steps(tmp_path)
    assert len(ds) == len(step_rows)
    assert sorted(ds["expert_action"]) == sorted(r["expert_action"] for r in step_rows)


def test_single_file_and_missing_sources(tmp_path):
    assert len(load_steps(STEPS)) == 22
    with pytest.raises(FileNotFoundError):
        load_steps(tmp_path)  # a folder without steps files
    with pytest.raises(FileNotFoundError):
        load_steps(tmp_path / "nope.jsonl")


def test_split_keeps_trajectories_whole(steps_ds):
    train, val = split_by_trajectory(steps_ds, 1, seed=3)
    assert set(train["trajectory_id"]).isdisjoint(val["trajectory_id"])
    assert len(train) + len(val) == len(steps_ds) and len(set(val["trajectory_id"])) == 1
    train, val = split_by_trajectory(steps_ds, 30, seed=3)  # more asked than exist: one stays in train
    assert len(set(train["trajectory_id"])) == 1 and len(set(val["trajectory_id"])) == 1
    train, val = split_by_trajectory(steps_ds, 0)
    assert len(val) == 0


def test_srl_rows_hold_the_prompt_and_the_expert_action_only(steps_ds, tiny_tokenizer):
    rows = srl_dataset(steps_ds, tiny_tokenizer, tiny_config(max_prompt_tokens=4096))
    assert "image" not in rows.column_names and "history" not in rows.column_names
    assert {"prompt", "expert_action", "trajectory_id", "prompt_tokens"} <= set(rows.column_names)
    assert rows["expert_action"] == steps_ds["expert_action"]
    assert all(p.endswith("<|im_start|>assistant\n") for p in rows["prompt"])


def test_rows_that_cannot_fit_are_dropped(steps_ds, tiny_tokenizer):
    rows = srl_dataset(steps_ds, tiny_tokenizer, tiny_config(max_prompt_tokens=20))
    assert len(rows) == 0


def test_sft_targets_are_valid_and_score_one(steps_ds, tiny_tokenizer):
    rows = sft_dataset(steps_ds, tiny_tokenizer, tiny_config(max_prompt_tokens=4096))
    for row, step in zip(rows, steps_ds):
        assert row["completion"].startswith("<think>\n" + step["expert_thought"].strip())
        assert srl_reward(row["completion"], row["expert_action"]) == 1.0


def test_steps_after_the_first_divergence_are_dropped():
    from datasets import Dataset

    from swe_srl.srl.data import drop_after_divergence

    rows = [
        {"trajectory_id": "a", "step_index": k, "divergence": d} for k, d in enumerate([0.0, 0.5, 0.0, 0.9])
    ] + [{"trajectory_id": "b", "step_index": k, "divergence": d} for k, d in enumerate([0.1, None, 0.0])]
    ds = Dataset.from_list(rows)
    kept, dropped = drop_after_divergence(ds, 0.2)
    assert dropped == 2
    assert sorted(zip(kept["trajectory_id"], kept["step_index"])) == [("a", 0), ("a", 1), ("b", 0), ("b", 1), ("b", 2)]
    assert drop_after_divergence(ds, None) == (ds, 0)
    assert drop_after_divergence(ds, 0.95)[1] == 0


BUNDLED_STEPS = REPO_ROOT / "trajectories" / "steps" / "steps.jsonl"
from tests.conftest import SHARED  # noqa: E402

REAL = SHARED / "real-trajectories"


def _assert_target_reads_back(thought: str, action_text: str, tool: str):
    from swe_srl.srl.data import sft_completion
    from swe_srl.srl.parse import parse_output
    from swe_srl.trajectory.actions import parse_action

    target = sft_completion(thought, action_text, tool)
    out = parse_output(target)
    assert out.valid, (out.error, target[:300])
    assert out.action == parse_action(action_text)
    assert srl_reward(target, action_text) == 1.0


def test_every_sft_target_of_the_bundled_data_parses():
    rows = [json.loads(line) for line in BUNDLED_STEPS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 30
    for row in rows:
        _assert_target_reads_back(row["expert_thought"], row["expert_action"], row["expert_tool"])


def test_every_sft_target_of_the_real_samples_parses():
    from swe_srl.trajectory.actions import roundtrip_errors
    from swe_srl.trajectory.sources import read_trajectories

    if not (REAL / "README.md").is_file():
        pytest.skip(f"real trajectory samples not found at {REAL}")
    rounds = 0
    for traj in read_trajectories(REAL):
        assert not isinstance(traj, Exception), traj
        assert roundtrip_errors(traj) == []
        for rnd in traj.rounds:
            _assert_target_reads_back(rnd.thought, rnd.action_text, rnd.action.tool)
            rounds += 1
    assert rounds == 629


BUNDLED_STORE = REPO_ROOT / "trajectories" / "steps"


@pytest.mark.parametrize("window", [2, "all"])
def test_a_collect_folder_renders_the_same_prompts_as_its_flat_export(window, tiny_tokenizer):
    """Steps of a collect folder hold no history; it comes from the trajectory table at load time."""
    from datasets import Dataset

    from swe_srl.collect.export import flat_rows

    stored = load_steps(BUNDLED_STORE)
    assert "history" not in stored.column_names and "store" in stored.column_names
    flat = Dataset.from_list(list(flat_rows(BUNDLED_STORE)))
    cfg = tiny_config(window=window)
    assert srl_dataset(stored, tiny_tokenizer, cfg)["prompt"] == srl_dataset(flat, tiny_tokenizer, cfg)["prompt"]
    assert sft_dataset(stored, tiny_tokenizer, cfg)["completion"] == sft_dataset(flat, tiny_tokenizer, cfg)["completion"]


def test_a_collect_folder_still_drops_after_divergence_and_splits_by_trajectory():
    from swe_srl.srl.data import drop_after_divergence, row_history

    stored = load_steps(BUNDLED_STORE)
    kept, dropped = drop_after_divergence(stored, -1.0)  # every scored step diverges: only each first one stays
    assert dropped > 0 and all(k == 0 for k in kept["step_index"])
    train, val = split_by_trajectory(stored, 1)
    assert set(train["trajectory_id"]).isdisjoint(val["trajectory_id"])
    row = train[len(train) - 1]
    assert len(row_history(row)) == row["step_index"]


def test_the_tokenizer_corpus_holds_each_trajectory_once():
    from swe_srl.srl.data import tokenizer_corpus

    stored = load_steps(BUNDLED_STORE)
    corpus = tokenizer_corpus(stored)
    n_traj = len(set(stored["trajectory_id"]))
    # the system prompt, every target, then one user turn per trajectory (cut in pieces of at most 4096 characters)
    user_text = corpus[1 + len(stored):]
    assert max(map(len, user_text)) <= 4096
    assert "".join(user_text).count("<issue>") == n_traj
    assert "".join(user_text).count("## Step 1\n") == n_traj
