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
) -> dict[str, Grade]:
    """Grade each task's prediction with swebench, `workers` at a time; logs go under
    `root/logs/run_evaluation/<run_id>/`. An instance whose report exists from an earlier
    call with the same run id is read back, not re-run (swebench's own resume rule)."""
    import docker
    from swebench.harness.run_evaluation import run_instance
    from swebench.harness.utils import make_test_spec

    if not RUN_ID_RE.match(run_id):
        raise ValueError(f"run id {run_id!r} must match {RUN_ID_RE.pattern} (it names containers)")
    root = Path(root).resolve()
    client = docker.from_env(timeout=int(os.environ.get("SWEBENCH_DOCKER_TIMEOUT", "1800")))

    def one(task: dict) -> tuple[str, Grade]:
        iid = task["instance_id"]
        pred = predictions[iid]
        where = log_dir(root, run_id, pred["model_name_or_path"], iid)
        try:
            spec = make_test_spec(task)
            run_instance(spec, pred, client, run_id, timeout)
        except Exception as exc:  # swebench catches its own; this is anything else
            return iid, Grade("infra_failure", f"harness error: {type(exc).__name__}: {exc}", log_dir=str(where))
        return iid, read_outcome(where, iid)

    with _working_dir(root):
        return {iid: g for _, (iid, g) in run_parallel(one, tasks, workers)}


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
