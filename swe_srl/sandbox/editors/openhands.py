"""The `openhands` editor profile: what openhands-aci 0.1.2's `OHEditor` printed.

This is the editor of SWE-Gym / OpenHands trajectories (Dec 2024), wrapped as OpenHands'
`_execute_file_editor` does: a refused call reads `ERROR:\\n` + the tool's message.
One editor instance lives as long as its sandbox's ToolRunner, like OpenHands' runtime
editor, so `undo_edit` walks back a per-path history (a `create` counts: undoing it
writes the created text again). Behaviour worth knowing:

- files are read strictly as UTF-8 (a binary or latin-1 file is refused with Python's
  decode error) and written as UTF-8; CRLF/CR become LF on any edit;
- `str_replace` and `insert` expand tabs in the whole file, `old_str` and `new_str`;
- the edit snippet runs from 4 lines above the edit to 4 lines below the new text,
  0-based (one line lower than SWE-agent's), messages carry no trailing newline;
- an empty `file_text` (create) or `new_str` (insert) counts as missing, `new_str` equal
  to `old_str` is refused before the file is read, and `create` in a missing directory
  fails with Python's `[Errno 2]`;
- a directory is listed by an unquoted `find`; anything on its stderr is the error.
"""

from __future__ import annotations

import json
from collections import defaultdict

from swe_srl.sandbox.base import Sandbox
from swe_srl.sandbox.editors.common import (
    SNIPPET_LINES,
    EditorError,
    Probe,
    SandboxFiles,
    cat_n,
    maybe_truncate,
    oserror_text,
    pure,
    universal_newlines,
)

TOOL_NAME = "oh_editor"
COMMANDS = ("view", "create", "str_replace", "insert", "undo_edit")


class _ToolError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _missing(command: str, parameter: str) -> _ToolError:
    return _ToolError(f"Parameter `{parameter}` is required for command: {command}.")


def _invalid(parameter: str, value, hint: str | None = None) -> _ToolError:
    return _ToolError(f"Invalid `{parameter}` parameter: {value}. {hint}" if hint else f"Invalid `{parameter}` parameter: {value}.")


def _json_or_raw(raw: str | None):
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def _int_or_raw(raw: str | None):
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return raw


