"""mini-swe-agent runs: bash-only, one fenced command per assistant turn.

A run is a bare list of {role, content} messages or a dict with `messages` (and `info`).
Actions sit in one ```bash or ```mswea_bash_command block; observations are
`<returncode>N</returncode><output>...</output>` and only the output text is kept.
`echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT` ends the run: it is `submit`, and the
message after it (the submitted diff) is its observation.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from swe_srl.trajectory.model import Round, Trajectory, TrajectoryError, make_round
from swe_srl.trajectory.readers._common import bump, content_text, extract_issue, finish, load_messages

NAME = "mini_swe_agent"

ACTION_RE = re.compile(r"```(?:bash|mswea_bash_command)\s*\n(.*?)\n```", re.DOTALL)
OUTPUT_RE = re.compile(r"\A\s*<returncode>-?\d+</returncode>\s*\n?<output>\n?(.*)</output>\s*\Z", re.DOTALL)
RETURNCODE_RE = re.compile(r"\A\s*<returncode>(-?\d+)</returncode>\s*\n?")
SUBMIT_MARKERS = ("echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT", "echo MINI_SWE_AGENT_FINAL_OUTPUT")


def observation_text(text: str) -> str:
    """The output inside `<output>`; long outputs (head/tail form) keep everything after the return code."""
    m = OUTPUT_RE.match(text)
    if m:
        return m.group(1)
    return RETURNCODE_RE.sub("", text, count=1)


def is_submit(command: str) -> bool:
    return command.strip().startswith(SUBMIT_MARKERS)


def _rounds(record_id: str, messages: list[dict], counts: dict[str, int]) -> list[Round]:
    rounds: list[Round] = []
    waiting: Round | None = None
    for i, msg in enumerate(messages):
        text = content_text(msg.get("content"))
        if msg["role"] == "assistant":
            blocks = ACTION_RE.findall(text)
            if len(blocks) != 1:  # mini-swe-agent answers these with a format error
                bump(counts, "skipped_format_errors")
                waiting = None
                continue
            thought = text[: ACTION_RE.search(text).start()].strip()
            command = blocks[0]
            if is_submit(command):
                waiting = make_round(record_id, "submit", {}, thought, where=f"message {i}")
            else:
                waiting = make_round(record_id, "bash", {"command": command}, thought, where=f"message {i}")
            rounds.append(waiting)
        elif msg["role"] in ("user", "tool") and waiting is not None:
            waiting.observation = text if waiting.action.tool == "submit" else observation_text(text)
            code = RETURNCODE_RE.match(text)
            waiting.exit_code = int(code.group(1)) if code else None
            waiting = None
    return rounds


def read_mini_swe_agent(record: dict | list, record_id: str) -> Trajectory:
    """Read one mini-swe-agent run (a message list, or {messages, info, instance_id?})."""
    if isinstance(record, list):
        record = {"messages": record}
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is neither a message list nor an object")
    messages = load_messages(record_id, record.get("messages"))
    counts: dict[str, int] = {}
    rounds = _rounds(record_id, messages, counts)
    info = record.get("info") or {}
    first_user = next((content_text(m.get("content")) for m in messages if m["role"] == "user"), "")
    patch = info.get("submission") or None
    if patch is None and rounds and rounds[-1].action.tool == "submit" and rounds[-1].observation.startswith("diff --git"):
        patch = rounds[-1].observation
    name = PurePosixPath(record_id.split("#")[0]).name
    for suffix in (".traj.json", ".json"):
        name = name[: -len(suffix)] if name.endswith(suffix) else name
    instance_id = str(record.get("instance_id") or info.get("instance_id") or name)
    model = ((info.get("config") or {}).get("model") or {}).get("model_name") or record.get("model")
    return finish(
        record_id,
        rounds,
        trajectory_id=record_id,
        instance_id=instance_id,
        source_format=NAME,
        problem_statement=extract_issue(first_user) if first_user else None,
        patch=patch,
        resolved=record.get("resolved") if isinstance(record.get("resolved"), bool) else None,
        model=model or None,
        counts=counts,
    )


def looks_like(record: Any) -> bool:
    msgs = record if isinstance(record, list) else (record.get("messages") if isinstance(record, dict) else None)
    if not isinstance(msgs, list):
        return False
    for m in msgs:
        if not isinstance(m, dict):
            return False
        text = content_text(m.get("content"))
        if m.get("role") == "assistant" and "```mswea_bash_command" in text:
            return True
        if m.get("role") == "user" and RETURNCODE_RE.match(text):
            return True
    return False
