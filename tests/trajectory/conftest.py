"""Shared fixtures: the real trajectory samples and a hand-built expert trajectory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_srl.trajectory.actions import Action
from swe_srl.trajectory.model import Round, Trajectory

# ../shared/real-trajectories relative to the repository root (never copied into the repo).
from tests.conftest import SHARED  # noqa: E402

REAL = SHARED / "real-trajectories"


@pytest.fixture(scope="session")
def real() -> Path:
    if not (REAL / "README.md").is_file():
        pytest.skip(f"real trajectory samples not found at {REAL}")
    return REAL


@pytest.fixture(scope="session")
def load_json(real):
    cache: dict[str, object] = {}

    def load(rel: str):
        if rel not in cache:
            cache[rel] = json.loads((real / rel).read_text(encoding="utf-8"))
        return cache[rel]

    return load


def make_traj(rounds: list[tuple[str, str, dict, str]], **fields) -> Trajectory:
    """A canonical trajectory from (thought, tool, args, observation) tuples."""
    base = dict(
        trajectory_id="t-1",
        instance_id="owner__repo-1",
        source_format="canonical",
        problem_statement="Bug: add() returns the wrong sum\nfor negative numbers.",
        patch="diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n",
        resolved=True,
        workspace="/testbed",
        model="expert-model",
    )
    base.update(fields)
    return Trajectory(
        rounds=[Round(thought=t, action=Action.make(tool, args), observation=o) for t, tool, args, o in rounds],
        **base,
    )


FULL_ROUNDS = [
    ("Let me look at the repository.", "bash", {"command": "ls -la /testbed"}, "total 8\ncalc.py\n"),
    ("", "str_replace_editor", {"command": "view", "path": "/testbed/calc.py"}, "     1\tdef add(a, b):\n"),
    ("Just the top.", "str_replace_editor", {"command": "view", "path": "/testbed/calc.py", "view_range": [1, 5]}, "..."),
    (
        "A reproduction script.",
        "str_replace_editor",
        {"command": "create", "path": "/testbed/repro.py", "file_text": "from calc import add\nprint(add(-1, -2))\n"},
        "File created successfully at: /testbed/repro.py",
    ),
    (
        "Fix the sign.",
        "str_replace_editor",
        {"command": "str_replace", "path": "/testbed/calc.py", "old_str": "return a - b", "new_str": "return a + b"},
        "The file /testbed/calc.py has been edited.",
    ),
    ("Add a note.", "str_replace_editor", {"command": "insert", "path": "/testbed/calc.py", "insert_line": 1, "new_str": "# sum"}, "ok"),
    ("Hmm.", "think", {"thought": "The fix is in add().\nCheck negatives."}, "Your thought has been logged."),
    ("Run it\nagain.", "bash", {"command": "cd /testbed &&\npython repro.py"}, "-3\n"),
    ("Done.", "submit", {}, ""),
]

# What the SWE-agent 0.x command set (nebius) can say exactly.
OLD_ROUNDS = [
    ("Look around.", "bash", {"command": "ls -F"}, "calc.py\n"),
    ("Open it.", "str_replace_editor", {"command": "view", "path": "/testbed/calc.py"}, "[File: /testbed/calc.py (2 lines total)]"),
    ("A script.", "str_replace_editor", {"command": "create", "path": "/testbed/repro.py", "file_text": ""}, "[File: /testbed/repro.py (1 lines total)]\n1:"),
    ("Windowed edit stays bash.", "bash", {"command": "edit 1:1\nprint(1)\nend_of_edit"}, "File updated."),
    ("Run.", "bash", {"command": "python repro.py"}, "1\n"),
    ("Submit.", "submit", {}, "diff --git a/calc.py b/calc.py\n"),
]

# What mini-swe-agent (bash only) can say exactly.
BASH_ROUNDS = [
    ("Look around.", "bash", {"command": "ls -la"}, "total 8\n"),
    ("Fix.", "bash", {"command": "sed -i 's/a - b/a + b/' calc.py"}, ""),
    ("Check\nit.", "bash", {"command": "cat > t.py <<'EOF'\nprint(1)\nEOF\npython t.py"}, "1\n"),
    ("Submit.", "submit", {}, "diff --git a/calc.py b/calc.py\n"),
]


@pytest.fixture
def traj_factory():
    return make_traj


@pytest.fixture
def full_traj() -> Trajectory:
    return make_traj(FULL_ROUNDS)


@pytest.fixture
def old_traj() -> Trajectory:
    return make_traj(OLD_ROUNDS)


@pytest.fixture
def bash_traj() -> Trajectory:
    return make_traj(BASH_ROUNDS)
