"""The SWE-agent 0.x command set (nebius data, old .traj files) mapped to canonical calls.

Only exact mappings become editor calls or rewritten shell commands:
  open FILE [LINE]      -> str_replace_editor view FILE (plain view: the 100-line window
                           around LINE has no exact view_range equivalent)
  create FILE           -> str_replace_editor create FILE with empty file_text
  find_file NAME [DIR]  -> bash  find DIR -name "NAME"
  search_dir TERM [DIR] -> bash  grep -rn TERM DIR
  submit                -> submit
Windowed commands (edit L1:L2 ... end_of_edit, insert, goto, scroll_up/down,
search_file, filemap) depend on the agent's open-file state; they stay bash with the raw
text and are counted as ``kept_as_bash`` so a manifest can report them. Anything else is
a shell command. Relative FILE paths are resolved against the current directory the
observation footers name; with no known directory they are kept as bash too.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from swe_srl.trajectory.model import Round, make_round
from swe_srl.trajectory.readers._common import bump

WINDOWED = frozenset(
    {"edit", "insert", "append", "goto", "scroll_up", "scroll_down", "search_file", "filemap", "search_file_in_window"}
)
MAPPED = frozenset({"open", "create", "find_file", "search_dir", "submit"})
SPECIAL = WINDOWED | MAPPED
_FENCE = re.compile(r"^```(\S*)\s*\n|^```\s*$", re.MULTILINE)


def _dq(text: str) -> str:
    # Double quotes as SWE-agent's own docs write them, unless that would change meaning.
    if not any(c in text for c in '"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def _abs(path: str, cwd: str | None) -> str | None:
    if path.startswith("/"):
        return posixpath.normpath(path)
    if cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd, path))


def _keep(record_id: str, command: str, name: str, counts: dict[str, int], thought: str, where: str) -> Round:
    bump(counts, "kept_as_bash")
    bump(counts, f"kept_as_bash.{name}")
    return make_round(record_id, "bash", {"command": command}, thought, where=where)


def map_command(
    record_id: str,
    command: str,
    cwd: str | None,
    counts: dict[str, int],
    thought: str = "",
    where: str = "",
) -> Round:
    """One old-style command text as a canonical round (see the module docstring)."""
    command = command.strip("\n").rstrip()
    stripped = command.strip()
    name = stripped.split(None, 1)[0] if stripped else ""
    if not name:
        return make_round(record_id, "bash", {"command": command}, thought, where=where)
    if name not in SPECIAL:
        return make_round(record_id, "bash", {"command": stripped}, thought, where=where)
    if name in WINDOWED or "\n" in stripped:
        return _keep(record_id, stripped, name, counts, thought, where)
    try:
        argv = shlex.split(stripped)
    except ValueError:
        return _keep(record_id, stripped, name, counts, thought, where)
    args = argv[1:]
    if name == "submit" and not args:
        return make_round(record_id, "submit", {}, thought, where=where)
    if name == "open" and len(args) in (1, 2):
        path = _abs(args[0], cwd)
        if path is not None:
            if len(args) == 2:
                bump(counts, "open_line_dropped")
            return make_round(record_id, "str_replace_editor", {"command": "view", "path": path}, thought, where=where)
    if name == "create" and len(args) == 1:
        path = _abs(args[0], cwd)
        if path is not None:
            call = {"command": "create", "path": path, "file_text": ""}
            return make_round(record_id, "str_replace_editor", call, thought, where=where)
    if name == "find_file" and len(args) in (1, 2):
        where_dir = args[1] if len(args) == 2 else "."
        cmd = f"find {shlex.quote(where_dir)} -name {_dq(args[0])}"
        return make_round(record_id, "bash", {"command": cmd}, thought, where=where)
    if name == "search_dir" and len(args) in (1, 2):
        where_dir = args[1] if len(args) == 2 else "."
        cmd = f"grep -rn {_dq(args[0])} {shlex.quote(where_dir)}"
        return make_round(record_id, "bash", {"command": cmd}, thought, where=where)
    return _keep(record_id, stripped, name, counts, thought, where)


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