class OpenHandsEditor:
    """openhands-aci 0.1.2 `OHEditor`, run host-side on a sandbox."""

    profile = "openhands"

    def __init__(self, sandbox: Sandbox):
        self.files = SandboxFiles(sandbox)
        self.history: dict[str, list[str]] = defaultdict(list)

    def __call__(self, args: dict[str, str]) -> str:
        """Run one call; return its output, or raise EditorError (`ERROR:\\n...`)."""
        try:
            return self._call(
                command=args.get("command", ""),
                path=args.get("path", ""),
                file_text=args.get("file_text"),
                view_range=_json_or_raw(args.get("view_range")),
                old_str=args.get("old_str"),
                new_str=args.get("new_str"),
                insert_line=_int_or_raw(args.get("insert_line")),
            )
        except _ToolError as exc:
            raise EditorError(f"ERROR:\n{exc.message}") from None

    def _call(self, *, command, path, file_text, view_range, old_str, new_str, insert_line) -> str:
        _path = pure(path)
        probe = self._validate_path(command, _path)
        if command == "view":
            return self._view(probe, _path, view_range)
        if command == "create":
            if not file_text:
                raise _missing(command, "file_text")
            self._write(probe, _path, file_text)
            self.history[str(_path)].append(file_text)
            return f"File created successfully at: {_path}"
        if command == "str_replace":
            if not old_str:
                raise _missing(command, "old_str")
            if new_str == old_str:
                raise _invalid("new_str", new_str, "No replacement was performed. `new_str` and `old_str` must be different.")
            return self._str_replace(probe, _path, old_str, new_str)
        if command == "insert":
            if insert_line is None:
                raise _missing(command, "insert_line")
            if not new_str:
                raise _missing(command, "new_str")
            return self._insert(probe, _path, insert_line, new_str)
        if command == "undo_edit":
            return self._undo(probe, _path)
        raise _ToolError(f"Unrecognized command {command}. The allowed commands for the {TOOL_NAME} tool are: {', '.join(COMMANDS)}")

    def _validate_path(self, command: str, path) -> Probe:
        if not path.is_absolute():
            raise _invalid("path", path, f"The path should be an absolute path, starting with `/`. Maybe you meant {path}?")
        probe = self.files.probe(str(path), parent=command == "create")
        if command == "create" and probe.exists:
            raise _invalid("path", path, f"File already exists at: {path}. Cannot overwrite files using command `create`.")
        if command != "create" and not probe.exists:
            raise _invalid("path", path, f"The path {path} does not exist. Please provide a valid path.")
        if command != "view" and probe.kind == "dir":
            raise _invalid("path", path, f"The path {path} is a directory and only the `view` command can be used on directories.")
        return probe

    # -- file access (Path.read_text / Path.write_text) ----------------------------
    def _read(self, probe: Probe, path) -> str:
        try:
            return universal_newlines(self.files.read(probe).decode("utf-8"))
        except (UnicodeDecodeError, OSError) as exc:
            raise _ToolError(f"Ran into {exc} while trying to read {path}") from None

    def _write(self, probe: Probe, path, text: str) -> None:
        if probe.parent in ("enoent", "file", "enotdir"):
            errno = 2 if probe.parent == "enoent" else 20
            raise _ToolError(f"Ran into {oserror_text(errno, str(path))} while trying to write to {path}")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            self.files.write(probe, b"")  # write_text truncated the file before failing
            raise _ToolError(f"Ran into {exc} while trying to write to {path}") from None
        self.files.write(probe, data)

    # -- commands --------------------------------------------------------------------
    def _view(self, probe: Probe, path, view_range) -> str:
        if probe.kind == "dir":
            if view_range:
                raise _invalid("view_range", view_range, "The `view_range` parameter is not allowed when `path` points to a directory.")
            stdout, stderr = self.files.find(str(path))
            stdout, stderr = maybe_truncate(stdout), maybe_truncate(stderr)
            if stderr:
                raise _ToolError(stderr)
            return f"Here's the files and directories up to 2 levels deep in {path}, excluding hidden items:\n{stdout}\n"
        content = self._read(probe, path)
        if not view_range:
            return cat_n(content, str(path), 1)
        if not isinstance(view_range, list) or len(view_range) != 2 or not all(isinstance(i, int) for i in view_range):
            raise _invalid("view_range", view_range, "It should be a list of two integers.")
        lines = content.split("\n")
        n = len(lines)
        start, end = view_range
        if start < 1 or start > n:
            raise _invalid("view_range", view_range, f"Its first element `{start}` should be within the range of lines of the file: {[1, n]}.")
        if end > n:
            raise _invalid("view_range", view_range, f"Its second element `{end}` should be smaller than the number of lines in the file: `{n}`.")
        if end != -1 and end < start:
            raise _invalid("view_range", view_range, f"Its second element `{end}` should be greater than or equal to the first element `{start}`.")
        chosen = lines[start - 1 :] if end == -1 else lines[start - 1 : end]
        return cat_n("\n".join(chosen), str(path), start)

    def _str_replace(self, probe: Probe, path, old_str: str, new_str: str | None) -> str:
        content = self._read(probe, path).expandtabs()
        old_str = old_str.expandtabs()
        new_str = new_str.expandtabs() if new_str is not None else ""
        occurrences = content.count(old_str)
        if occurrences == 0:
            raise _ToolError(f"No replacement was performed, old_str `{old_str}` did not appear verbatim in {path}.")
        if occurrences > 1:
            starts, at = [], content.find(old_str)
            while at != -1:
                starts.append(content.count("\n", 0, at) + 1)
                at = content.find(old_str, at + 1)
            raise _ToolError(f"No replacement was performed. Multiple occurrences of old_str `{old_str}` in lines {starts}. Please ensure it is unique.")
        new_content = content.replace(old_str, new_str)
        self._write(probe, path, new_content)
        self.history[str(path)].append(content)
        at = content.split(old_str)[0].count("\n")
        start = max(0, at - SNIPPET_LINES)
        end = at + SNIPPET_LINES + new_str.count("\n")
        snippet = "\n".join(new_content.split("\n")[start : end + 1])
        return (
            f"The file {path} has been edited. "
            + cat_n(snippet, f"a snippet of {path}", start + 1)
            + "Review the changes and make sure they are as expected. Edit the file again if necessary."
        )

    def _insert(self, probe: Probe, path, insert_line, new_str: str) -> str:
        try:
            text = self._read(probe, path)
        except _ToolError as exc:  # insert wraps read_file's own message once more
            raise _ToolError(f"Ran into {exc.message} while trying to read {path}") from None
        text = text.expandtabs()
        new_str = new_str.expandtabs()
        lines = text.split("\n")
        n = len(lines)
        if not isinstance(insert_line, int) or insert_line < 0 or insert_line > n:
            raise _invalid("insert_line", insert_line, f"It should be within the range of lines of the file: {[0, n]}")
        new_lines = new_str.split("\n")
        snippet = (
            lines[max(0, insert_line - SNIPPET_LINES) : insert_line]
            + new_lines
            + lines[insert_line : min(n, insert_line + SNIPPET_LINES)]
        )
        self._write(probe, path, "\n".join(lines[:insert_line] + new_lines + lines[insert_line:]))
        self.history[str(path)].append(text)
        return (
            f"The file {path} has been edited. "
            + cat_n("\n".join(snippet), "a snippet of the edited file", max(1, insert_line - SNIPPET_LINES + 1))
            + "Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary."
        )

    def _undo(self, probe: Probe, path) -> str:
        stack = self.history[str(path)]
        if not stack:
            raise _ToolError(f"No edit history found for {path}.")
        old_text = stack.pop()
        self._write(probe, path, old_text)
        return f"Last edit to {path} undone successfully. {cat_n(old_text, str(path))}"
