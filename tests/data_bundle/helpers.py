"""Host-side helpers shared by the bundle tests: run a row's eval script and read its log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

START, END = ">>>>> Start Test Output", ">>>>> End Test Output"
_STATUS = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", re.M)


def run_eval(row: dict, repo: Path, tmp: Path) -> str:
    """Run the row's eval script on the host with /testbed meaning ``repo``; return the log.

    The host has no /opt/miniconda3: the image's env activation lines become no-ops and
    `pytest` is this interpreter's, whose environment holds what the env would.
    """
    script = row["eval_script"].replace("/testbed", str(repo))
    script = script.replace("source /opt/miniconda3/bin/activate\n", ":\n").replace("conda activate testbed\n", ":\n")
    script = re.sub(r"(?m)^pytest ", f"{sys.executable} -m pytest ", script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    # The script runs `git config --global`; keep that away from the user's config.
    env.update(GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"), GIT_CONFIG_NOSYSTEM="1", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(["bash", "-c", script], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    return proc.stdout


def statuses(log: str) -> dict[str, str]:
    assert START in log and END in log, log[-3000:]
    body = log.split(START, 1)[1].split(END, 1)[0]
    return {node: status for status, node in _STATUS.findall(body)}


def swebench_resolved(row: dict, log: str, tmp: Path) -> bool | None:
    """The real harness's verdict on a log, or None when swebench is not installed."""
    try:
        from swebench.harness.grading import get_eval_report
        from swebench.harness.utils import make_test_spec
    except ImportError:
        return None
    path = tmp / "test_output.txt"
    path.write_text(log)
    pred = {"instance_id": row["instance_id"], "model_name_or_path": "gold", "model_patch": row["patch"]}
    report = get_eval_report(make_test_spec(row), pred, str(path), include_tests_status=True)
    return report[row["instance_id"]]["resolved"]
