"""Rounds out of OpenAI-style chat messages with `tool_calls` and `tool` replies.

OpenHands (SWE-Gym release), SWE-agent 1.x histories and SWE-smith's tool-calling
rendering all share this shape; only the tool names differ, and `Action.make` maps those.
"""

from __future__ import annotations

from typing import Callable

from swe_srl.trajectory.model import Round, TrajectoryError, make_round
from swe_srl.trajectory.readers._common import bump, content_text, parse_arguments, strip_observation_prefix

# Call parameters that steer the runtime, not the action (OpenHands adds them).
RUNTIME_ARGS = frozenset({"is_input", "timeout", "security_risk", "impl_source"})

# (name, args, thought, where, message) -> a Round, or None to drop the call
Convert = Callable[[str, dict, str, str, dict], "Round | None"]


def tool_call_rounds(
    record_id: str,
    messages: list[dict],
    counts: dict[str, int],
    *,
    skip_tools: frozenset[str] = frozenset(),
    convert: Convert | None = None,
    observe: Callable[[str], str] = strip_observation_prefix,
) -> list[Round]:
    """One round per tool call; a turn's text is the thought of its first call.

    Tool replies are matched by ``tool_call_id`` (or SWE-agent's ``tool_call_ids``),
    else to the oldest unanswered call, and passed through ``observe``. Assistant turns
    without calls are counted as ``skipped_messages``; tools in ``skip_tools`` are dropped
    with a count (their replies too). ``convert`` overrides how a call becomes a round.
    """
    rounds: list[Round] = []
    by_id: dict[str, int] = {}
    unanswered: list[int] = []
    skipped = 0  # negative slots stand for dropped calls, so their replies are dropped too
    for i, msg in enumerate(messages):
        role = msg.get("role")
        if role == "assistant":
            calls = msg.get("tool_calls") or []
            if not calls:
                if content_text(msg.get("content")).strip():
                    bump(counts, "skipped_messages")
                continue
            thought = content_text(msg.get("content")).strip()
            for j, call in enumerate(calls):
                fn = (call or {}).get("function") or {}
                name = fn.get("name")
                if not name:
                    raise TrajectoryError(record_id, f"message {i}: tool call without a function name")
                args = {k: v for k, v in parse_arguments(record_id, fn.get("arguments")).items() if k not in RUNTIME_ARGS}
                text = thought if j == 0 else ""
                where = f"message {i}"
                if name in skip_tools:
                    bump(counts, f"skipped_tool.{name}")
                    rnd = None
                elif convert is not None:
                    rnd = convert(name, args, text, where, msg)
                else:
                    rnd = make_round(record_id, name, args, text, where=where)
                if rnd is None:
                    skipped -= 1
                    slot = skipped
                else:
                    rounds.append(rnd)
                    slot = len(rounds) - 1
                if call.get("id"):
                    by_id[call["id"]] = slot
                unanswered.append(slot)
        elif role == "tool":
            ids = [msg["tool_call_id"]] if msg.get("tool_call_id") else list(msg.get("tool_call_ids") or [])
            target = next((by_id[c] for c in ids if c in by_id), None)
            if target is None or target not in unanswered:
                target = unanswered[0] if unanswered else None
            if target is None:
                bump(counts, "orphan_observations")
                continue
            unanswered.remove(target)
            text = observe(content_text(msg.get("content")))
            if target >= 0:
                rounds[target].observation = text
    return rounds
