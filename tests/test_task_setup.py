"""SWE-smith tasks set up for real: the row's bug patch applied in a real Docker sandbox of a
bundled task image and committed out of sight (no clean code, no bug commit in git)."""

from __future__ import annotations

import subprocess

import pytest

from swe_srl import bundled
from swe_srl.sandbox.base import Sandbox
from swe_srl.task_setup import TaskSetupError, is_swesmith_task, prepare_task

CONFKIT = "swe-srl__confkit-1"
BUG_FILE = "confkit/parser.py"
CLEAN_LINE = "    key, value = parts[0].strip(), parts[1].strip()\n"
BUG_LINE = "    key, value = parts[0], parts[1].strip()\n"  # keys keep their whitespace


def _bug_patch(tmp_path) -> str:
    """A SWE-smith-style bug patch on the bundled confkit base commit (git diff output)."""
    task = next(t for t in bundled.bundled_tasks() if t["instance_id"] == CONFKIT)
    clone = tmp_path / "confkit"
    subprocess.run(["git", "clone", "-q", str(bundled.repo_dir(task)), str(clone)], check=True)
    path = clone / BUG_FILE
    text = path.read_text()
    assert text.count(CLEAN_LINE) == 1
    path.write_text(text.replace(CLEAN_LINE, BUG_LINE))
    return subprocess.run(["git", "-C", str(clone), "diff"], check=True, capture_output=True, text=True).stdout


def _smith_row(tmp_path) -> dict:
    """A row shaped as SWE-bench/SWE-smith publishes it, on the bundled confkit image."""
    task = next(t for t in bundled.bundled_tasks() if t["instance_id"] == CONFKIT)
    return {
        "instance_id": "swe-srl__confkit.47502ce2.func_pm_remove_strip__abc123",
        "repo": "swesmith/swe-srl__confkit.47502ce2",
        "patch": _bug_patch(tmp_path),
        "FAIL_TO_PASS": ["tests/test_parser.py::test_whitespace_around_key_and_value_is_stripped"],
        "PASS_TO_PASS": [],
        "image_name": task["image"],
        "base_commit": "0" * 40,  # SWE-smith's is the bug branch's commit, absent from the image
        "problem_statement": "Keys keep surrounding whitespace",
    }


@pytest.fixture(scope="module")
def confkit_image(base_image) -> str:
    task = next(t for t in bundled.bundled_tasks() if t["instance_id"] == CONFKIT)
    bundled.ensure_images([task])
    return task["image"]


@pytest.fixture
def sandbox(confkit_image):
    from swe_srl.sandbox.docker import DockerSandbox

    with DockerSandbox(confkit_image, timeout=120, run_id="pytest-task-setup") as sb:
        yield sb


def sh(sb, command: str) -> str:
    res = sb.run(f"cd /testbed && {command}", timeout=120)
    assert res.exit_code == 0, (command, res.output)
    return res.output.strip()


def test_which_rows_are_swesmith():
    assert is_swesmith_task({"instance_id": "arrow-py__arrow.1d70d009.lm_rewrite__nuzjfyur"})
    assert is_swesmith_task({"instance_id": "getmoto__moto.694ce1f4.pr_6055"})
    assert is_swesmith_task({"instance_id": "x", "image_name": "jyangballin/swesmith.x86_64.a_1776_b.12345678"})
    assert is_swesmith_task({"instance_id": "x", "repo": "swesmith/a__b.12345678"})
    assert is_swesmith_task({"instance_id": "x", "image": "jyangballin/swesmith.x86_64.a_1776_b.12345678:latest"})
    for row in bundled.bundled_tasks():
        assert not is_swesmith_task(row)
    for iid in ("django__django-11099", "getmoto__moto-6387", "python__mypy-15976", "marshmallow-code__apispec-811"):
        assert not is_swesmith_task({"instance_id": iid, "repo": "x/y"})
    assert is_swesmith_task({"instance_id": "django__django-11099"}, source="swesmith")
    assert not is_swesmith_task({"instance_id": "arrow-py__arrow.1d70d009.lm_rewrite__x"}, source="swebench")


