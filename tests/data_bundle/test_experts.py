"""The canonical expert runs load, have the shape real runs have, and solve their tasks.

The solving check replays every action in the local sandbox (host, no Docker) with the
project's own tools, takes the patch that `submit` returns, and runs the task's eval
script on a fresh base checkout with that patch applied.
"""

from __future__ import annotations

import re

import pytest

from swe_srl.sandbox.local import LocalSandbox
from swe_srl.sandbox.tools import run_action
from swe_srl.trajectory.actions import parse_action

# trajectories/ is put on sys.path by conftest.py.
from build_repos import build_repo, git
from bundle import EXPERTS_DIR, expert_actions, load_expert, load_tasks, repo_name

from .helpers import run_eval, statuses, swebench_resolved

ROWS = load_tasks()
IDS = [row["instance_id"] for row in ROWS]
EDITS = ("create", "str_replace", "insert", "undo_edit")


def test_one_expert_run_per_task():
    assert sorted(p.stem for p in EXPERTS_DIR.glob("*.yaml")) == sorted(IDS)


@pytest.mark.parametrize("iid", IDS)
def test_expert_run_shape(iid):
    steps = load_expert(iid)
    assert all(set(step) == {"thought", "tool", "args"} for step in steps)
    actions = expert_actions(iid)
    assert 10 <= len(actions) <= 30
    assert [a.tool for _, a in actions].count("submit") == 1 and actions[-1][1].tool == "submit"
    for thought, action in actions:
        assert thought.strip()
        assert parse_action(action.to_text()) == action
        if action.tool == "str_replace_editor":
            assert action.args["path"].startswith("/testbed/")
            if action.args["command"] in EDITS:
                assert not action.args["path"].startswith("/testbed/tests/"), "experts never edit tests"
    tools = [a.tool for _, a in actions]
    commands = [a.args.get("command", "") for _, a in actions]
    # The moves real agents make: explore, read, reproduce, edit, re-run, test, clean up.
    assert "view" in commands and "create" in commands and ("str_replace" in commands or "insert" in commands)
    assert any("pytest" in a.args.get("command", "") for _, a in actions if a.tool == "bash")
    assert any(re.match(r"rm ", a.args.get("command", "")) for _, a in actions if a.tool == "bash")
    assert tools.count("bash") >= 4


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_expert_patch_resolves_the_task(row, tmp_path):
    name = repo_name(row)
    build_repo(name, tmp_path / "start")
    with LocalSandbox(tmp_path / "start", env={"PYTHONDONTWRITEBYTECODE": "1"}) as sandbox:
        for _, action in expert_actions(row["instance_id"]):
            result = run_action(sandbox, action, timeout=120)
            assert not result.error and result.exit_code in (0, 1), result.observation
        patch = result.observation
    assert result.submitted
    touched = re.findall(r"^diff --git a/\S+ b/(\S+)$", patch, re.M)
    assert touched and not [f for f in touched if f.startswith("tests/") or "reproduce" in f], touched

    repo = tmp_path / "check"
    build_repo(name, repo)
    (tmp_path / "expert.patch").write_text(patch)
    git(repo, "apply", str(tmp_path / "expert.patch"))
    log = run_eval(row, repo, tmp_path)
    wanted = row["FAIL_TO_PASS"] + row["PASS_TO_PASS"]
    assert {t: statuses(log).get(t) for t in wanted} == {t: "PASSED" for t in wanted}, log
    assert swebench_resolved(row, log, tmp_path) in (True, None)
