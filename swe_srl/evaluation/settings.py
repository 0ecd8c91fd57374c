"""The paper's two evaluation settings, as the issue text the policy is shown.

- end-to-end: the issue only; the policy must find the code itself.
- oracle-files: the issue plus the files the gold patch touches, named under it (the
  paper's "oracle file edit"): localisation is given, the edit is the model's.
"""

from __future__ import annotations

import re

from swe_srl.sandbox.base import DEFAULT_ROOT

SETTINGS = ("end-to-end", "oracle-files")
_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)
_PLUS_FILE = re.compile(r"^\+\+\+ b/(\S+)$", re.MULTILINE)


def gold_files(patch: str) -> list[str]:
    """Repository-relative paths the patch touches, in patch order, without duplicates."""
    paths = [b for _, b in _DIFF_HEADER.findall(patch or "")] or _PLUS_FILE.findall(patch or "")
    return list(dict.fromkeys(paths))


def problem_statement_for(task: dict, setting: str, root: str = DEFAULT_ROOT) -> str:
    """The issue text the policy sees in `setting`."""
    issue = task["problem_statement"]
    if setting == "end-to-end":
        return issue
    if setting != "oracle-files":
        raise ValueError(f"unknown setting {setting!r} (choose one of {', '.join(SETTINGS)})")
    files = gold_files(task.get("patch", ""))
    if not files:
        return issue
    listed = "\n".join(f"- {root}/{path}" for path in files)
    return f"{issue.rstrip()}\n\nThe files to edit to resolve this issue are:\n{listed}"
