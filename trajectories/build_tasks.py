"""Write ``tasks.jsonl``: one SWE-bench 5.x task row per bundled task repository.

The inputs are the buggy trees in ``repos/`` and, per task, ``tasks/<name>/`` with the
issue text (``issue.md``), the gold fix (``gold.patch``) and the hidden tests
(``test.patch``). FAIL_TO_PASS and PASS_TO_PASS are measured, not typed in: the test
files run on base + test patch and on base + gold patch + test patch, as SWE-bench's
own validation does. The eval script has the shape of SWE-bench's python eval scripts
(``make_eval_script_list_py``) so the real harness grades these rows unchanged.

    python trajectories/build_tasks.py [--out trajectories/tasks.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_repos import TASKS_DIR, build_repo, git, names  # noqa: E402

HERE = Path(__file__).resolve().parent
TASKS_FILE = HERE / "tasks.jsonl"
REPO_DIR = "/testbed"
HEREDOC = "EOF_114329324912"
START, END = ">>>>> Start Test Output", ">>>>> End Test Output"
VERSION = "0.1"
# When each issue was opened (after the base commit of 2026-11-01, before the fix commit).
CREATED_AT = {
    "confkit": "2026-11-02T08:14:05Z",
    "slugkit": "2026-11-02T13:41:37Z",
    "spanlib": "2026-11-02T17:03:52Z",
}
_STATUS = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", re.M)


def instance_id(name: str) -> str:
    return f"swe-srl__{name}-1"


def image_name(iid: str) -> str:
    """Local instance image; the harness uses it as is when it exists."""
    return f"swe-srl/sweb.eval.{iid}:latest"


def test_files(test_patch: str) -> list[str]:
    """Files the test patch touches, in patch order (SWE-bench's test directives)."""
    return re.findall(r"^diff --git a/\S+ b/(\S+)$", test_patch, re.M)


def make_eval_script(base_commit: str, test_patch: str) -> str:
    """The eval script SWE-bench would write for a python task with a pytest test_cmd
    (the images are in the SWE-bench layout: the env is activated by the script itself)."""
    files = " ".join(test_files(test_patch))
    reset = f"git checkout {base_commit} -- {files}"
    activate = ["source /opt/miniconda3/bin/activate", "conda activate testbed"]
    lines = [
        "#!/bin/bash",
        "set -uxo pipefail",
        *activate,
        f"cd {REPO_DIR}",
        f"git config --global --add safe.directory {REPO_DIR}",
        f"cd {REPO_DIR}",
        "git status",
        "git show",
        f"git -c core.fileMode=false diff {base_commit}",
        *activate,
        reset,
        f"git apply -v - <<'{HEREDOC}'\n{test_patch}\n{HEREDOC}",
        f": '{START}'",
        f"pytest -rA {files}",
        f": '{END}'",
        reset,
    ]
    return "\n".join(lines) + "\n"


def run_tests(repo: Path, files: list[str]) -> dict[str, str]:
    """Run pytest on ``files`` in ``repo``; map each node id to its status."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", *files],
        cwd=repo, capture_output=True, text=True,
    )
    return {node: status for status, node in _STATUS.findall(proc.stdout)}


def measure(name: str, work: Path) -> tuple[str, list[str], list[str]]:
    """Build the repo, run the tests before and after the fix; return (sha, F2P, P2P)."""
    repo = work / name
    sha = build_repo(name, repo)
    test_patch = (TASKS_DIR / name / "test.patch").read_text()
    files = test_files(test_patch)
    git(repo, "apply", str(TASKS_DIR / name / "test.patch"))
    before = run_tests(repo, files)
    git(repo, "apply", str(TASKS_DIR / name / "gold.patch"))
    after = run_tests(repo, files)
    broken = sorted(n for n, s in after.items() if s not in ("PASSED", "XFAIL"))
    if broken or not after:
        raise RuntimeError(f"{name}: gold patch leaves tests failing: {broken or 'no tests ran'}")
    f2p = [n for n in after if before.get(n) != "PASSED"]
    p2p = [n for n in after if before.get(n) == "PASSED"]
    if not f2p:
        raise RuntimeError(f"{name}: no test fails before the fix")
    return sha, f2p, p2p


def make_row(name: str, work: Path) -> dict:
    """One task row in the SWE-bench 5.x shape, plus the image and eval fields the harness reads."""
    sha, f2p, p2p = measure(name, work)
    folder = TASKS_DIR / name
    iid = instance_id(name)
    test_patch = (folder / "test.patch").read_text()
    return {
        "repo": f"swe-srl/{name}",
        "instance_id": iid,
        "base_commit": sha,
        "patch": (folder / "gold.patch").read_text(),
        "test_patch": test_patch,
        "problem_statement": (folder / "issue.md").read_text(),
        "hints_text": "",
        "created_at": CREATED_AT[name],
        "version": VERSION,
        "FAIL_TO_PASS": f2p,
        "PASS_TO_PASS": p2p,
        "environment_setup_commit": sha,
        "image": image_name(iid),
        "eval_script": make_eval_script(sha, test_patch),
        "log_parser": "parse_log_pytest",
        # swebench 5 grades with EvalType(eval_type): "pass_and_fail" or "fail_only".
        "eval_type": "pass_and_fail",
    }


def build_rows() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        return [make_row(name, Path(tmp)) for name in names()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=TASKS_FILE)
    args = parser.parse_args(argv)
    rows = build_rows()
    args.out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    for row in rows:
        print(f"{row['instance_id']} {row['base_commit']} F2P={len(row['FAIL_TO_PASS'])} "
              f"P2P={len(row['PASS_TO_PASS'])}")


if __name__ == "__main__":
    main()
