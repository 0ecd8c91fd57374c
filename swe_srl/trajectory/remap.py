"""Move a trajectory recorded under another repository root to the sandbox's root.

SWE-Gym/OpenHands runs live in `/workspace/<repo>__<version>` and old SWE-agent runs in
`/<repo>`, while our task images put the repository at `/testbed`. Replaying
`cd /workspace/python__mypy__1.6` there would fail, and the step rows would teach paths
that do not exist, so actions, thoughts and observations are rewritten together.
"""

from __future__ import annotations

import re
from collections import Counter

from swe_srl.trajectory.actions import Action
from swe_srl.trajectory.model import Round, Trajectory

_WORKSPACE_PATH = re.compile(r"(?<![\w./-])/workspace/[^/\s'\"`<>()\[\]{},;:|&]+")


def detect_workspace(traj: Trajectory) -> str | None:
    """The root the run was recorded under: what the reader found, else the most
    common `/workspace/<name>` prefix among the paths the run touched."""
    if traj.workspace:
        return traj.workspace
    seen: Counter[str] = Counter()
    for rnd in traj.rounds:
        for value in rnd.action.args.values():
            seen.update(_WORKSPACE_PATH.findall(value))
        seen.update(_WORKSPACE_PATH.findall(rnd.observation))
    return seen.most_common(1)[0][0] if seen else None


def _root_pattern(root: str) -> re.Pattern[str]:
    # Whole path components only: /workspace/x must not match /workspace/xy or /a/workspace/x.
    return re.compile(r"(?<![\w./-])" + re.escape(root.rstrip("/")) + r"(?![\w.-])")


def remap_workspace(traj: Trajectory, target: str = "/testbed", root: str | None = None) -> Trajectory:
    """A copy of ``traj`` with ``root`` (detected when not given) replaced by ``target``.

    The number of replacements is added to ``counts["remapped_paths"]``; a trajectory
    already under ``target``, or with no detectable root, comes back unchanged.
    """
    root = root or detect_workspace(traj)
    if not root or root.rstrip("/") in ("", target.rstrip("/")):
        return traj.model_copy(deep=True)
    pattern = _root_pattern(root)
    total = 0

    def sub(text: str) -> str:
        nonlocal total
        text, n = pattern.subn(target.rstrip("/"), text)
        total += n
        return text

    rounds = [
        Round(
            thought=sub(rnd.thought),
            action=Action.make(rnd.action.tool, {k: sub(v) for k, v in rnd.action.args.items()}),
            observation=sub(rnd.observation),
            exit_code=rnd.exit_code,
        )
        for rnd in traj.rounds
    ]
    counts = dict(traj.counts)
    counts["remapped_paths"] = counts.get("remapped_paths", 0) + total
    return traj.model_copy(update={"rounds": rounds, "workspace": target, "counts": counts})