class _Untouchable(Sandbox):
    base_commit = "abc"

    def run(self, command, timeout=None):  # pragma: no cover - must never be called
        raise AssertionError(f"ran {command!r}")

    read_file = write_file = close = run


def test_swebench_and_swegym_rows_do_nothing():
    sb = _Untouchable()
    for row in bundled.bundled_tasks():
        assert prepare_task(sb, row) == "abc"
    assert prepare_task(sb, {"instance_id": "getmoto__moto-6387", "patch": "x"}, source="swegym") == "abc"


def _tests(sb) -> str:
    """pytest's summary line for confkit's parser tests."""
    return sb.run("cd /testbed && python3 -m pytest -q -p no:cacheprovider tests/test_parser.py 2>&1 | tail -1", timeout=120).output


def _meta(sb, rev: str = "HEAD") -> str:
    return sh(sb, f"git log -1 --date=raw --format='%an|%ae|%ad|%cn|%ce|%cd|%B' {rev}")


def test_swesmith_bug_is_applied_and_committed_out_of_sight(sandbox, tmp_path):
    sb, row = sandbox, _smith_row(tmp_path)
    # What could leak the clean state: the original commits, the clean blob, a branch,
    # a tag, a stash, notes, remote-tracking refs (one broken), ORIG_HEAD, reflog entries.
    head = sh(sb, "git rev-parse HEAD")
    ancestors = sh(sb, "git rev-list HEAD").split()
    clean_blob = sh(sb, f"git rev-parse HEAD:{BUG_FILE}")
    meta = _meta(sb)
    files = sh(sb, "git ls-files")
    clean_run = _tests(sb)
    assert "passed" in clean_run
    sh(sb, "git branch fix-branch && git tag v-clean && git update-ref refs/remotes/origin/main HEAD"
           " && git remote add origin /nowhere && git update-ref ORIG_HEAD HEAD && git notes add -m clean HEAD"
           " && git symbolic-ref refs/remotes/upstream/HEAD refs/remotes/upstream/gone"
           " && echo scratch >> README.md && git stash -q && git status --porcelain")

    new = prepare_task(sb, row)

    assert new == sb.base_commit == sh(sb, "git rev-parse HEAD") and new not in ancestors
    assert BUG_LINE.strip() in sh(sb, f"git show HEAD:{BUG_FILE}") and BUG_LINE.strip() in sh(sb, f"cat {BUG_FILE}")
    assert "failed" in _tests(sb) and "failed" not in clean_run  # the bug is really there
    assert sb.diff() == "" and sh(sb, "git status --porcelain") == ""
    assert sh(sb, "git ls-files") == files  # nothing but the bug went into the commit
    assert _meta(sb) == meta  # HEAD's author, committer, dates and message
    # Nothing in git shows the clean code or a bug commit.
    assert sh(sb, "git log --all --oneline").splitlines() == [sh(sb, "git log -1 --oneline")]
    assert sh(sb, "git rev-list --all --reflog --count") == "1" and sh(sb, "git cat-file -p HEAD").count("\nparent ") == 0
    assert sh(sb, "git reflog") == "" and sh(sb, "git tag") == "" and sh(sb, "git stash list") == "" and sh(sb, "git remote") == ""
    assert sh(sb, "git branch -a --format='%(refname)'").splitlines() == [sh(sb, "git symbolic-ref HEAD")]
    assert len(sh(sb, "git for-each-ref").splitlines()) == 1  # the one branch
    assert sh(sb, "git fsck --unreachable --no-reflogs 2>&1") == ""
    assert sh(sb, "git fsck --lost-found 2>&1") == "" and sh(sb, "ls .git/lost-found 2>/dev/null | wc -l") == "0"
    for sha in [head, *ancestors, clean_blob]:
        assert sb.run(f"cd /testbed && git cat-file -e {sha}", timeout=30).exit_code != 0, f"{sha} is still in the object store"
    assert sh(sb, "ls .git | grep -c HEAD") == "1"  # no ORIG_HEAD/FETCH_HEAD left
    assert "swe-srl-task.patch" not in sh(sb, "ls -a .git")

    # The agent's fix is the reverse of the bug, measured against the bugged base.
    sb.write_file(f"/testbed/{BUG_FILE}", sb.read_file(f"/testbed/{BUG_FILE}").decode().replace(BUG_LINE, CLEAN_LINE))
    fix = sb.diff()
    assert f"-{BUG_LINE}" in fix and f"+{CLEAN_LINE}" in fix and sum(line.startswith("@@") for line in fix.splitlines()) == 1

    # Set up again on the same sandbox: the bug is already in HEAD, nothing changes.
    sh(sb, f"git checkout -q -- {BUG_FILE}")
    assert prepare_task(sb, row) == new and sb.diff() == ""


