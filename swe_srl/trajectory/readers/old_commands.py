"""SWE-agent's windowed command set (0.x: nebius, old .traj; 1.x windowed tools) as rounds.

Every command is kept exactly as the expert typed it at SWE-agent's prompt: canonical
`bash` whose `command` is the full text, edit block included (`open FILE 1474`,
`edit 53:61\\n...\\nend_of_edit`, `edit 'search' 'replace'`). Such trajectories carry
`tool_profile = "swe-agent-windowed"`, so replay runs them through
`swe_srl.sandbox.windowed`, which emulates the commands (window, edit, lint, search) or
refuses them as not replayable; an edit block is never handed to a shell. Only a bare
`submit` becomes the canonical `submit` call. Counts: `windowed.<command>` per command
used, `windowed` in all.
"""

from __future__ import annotations

import re

from swe_srl.trajectory.model import Round, make_round
from swe_srl.trajectory.readers._common import bump

TOOL_PROFILE = "swe-agent-windowed"
WINDOWED_1X_PROFILE = "swe-agent-windowed-1.x"  # SWE-agent 1.x windowed tools (function calling)
WINDOWED = frozenset({
    "open", "goto", "scroll_up", "scroll_down", "create", "edit", "insert", "append",
    "search_file", "search_dir", "find_file", "filemap", "search_file_in_window",
})
# Bash commands that read back as another call (the writers refuse them in strict mode).
MAPPED = frozenset({"submit"})
_FENCE = re.compile(r"^```(\S*)\s*\n|^```\s*$", re.MULTILINE)


def command_name(command: str) -> str:
    words = command.split(None, 1)
    return words[0] if words else ""


def map_command(record_id: str, command: str, counts: dict[str, int], thought: str = "", where: str = "") -> Round:
    """One command typed at SWE-agent's prompt as a canonical round (see the module docstring)."""
    command = command.strip()
    name = command_name(command)
    if command == "submit":
        return make_round(record_id, "submit", {}, thought, where=where)
    if name in WINDOWED:
        bump(counts, "windowed")
        bump(counts, f"windowed.{name}")
    return make_round(record_id, "bash", {"command": command}, thought, where=where)


def split_fenced(text: str) -> tuple[str, str] | None:
    """(thought, command) from a response ending in a fenced block, as SWE-agent parses it.

    Code fences nest (an edit may carry a Markdown ``` block), so openings and closings
    are paired with a stack and the last complete outer block is the command.
    """
    pattern = _FENCE
    stack: list[re.Match] = []
    last: tuple[re.Match, re.Match] | None = None
    for m in pattern.finditer(text):
        if stack and not m.group(1):
            start = stack.pop()
            if not stack:
                last = (start, m)
        elif m.group(1) is not None:
            stack.append(m)
    if last is None:
        return None
    start, end = last
    return text[: start.start()], text[start.end() : end.start()]


def split_command_tag(text: str) -> tuple[str, str] | None:
    """(thought, command) from SWE-agent's XML thought-action form `<command>...</command>`."""
    i = text.rfind("<command>")
    j = text.rfind("</command>")
    if i < 0 or j < i:
        return None
    return text[:i], text[i + len("<command>") : j]
