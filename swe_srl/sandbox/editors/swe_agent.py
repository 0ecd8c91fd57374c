"""The `swe-agent` editor profile: what SWE-agent's `tools/edit_anthropic` printed.

SWE-agent (commit 3ea751c0, `USE_FILEMAP=true` as in config/default.yaml) runs
`str_replace_editor` as a fresh Python process per call: the call's arguments are
shell-quoted onto a command line (`--view_range` unquoted, its items joined by spaces)
and parsed by argparse, so a malformed argument is an argparse usage error. Each call
prints its message and exits with the tool's exit code. Behaviour worth knowing:

- files are read as UTF-8, else latin-1 (so binary files are shown, not refused), and
  written back in the encoding they were read with; CRLF/CR become LF on any edit;
- `str_replace` and `insert` expand tabs in the whole file, `old_str` and `new_str`;
- the edit snippet starts 4 lines above the edit (1-based) and ends 4 lines below the
  new text, capped at the file's `splitlines()` count;
- `view` of a `.py` file over 16,000 chars shows the filemap outline; other views are
  clipped at 16,000 chars of content;
- the undo history is written to a throw-away copy of the registry, so `undo_edit`
  never finds one: it always prints `No edit history found for PATH.`;
- a directory is listed by an unquoted `find`; when find writes to stderr nothing is
  printed.

The observation is stdout + stderr as SWE-ReX returns it (ANSI escapes stripped,
CRLF as LF).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex

from swe_srl.sandbox.base import Sandbox
from swe_srl.sandbox.editors.common import (
    MAX_RESPONSE_LEN,
    SNIPPET_LINES,
    EditorError,
    Probe,
    SandboxFiles,
    cat_n,
    join_cwd,
    maybe_truncate,
    oserror_text,
    pure,
    universal_newlines,
)

PROG = "str_replace_editor"
SCRIPT = "/root/tools/edit_anthropic/bin/str_replace_editor"
USAGE_WIDTH = 78  # argparse on SWE-ReX's 80-column pty
USE_FILEMAP = True
FILEMAP_NOTE = (
    "<NOTE>This file is too large to display entirely. Showing abbreviated version. "
    "Please use `str_replace_editor view` with the `view_range` parameter to show selected lines next.</NOTE>"
)
FILEMAP_END = (
    "<IMPORTANT><NOTE>The above file has been abbreviated. Please use `str_replace editor view` "
    "with `view_range` to look at relevant files in detail.</NOTE></IMPORTANT>"
)
_ANSI = re.compile(r"\x1B[@-_][0-?]*[ -/]*[@-~]")


class _Exit(Exception):
    def __init__(self, code: int):
        self.code = code


class _ArgParser(argparse.ArgumentParser):
    """The tool's own argparse parser, printing into a buffer instead of exiting."""

    def __init__(self, sink: list[str]):
        super().__init__(prog=PROG, formatter_class=lambda prog: argparse.HelpFormatter(prog, width=USAGE_WIDTH))
        self._sink = sink
        self.add_argument("command", type=str)
        self.add_argument("path", type=str)
        self.add_argument("--file_text", type=str)
        self.add_argument("--view_range", type=int, nargs=2)
        self.add_argument("--old_str", type=str)
        self.add_argument("--new_str", type=str)
        self.add_argument("--insert_line", type=int)

    def _print_message(self, message, file=None):
        if message:
            self._sink.append(message)

    def exit(self, status=0, message=None):
        if message:
            self._sink.append(message)
        raise _Exit(status)


def _jinja_text(value) -> str:
    return str(value)


def _view_range_words(raw: str) -> list[str]:
    """`--view_range {{value|join(' ')}}`, rendered unquoted, then split by the shell."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        value = raw
    if isinstance(value, list):
        rendered = " ".join(_jinja_text(v) for v in value)
    elif isinstance(value, str):  # a string argument is quoted first, then joined char by char
        rendered = " ".join(shlex.quote(value))
    else:
        rendered = _jinja_text(value)
    try:
        return shlex.split(rendered)
    except ValueError:
        return rendered.split()


def command_argv(args: dict[str, str]) -> list[str]:
    """The argv SWE-agent's function-calling parser gives the tool for these arguments."""
    argv = [args.get("command", ""), args.get("path", "")]
    for name in ("file_text", "old_str", "new_str", "insert_line"):
        if name in args:
            argv += [f"--{name}", args[name]]
    if "view_range" in args:
        argv += ["--view_range", *_view_range_words(args["view_range"])]
    return argv


def swerex_output(text: str) -> str:
    return _ANSI.sub("", text).replace("\r\n", "\n")


