"""SWE-smith trajectories as released for fine-tuning.

Plain {role, content} messages: assistant text ending in one `<function=...>` call,
and user turns with the output ("OBSERVATION:\\n..."). `messages` may be a JSON string
(Hugging Face rows); a tool-calling rendering (assistant `tool_calls` + `tool` turns)
is read the same way as OpenHands'.
"""

from __future__ import annotations

from typing import Any

from swe_srl.trajectory.model import Trajectory, TrajectoryError
from swe_srl.trajectory.readers._chat import tool_call_rounds
from swe_srl.trajectory.readers._common import (
    as_bool,
    base_instance_id,
    content_text,
    extract_issue,
    finish,
    load_messages,
    strip_observation_prefix,
    workspace_from_prompt,
)
from swe_srl.trajectory.readers.openhands_text import xml_call_rounds

NAME = "swe_smith"


def read_swe_smith(record: dict, record_id: str) -> Trajectory:
    """Read one SWE-smith record ({messages, instance_id, traj_id?, resolved?, patch?})."""
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is not a JSON object")
    messages = load_messages(record_id, record.get("messages"))
    counts: dict[str, int] = {}
    if any(m.get("tool_calls") for m in messages):
        rounds = tool_call_rounds(record_id, messages, counts)
    else:
        rounds = xml_call_rounds(record_id, messages, counts, strip_observation_prefix)
    first_user = next((content_text(m.get("content")) for m in messages if m["role"] == "user"), "")
    raw_id = str(record.get("instance_id") or record_id)
    return finish(
        record_id,
        rounds,
        trajectory_id=str(record.get("id") or record.get("traj_id") or raw_id),
        instance_id=base_instance_id(raw_id),
        source_format=NAME,
        problem_statement=extract_issue(first_user) if first_user else None,
        patch=record.get("patch") or None,
        resolved=as_bool(record.get("resolved")),
        workspace=workspace_from_prompt(first_user),
        model=record.get("model") or None,
        counts=counts,
    )


def looks_like(record: Any) -> bool:
    """Chat messages whose assistant turns carry XML calls or (non-OpenHands) tool calls."""
    if not isinstance(record, dict) or "messages" not in record:
        return False
    msgs = record["messages"]
    if isinstance(msgs, str):
        return "<function=" in msgs or "tool_calls" in msgs
    return isinstance(msgs, list) and any(
        isinstance(m, dict)
        and m.get("role") == "assistant"
        and (m.get("tool_calls") or "<function=" in content_text(m.get("content")))
        for m in msgs
    )
