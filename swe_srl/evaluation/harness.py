"""The bridge to the SWE-bench harness: patches in, per-instance verdicts out.

Grading is the `swebench` package's own `run_instance` (container from the row's image,
patch applied, eval script run, log parsed, report written); nothing here re-implements
it. What this module adds is the reading of the outcome: a patch that does not apply or
tests that time out are the model's failures, while a run that died for any other reason
(image missing, container trouble, harness exception) is an infrastructure failure, as
is a run swebench's own log classifier marks as an environment fault.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

HARNESS_FIELDS = ("instance_id", "image", "repo", "version", "FAIL_TO_PASS", "PASS_TO_PASS", "eval_script", "log_parser", "eval_type")
RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # swebench puts it in container names
_cwd_lock = threading.Lock()


@dataclass
class Grade:
    """The harness's verdict on one prediction."""

    status: str  # resolved | unresolved | infra_failure
    reason: str = ""
    tests: dict[str, int] = field(default_factory=dict)  # FAIL_TO_PASS/PASS_TO_PASS success/failure counts
    log_dir: str = ""


def missing_fields(task: dict) -> list[str]:
    """Columns the swebench 5 harness needs that this row lacks (then it cannot be graded)."""
    return [f for f in HARNESS_FIELDS if task.get(f) in (None, "")]


class UngradableTasksError(ValueError):
    """Task rows the swebench 5 harness cannot grade; raised before any work starts."""


def check_gradable(tasks: list[dict], shown: int = 5) -> None:
    """Raise one UngradableTasksError naming the missing columns and the instance ids
    (the first `shown` of each group, and how many) when any row cannot be graded:
    a column `make_test_spec` needs is empty, or `make_test_spec` itself rejects the row.
    Pre-5.0 SWE-bench datasets, SWE-Gym and SWE-smith publish no eval_script,
    log_parser or eval_type."""
    from swebench.harness.utils import make_test_spec

    groups: dict[str, list[str]] = {}
    for task in tasks:
        iid = str(task.get("instance_id") or "<no instance_id>")
        missing = missing_fields(task)
        if missing:
            problem = "missing " + ", ".join(missing)
        else:
            try:
                make_test_spec(task)
                continue
            except Exception as exc:  # bad JSON in FAIL_TO_PASS, an unknown eval_type ...
                problem = f"make_test_spec fails ({type(exc).__name__}: {str(exc)[:200]})"
        groups.setdefault(problem, []).append(iid)
    if not groups:
        return
    bad = sum(len(ids) for ids in groups.values())
    lines = [
        f"{bad} of {len(tasks)} task row(s) cannot be graded by the SWE-bench harness "
        f"(swebench 5 needs {', '.join(HARNESS_FIELDS)}):"
    ]
    for problem, ids in groups.items():
        more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
        lines.append(f"  {problem}: {len(ids)} row(s): {', '.join(ids[:shown])}{more}")
    lines.append("Pre-5.0 SWE-bench datasets, SWE-Gym and SWE-smith rows carry no eval_script/log_parser/eval_type; "
                 "give rows in the swebench 5 shape (e.g. a swebench 5 task repo), or drop these with --instances.")
    raise UngradableTasksError("\n".join(lines))


@contextlib.contextmanager
def _working_dir(path: Path):
    """swebench writes logs under ./logs/run_evaluation: point `.` at the run folder."""
    with _cwd_lock:
        previous = Path.cwd()
        path.mkdir(parents=True, exist_ok=True)
        os.chdir(path)
        try:
            yield
        finally:
            os.chdir(previous)


def log_dir(root: Path, run_id: str, model_name: str, instance_id: str) -> Path:
    from swebench.harness.constants import RUN_EVALUATION_LOG_DIR

    return Path(root) / RUN_EVALUATION_LOG_DIR / run_id / model_name.replace("/", "__") / instance_id


