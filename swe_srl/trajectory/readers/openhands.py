"""OpenHands: the SWE-Gym function-calling release and the native event stream.

SWE-Gym records are chat messages with `tool_calls` (execute_bash, str_replace_editor,
finish) and `tool` replies starting "OBSERVATION:". Native records (OpenHands feedback
sessions) are a `trajectory` list of action/observation events; `run` is bash, `finish`
is submit, messages and agent-state events are not actions, and `run_ipython` has no
canonical tool, so those rounds are skipped and counted.
"""

from __future__ import annotations

from typing import Any

from swe_srl.trajectory.model import Round, Trajectory, TrajectoryError, make_round
from swe_srl.trajectory.readers._chat import tool_call_rounds
from swe_srl.trajectory.readers._common import (
    as_bool,
    base_instance_id,
    bump,
    content_text,
    extract_issue,
    finish,
    load_messages,
    workspace_from_prompt,
)

NAME = "openhands"

# Native event actions that are not agent tool calls.
_NOT_ACTIONS = frozenset({"message", "initialize", "change_agent_state", "system", "recall", "null", ""})
_NOT_OBSERVATIONS = frozenset({"agent_state_changed", "null", "", "recall", "user_rejected"})


def read_openhands(record: dict, record_id: str) -> Trajectory:
    """Read one OpenHands record (function-calling messages or native events)."""
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is not a JSON object")
    if "messages" in record:
        return _read_messages(record, record_id)
    if isinstance(record.get("trajectory"), list):
        return _read_events(record, record_id)
    raise TrajectoryError(record_id, "neither 'messages' nor an event 'trajectory' list")


def _read_messages(record: dict, record_id: str) -> Trajectory:
    messages = load_messages(record_id, record["messages"])
    counts: dict[str, int] = {}
    rounds = tool_call_rounds(record_id, messages, counts, skip_tools=frozenset({"execute_ipython_cell"}))
    first_user = next((content_text(m.get("content")) for m in messages if m["role"] == "user"), "")
    raw_id = str(record.get("instance_id") or record_id)
    result = record.get("test_result") or {}
    resolved = as_bool(record.get("resolved"))
    if resolved is None and isinstance(result.get("report"), dict):
        resolved = as_bool(result["report"].get("resolved"))
    return finish(
        record_id,
        rounds,
        trajectory_id=raw_id,
        instance_id=base_instance_id(raw_id),
        source_format=NAME,
        problem_statement=extract_issue(first_user) if first_user else None,
        patch=result.get("git_patch") or record.get("patch") or None,
        resolved=resolved,
        workspace=workspace_from_prompt(first_user),
        model=record.get("model") or None,
        counts=counts,
    )


def _event_action(record_id: str, i: int, ev: dict, counts: dict[str, int]) -> Round | None:
    kind = ev.get("action")
    extras = ev.get("extras") or {}
    thought = str(extras.get("thought") or "").strip()
    where = f"event {i}"
    if kind == "run":
        return make_round(record_id, "bash", {"command": extras.get("command")}, thought, where=where)
    if kind == "finish":
        return make_round(record_id, "submit", {}, thought, where=where)
    if kind == "think":
        return make_round(record_id, "think", {"thought": extras.get("thought")}, where=where)
    if kind == "read" and extras.get("path"):
        args = {"command": "view", "path": extras["path"], "view_range": extras.get("view_range")}
        return make_round(record_id, "str_replace_editor", args, thought, where=where)
    if kind == "edit" and extras.get("command"):
        keys = ("command", "path", "file_text", "old_str", "new_str", "insert_line", "view_range")
        args = {k: extras.get(k) for k in keys}
        if args["command"] != "create":
            args["file_text"] = None
        return make_round(record_id, "str_replace_editor", args, thought, where=where)
    bump(counts, "skipped_unknown_tool")
    bump(counts, f"skipped_tool.{kind}")
    return None


def _read_events(record: dict, record_id: str) -> Trajectory:
    counts: dict[str, int] = {}
    rounds: list[Round] = []
    pending: Round | None = None  # last action still waiting for its observation
    skipping = False  # the last action was skipped: drop its observation too
    issue: str | None = None
    model: str | None = None
    for i, ev in enumerate(record["trajectory"]):
        if not isinstance(ev, dict):
            raise TrajectoryError(record_id, f"event {i} is not an object")
        kind = ev.get("action")
        if kind == "initialize":
            model = (ev.get("extras") or {}).get("LLM_MODEL") or model
        if kind is not None:
            if kind == "message" and ev.get("source") == "user" and issue is None:
                issue = content_text(ev.get("content")).strip()
            if kind in _NOT_ACTIONS:
                if kind == "message" and ev.get("source") == "agent":
                    bump(counts, "skipped_messages")
                continue
            rnd = _event_action(record_id, i, ev, counts)
            skipping = rnd is None
            if rnd is not None:
                rounds.append(rnd)
                pending = rnd if kind != "finish" else None
            continue
        obs = ev.get("observation")
        if obs in _NOT_OBSERVATIONS or obs is None:
            continue
        if skipping:
            skipping = False
        elif pending is not None:
            pending.observation = content_text(ev.get("content"))
        pending = None
    rid = str(record.get("instance_id") or record.get("id") or record_id)
    return finish(
        record_id,
        rounds,
        trajectory_id=rid,
        instance_id=rid,
        source_format=NAME,
        problem_statement=issue,
        resolved=as_bool(record.get("resolved")),
        model=model,
        counts=counts,
    )


def looks_like(record: Any) -> bool:
    """Native event stream, or chat with OpenHands tool names / SWE-Gym fields."""
    if not isinstance(record, dict):
        return False
    traj = record.get("trajectory")
    if isinstance(traj, list) and traj and isinstance(traj[0], dict) and ("action" in traj[0] or "observation" in traj[0]) and "source" in traj[0]:
        return True
    if "test_result" in record or "run_id" in record:
        return True
    msgs = record.get("messages")
    if isinstance(msgs, list):
        for m in msgs:
            for call in (m.get("tool_calls") if isinstance(m, dict) else None) or []:
                if ((call or {}).get("function") or {}).get("name") in ("execute_bash", "finish"):
                    return True
    return False
