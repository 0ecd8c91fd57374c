"""Where eval's tasks come from: the bundled rows, instance lists, and a swebench 5 task repo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from swebench.task.repo import AS_FILE, TASK_FILE, TESTS_FILE, dump_tests, dump_yaml

from swe_srl import bundled
from swe_srl.evaluation.cli import _instances
from swe_srl.evaluation.config import EvalConfig
from swe_srl.evaluation.harness import missing_fields
from swe_srl.evaluation.runner import load_tasks

REPO = Path(__file__).resolve().parents[2]


def test_bundled_tasks_are_the_default_and_gradable():
    rows = load_tasks(EvalConfig())
    assert [r["instance_id"] for r in rows] == [t["instance_id"] for t in bundled.bundled_tasks()]
    assert all(missing_fields(r) == [] and r["image"].startswith("swe-srl/sweb.eval.") for r in rows)


def test_instance_lists_and_limit():
    ids = _instances(str(REPO / "eval" / "instances" / "bundled.txt"))
    assert ids == sorted(t["instance_id"] for t in bundled.bundled_tasks())
    assert _instances("b, a") == ["b", "a"]
    assert [r["instance_id"] for r in load_tasks(EvalConfig(instances=["swe-srl__spanlib-1", "swe-srl__confkit-1"]))] == [
        "swe-srl__spanlib-1", "swe-srl__confkit-1"]
    assert len(load_tasks(EvalConfig(limit=1))) == 1
    with pytest.raises(ValueError, match="not in"):
        load_tasks(EvalConfig(instances=["nope__nope-1"]))


def test_rows_without_image_get_the_swebench_name(tmp_path):
    row = {k: v for k, v in bundled.bundled_tasks()[0].items() if k != "image"}
    row["instance_id"] = "astropy__astropy-12907"
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(row) + "\n")
    assert load_tasks(EvalConfig(tasks=str(path)))[0]["image"] == "swebench/sweb.eval.x86_64.astropy_1776_astropy-12907:latest"


def test_a_swebench_task_repo_is_a_task_source(tmp_path):
    for row in bundled.bundled_tasks():
        d = tmp_path / "tasks" / row["instance_id"]
        d.mkdir(parents=True)
        meta = {k: row[k] for k in ("instance_id", "repo", "base_commit", "version", "image", "log_parser", "eval_type")}
        (d / TASK_FILE).write_text(dump_yaml({**meta, "split": "test"}))
        (d / TESTS_FILE).write_text(dump_tests({k: row[k] if isinstance(row[k], list) else json.loads(row[k].replace("'", '"'))
                                                 for k in ("FAIL_TO_PASS", "PASS_TO_PASS")}))
        for column, filename in AS_FILE.items():
            (d / filename).write_text(row[column])
    rows = load_tasks(EvalConfig(tasks=str(tmp_path)))
    assert sorted(r["instance_id"] for r in rows) == sorted(t["instance_id"] for t in bundled.bundled_tasks())
    assert all(missing_fields(r) == [] for r in rows)
    assert load_tasks(EvalConfig(tasks=str(tmp_path), split="dev")) == []


def test_rows_the_harness_cannot_grade_stop_eval_before_any_work(tmp_path):
    """Pre-5.0 / SWE-Gym-shaped rows: one error naming the missing columns and the ids."""
    from swe_srl.evaluation.harness import UngradableTasksError
    from swe_srl.evaluation.runner import run_eval

    good = bundled.bundled_tasks()
    gym = [{k: v for k, v in good[0].items() if k not in ("image", "eval_script", "log_parser", "eval_type")}
           | {"instance_id": f"getmoto__moto-{n}"} for n in range(7)]
    bad_json = {**good[1], "instance_id": "swe-srl__badjson-1", "FAIL_TO_PASS": "[not json"}
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*good, *gym]))
    with pytest.raises(UngradableTasksError) as err:
        run_eval(EvalConfig(tasks=str(path), image_source="swegym", out=tmp_path / "out", run_id="pytest-ungradable"))
    msg = str(err.value)
    assert msg.startswith("7 of 10 task row(s) cannot be graded")
    assert "missing eval_script, log_parser, eval_type: 7 row(s): getmoto__moto-0, getmoto__moto-1, getmoto__moto-2, " \
           "getmoto__moto-3, getmoto__moto-4 and 2 more" in msg
    assert not (tmp_path / "out").exists()  # nothing started, nothing written
    from swe_srl.evaluation.harness import check_gradable

    check_gradable(good)
    with pytest.raises(UngradableTasksError, match="make_test_spec fails .*: 1 row\\(s\\): swe-srl__badjson-1"):
        check_gradable([*good, bad_json])
