"""Load the bundled default data: task rows and the canonical expert runs.

One place for the paths and file shapes, so record.py and the tests read the bundle
the same way. Expert runs are YAML lists of ``{thought, tool, args}`` with canonical
tools and paths under /testbed.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from swe_srl.trajectory.actions import Action

HERE = Path(__file__).resolve().parent
TASKS_FILE = HERE / "tasks.jsonl"
EXPERTS_DIR = HERE / "experts"


def load_tasks(path: Path = TASKS_FILE) -> list[dict]:
    """The task rows, in file order."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def repo_name(task: dict) -> str:
    """The folder name under repos/ of a task (``swe-srl/confkit`` -> ``confkit``)."""
    return task["repo"].split("/", 1)[1]


def expert_path(instance_id: str) -> Path:
    return EXPERTS_DIR / f"{instance_id}.yaml"


def load_expert(instance_id: str) -> list[dict]:
    """The canonical expert run: a list of ``{thought, tool, args}``."""
    steps = yaml.safe_load(expert_path(instance_id).read_text())
    if not isinstance(steps, list):
        raise ValueError(f"{expert_path(instance_id)}: expected a list of steps")
    return steps


def expert_actions(instance_id: str) -> list[tuple[str, Action]]:
    """(thought, canonical action) pairs; raises ActionError on a non-canonical call."""
    return [(step["thought"], Action.make(step["tool"], step.get("args") or {})) for step in load_expert(instance_id)]
