"""The agent's tools, run through any Sandbox: bash, str_replace_editor, submit, think.

Messages follow SWE-agent's / OpenHands' str_replace_editor (what published expert
trajectories show), so replayed observations line up with recorded ones. The editor
works on the host side through `read_file`/`write_file` plus a `find` for directory
listings: nothing but a POSIX shell is needed inside the sandbox.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from dataclasses import dataclass, field

from swe_srl.sandbox.base import CommandResult, Sandbox
from swe_srl.trajectory.actions import EDITOR_COMMANDS, Action

SNIPPET_LINES = 4
EMPTY_OUTPUT = "Your command ran successfully and did not produce any output."


@dataclass
class ToolResult:
    """An observation for the agent, and what the harness needs to know about it."""

    observation: str
    exit_code: int | None = 0
    submitted: bool = False
    error: bool = False  # the tool refused the call (bad path, not unique, ...)
    timed_out: bool = False
    notes: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    # surrogateescape keeps undecodable bytes through an edit round trip.
    return data.decode("utf-8", errors="surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _shown(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def numbered(text: str, descriptor: str, init_line: int = 1) -> str:
    """The `cat -n` rendering the SWE-agent editor returns."""
    body = "\n".join(f"{i + init_line:6}\t{line}" for i, line in enumerate(text.expandtabs().split("\n")))
    return f"Here's the result of running `cat -n` on {descriptor}:\n{_shown(body)}\n"


class EditorError(Exception):
    """A refused editor call; its message is the observation."""


class NotReplayable(Exception):
    """An action this profile cannot run with its source's semantics.

    It is never handed to bash instead: replay marks the step (and the rest of its
    trajectory) not replayable, with this message as the reason.
    """


# The tools that recorded published trajectories, whose output the runner reproduces:
#   swe-agent           SWE-agent's tools/edit_anthropic str_replace_editor (SWE-smith,
#                       SWE-agent 1.x function calling) and a plain bash tool
#   openhands           openhands-aci 0.1 OHEditor as OpenHands wraps it (SWE-Gym)
#   swe-agent-windowed  SWE-agent's windowed command set (0.x: nebius, old .traj files;
#                       1.x windowed tools) typed into its bash prompt
PROFILES = ("swe-agent", "openhands", "swe-agent-windowed")
DEFAULT_PROFILE = "swe-agent"
_FORMAT_PROFILES = {
    "swe_smith": "swe-agent",
    "swe_agent": "swe-agent",
    "openhands": "openhands",
    "openhands_text": "openhands",
    "nebius": "swe-agent-windowed",
    "mini_swe_agent": "swe-agent",
    "canonical": "swe-agent",
}


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"unknown tool profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def default_profile(source_format: str, recorded: str | None = None) -> str:
    """The profile a trajectory replays with: what its reader recorded, else its format's."""
    return check_profile(recorded or _FORMAT_PROFILES.get(source_format, DEFAULT_PROFILE))


