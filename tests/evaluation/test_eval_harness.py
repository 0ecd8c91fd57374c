"""`run_eval` end to end through the real SWE-bench harness on the bundled tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from swe_srl import bundled
from swe_srl.evaluation import EvalConfig, print_summary, run_eval
from swe_srl.evaluation.policy import render_completion
from swe_srl.trajectory.actions import Action
from swe_srl.trajectory.sources import read_trajectories

pytestmark = pytest.mark.docker
IDS = sorted(t["instance_id"] for t in bundled.bundled_tasks())
quiet = Console(file=open("/dev/null", "w"))  # noqa: SIM115 (kept for the session)


def evaluate(tmp_path: Path, **kw) -> dict:
    kw.setdefault("workers", 3)
    kw.setdefault("pull", False)
    return run_eval(EvalConfig(out=tmp_path / "out", **kw), quiet)


def test_replay_resolves_every_bundled_task_and_a_rerun_skips_them(bundled_images, tmp_path):
    report = evaluate(tmp_path, policy="replay", run_id="pytest-replay")
    assert report["resolved_ids"] == IDS and report["resolve_rate"] == 1.0 and report["resolve_rate_all"] == 1.0
    assert report["unresolved_ids"] == report["infra_failure_ids"] == report["empty_patch_ids"] == []
    out = tmp_path / "out"
    preds = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert sorted(p["instance_id"] for p in preds) == IDS
    assert all(p["model_name_or_path"] == "swe-srl-replay" and p["model_patch"].startswith("diff --git") for p in preds)
    for iid, inst in report["instances"].items():
        assert inst["exit_status"] == "submitted" and inst["tests"]["FAIL_TO_PASS_failure"] == 0
        assert (Path(inst["harness_log_dir"]) / "report.json").exists()
    # the saved runs are canonical trajectories collect can read back, marked resolved
    trajs = [t for t in read_trajectories(out / "trajectories", "canonical")]
    assert sorted(t.instance_id for t in trajs) == IDS and all(t.resolved for t in trajs)
    assert json.loads((out / "report.json").read_text())["resolved_ids"] == IDS
    print_summary(report, quiet)

    before = {p.name: p.read_text() for p in (out / "instances").iterdir()}
    again = evaluate(tmp_path, policy="replay", run_id="pytest-replay")
    assert again["resolved_ids"] == IDS and again["seconds"] < 10  # grading alone would take longer
    assert {p.name: p.read_text() for p in (out / "instances").iterdir()} == before
    # the same run id with another policy does not reuse results recorded for the first one
    other = evaluate(tmp_path, policy="noop", run_id="pytest-replay")
    assert other["unresolved_ids"] == other["empty_patch_ids"] == IDS


def test_replay_on_the_local_sandbox_resolves_every_bundled_task(bundled_images, tmp_path):
    # the agent works in local copies of the bundled repos; grading still runs in Docker
    report = evaluate(tmp_path, policy="replay", run_id="pytest-local", sandbox="local")
    assert report["resolved_ids"] == IDS and report["infra_failure_ids"] == []
    assert all(i["exit_status"] == "submitted" for i in report["instances"].values())
    # without a repository for the task, the local sandbox is an infrastructure failure
    missing = evaluate(tmp_path, policy="replay", run_id="pytest-local-missing", sandbox="local",
                       repos=str(tmp_path / "no-repos"), instances=[IDS[0]], build_images=False)
    assert missing["infra_failure_ids"] == [IDS[0]]
    assert missing["instances"][IDS[0]]["exit_status"] == "sandbox_error"


def test_noop_leaves_every_task_unresolved_with_an_empty_patch(bundled_images, tmp_path):
    report = evaluate(tmp_path, policy="noop", run_id="pytest-noop")
    assert report["unresolved_ids"] == IDS and report["empty_patch_ids"] == IDS
    assert report["resolved_ids"] == report["infra_failure_ids"] == [] and report["resolve_rate"] == 0.0
    assert all(json.loads(line)["model_patch"] == "" for line in (tmp_path / "out" / "predictions.jsonl").read_text().splitlines())


def test_garbage_gets_format_errors_and_stops_at_max_steps(bundled_images, tmp_path):
    report = evaluate(tmp_path, policy="garbage", run_id="pytest-garbage", max_steps=4)
    assert report["unresolved_ids"] == IDS and report["format_errors"] == 12
    assert report["exit_statuses"] == {"max_steps": 3}
    assert all(i["steps"] == 4 and i["format_errors"] == 4 for i in report["instances"].values())


def test_infrastructure_failures_are_never_unresolved(bundled_images, tmp_path):
    rows = {t["instance_id"]: t for t in bundled.bundled_tasks()}
    bad_parser = {**rows["swe-srl__confkit-1"], "log_parser": "parse_log_that_does_not_exist"}
    ghost = {**rows["swe-srl__spanlib-1"], "instance_id": "swe-srl__ghost-1", "image": "swe-srl/sweb.eval.does-not-exist:latest"}
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text("".join(json.dumps(r) + "\n" for r in (bad_parser, ghost)))
    report = evaluate(tmp_path, policy="replay", run_id="pytest-infra", tasks=str(tasks), build_images=False)
    assert sorted(report["infra_failure_ids"]) == ["swe-srl__confkit-1", "swe-srl__ghost-1"]
    assert report["unresolved_ids"] == report["resolved_ids"] == [] and report["resolve_rate"] is None
    inst = report["instances"]
    assert inst["swe-srl__ghost-1"]["exit_status"] == "image_missing"
    assert inst["swe-srl__confkit-1"]["exit_status"] == "submitted" and "harness" in inst["swe-srl__confkit-1"]["reason"]
    # infrastructure failures are not finished work: a rerun with the same run id retries them
    records = tmp_path / "out" / "instances"
    before = {p.name: p.stat().st_mtime_ns for p in records.iterdir()}
    again = evaluate(tmp_path, policy="replay", run_id="pytest-infra", tasks=str(tasks), build_images=False,
                     instances=["swe-srl__ghost-1"])
    assert again["infra_failure_ids"] == ["swe-srl__ghost-1"]
    after = {p.name: p.stat().st_mtime_ns for p in records.iterdir()}
    assert after["swe-srl__ghost-1.json"] > before["swe-srl__ghost-1.json"]
    assert after["swe-srl__confkit-1.json"] == before["swe-srl__confkit-1.json"]


def test_endpoint_policy_resolves_a_task_through_a_local_server(bundled_images, tmp_path, stub_server, monkeypatch):
    iid = "swe-srl__spanlib-1"
    expert = next(t for t in read_trajectories(bundled.EXPERTS_DIR / "canonical" / f"{iid}.json", "canonical"))
    server = stub_server([(500, "warming up")] + [(200, render_completion(r.thought, r.action)) for r in expert.rounds])
    monkeypatch.setenv("SWE_SRL_API_KEY", "sk-local")
    report = evaluate(tmp_path, policy="endpoint", model="served/model-7b", base_url=server.base_url,
                      run_id="pytest-endpoint", instances=[iid], workers=1)
    assert report["resolved_ids"] == [iid] and report["model_name_or_path"] == "served/model-7b"
    assert len(server.requests) == len(expert.rounds) + 1
    inst = report["instances"][iid]
    assert inst["tokens"] == 7 * len(expert.rounds) and not inst["tokens_estimated"]
    # Same run id and model name, other settings (as after retraining a checkpoint in place):
    # the new, wrong patch is graded afresh, never given the earlier verdict.
    junk = render_completion("add a file", Action.make("str_replace_editor", {"command": "create", "path": "/testbed/junk.txt", "file_text": "x\n"}))
    second = stub_server([(200, junk)], default=(200, render_completion("done", Action.make("submit"))))
    rerun = evaluate(tmp_path, policy="endpoint", model="served/model-7b", base_url=second.base_url,
                     run_id="pytest-endpoint", instances=[iid], workers=1, temperature=0.5)
    assert rerun["unresolved_ids"] == [iid] and rerun["empty_patch_ids"] == []
    assert "junk.txt" in json.loads((tmp_path / "out" / "predictions.jsonl").read_text())["model_patch"]
