"""The bundled task rows are sound, checked on the host without Docker.

Each row's base commit is rebuilt (it must come out with the same SHA), then the row's
own eval script runs against it, /testbed pointed at the checkout: without a fix the
FAIL_TO_PASS tests fail and PASS_TO_PASS pass; with the gold patch everything passes.
When the swebench package is installed, its grading code reads the same logs.
"""

from __future__ import annotations

import re

import pytest

# trajectories/ is put on sys.path by conftest.py.
from build_repos import TASKS_DIR, add_fix_commit, build_repo, git, names
from build_tasks import image_name, instance_id, make_eval_script
from build_tasks import test_files as patched_test_files
from bundle import load_tasks, repo_name

from .helpers import run_eval, statuses, swebench_resolved

ROWS = load_tasks()
IDS = [row["instance_id"] for row in ROWS]
KEYS = {
    "repo", "instance_id", "base_commit", "patch", "test_patch", "problem_statement", "hints_text",
    "created_at", "version", "FAIL_TO_PASS", "PASS_TO_PASS", "environment_setup_commit", "image",
    "eval_script", "log_parser", "eval_type",
}


def test_one_row_per_task_repository():
    assert sorted(repo_name(row) for row in ROWS) == names()
    assert len(ROWS) >= 3 and len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_row_shape_and_sources(row):
    name = repo_name(row)
    assert set(row) == KEYS
    assert row["instance_id"] == instance_id(name) and re.fullmatch(r"[\w-]+__[\w-]+-\d+", row["instance_id"])
    assert row["image"] == image_name(row["instance_id"]) == row["image"].lower()
    assert row["log_parser"] == "parse_log_pytest" and row["eval_type"] == "pass_and_fail"
    assert row["environment_setup_commit"] == row["base_commit"]
    assert row["patch"] == (TASKS_DIR / name / "gold.patch").read_text()
    assert row["test_patch"] == (TASKS_DIR / name / "test.patch").read_text()
    assert row["problem_statement"] == (TASKS_DIR / name / "issue.md").read_text()
    assert row["eval_script"] == make_eval_script(row["base_commit"], row["test_patch"])
    # The gold patch fixes source only; the hidden tests live in test_patch.
    assert not [f for f in re.findall(r"^diff --git a/\S+ b/(\S+)$", row["patch"], re.M) if f.startswith("tests/")]
    assert all(f.startswith("tests/") for f in patched_test_files(row["test_patch"]))
    assert row["FAIL_TO_PASS"] and row["PASS_TO_PASS"]
    assert not set(row["FAIL_TO_PASS"]) & set(row["PASS_TO_PASS"])


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_fail_before_pass_after_gold_patch(row, tmp_path):
    repo = tmp_path / "repo"
    assert build_repo(repo_name(row), repo) == row["base_commit"]

    log = run_eval(row, repo, tmp_path)
    before = statuses(log)
    assert {t: before.get(t) for t in row["FAIL_TO_PASS"]} == {t: "FAILED" for t in row["FAIL_TO_PASS"]}, log
    assert {t: before.get(t) for t in row["PASS_TO_PASS"]} == {t: "PASSED" for t in row["PASS_TO_PASS"]}, log
    assert swebench_resolved(row, log, tmp_path) in (False, None)

    (tmp_path / "gold.patch").write_text(row["patch"])
    git(repo, "apply", str(tmp_path / "gold.patch"))
    log = run_eval(row, repo, tmp_path)
    after = statuses(log)
    wanted = row["FAIL_TO_PASS"] + row["PASS_TO_PASS"]
    assert {t: after.get(t) for t in wanted} == {t: "PASSED" for t in wanted}, log
    assert swebench_resolved(row, log, tmp_path) in (True, None)
    # The eval script puts the test files back as they were.
    changed = git(repo, "status", "--porcelain").split()
    assert not [f for f in changed if f.startswith("tests/")]


@pytest.mark.parametrize("name", names())
def test_fix_commit_comes_after_the_base(name, tmp_path):
    base = build_repo(name, tmp_path / name)
    fix = add_fix_commit(name, tmp_path / name)
    assert git(tmp_path / name, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(tmp_path / name, "rev-parse", f"{fix}^").strip() == base
    stamps = git(tmp_path / name, "log", "--format=%ct").split()
    assert int(stamps[0]) > int(stamps[1])
    assert git(tmp_path / name, "status", "--porcelain") == ""
