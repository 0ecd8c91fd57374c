"""collect on the bundled data, for real: Docker replay, every format, bad input,
--strict, resume after SIGINT and kill -9, the local backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docker
import pytest

from swe_srl import bundled
from swe_srl.collect.pipeline import CollectConfig, StrictError, run_collect
from swe_srl.collect.replay import ReplayOptions
from swe_srl.collect.store import StepStore
from swe_srl.sandbox.docker import DockerSandbox
from tests.collect.conftest import canonical_record, read_rows
from tests.conftest import REPO_ROOT

ROW_FIELDS = {
    "instance_id", "trajectory_id", "step_index", "num_steps", "problem_statement", "history", "expert_action",
    "expert_tool", "expert_args", "expert_thought", "observation", "recorded_observation", "divergence",
    "patch_before", "image",
}
FORMATS = ["canonical", "mini_swe_agent", "nebius", "openhands", "openhands_text", "swe_agent", "swe_smith"]


def collect(src, out, **kw) -> dict:
    opts = ReplayOptions(sandbox=kw.pop("sandbox", "docker"), action_timeout=60)
    cfg = CollectConfig(trajectories=str(src), out=out, tasks=str(bundled.TASKS_FILE), sandbox=opts.sandbox, options=opts, **kw)
    return run_collect(cfg).manifest


@pytest.fixture(scope="module")
def replayed(bundled_images, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("collect") / "out"
    return out, collect(bundled.EXPERTS_DIR / "swe_smith", out, workers=2)


def test_replay_reproduces_the_recorded_world(replayed):
    out, manifest = replayed
    assert manifest["totals"]["trajectories"] == 3 and manifest["totals"]["errors"] == 0
    assert manifest["totals"]["divergences"] == 0
    rows = read_rows(out)
    assert len(rows) == manifest["totals"]["steps"] == sum(len(json.loads(Path(bundled.EXPERTS_DIR / "canonical" / f"{t['instance_id']}.json").read_text())["rounds"]) for t in bundled.bundled_tasks())
    for summary in manifest["trajectories"].values():
        assert summary["final_patch_matches"] is True
    for row in rows:
        assert ROW_FIELDS <= row.keys()
        assert row["divergence"] <= 0.2
        assert len(row["history"]) == row["step_index"]
    last = [r for r in rows if r["step_index"] == r["num_steps"] - 1]
    assert len(last) == 3 and all(r["expert_tool"] == "submit" for r in last)
    assert rows[0]["patch_before"] == ""
    assert any(r["patch_before"] for r in rows)  # edits show up in later steps' state


def test_rows_are_in_stable_order_and_load_with_datasets(replayed):
    from datasets import load_dataset

    out, _ = replayed
    rows = read_rows(out)
    keys = [(r["trajectory_id"], r["step_index"]) for r in rows]
    ids = [t["instance_id"] + "__expert" for t in bundled.bundled_tasks()]
    expected_order = sorted(keys, key=lambda k: (sorted(ids).index(k[0]), k[1]))
    assert keys == expected_order
    ds = load_dataset("json", data_files=str(out / "steps.jsonl"), split="train")
    assert len(ds) == len(rows) and ds[0]["expert_action"] == rows[0]["expert_action"]


def test_final_patches_pass_their_tasks_tests(replayed):
    out, manifest = replayed
    for task in bundled.bundled_tasks():
        summary = manifest["trajectories"][task["instance_id"] + "__expert"]
        with DockerSandbox(task["image"]) as sb:
            sb.write_file("/tmp/fix.patch", summary["final_patch"])
            sb.write_file("/tmp/test.patch", task["test_patch"])
            assert sb.run("git apply /tmp/fix.patch && git apply /tmp/test.patch").exit_code == 0
            tests = " ".join(json.loads(task["FAIL_TO_PASS"]) if isinstance(task["FAIL_TO_PASS"], str) else task["FAIL_TO_PASS"])
            res = sb.run(f"python3 -m pytest -q {tests}", timeout=120)
            assert res.exit_code == 0, res.output


def test_rerun_skips_finished_trajectories(replayed, bundled_images):
    out, _ = replayed
    files = ("steps.jsonl", "trajectories.jsonl", "index.jsonl")
    before = [(out / f).read_bytes() for f in files]
    again = collect(bundled.EXPERTS_DIR / "swe_smith", out)
    assert again["totals"]["resumed_trajectories"] == 3
    assert [(out / f).read_bytes() for f in files] == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_bundled_format_gives_the_expert_actions(fmt, tmp_path):
    manifest = collect(bundled.EXPERTS_DIR / fmt, tmp_path / fmt, replay=False)
    assert manifest["totals"]["trajectories"] == 3 and manifest["errors"] == []
    assert manifest["formats"][fmt]["trajectories"] == 3
    rows = read_rows(tmp_path / fmt)
    by_instance: dict[str, list[str]] = {}
    for r in rows:
        by_instance.setdefault(r["instance_id"], []).append(r["expert_action"])
    for iid, actions in by_instance.items():
        canonical = [rnd["action_text"] for rnd in canonical_record(iid)["rounds"]]
        assert len(actions) == len(canonical)
        if fmt not in ("nebius", "mini_swe_agent"):  # the old command sets cannot say every editor call
            assert actions == canonical


def _bad_inputs(folder: Path) -> None:
    folder.mkdir()
    good = canonical_record("swe-srl__spanlib-1")
    (folder / "a_good.json").write_text(json.dumps(good))
    (folder / "b_malformed.json").write_text('{"rounds": [')
    unknown = json.loads(json.dumps(good))
    unknown["trajectory_id"] = "unknown-tool"
    unknown["rounds"][1]["action"] = {"tool": "browser", "args": {"url": "x"}}
    (folder / "c_unknown_tool.json").write_text(json.dumps(unknown))
    missing = {k: v for k, v in good.items() if k != "instance_id"}
    missing["trajectory_id"] = "missing-fields"
    (folder / "d_missing.json").write_text(json.dumps(missing))
    crash = json.loads(json.dumps(good))
    crash["trajectory_id"] = "crashes-sandbox"
    crash["rounds"][0]["action"] = {"tool": "bash", "args": {"command": "kill -9 -1"}}
    (folder / "e_crash.json").write_text(json.dumps(crash))
    no_task = json.loads(json.dumps(good))
    no_task["trajectory_id"] = "no-task"
    no_task["instance_id"] = "nobody__nothing-1"
    (folder / "f_no_task.json").write_text(json.dumps(no_task))


def test_bad_trajectories_are_reported_and_skipped(bundled_images, tmp_path):
    _bad_inputs(tmp_path / "in")
    manifest = collect(tmp_path / "in", tmp_path / "out")
    assert manifest["totals"]["trajectories"] == 1
    reasons = {e["id"]: e["reason"] for e in manifest["errors"]}
    assert set(reasons) == {"b_malformed.json", "c_unknown_tool.json", "d_missing.json", "crashes-sandbox", "no-task"}
    assert "JSON" in reasons["b_malformed.json"] or "json" in reasons["b_malformed.json"].lower()
    assert "browser" in reasons["c_unknown_tool.json"]
    assert "instance_id" in reasons["d_missing.json"]
    assert "nobody__nothing-1" in reasons["no-task"]
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert saved["errors"] == manifest["errors"]
    assert not docker.from_env().containers.list(all=True, filters={"label": "swe-srl"})


def test_strict_fails_on_the_first_bad_trajectory(tmp_path):
    _bad_inputs(tmp_path / "in")
    with pytest.raises(StrictError, match="b_malformed.json"):
        collect(tmp_path / "in", tmp_path / "out", replay=False, strict=True)


def _record(tid: str, n: int) -> dict:
    return {"trajectory_id": tid, "rounds": [{"thought": "", "action": f"a{k}", "observation": ""} for k in range(n)]}


def test_torn_tail_is_cut_on_reopen(tmp_path):
    store = StepStore(tmp_path)
    store.append(_record("t1", 2), [{"trajectory_id": "t1", "step_index": 0}, {"trajectory_id": "t1", "step_index": 1}], {"trajectory_id": "t1", "steps": 2})
    store.close()
    sizes = {f: (tmp_path / f).stat().st_size for f in ("steps.jsonl", "trajectories.jsonl", "index.jsonl")}
    # a second trajectory, killed mid-write: its record whole, its rows torn, no index line
    with open(tmp_path / "trajectories.jsonl", "ab") as f:
        f.write((json.dumps(_record("t2", 2)) + "\n").encode())
    with open(tmp_path / "steps.jsonl", "ab") as f:
        f.write(b'{"trajectory_id": "t2", "step_index": 0}\n{"trajectory_id": "t2", "ste')
    with open(tmp_path / "index.jsonl", "ab") as f:
        f.write(b'{"trajectory_id": "t2", "st')
    reopened = StepStore(tmp_path)
    assert reopened.done("t1") and not reopened.done("t2")
    assert reopened.summaries == {"t1": {"trajectory_id": "t1", "steps": 2}}
    reopened.close()
    assert {f: (tmp_path / f).stat().st_size for f in sizes} == sizes
    lines = (tmp_path / "steps.jsonl").read_text().splitlines()
    assert [json.loads(x)["step_index"] for x in lines] == [0, 1]
    again = StepStore(tmp_path)  # appending after the cut gives whole lines
    again.append(_record("t2", 1), [{"trajectory_id": "t2", "step_index": 0}], {"trajectory_id": "t2", "steps": 1})
    again.close()
    assert [json.loads(x)["trajectory_id"] for x in (tmp_path / "trajectories.jsonl").read_text().splitlines()] == ["t1", "t2"]
    assert StepStore(tmp_path).done("t2")


def test_resume_reads_only_the_index(tmp_path, monkeypatch):
    store = StepStore(tmp_path)
    store.append(_record("t1", 1), [{"trajectory_id": "t1", "step_index": 0}], {"trajectory_id": "t1", "steps": 1})
    store.close()
    opened = []
    real_open = open

    def spy(path, *a, **kw):
        opened.append((Path(path).name, a[0] if a else kw.get("mode", "r")))
        return real_open(path, *a, **kw)

    monkeypatch.setattr("builtins.open", spy)
    StepStore(tmp_path).close()
    read = {name for name, mode in opened if "r" in mode and "+" not in mode}
    assert read == {"index.jsonl"}


def test_an_older_layout_folder_is_not_overwritten(tmp_path):
    (tmp_path / "steps.jsonl").write_text('{"trajectory_id": "t1", "history": []}\n')
    with pytest.raises(RuntimeError, match="older layout"):
        StepStore(tmp_path)
    assert (tmp_path / "steps.jsonl").read_text()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_run_resumes_to_the_same_rows(bundled_images, replayed, tmp_path, sig):
    reference = [(r["trajectory_id"], r["step_index"], r["expert_action"]) for r in read_rows(replayed[0])]
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "swe_srl.cli", "collect", "--out", str(out), "--trajectories", str(bundled.EXPERTS_DIR / "swe_smith")]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sums = out / "index.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and not (sums.exists() and sums.read_text().count("\n") >= 1):
        time.sleep(0.05)
    time.sleep(0.7)  # now in the middle of the second trajectory
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    subprocess.run(cmd, cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = read_rows(out)
    assert [(r["trajectory_id"], r["step_index"], r["expert_action"]) for r in rows] == reference
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["trajectories"] == 3 and manifest["totals"]["resumed_trajectories"] >= 1
    assert not docker.from_env().containers.list(all=True, filters={"label": "swe-srl"})


def test_local_backend_replays_the_bundled_data(tmp_path):
    manifest = collect(bundled.EXPERTS_DIR / "swe_smith", tmp_path / "out", sandbox="local")
    assert manifest["totals"]["trajectories"] == 3 and manifest["totals"]["divergences"] == 0
    assert all(s["final_patch_matches"] for s in manifest["trajectories"].values())


def test_duplicate_trajectory_ids_are_reported_not_written_twice(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    record = json.dumps(canonical_record("swe-srl__spanlib-1"))
    (folder / "a.json").write_text(record)
    (folder / "b.json").write_text(record)
    manifest = collect(folder, tmp_path / "out", replay=False)
    assert manifest["totals"]["trajectories"] == 1
    assert [e["reason"] for e in manifest["errors"]] == ["duplicate trajectory id in the input (the first one is kept)"]
    rows = read_rows(tmp_path / "out")
    assert len(rows) == len({(r["trajectory_id"], r["step_index"]) for r in rows})