class SweAgentEditor:
    """SWE-agent's edit_anthropic `str_replace_editor`, run host-side on a sandbox."""

    profile = "swe-agent"

    def __init__(self, sandbox: Sandbox):
        self.files = SandboxFiles(sandbox)
        self._out: list[str] = []
        self._encoding: str | None = None

    def __call__(self, args: dict[str, str]) -> str:
        """Run one call; return its output, or raise EditorError (output, exit code)."""
        self._out, self._encoding = [], None
        code = 0
        try:
            ns = _ArgParser(self._out).parse_args(command_argv(args))
            self._call(ns)
        except _Exit as stop:
            code = stop.code
        text = swerex_output("".join(self._out))
        if code:
            raise EditorError(text, code)
        return text

    # -- plumbing --------------------------------------------------------------
    def _print(self, *parts: object) -> None:
        self._out.append(" ".join(str(p) for p in parts) + "\n")

    def _fail(self, message: str, code: int) -> None:
        self._print(message)
        raise _Exit(code)

    def _read(self, probe: Probe, path) -> str:
        try:
            data = self.files.read(probe)
        except OSError as exc:  # not a regular file the sandbox can read (a device, a fifo...)
            self._crash([], f"{type(exc).__name__}: {exc}")
        try:
            text, self._encoding = data.decode("utf-8"), None
        except UnicodeDecodeError:
            text, self._encoding = data.decode("latin-1"), "latin-1"
        return universal_newlines(text)

    def _write(self, probe: Probe, path, text: str) -> None:
        encoding = self._encoding or "utf-8"
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError as exc:
            self.files.write(probe, b"")  # write_text truncated the file before failing
            self._fail(f"Ran into {exc} while trying to write to {path}", 20)
        self.files.write(probe, data)

    def _crash(self, frames: list[tuple[int, str, str, str]], error: str) -> None:
        """An uncaught exception: the traceback (Python 3.11+'s, carets under the failing
        expression: `source[:-len(expr)]` stays blank) on stderr, exit status 1."""
        lines = ["Traceback (most recent call last):"]
        for lineno, func, source, expr in [(712, "<module>", "main()", ""), (700, "main", "tool(", ""), *frames]:
            lines += [f'  File "{SCRIPT}", line {lineno}, in {func}', f"    {source}"]
            if expr:
                at = source.index(expr)
                lines.append("    " + " " * at + "^" * len(expr))
        self._out.append("\n".join(lines) + f"\n{error}\n")
        raise _Exit(1)

    # -- the tool ----------------------------------------------------------------
    def _call(self, ns: argparse.Namespace) -> None:
        path = pure(ns.path)
        probe = self._validate_path(ns.command, path)
        if ns.command == "view":
            return self._view(probe, path, ns.view_range)
        if ns.command == "create":
            if ns.file_text is None:
                self._fail("Parameter `file_text` is required for command: create", 1)
            return self._create(probe, path, ns.file_text)
        if ns.command == "str_replace":
            if ns.old_str is None:
                self._fail("Parameter `old_str` is required for command: str_replace", 2)
            return self._str_replace(probe, path, ns.old_str, ns.new_str)
        if ns.command == "insert":
            if ns.insert_line is None:
                self._fail("Parameter `insert_line` is required for command: insert", 3)
            if ns.new_str is None:
                self._fail("Parameter `new_str` is required for command: insert", 4)
            return self._insert(probe, path, ns.insert_line, ns.new_str)
        if ns.command == "undo_edit":
            self._fail(f"No edit history found for {path}.", 18)
        self._fail(
            f"Unrecognized command {ns.command}. The allowed commands for the {PROG} tool are: "
            '"view", "create", "str_replace", "insert", "undo_edit"',
            5,
        )

    def _validate_path(self, command: str, path) -> Probe:
        if not path.is_absolute():
            suggested = join_cwd(self.files.cwd(), str(path))
            self._fail(f"The path {path} is not an absolute path, it should start with `/`. Maybe you meant {suggested}?", 6)
        probe = self.files.probe(str(path), parent=command == "create")
        if not probe.exists and command != "create":
            self._fail(f"The path {path} does not exist. Please provide a valid path.", 7)
        if probe.exists and command == "create":
            self._fail(f"File already exists at: {path}. Cannot overwrite files using command `create`.", 8)
        if probe.kind == "dir" and command != "view":
            self._fail(f"The path {path} is a directory and only the `view` command can be used on directories", 9)
        return probe

    def _create(self, probe: Probe, path, file_text: str) -> None:
        if probe.parent in ("enoent", "enotdir"):
            self._fail(f"The parent directory {path.parent} does not exist. Please create it first.", 21)
        if probe.parent == "file":
            self._fail(f"Ran into {oserror_text(20, str(path))} while trying to write to {path}", 20)
        self._write(probe, path, file_text)
        self._print(f"File created successfully at: {path}")

    def _view(self, probe: Probe, path, view_range: list[int] | None) -> None:
        if probe.kind == "dir":
            if view_range:
                self._fail("The `view_range` parameter is not allowed when `path` points to a directory.", 10)
            stdout, stderr = self.files.find(str(path))
            if not stderr:
                self._print(f"Here's the files and directories up to 2 levels deep in {path}, excluding hidden items:\n{stdout}\n")
            return
        content = self._read(probe, path)
        init_line = 1
        if view_range:
            lines = content.split("\n")
            n = len(lines)
            init_line, final_line = view_range
            if init_line < 1 or init_line > n:
                self._fail(f"Invalid `view_range`: {view_range}. Its first element `{init_line}` should be within the range of lines of the file: {[1, n]}", 12)
            if final_line > n:
                self._fail(f"Invalid `view_range`: {view_range}. Its second element `{final_line}` should be smaller than the number of lines in the file: `{n}`", 13)
            if final_line != -1 and final_line < init_line:
                self._fail(f"Invalid `view_range`: {view_range}. Its second element `{final_line}` should be larger or equal than its first `{init_line}`", 14)
            if final_line == -1:
                final_line = n
            content = "\n".join(lines[init_line - 1 : final_line])
        elif path.suffix == ".py" and len(content) > MAX_RESPONSE_LEN and USE_FILEMAP:
            try:
                from swe_srl.sandbox.editors.filemap import show_filemap

                outline = show_filemap(content, encoding=self._encoding or "utf-8")
            except Exception:  # as SWE-agent: no tree-sitter, plain clipped view
                pass
            else:
                self._print(FILEMAP_NOTE)
                self._print(maybe_truncate(outline.expandtabs()))
                self._print(FILEMAP_END)
                return
        self._print(cat_n(content, str(path), init_line))

    def _str_replace(self, probe: Probe, path, old_str: str, new_str: str | None) -> None:
        content = self._read(probe, path).expandtabs()
        old_str = old_str.expandtabs()
        new_str = new_str.expandtabs() if new_str is not None else ""
        occurrences = content.count(old_str)
        if occurrences == 0:
            self._fail(f"No replacement was performed, old_str `{old_str}` did not appear verbatim in {path}.", 15)
        if occurrences > 1:
            lines = [i + 1 for i, line in enumerate(content.split("\n")) if old_str in line]
            self._fail(f"No replacement was performed. Multiple occurrences of old_str `{old_str}` in lines {lines}. Please ensure it is unique", 16)
        if new_str == old_str:
            self._fail(f"No replacement was performed, old_str `{old_str}` is the same as new_str `{new_str}`.", 161)
        new_content = content.replace(old_str, new_str)
        self._write(probe, path, new_content)
        call = (390, "__call__", "return self.str_replace(_path, old_str, new_str)", "self.str_replace(_path, old_str, new_str)")
        if not old_str:  # an empty old_str of an empty file: str.split("") raises
            line = 'replacement_line = file_content.split(old_str)[0].count("\\n")'
            self._crash([call, (580, "str_replace", line, "file_content.split(old_str)")], "ValueError: empty separator")
        at = content.split(old_str)[0].count("\n")
        start = max(1, at - SNIPPET_LINES)
        end = min(at + SNIPPET_LINES + new_str.count("\n"), len(new_content.splitlines()))
        lines = new_content.split("\n")
        if not 1 <= start <= end <= len(lines):  # WindowExpander.expand_window's assertion
            expand = "WindowExpander(suffix=path.suffix).expand_window("
            self._crash(
                [
                    call,
                    (583, "str_replace", f"start_line, end_line = {expand}", expand),
                    (329, "expand_window", "assert 1 <= start <= stop <= len(lines), (start, stop, len(lines))", "1 <= start <= stop <= len(lines)"),
                ],
                f"AssertionError: {(start, end, len(lines))}",
            )
        snippet = "\n".join(lines[start - 1 : end])
        self._print(
            f"The file {path} has been edited. "
            + cat_n(snippet, f"a snippet of {path}", start)
            + "Review the changes and make sure they are as expected. Edit the file again if necessary."
        )

    def _insert(self, probe: Probe, path, insert_line: int, new_str: str) -> None:
        text = self._read(probe, path).expandtabs()
        new_str = new_str.expandtabs()
        lines = text.split("\n")
        n = len(lines)
        if insert_line < 0 or insert_line > n:
            self._fail(f"Invalid `insert_line` parameter: {insert_line}. It should be within the range of lines of the file: {[0, n]}", 17)
        new_lines = new_str.split("\n")
        snippet = (
            lines[max(0, insert_line - SNIPPET_LINES) : insert_line]
            + new_lines
            + lines[insert_line : insert_line + SNIPPET_LINES]
        )
        self._write(probe, path, "\n".join(lines[:insert_line] + new_lines + lines[insert_line:]))
        self._print(
            f"The file {path} has been edited. "
            + cat_n("\n".join(snippet), "a snippet of the edited file", max(1, insert_line - SNIPPET_LINES + 1))
            + "Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary."
        )
