"""Small helpers shared by the readers: message text, issue text, ids, footers.

They live in one place so that every format strips the same prefixes and finds the
issue the same way, and a fix reaches all readers at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from swe_srl.trajectory.model import Round, Trajectory, TrajectoryError


def content_text(content: Any) -> str:
    """Message content as one string (SWE-agent 1.x uses lists of {type:text} blocks)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type", "text") == "text":
                parts.append(str(block.get("text", "")))
        return "".join(parts)
    return str(content)


def load_messages(record_id: str, value: Any) -> list[dict]:
    """A message list, decoding the JSON-string form some datasets ship."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise TrajectoryError(record_id, f"messages is not valid JSON: {exc}") from None
    if not isinstance(value, list):
        raise TrajectoryError(record_id, "messages is missing or not a list")
    if not value:
        raise TrajectoryError(record_id, "messages is empty")
    for i, m in enumerate(value):
        if not isinstance(m, dict) or "role" not in m:
            raise TrajectoryError(record_id, f"message {i} has no role")
    return value


_OBS_PREFIX = re.compile(r"\A(?:OBSERVATION:\n?|Observation: ?)")


def strip_observation_prefix(text: str) -> str:
    """Drop the 'OBSERVATION:' label SWE-Gym/SWE-smith put before tool output."""
    return _OBS_PREFIX.sub("", text, count=1)


_FOOTER = re.compile(r"\n?\(Open file: [^\n]*\)\n\(Current directory: ([^\n]*)\)\n?bash-\$\s*\Z")


def split_footer(text: str) -> tuple[str, str | None]:
    """Old SWE-agent observations end in '(Open file)(Current directory) bash-$'.

    Returns the output without the footer (exactly one newline before it is layout)
    and the current directory the footer names, if any.
    """
    m = _FOOTER.search(text)
    if not m:
        return text, None
    return text[: m.start()], m.group(1).strip()


_ISSUE_PATTERNS = (
    re.compile(r"<pr_description>\n?(.*?)\n?</pr_description>", re.DOTALL),
    re.compile(r"ISSUE:\n(.*?)\n\nINSTRUCTIONS:", re.DOTALL),
    re.compile(r"Please solve this issue: (.*?)\n\nYou can execute bash commands", re.DOTALL),
    re.compile(r"<issue>\n?(.*?)\n?</issue>", re.DOTALL),
)

_NEW_TASK = "NEW TASK DESCRIPTION"


def task_part(text: str) -> str:
    """The part of a first user message after OpenHands' in-context example, if any."""
    i = text.rfind(_NEW_TASK)
    return text[i + len(_NEW_TASK):] if i >= 0 else text


def extract_issue(text: str) -> str:
    """The issue text out of a first user message, or the whole message."""
    text = task_part(text)
    for pat in _ISSUE_PATTERNS:
        m = pat.search(text)
        if m:
            return m.group(1).strip()
    return text.strip()


_UPLOADED = re.compile(r"<uploaded_files>\s*\n?\s*(/[^\s<]*)\s*\n?\s*</uploaded_files>")


def workspace_from_prompt(text: str) -> str | None:
    """The repository root a first user message names (uploaded_files or a footer)."""
    text = task_part(text)
    m = _UPLOADED.search(text)
    if m:
        return m.group(1).rstrip("/") or "/"
    _, cwd = split_footer(text)
    return cwd


_SWEBENCH_ID = re.compile(r"[^/\s]+__[^/\s]+-\d+")
_SWESMITH_ID = re.compile(r"[^/\s]+__[^/\s]+\.[0-9a-f]{8}\.(?:\w+__[a-z0-9]{8}|pr_\d+|\d+)")


def base_instance_id(raw: str) -> str:
    """Drop a run suffix ('_0', '_17') some datasets add to instance ids.

    Only when what is left is still a well-formed SWE-bench or SWE-smith id, so real
    ids ending in digits (e.g. 'moto.694ce1f4.pr_6055') are left alone.
    """
    m = re.fullmatch(r"(.+)_\d+", raw)
    if m and (_SWEBENCH_ID.fullmatch(m.group(1)) or _SWESMITH_ID.fullmatch(m.group(1))):
        return m.group(1)
    return raw


def parse_arguments(record_id: str, raw: Any) -> dict:
    """Tool-call arguments: a JSON string (OpenAI style) or already a dict."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise TrajectoryError(record_id, f"tool call arguments are not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise TrajectoryError(record_id, "tool call arguments are not a JSON object")
    return value


def bump(counts: dict[str, int], key: str, n: int = 1) -> None:
    counts[key] = counts.get(key, 0) + n


def finish(
    record_id: str,
    rounds: list[Round],
    *,
    tool_profile: str | None = None,
    **fields: Any,
) -> Trajectory:
    """Build the Trajectory, refusing empty ones.

    ``tool_profile`` names the tools that recorded the run (see
    `swe_srl.sandbox.tools.PROFILES`); None leaves it to the source format's default.
    """
    if not rounds:
        raise TrajectoryError(record_id, "no actions in trajectory")
    fields.setdefault("trajectory_id", record_id)
    fields.setdefault("instance_id", record_id)
    return Trajectory(rounds=rounds, tool_profile=tool_profile, **fields)


def as_bool(value: Any) -> bool | None:
    """A resolved flag from bools, 0/1 or 'true'/'false' strings; None if unknown."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return None