def test_keep_history_keeps_heads_parents(sandbox, tmp_path):
    sb, row = sandbox, _smith_row(tmp_path)
    sh(sb, "echo more >> README.md && git commit -qam 'A later commit' --date='2026-11-03T10:00:00Z'")
    head, parent, meta = sh(sb, "git rev-parse HEAD"), sh(sb, "git rev-parse HEAD~1"), _meta(sb)
    new = prepare_task(sb, row, keep_history=True)
    assert sh(sb, "git rev-parse HEAD~1") == parent and _meta(sb) == meta and new != head
    assert sb.run(f"cd /testbed && git cat-file -e {head}", timeout=30).exit_code != 0
    assert sh(sb, "git fsck --unreachable --no-reflogs 2>&1") == "" and sh(sb, "git reflog") == ""
    assert BUG_LINE.strip() in sh(sb, f"git show HEAD:{BUG_FILE}") and sb.diff() == ""


def test_a_bug_patch_that_does_not_apply_is_one_clear_error(sandbox, tmp_path):
    row = _smith_row(tmp_path)
    row["patch"] = row["patch"].replace("parts[1].strip()", "parts[2].strip()")  # context that is not there
    with pytest.raises(TaskSetupError, match="does not apply"):
        prepare_task(sandbox, row)
    with pytest.raises(TaskSetupError, match="empty"):
        prepare_task(sandbox, {**row, "patch": ""})


def _fix_trajectory(iid: str):
    from swe_srl.trajectory.actions import Action
    from swe_srl.trajectory.model import Round, Trajectory

    rounds = [
        Round(action=Action.make("bash", {"command": f"grep -c 'parts\\[0\\], parts' {BUG_FILE}"}), observation="1"),
        Round(action=Action.make("str_replace_editor", {"command": "str_replace", "path": f"/testbed/{BUG_FILE}",
                                                        "old_str": BUG_LINE.strip(), "new_str": CLEAN_LINE.strip()})),
        Round(action=Action.make("submit", {})),
    ]
    return Trajectory(trajectory_id=f"{iid}__fix", instance_id=iid, source_format="canonical", rounds=rounds, workspace="/testbed")


def test_replay_and_eval_start_from_the_bugged_state(confkit_image, tmp_path):
    """collect's replay and eval's agent run both set the bug up before the first action,
    and take the patch against the bugged commit: the expert's fix is the reverse of the bug."""
    from swe_srl.collect.replay import ReplayOptions, process
    from swe_srl.evaluation.agent import AgentLimits, SandboxOptions, run_agent
    from swe_srl.evaluation.policy import ReplayPolicy
    from swe_srl.trajectory.model import Task

    row = _smith_row(tmp_path)
    traj = _fix_trajectory(row["instance_id"])
    outcome = process(traj, Task.model_validate(row), confkit_image, ReplayOptions(run_id="pytest-task-setup"), True)
    assert outcome.error is None, outcome.error
    first = outcome.record["rounds"][0]  # the trajectory table holds each round once
    assert first["observation"].strip() == "1" and first["patch_before"] == ""
    fix = outcome.summary["final_patch"]
    assert f"-{BUG_LINE}" in fix and f"+{CLEAN_LINE}" in fix

    run = run_agent(row, ReplayPolicy({row["instance_id"]: traj}), AgentLimits(max_steps=5), SandboxOptions(pull=False),
                    "pytest-task-setup")
    assert not run.infra, run.error
    assert run.patch == fix and run.base_commit and run.base_commit != "0" * 40