def grade(
    tasks: list[dict],
    predictions: dict[str, dict],
    run_id: str,
    root: Path,
    *,
    workers: int = 1,
    timeout: int = 1800,
    skip_patch: bool = False,
) -> dict[str, Grade]:
    """Grade each task's prediction with swebench, `workers` at a time; logs go under
    `root/logs/run_evaluation/<run_id>/`. An instance whose report exists from an earlier
    call with the same run id is read back, not re-run (swebench's own resume rule).
    `skip_patch` runs the tests on the unpatched repository (swebench's no-patch mode).
    An empty `model_patch` reaches the tests too, but only by a quirk of swebench 5.0.2:
    every `git apply` in its chain fails on it and the last fallback, `patch`, accepts
    empty input."""
    check_run_id(run_id)
    root = Path(root).resolve()
    client = docker_client()
    with harness_cwd(root):
        jobs = run_parallel(lambda t: grade_one(t, predictions[t["instance_id"]], run_id, root, client, timeout, skip_patch), tasks, workers)
        return {t["instance_id"]: g for t, g in jobs}


def check_run_id(run_id: str) -> None:
    if not RUN_ID_RE.match(run_id):
        raise ValueError(f"run id {run_id!r} must match {RUN_ID_RE.pattern} (it names containers)")


def docker_client():
    import docker

    return docker.from_env(timeout=int(os.environ.get("SWEBENCH_DOCKER_TIMEOUT", "1800")))


def grade_one(task: dict, pred: dict, run_id: str, root: Path, client, timeout: int = 1800, skip_patch: bool = False) -> Grade:
    """One prediction through swebench's `run_instance`; call it inside `harness_cwd(root)`.
    Two calls may run at once for the same instance only under different run ids (the
    run id names the grading container)."""
    from swebench.harness.run_evaluation import run_instance
    from swebench.harness.utils import make_test_spec

    iid = task["instance_id"]
    where = log_dir(root, run_id, pred["model_name_or_path"], iid)
    try:
        spec = make_test_spec(task)
        run_instance(spec, pred, client, run_id, timeout, skip_patch=skip_patch)
    except Exception as exc:  # swebench catches its own; this is anything else
        return Grade("infra_failure", f"harness error: {type(exc).__name__}: {exc}", log_dir=str(where))
    return read_outcome(where, iid)


harness_cwd = _working_dir  # swebench writes ./logs/run_evaluation: hold `.` at the run folder


def run_parallel(fn, items: list, workers: int):
    """Yield (item, fn(item)) as they finish, `workers` at a time. On Ctrl-C or SIGTERM the
    queued items are dropped and the running ones are waited for, so their containers are
    cleaned up and their files land where they belong (a second Ctrl-C stops the wait)."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(fn, item): item for item in items}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def read_outcome(where: Path, instance_id: str) -> Grade:
    """Turn the harness's files for one instance into a Grade."""
    import json

    from swebench.harness.constants import APPLY_PATCH_FAIL, LOG_INSTANCE, LOG_REPORT, LOG_TEST_OUTPUT
    from swebench.harness.infra_failure import TIER_ENVIRONMENT, classify_logs

    report_file, log_file, test_file = where / LOG_REPORT, where / LOG_INSTANCE, where / LOG_TEST_OUTPUT
    if report_file.exists():
        try:
            report = json.loads(report_file.read_text())[instance_id]
        except (ValueError, KeyError) as exc:
            return Grade("infra_failure", f"unreadable harness report: {exc}", log_dir=str(where))
        tests = {
            f"{kind}_{outcome}": len(report.get("tests_status", {}).get(kind, {}).get(outcome, []))
            for kind in ("FAIL_TO_PASS", "PASS_TO_PASS")
            for outcome in ("success", "failure")
        }
        if report.get("resolved"):
            return Grade("resolved", tests=tests, log_dir=str(where))
        classified = classify_logs(test_file, log_file)
        if classified and classified[1] == TIER_ENVIRONMENT:
            return Grade("infra_failure", f"environment fault in the test run: {classified[0]}", tests, str(where))
        return Grade("unresolved", "tests failed", tests, str(where))
    log = log_file.read_text(errors="replace") if log_file.exists() else ""
    if APPLY_PATCH_FAIL in log:
        return Grade("unresolved", "patch does not apply", log_dir=str(where))
    if "Test timed out after" in log:
        return Grade("unresolved", "tests timed out", log_dir=str(where))
    last = next((line for line in reversed(log.splitlines()) if "Error" in line), "")
    return Grade("infra_failure", f"harness did not finish: {last.strip()[:300] or 'no log'}", log_dir=str(where))
