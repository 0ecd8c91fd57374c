"""OpenHands text mode (CodeActAgent without native function calling).

The assistant writes its reasoning and then one `<function=NAME>` call; OpenHands
answers with a user message `EXECUTION RESULT of [NAME]:\\n<output>`. Any other user
message (e.g. "Please continue") is not an observation.
"""

from __future__ import annotations

import re
from typing import Any

from swe_srl.trajectory.actions import parse_calls
from swe_srl.trajectory.model import Round, Trajectory, TrajectoryError, make_round
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

NAME = "openhands_text"

RESULT_RE = re.compile(r"\AEXECUTION RESULT of \[([^\]\n]*)\]:\n?")


def xml_call_rounds(record_id: str, messages: list[dict], counts: dict[str, int], is_observation) -> list[Round]:
    """Rounds from assistant turns holding one `<function=...>` call each.

    ``is_observation(text)`` returns the observation text of a user message, or None
    when that message is not a tool result.
    """
    rounds: list[Round] = []
    waiting: Round | None = None
    for i, msg in enumerate(messages):
        text = content_text(msg.get("content"))
        if msg["role"] == "assistant":
            if "<function=" not in text:
                if text.strip():
                    bump(counts, "skipped_messages")
                waiting = None
                continue
            parsed = parse_calls(text)
            if parsed.error:
                raise TrajectoryError(record_id, f"message {i}: {parsed.error}")
            act = parsed.actions[0]
            waiting = make_round(record_id, act.tool, act.args, parsed.prefix.strip(), where=f"message {i}")
            rounds.append(waiting)
        elif msg["role"] in ("user", "tool") and waiting is not None:
            obs = is_observation(text)
            if obs is not None:
                waiting.observation = obs
                waiting = None
    return rounds


def _result(text: str) -> str | None:
    m = RESULT_RE.match(text)
    return text[m.end():] if m else None


def read_openhands_text(record: dict, record_id: str) -> Trajectory:
    """Read one OpenHands text-mode conversation ({messages, instance_id, ...})."""
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is not a JSON object")
    messages = load_messages(record_id, record.get("messages"))
    counts: dict[str, int] = {}
    rounds = xml_call_rounds(record_id, messages, counts, _result)
    first_user = next((content_text(m.get("content")) for m in messages if m["role"] == "user"), "")
    raw_id = str(record.get("instance_id") or record_id)
    return finish(
        record_id,
        rounds,
        trajectory_id=raw_id,
        instance_id=base_instance_id(raw_id),
        source_format=NAME,
        problem_statement=extract_issue(first_user) if first_user else None,
        patch=(record.get("test_result") or {}).get("git_patch") or record.get("patch") or None,
        resolved=as_bool(record.get("resolved")),
        workspace=workspace_from_prompt(first_user),
        model=record.get("model") or None,
        counts=counts,
    )


def looks_like(record: Any) -> bool:
    msgs = record.get("messages") if isinstance(record, dict) else None
    return isinstance(msgs, list) and any(
        isinstance(m, dict) and m.get("role") == "user" and RESULT_RE.match(content_text(m.get("content")))
        for m in msgs
    )
