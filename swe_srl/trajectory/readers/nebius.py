"""nebius/SWE-agent-trajectories: SWE-agent 0.x runs as {role: system|user|ai, text}.

Each `ai` turn is discussion then one fenced command from SWE-agent's 0.x command set,
kept as typed (see old_commands). User turns are observations ending in the
"(Open file)(Current directory) bash-$" footer; they are kept whole, footer included, since
the windowed tool profile replays it too. The first footer names the workspace root.
`target` is resolved.
"""

from __future__ import annotations

from typing import Any

from swe_srl.trajectory.model import Round, Trajectory, TrajectoryError
from swe_srl.trajectory.readers._common import (
    as_bool,
    base_instance_id,
    bump,
    extract_issue,
    finish,
    split_footer,
)
from swe_srl.trajectory.readers.old_commands import TOOL_PROFILE, map_command, split_command_tag, split_fenced

NAME = "nebius"


def old_style_rounds(record_id: str, turns: list[tuple[str, str]], counts: dict[str, int]) -> tuple[list[Round], str | None, str | None]:
    """Rounds from (role, text) turns of an old SWE-agent conversation.

    Returns the rounds, the first user message (the task) and the directory its footer
    names (the workspace root the run was recorded under).
    """
    rounds: list[Round] = []
    waiting: Round | None = None
    first_user: str | None = None
    root: str | None = None
    for i, (role, text) in enumerate(turns):
        if role == "user":
            if first_user is None and not rounds:
                first_user, root = text, split_footer(text)[1]
            elif waiting is not None:
                waiting.observation = text
                waiting = None
        elif role in ("ai", "assistant"):
            parts = split_fenced(text) or split_command_tag(text)
            if parts is None:
                bump(counts, "skipped_format_errors")
                waiting = None
                continue
            waiting = map_command(record_id, parts[1], counts, parts[0].strip(), where=f"turn {i}")
            rounds.append(waiting)
        elif role != "system":
            raise TrajectoryError(record_id, f"turn {i} has unknown role {role!r}")
    return rounds, first_user, root


def read_nebius(record: dict, record_id: str) -> Trajectory:
    """Read one nebius record ({instance_id, model_name, target, trajectory, generated_patch})."""
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is not a JSON object")
    traj = record.get("trajectory")
    if not isinstance(traj, list) or not traj:
        raise TrajectoryError(record_id, "trajectory is missing or empty")
    turns = []
    for i, t in enumerate(traj):
        if not isinstance(t, dict) or "role" not in t:
            raise TrajectoryError(record_id, f"turn {i} has no role")
        turns.append((t["role"], t.get("text") or ""))
    counts: dict[str, int] = {}
    rounds, first_user, root = old_style_rounds(record_id, turns, counts)
    raw_id = str(record.get("instance_id") or record_id)
    return finish(
        record_id,
        rounds,
        trajectory_id=raw_id,
        instance_id=base_instance_id(raw_id),
        source_format=NAME,
        problem_statement=extract_issue(first_user) if first_user else None,
        patch=record.get("generated_patch") or None,
        resolved=as_bool(record.get("target")),
        workspace=root,
        model=record.get("model_name") or None,
        counts=counts,
        tool_profile=TOOL_PROFILE,
    )


def looks_like(record: Any) -> bool:
    traj = record.get("trajectory") if isinstance(record, dict) else None
    return (
        isinstance(traj, list)
        and bool(traj)
        and isinstance(traj[0], dict)
        and "text" in traj[0]
        and any(isinstance(t, dict) and t.get("role") == "ai" for t in traj)
    )
