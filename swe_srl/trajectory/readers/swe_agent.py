"""SWE-agent `.traj` files (0.x and 1.x, including SWE-smith's own runs).

The `history` is what the model saw. With assistant `tool_calls` (function calling:
bash, str_replace_editor, submit, or windowed commands such as open/create/edit/insert,
kept as typed like nebius's) it gives the rounds; so do the fenced or `<command>` actions
of a 0.x history, whose observations keep SWE-agent's prompt footer; `trajectory[]` steps
fill what the history lacks (the submit's patch) or stand alone when there is no history.
A run whose observations carry the footer, or that uses windowed commands, gets
`tool_profile = "swe-agent-windowed"`; a 1.x function-calling one gets
`"swe-agent-windowed-1.x"` (its tools print differently; see `swe_srl.sandbox.windowed`).
"""

from __future__ import annotations

import json
import shlex
from pathlib import PurePosixPath
from typing import Any

from swe_srl.trajectory.actions import TOOL_ALIASES
from swe_srl.trajectory.model import Round, Trajectory, TrajectoryError, make_round
from swe_srl.trajectory.readers._chat import tool_call_rounds
from swe_srl.trajectory.readers._common import (
    content_text,
    extract_issue,
    finish,
    split_footer,
    strip_observation_prefix,
    workspace_from_prompt,
)
from swe_srl.trajectory.readers.nebius import old_style_rounds
from swe_srl.trajectory.readers.old_commands import TOOL_PROFILE, WINDOWED_1X_PROFILE, map_command

NAME = "swe_agent"


def _replay_config(record_id: str, value: Any) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise TrajectoryError(record_id, f"replay_config is not valid JSON: {exc}") from None
    return value if isinstance(value, dict) else {}


def _instance_id(record: dict, rc: dict, record_id: str) -> str:
    ps = rc.get("problem_statement") or {}
    if isinstance(ps, dict) and ps.get("id"):
        return str(ps["id"])
    env = record.get("environment")
    if isinstance(env, str) and "__" in env:
        return env
    if record.get("instance_id"):
        return str(record["instance_id"])
    name = PurePosixPath(record_id.split("#")[0]).name
    for suffix in (".traj.json", ".traj", ".json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _function_calling(record_id: str, history: list[dict], counts: dict[str, int]) -> list[Round]:
    def observe(text: str) -> str:
        return strip_observation_prefix(text)

    def convert(name: str, args: dict, thought: str, where: str, msg: dict) -> Round:
        if name in TOOL_ALIASES:
            return make_round(record_id, name, args, thought, where=where)
        # An old command exposed as a function: its `action` holds the command line.
        text = msg.get("action") if len(msg.get("tool_calls") or []) == 1 else None
        if not isinstance(text, str) or not text.strip():
            text = " ".join([name, *(shlex.quote(str(v)) for v in args.values())])
        return map_command(record_id, text, counts, thought, where=where)

    return tool_call_rounds(record_id, history, counts, convert=convert, observe=observe)


def _from_steps(record_id: str, steps: list[dict], counts: dict[str, int]) -> list[Round]:
    rounds = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("action"), str):
            raise TrajectoryError(record_id, f"trajectory step {i} has no action")
        thought = str(step.get("thought") or "").strip()
        rnd = map_command(record_id, step["action"], counts, thought, where=f"step {i}")
        rnd.observation = strip_observation_prefix(str(step.get("observation") or ""))
        rounds.append(rnd)
    return rounds


def _has_footer(text: str) -> bool:
    return split_footer(text)[1] is not None


def read_swe_agent(record: dict, record_id: str) -> Trajectory:
    """Read one SWE-agent `.traj` dict ({environment, trajectory, history, info, replay_config?})."""
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is not a JSON object")
    history = record.get("history")
    steps = record.get("trajectory")
    if not isinstance(history, list) and not isinstance(steps, list):
        raise TrajectoryError(record_id, "neither 'history' nor 'trajectory' is a list")
    history = [m for m in history or [] if isinstance(m, dict) and not m.get("is_demo")]
    for i, m in enumerate(history):
        if "role" not in m:
            raise TrajectoryError(record_id, f"history message {i} has no role")
    steps = steps or []
    rc = _replay_config(record_id, record.get("replay_config"))
    info = record.get("info") or {}
    first_user = next((content_text(m.get("content")) for m in history if m["role"] == "user"), "")
    cwd = split_footer(first_user)[1]
    repo_name = ((rc.get("env") or {}).get("repo") or {}).get("repo_name")
    # The footer names where the run really happened (replays keep the original paths).
    workspace = cwd or workspace_from_prompt(first_user) or (f"/{repo_name}" if repo_name else None)
    counts: dict[str, int] = {}
    turns = [(m["role"], content_text(m.get("content"))) for m in history]
    function_calling = any(m.get("tool_calls") for m in history)
    if function_calling:
        rounds = _function_calling(record_id, history, counts)
    elif any(role == "assistant" for role, _ in turns) and any(_has_footer(t) for role, t in turns[1:] if role == "user"):
        rounds = old_style_rounds(record_id, turns, counts)[0]
        if len(rounds) == len(steps):  # the history has no observation after the submit
            for rnd, step in zip(rounds, steps):
                if not rnd.observation and isinstance(step, dict) and step.get("observation"):
                    rnd.observation = str(step["observation"])
    elif any(isinstance(s, dict) and s.get("action") for s in steps):
        rounds = _from_steps(record_id, steps, counts)
    else:
        rounds = old_style_rounds(record_id, turns, counts)[0]
    windowed = bool(counts.get("windowed")) or any(_has_footer(r.observation) for r in rounds)
    profile = (WINDOWED_1X_PROFILE if function_calling else TOOL_PROFILE) if windowed else None
    ps = rc.get("problem_statement") or {}
    issue = ps["text"].strip() if isinstance(ps, dict) and ps.get("text") else (extract_issue(first_user) if first_user else None)
    model = ((rc.get("agent") or {}).get("model") or {}).get("name")
    instance_id = _instance_id(record, rc, record_id)
    return finish(
        record_id,
        rounds,
        trajectory_id=record_id,
        instance_id=instance_id,
        source_format=NAME,
        problem_statement=issue,
        patch=info.get("submission") or None,
        resolved=info.get("resolved") if isinstance(info.get("resolved"), bool) else None,
        workspace=workspace,
        model=model,
        counts=counts,
        tool_profile=profile,
    )


def looks_like(record: Any) -> bool:
    return isinstance(record, dict) and isinstance(record.get("history"), list) and (
        "info" in record or "trajectory" in record
    )
