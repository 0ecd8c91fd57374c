"""`swe-srl validate` through the real SWE-bench harness and real Docker: the bundled tasks
are valid; a gold patch that does not fix, a FAIL_TO_PASS test that already passes and a
missing image are each named; rows the harness cannot grade stop the command up front."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from swe_srl import bundled
from swe_srl.cli import app
from swe_srl.evaluation.harness import UngradableTasksError
from swe_srl.validate import Check, judge, validate_tasks

IDS = sorted(t["instance_id"] for t in bundled.bundled_tasks())


@pytest.fixture(scope="module")
def images(base_image) -> None:
    bundled.ensure_images()


def _broken_rows() -> list[dict]:
    rows = {t["instance_id"]: t for t in bundled.bundled_tasks()}
    confkit, spanlib = rows["swe-srl__confkit-1"], rows["swe-srl__spanlib-1"]
    # rpartition splits at the last `=`: the patch applies, the values stay wrong
    no_fix = {**confkit, "instance_id": "swe-srl__confkit-nofix", "patch": confkit["patch"].replace(
        'key, sep, value = line.partition("=")', 'key, sep, value = line.rpartition("=")')}
    assert no_fix["patch"] != confkit["patch"]
    # a FAIL_TO_PASS test that passes before the fix too
    passes = {**spanlib, "instance_id": "swe-srl__spanlib-passes",
              "FAIL_TO_PASS": [*spanlib["FAIL_TO_PASS"], "tests/test_ops.py::test_merge_nested"]}
    ghost = {**confkit, "instance_id": "swe-srl__ghost-1", "image": "swe-srl/sweb.eval.does-not-exist:latest"}
    return [no_fix, passes, ghost]


def test_bundled_tasks_are_valid_and_broken_rows_are_named(images, tmp_path):
    tasks = bundled.bundled_tasks() + _broken_rows()
    report = validate_tasks(tasks, tmp_path / "out", runs=2, workers=2, run_id="pytest-validate")
    inst = report["instances"]
    assert report["valid_ids"] == IDS, {i: (v["status"], v["reason"]) for i, v in inst.items()}
    assert inst["swe-srl__confkit-nofix"]["status"] == "gold_fails"
    assert "FAIL_TO_PASS 0/2" in inst["swe-srl__confkit-nofix"]["reason"]
    assert inst["swe-srl__spanlib-passes"]["status"] == "base_passes"
    assert inst["swe-srl__spanlib-passes"]["reason"].startswith("1/3 FAIL_TO_PASS")
    assert inst["swe-srl__ghost-1"]["status"] == "error" and "does-not-exist" in inst["swe-srl__ghost-1"]["reason"]
    assert report["counts"] == {"valid": 3, "gold_fails": 1, "base_passes": 1, "flaky": 0, "error": 1}
    for iid in IDS:  # two gold runs, two runs without the patch, each graded for real
        checks = inst[iid]["checks"]
        assert [(c["kind"], c["run"], c["verdict"]) for c in checks] == [
            ("gold", 1, "resolves"), ("gold", 2, "resolves"), ("base", 1, "f2p_fail"), ("base", 2, "f2p_fail")]
        assert all(c["tests"]["FAIL_TO_PASS_success"] == (2 if c["kind"] == "gold" else 0) for c in checks)
    assert json.loads((tmp_path / "out" / "validation.json").read_text()) == report


def _check(kind, run, verdict, f2p=(2, 0), reason="") -> Check:
    tests = {"FAIL_TO_PASS_success": f2p[0], "FAIL_TO_PASS_failure": f2p[1], "PASS_TO_PASS_success": 3, "PASS_TO_PASS_failure": 0}
    status = {"resolves": "resolved", "error": "infra_failure"}.get(verdict, "unresolved")
    return Check(kind, run, verdict, status, reason, tests)


def test_verdicts_that_differ_between_runs_are_flaky():
    row = {"instance_id": "x", "patch": "diff"}
    base = [_check("base", 1, "f2p_fail", (0, 2)), _check("base", 2, "f2p_fail", (0, 2))]
    gold = [_check("gold", 1, "resolves"), _check("gold", 2, "resolves")]
    assert judge(row, gold + base) == ("valid", "")
    status, reason = judge(row, [gold[0], _check("gold", 2, "fails", (1, 1))] + base)
    assert status == "flaky" and "gold runs disagree" in reason and "run 2: fails (F2P 1/2" in reason
    # the same verdict with other test counts is flaky too
    other_counts = _check("base", 2, "f2p_fail", (0, 2))
    other_counts.tests.update(PASS_TO_PASS_success=2, PASS_TO_PASS_failure=1)
    assert judge(row, gold + [base[0], other_counts])[0] == "flaky"
    assert judge(row, gold + [base[0], _check("base", 2, "error", reason="harness did not finish")]) == (
        "error", "base run 2: harness did not finish")
    assert judge({"instance_id": "x", "patch": ""}, []) == ("error", "the row has no gold patch")


def test_rows_the_harness_cannot_grade_stop_validate_before_any_work(tmp_path):
    rows = [{k: v for k, v in t.items() if k not in ("eval_script", "log_parser", "eval_type")} for t in bundled.bundled_tasks()]
    rows += [{**rows[0], "instance_id": f"getmoto__moto-{n}"} for n in range(6)]
    tasks = tmp_path / "gym.jsonl"
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(UngradableTasksError) as err:
        validate_tasks(rows, tmp_path / "out")
    msg = str(err.value)
    assert "9 of 9 task row(s)" in msg and "missing eval_script, log_parser, eval_type: 9 row(s)" in msg
    assert "swe-srl__confkit-1, swe-srl__slugkit-1, swe-srl__spanlib-1, getmoto__moto-0, getmoto__moto-1 and 4 more" in msg
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["validate", "--tasks", str(tasks), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 2 and "cannot be graded" in result.output and not (tmp_path / "cli").exists()


def test_validate_command_prints_the_table_and_writes_the_report(images, tmp_path):
    out = tmp_path / "cli"
    result = CliRunner().invoke(app, ["validate", "--instance-ids", "swe-srl__spanlib-1", "--runs", "1", "--out", str(out),
                                      "--run-id", "pytest-validate-cli"])
    assert result.exit_code == 0, result.output
    assert "swe-srl__spanlib-1" in result.output and "valid: 1" in result.output
    assert json.loads((out / "validation.json").read_text())["valid_ids"] == ["swe-srl__spanlib-1"]
