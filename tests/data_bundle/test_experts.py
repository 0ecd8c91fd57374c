"""The expert runs: the canonical YAML has the shape of real runs, every recorded format
reads back to the same calls, re-recording gives the same bytes, and the patch solves the task.

Recording replays each run in a sandbox (local here, Docker when an engine is present),
so "same bytes" also means the recorded observations are what the tools really print.
"""

from __future__ import annotations

import json
import re

import pytest

from swe_srl.sandbox.tools import default_profile

from swe_srl.trajectory.actions import parse_action
from swe_srl.trajectory.readers import read_record

# trajectories/ is put on sys.path by conftest.py.
import record
from build_repos import build_repo, git
from bundle import EXPERTS_DIR, expert_actions, load_expert, load_tasks

from .helpers import run_eval, statuses, swebench_resolved

ROWS = load_tasks()
IDS = [row["instance_id"] for row in ROWS]
EDITS = ("create", "str_replace", "insert", "undo_edit")
# Formats that state every canonical call share the canonical replay and its observations.
FULL_FORMATS = ("openhands", "openhands_text", "swe_agent", "swe_smith", "canonical")


def recorded(fmt: str, iid: str):
    path = record.output_path(fmt, iid)
    return read_record(json.loads(path.read_text()), path.name, "auto")


def test_one_expert_run_per_task():
    assert sorted(p.stem for p in EXPERTS_DIR.glob("*.yaml")) == sorted(IDS)
    assert set(record.FORMATS) == {"openhands", "openhands_text", "swe_agent", "swe_smith", "nebius",
                                   "mini_swe_agent", "canonical"}


@pytest.mark.parametrize("iid", IDS)
def test_expert_run_shape(iid):
    assert all(set(step) == {"thought", "tool", "args"} for step in load_expert(iid))
    actions = expert_actions(iid)
    assert 10 <= len(actions) <= 30
    tools = [a.tool for _, a in actions]
    assert tools.count("submit") == 1 and tools[-1] == "submit"
    for thought, action in actions:
        assert thought.strip()
        assert parse_action(action.to_text()) == action
        if action.tool == "str_replace_editor":
            assert action.args["path"].startswith("/testbed/")
            if action.args["command"] in EDITS:
                assert not action.args["path"].startswith("/testbed/tests/"), "experts never edit tests"
    # The moves real agents make: explore, read, reproduce, edit, re-run, test, clean up.
    editor = [a.args["command"] for _, a in actions if a.tool == "str_replace_editor"]
    shell = [a.args["command"] for _, a in actions if a.tool == "bash"]
    assert "view" in editor and "create" in editor and ("str_replace" in editor or "insert" in editor)
    assert any("pytest" in c for c in shell) and any(re.match(r"rm ", c) for c in shell)
    assert len(shell) >= 4


@pytest.mark.parametrize("fmt", record.FORMATS)
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_recorded_format_reads_back(row, fmt):
    iid = row["instance_id"]
    traj = recorded(fmt, iid)
    canonical = recorded("canonical", iid)
    assert traj.source_format == fmt and traj.instance_id == iid
    assert [r.action_text for r in traj.rounds] == [record.expressible(fmt, a).to_text() for _, a in expert_actions(iid)]
    assert [r.thought for r in traj.rounds] == [t for t, _ in expert_actions(iid)]
    assert traj.patch == canonical.patch and (traj.problem_statement or "").strip() == row["problem_statement"].strip()
    if fmt in FULL_FORMATS:
        # Formats recorded by the same tools hold the same observations; the file is what
        # today's writer makes of that run.
        same = recorded(next(f for f in ("canonical", "openhands") if default_profile(f) == default_profile(fmt)), iid)
        assert [r.observation for r in traj.rounds] == [r.observation for r in same.rounds]
        rounds = [c.model_copy(update={"observation": r.observation}) for c, r in zip(canonical.rounds, same.rounds)]
        run = canonical.model_copy(update={"rounds": rounds})
        assert record.output_path(fmt, iid).read_text() == record.render(record.write(run, fmt))


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_expert_patch_resolves_the_task(row, tmp_path):
    patch = recorded("canonical", row["instance_id"]).patch
    touched = re.findall(r"^diff --git a/\S+ b/(\S+)$", patch, re.M)
    assert touched and not [f for f in touched if f.startswith("tests/") or "reproduce" in f], touched
    repo = tmp_path / "repo"
    build_repo(row["repo"].split("/")[1], repo)
    (tmp_path / "expert.patch").write_text(patch)
    git(repo, "apply", str(tmp_path / "expert.patch"))
    log = run_eval(row, repo, tmp_path)
    wanted = row["FAIL_TO_PASS"] + row["PASS_TO_PASS"]
    assert {t: statuses(log).get(t) for t in wanted} == {t: "PASSED" for t in wanted}, log
    assert swebench_resolved(row, log, tmp_path) in (True, None)


def assert_rerecords_identically(row: dict, kind: str, out) -> None:
    written = record.record_task(row, kind, out)
    assert set(written) == set(record.FORMATS)
    for fmt, path in written.items():
        committed = record.output_path(fmt, row["instance_id"])
        assert path.read_text() == committed.read_text(), f"{fmt}: re-recording changed {committed.name}"


@pytest.mark.slow
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_rerecording_locally_gives_the_same_bytes(row, tmp_path):
    assert_rerecords_identically(row, "local", tmp_path)


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_rerecording_in_docker_gives_the_same_bytes(row, tmp_path, base_image):
    record.ensure_images([row])
    assert_rerecords_identically(row, "docker", tmp_path)