class ToolRunner:
    """Runs canonical actions in one sandbox, keeping the editor's undo history."""

    def __init__(self, sandbox: Sandbox, profile: str = DEFAULT_PROFILE, timeout: float | None = None):
        self.sandbox = sandbox
        self.profile = check_profile(profile)
        self.timeout = timeout
        self.history: dict[str, list[bytes]] = {}

    def run(self, action: Action) -> ToolResult:
        if action.tool == "bash":
            return self._bash(action.args["command"])
        if action.tool == "str_replace_editor":
            try:
                return ToolResult(self._editor(action.args))
            except EditorError as exc:
                return ToolResult(str(exc), exit_code=1, error=True)
        if action.tool == "submit":
            return ToolResult(self.sandbox.diff(), submitted=True)
        if action.tool == "think":
            return ToolResult("Your thought has been logged.")
        return ToolResult(f"Unknown tool {action.tool!r}.", exit_code=1, error=True)

    # -- bash ----------------------------------------------------------------
    def _bash(self, command: str) -> ToolResult:
        res: CommandResult = self.sandbox.run(command, timeout=self.timeout)
        text = res.output
        if res.notes:
            text = (text.rstrip("\n") + "\n" if text.strip() else "") + "\n".join(res.notes)
        if not text.strip() and res.exit_code == 0:
            text = EMPTY_OUTPUT
        return ToolResult(text, exit_code=res.exit_code, timed_out=res.timed_out, notes=res.notes)

    # -- str_replace_editor --------------------------------------------------
    def _editor(self, args: dict[str, str]) -> str:
        command, path = args["command"], args["path"]
        if command not in EDITOR_COMMANDS:
            allowed = ", ".join(f'"{c}"' for c in EDITOR_COMMANDS)
            raise EditorError(f"Unrecognized command {command}. The allowed commands for the str_replace_editor tool are: {allowed}")
        kind = self._validate_path(command, path)
        if command == "view":
            return self._view(path, kind, args.get("view_range"))
        if command == "create":
            if "file_text" not in args:
                raise EditorError("Parameter `file_text` is required for command: create")
            self._write(path, args["file_text"], remember=False)
            return f"File created successfully at: {path}"
        if command == "str_replace":
            if "old_str" not in args:
                raise EditorError("Parameter `old_str` is required for command: str_replace")
            return self._str_replace(path, args["old_str"], args.get("new_str", ""))
        if command == "insert":
            if "insert_line" not in args:
                raise EditorError("Parameter `insert_line` is required for command: insert")
            if "new_str" not in args:
                raise EditorError("Parameter `new_str` is required for command: insert")
            return self._insert(path, args["insert_line"], args["new_str"])
        return self._undo(path)

    def _validate_path(self, command: str, path: str) -> str | None:
        if not path.startswith("/"):
            suggested = posixpath.join(self.sandbox.root, path)
            raise EditorError(f"The path {path} is not an absolute path, it should start with `/`. Maybe you meant {suggested}?")
        kind = self.sandbox.exists(path)
        if kind is None and command != "create":
            raise EditorError(f"The path {path} does not exist. Please provide a valid path.")
        if kind is not None and command == "create":
            raise EditorError(f"File already exists at: {path}. Cannot overwrite files using command `create`.")
        if kind == "dir" and command != "view":
            raise EditorError(f"The path {path} is a directory and only the `view` command can be used on directories")
        return kind

    def _read(self, path: str) -> str:
        return _decode(self.sandbox.read_file(path))

    def _write(self, path: str, text: str, remember: bool = True) -> None:
        if remember:
            self.history.setdefault(path, []).append(self.sandbox.read_file(path))
        self.sandbox.write_file(path, _encode(text))

    def _view(self, path: str, kind: str | None, view_range: str | None) -> str:
        if kind == "dir":
            if view_range:
                raise EditorError("The `view_range` parameter is not allowed when `path` points to a directory.")
            q = shlex.quote(path)
            res = self.sandbox.run(f"find {q} -maxdepth 2 -not -path '*/.*' | LC_ALL=C sort", timeout=60)
            if res.exit_code != 0:
                raise EditorError(res.output)
            return f"Here's the files and directories up to 2 levels deep in {path}, excluding hidden items:\n{res.output}\n"
        text = self._read(path)
        if not view_range:
            return numbered(text, path)
        bounds = _parse_range(view_range)
        lines = text.split("\n")
        n = len(lines)
        start, end = bounds
        if start < 1 or start > n:
            raise EditorError(f"Invalid `view_range`: {list(bounds)}. Its first element `{start}` should be within the range of lines of the file: {[1, n]}")
        if end != -1 and end > n:
            raise EditorError(f"Invalid `view_range`: {list(bounds)}. Its second element `{end}` should be smaller than the number of lines in the file: `{n}`")
        if end != -1 and end < start:
            raise EditorError(f"Invalid `view_range`: {list(bounds)}. Its second element `{end}` should be larger or equal than its first `{start}`")
        chosen = lines[start - 1:] if end == -1 else lines[start - 1:end]
        return numbered("\n".join(chosen), path, start)

    def _str_replace(self, path: str, old: str, new: str) -> str:
        text = self._read(path)
        count = text.count(old) if old else 0
        if count == 0:
            raise EditorError(f"No replacement was performed, old_str `{old}` did not appear verbatim in {path}.")
        if count > 1:
            lines = _occurrence_lines(text, old)
            raise EditorError(f"No replacement was performed. Multiple occurrences of old_str `{old}` in lines {lines}. Please ensure it is unique")
        new_text = text.replace(old, new)
        self._write(path, new_text)
        at = text.split(old)[0].count("\n")
        start = max(0, at - SNIPPET_LINES)
        end = at + SNIPPET_LINES + new.count("\n")
        snippet = "\n".join(new_text.split("\n")[start:end + 1])
        return (
            f"The file {path} has been edited. "
            + numbered(snippet, f"a snippet of {path}", start + 1)
            + "Review the changes and make sure they are as expected. Edit the file again if necessary."
        )

    def _insert(self, path: str, insert_line: str, new: str) -> str:
        text = self._read(path)
        lines = text.split("\n")
        try:
            at = int(insert_line)
        except ValueError:
            at = -1
        if at < 0 or at > len(lines):
            raise EditorError(f"Invalid `insert_line` parameter: {insert_line}. It should be within the range of lines of the file: {[0, len(lines)]}")
        new_lines = new.split("\n")
        self._write(path, "\n".join(lines[:at] + new_lines + lines[at:]))
        snippet_lines = lines[max(0, at - SNIPPET_LINES):at] + new_lines + lines[at:at + SNIPPET_LINES]
        return (
            f"The file {path} has been edited. "
            + numbered("\n".join(snippet_lines), "a snippet of the edited file", max(1, at - SNIPPET_LINES + 1))
            + "Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary."
        )

    def _undo(self, path: str) -> str:
        stack = self.history.get(path)
        if not stack:
            raise EditorError(f"No edit history found for {path}.")
        previous = stack.pop()
        self.sandbox.write_file(path, previous)
        return f"Last edit to {path} undone successfully. " + numbered(_decode(previous), path)


def _occurrence_lines(text: str, needle: str) -> list[int]:
    """1-based line numbers where each occurrence of `needle` starts."""
    lines, at = [], text.find(needle)
    while at >= 0:
        lines.append(text.count("\n", 0, at) + 1)
        at = text.find(needle, at + 1)
    return lines


def _parse_range(view_range: str) -> tuple[int, int]:
    try:
        value = json.loads(view_range)
    except (TypeError, ValueError):
        value = None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise EditorError("Invalid `view_range`. It should be a list of two integers.")
    return value[0], value[1]


def run_action(sandbox: Sandbox, action: Action, timeout: float | None = None) -> ToolResult:
    """Run one action with the sandbox's own ToolRunner (so undo history persists)."""
    runner = getattr(sandbox, "_tool_runner", None)
    if runner is None:
        runner = ToolRunner(sandbox)
        sandbox._tool_runner = runner  # type: ignore[attr-defined]
    runner.timeout = timeout
    return runner.run(action)
