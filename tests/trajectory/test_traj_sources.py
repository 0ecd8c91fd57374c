"""Sources (files, folders, parquet, HF names), the resolved filter, task rows and step rows."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from swe_srl.trajectory.model import StepRow, Task
from swe_srl.trajectory.sources import ReadStats, iter_records, read_tasks, read_trajectories
from swe_srl.trajectory.writers import write


def _swe_smith(traj_factory, resolved, iid="o__r-1"):
    rounds = [("Look.", "bash", {"command": "ls"}, "a.py\n"), ("Done.", "submit", {}, "")]
    return write(traj_factory(rounds, resolved=resolved, instance_id=iid), "swe_smith")


def test_resolved_only_by_default(tmp_path, traj_factory):
    recs = [_swe_smith(traj_factory, True, "a__b-1"), _swe_smith(traj_factory, False, "a__b-2"), _swe_smith(traj_factory, None, "a__b-3")]
    f = tmp_path / "runs.json"
    f.write_text(json.dumps(recs))
    stats = ReadStats()
    kept = [t.instance_id for t in read_trajectories(f, stats=stats)]
    assert kept == ["a__b-1", "a__b-3"] and stats.skipped_unresolved == 1
    assert [t.instance_id for t in read_trajectories(f, include_unresolved=True)] == ["a__b-1", "a__b-2", "a__b-3"]


def test_nebius_target_false_is_skipped(tmp_path, old_traj):
    rec = write(old_traj.model_copy(update={"resolved": False}), "nebius")
    (tmp_path / "n.json").write_text(json.dumps(rec))
    assert list(read_trajectories(tmp_path / "n.json", fmt="nebius")) == []


def test_single_dict_file_and_message_list_file(tmp_path, bash_traj):
    (tmp_path / "one.json").write_text(json.dumps(write(bash_traj, "canonical")))
    (tmp_path / "mini.traj.json").write_text(json.dumps(write(bash_traj, "mini_swe_agent")["messages"]))
    items = list(iter_records(tmp_path))
    assert [rid for rid, _ in items] == ["mini.traj.json", "one.json"]
    trajs = list(read_trajectories(tmp_path))
    assert [(t.source_format, t.instance_id, len(t.rounds)) for t in trajs] == [
        ("mini_swe_agent", "mini", 4),
        ("canonical", "owner__repo-1", 4),
    ]


def test_parquet_with_json_string_messages(tmp_path, full_traj):
    rec = write(full_traj, "swe_smith")
    table = pa.table({"instance_id": [rec["instance_id"]], "messages": [json.dumps(rec["messages"])], "resolved": [True]})
    pq.write_table(table, tmp_path / "train.parquet")
    (traj,) = list(read_trajectories(tmp_path / "train.parquet"))
    assert traj.source_format == "swe_smith" and len(traj.rounds) == len(full_traj.rounds)
    assert traj.trajectory_id == "owner__repo-1"


def test_nested_folders_sorted(tmp_path, bash_traj):
    for sub in ("b", "a/z", "a"):
        d = tmp_path / sub
        d.mkdir(parents=True, exist_ok=True)
        (d / "run.traj").write_text(json.dumps(write(bash_traj, "swe_agent")))
    (tmp_path / "notes.txt").write_text("ignored")
    assert [rid for rid, _ in iter_records(tmp_path)] == ["a/run.traj", "a/z/run.traj", "b/run.traj"]


def test_hugging_face_name(monkeypatch, bash_traj):
    import datasets

    calls = []

    def fake_load(name, split, streaming):
        calls.append((name, split, streaming))
        return iter([write(bash_traj, "nebius")])

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    (traj,) = list(read_trajectories("nebius/SWE-agent-trajectories:train[:10]"))
    assert calls == [("nebius/SWE-agent-trajectories", "train[:10]", True)]
    assert traj.source_format == "nebius"
    rid, _ = next(iter_records("owner/data", split="test"))
    assert rid == "owner/data:test#0"


def test_task_rows_accept_swebench_json_lists(tmp_path):
    row = {
        "instance_id": "o__r-1",
        "repo": "o/r",
        "version": 1.0,
        "base_commit": "abc",
        "problem_statement": "bug",
        "patch": "diff",
        "test_patch": "diff",
        "FAIL_TO_PASS": '["tests/test_a.py::test_x"]',
        "PASS_TO_PASS": "[]",
        "created_at": "2024-01-01",
        "image_name": "swesmith.x86_64.o__r",
    }
    (tmp_path / "tasks.jsonl").write_text(json.dumps(row) + "\n")
    tasks = read_tasks(tmp_path / "tasks.jsonl")
    task = tasks["o__r-1"]
    assert task.FAIL_TO_PASS == ["tests/test_a.py::test_x"] and task.PASS_TO_PASS == []
    assert task.version == "1.0" and task.image == "swesmith.x86_64.o__r"
    assert task.model_dump()["created_at"] == "2024-01-01"
    with pytest.raises(ValueError):
        Task.model_validate({"instance_id": "x"})


def test_step_rows_from_recorded_observations(full_traj):
    rows = full_traj.to_step_rows(image="img:latest")
    assert len(rows) == len(full_traj.rounds) == rows[0].num_steps
    k = 4
    row = rows[k]
    assert row.step_index == k and row.expert_tool == "str_replace_editor"
    assert row.expert_args == {"command": "str_replace", "path": "/testbed/calc.py", "old_str": "return a - b", "new_str": "return a + b"}
    assert row.expert_action == full_traj.rounds[k].action_text
    assert [h.action for h in row.history] == [r.action_text for r in full_traj.rounds[:k]]
    assert row.observation == row.recorded_observation == full_traj.rounds[k].observation
    assert (row.divergence, row.patch_before, row.image) == (None, "", "img:latest")
    assert set(StepRow.model_fields) == {
        "instance_id", "trajectory_id", "step_index", "num_steps", "problem_statement", "history",
        "expert_action", "expert_tool", "expert_args", "expert_thought", "observation",
        "recorded_observation", "divergence", "patch_before", "image", "source_format", "tool_profile", "replay_error",
    }  # fmt: skip
    assert json.loads(row.model_dump_json())["history"][0] == {
        "thought": "Let me look at the repository.",
        "action": "<function=bash>\n<parameter=command>ls -la /testbed</parameter>\n</function>",
        "observation": "total 8\ncalc.py\n",
    }


def test_canonical_dump_round_trips(full_traj):
    from swe_srl.trajectory.model import Trajectory

    again = Trajectory.model_validate_json(full_traj.model_dump_json())
    assert again == full_traj
