"""The flat one-row-per-step view of a collect folder: `swe-srl export` (JSONL, Parquet,
the Hub), built from the trajectory table and the step table."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from swe_srl.cli import app
from swe_srl.collect import export as export_mod
from swe_srl.collect.export import flat_dataset, flat_rows
from swe_srl.trajectory.model import StepRow
from tests.conftest import REPO_ROOT

BUNDLED = REPO_ROOT / "trajectories" / "steps"


def test_flat_rows_are_step_rows_with_the_whole_history():
    rows = list(flat_rows(BUNDLED))
    steps = [json.loads(line) for line in (BUNDLED / "steps.jsonl").read_text().splitlines()]
    trajs = {json.loads(line)["trajectory_id"]: json.loads(line) for line in (BUNDLED / "trajectories.jsonl").read_text().splitlines()}
    assert len(rows) == len(steps) == sum(len(t["rounds"]) for t in trajs.values())
    for row, step in zip(rows, steps):
        StepRow.model_validate(row)
        assert (row["trajectory_id"], row["step_index"]) == (step["trajectory_id"], step["step_index"])
        rounds = trajs[row["trajectory_id"]]["rounds"]
        assert [h["action"] for h in row["history"]] == [r["action"] for r in rounds[: row["step_index"]]]
        assert row["observation"] == rounds[row["step_index"]]["observation"]


def test_window_keeps_the_last_k_rounds():
    for row in flat_rows(BUNDLED, 2):
        assert len(row["history"]) == min(2, row["step_index"])
    assert all(row["history"] == [] for row in flat_rows(BUNDLED, 0))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_export_command_writes_what_datasets_loads(tmp_path, fmt):
    from datasets import load_dataset

    out = tmp_path / f"steps.{fmt}"
    res = CliRunner().invoke(app, ["export", "--data", str(BUNDLED), "--format", fmt, "--out", str(out), "--window", "3"])
    assert res.exit_code == 0, res.output
    ds = load_dataset("json" if fmt == "jsonl" else "parquet", data_files=str(out), split="train")
    expected = list(flat_rows(BUNDLED, 3))
    assert len(ds) == len(expected)
    assert ds["expert_action"] == [r["expert_action"] for r in expected]
    assert [[h["action"] for h in hist] for hist in ds["history"]] == [[h["action"] for h in r["history"]] for r in expected]
    for row, want in zip(ds, expected):  # every tool's arguments survive the one struct column
        assert {k: v for k, v in row["expert_args"].items() if v is not None} == want["expert_args"]


def test_export_rejects_bad_arguments(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["export", "--data", str(BUNDLED), "--format", "csv", "--out", str(tmp_path / "x")]).exit_code != 0
    assert runner.invoke(app, ["export", "--data", str(BUNDLED), "--window", "two", "--out", str(tmp_path / "x")]).exit_code != 0
    assert runner.invoke(app, ["export", "--data", str(tmp_path), "--out", str(tmp_path / "x")]).exit_code != 0
    assert runner.invoke(app, ["export", "--data", str(BUNDLED)]).exit_code != 0  # neither --out nor --push-to-hub


def test_push_to_hub_pushes_the_flat_dataset(monkeypatch):
    from datasets import Dataset

    pushed = {}

    def fake_push(self, repo_id, *args, **kwargs):
        pushed["repo"], pushed["ds"] = repo_id, self

    monkeypatch.setattr(Dataset, "push_to_hub", fake_push)
    res = CliRunner().invoke(app, ["export", "--data", str(BUNDLED), "--push-to-hub", "someone/swe-srl-steps"])
    assert res.exit_code == 0, res.output
    assert pushed["repo"] == "someone/swe-srl-steps"
    ds = pushed["ds"]
    assert len(ds) == len(list(flat_rows(BUNDLED)))
    assert set(ds.column_names) == set(StepRow.model_fields)
    assert ds[5]["history"] == list(flat_rows(BUNDLED))[5]["history"]


def test_flat_dataset_is_not_sharded_by_its_argument_names():
    assert len(flat_dataset(BUNDLED)) == len(list(flat_rows(BUNDLED)))
    assert export_mod.FORMATS == ("jsonl", "parquet")
