"""SWE-agent's windowed commands, replayed with their own semantics and output text.

SWE-agent 0.x (nebius data, old `.traj` runs) and its 1.x windowed tool bundles give the
agent shell commands such as `open FILE [LINE]`, `goto N`, `scroll_up`, `create FILE`,
`edit N:M` ... `end_of_edit`, `search_file`, `search_dir`, `find_file`, and in 1.x
`edit 'search' 'replace'` and `insert`. `WindowedTools` keeps their state (open file,
window position, WINDOW=100, OVERLAP=2, last action) and prints what they printed,
followed by the prompt footer `\\n(Open file: ...)\\n(Current directory: ...)\\nbash-$`.
Plain shell text still runs in the sandbox's shell, footer appended.

Sources ported (SWE-agent, MIT, (c) 2024 John Yang, Carlos E. Jimenez et al.):
0.x `config/commands/{defaults,search,edit_linting}.sh`, `_split_string.py` at v0.7.0,
agent templates of `config/default.yaml`; 1.x `tools/{defaults,edit_replace,search}` at
684efd40 (Nov 2024, the version that recorded the function-calling demo). The search
commands run their original bash bodies in a subshell, so `find`/`grep` order and counts
are the sandbox's own. Lint (flake8 `--select=F821,F822,F831,E111,E112,E113,E999,E902`):
the sandbox's flake8 when it has one, else only E999 from `ast.parse` on the host (noted
in `ToolResult.notes`). What cannot be reproduced raises `NotReplayable`, never bash.
"""

from __future__ import annotations

import ast
import math
import posixpath
import re
import shlex
import warnings

from swe_srl.sandbox.results import EMPTY_OUTPUT, NotReplayable, ToolResult
from swe_srl.sandbox.windowed_1x import Windowed1x
from swe_srl.sandbox.windowed_text import (_COMMAND_POSITION, _DASHES0, _HEREDOC, _LINT_HEAD, _LINTER, _NEEDS_SHELL,
                                           _NO_RERUN, _NOT_APPLIED, _SEARCH_SH, _UPDATED, DIALECTS, NOT_EMULATED,
                                           OVERLAP, WINDOW, WINDOWED, _complete, _first, _lines, _split_name,
                                           _text, _words, clamp_line, split_lint)


class WindowedTools(Windowed1x):
    """One agent's windowed-command session on top of a ToolRunner's sandbox."""

    def __init__(self, runner, dialect: str = "0.x"):
        if dialect not in DIALECTS:
            raise ValueError(f"unknown windowed dialect {dialect!r}; choose one of {DIALECTS}")
        self.runner, self.sandbox, self.dialect = runner, runner.sandbox, dialect
        self.file: str | None = None  # CURRENT_FILE, resolved
        self.line = 0  # 0.x CURRENT_LINE (window centre)
        self.first = 0  # 1.x FIRST_LINE (0-based window top)
        self.last_action = ""
        self.scrolls = 0
        self.cwd: str | None = None
        self.flake8: bool | None = None
        self.notes: list[str] = []

    # -- the entry point ---------------------------------------------------
    def run(self, command: str) -> ToolResult:
        self.notes, out, rc = [], [], 0
        text = command.strip("\n")
        if self.dialect == "1.x":
            segments = [("special", text)] if _first(text) in WINDOWED | NOT_EMULATED else [("plain", text)]
        else:
            segments = self._segments(text)
        for kind, seg in segments:
            if kind == "plain":
                if self.dialect == "1.x":
                    self._refuse_compound(seg)
                res = self.sandbox.run(seg, timeout=self.runner.timeout)
                body = res.output + ("\n".join(res.notes) + "\n" if res.notes else "")
                out.append(body)
                rc = res.exit_code
                self.notes += res.notes
                self.cwd = None
                if res.timed_out:
                    return ToolResult(self._footer("".join(out)), exit_code=rc, timed_out=True, notes=self.notes)
            else:
                name, rest = _split_name(seg)
                if name == "submit":
                    return ToolResult(self.sandbox.diff(), submitted=True)
                out.append(self._special(name, rest, seg))
                rc = 0
        self.last_action = text.strip()
        return ToolResult(self._footer("".join(out)), exit_code=rc, notes=self.notes)

    def _footer(self, out: str) -> str:
        if self.dialect == "1.x":
            out = out.strip()
        if not out.strip():
            out = EMPTY_OUTPUT
        if self.cwd is None:
            self.cwd = self.sandbox.run("pwd -P" if self.dialect == "1.x" else "pwd", timeout=30).output.strip()
        return f"{out}\n(Open file: {self.file or 'n/a'})\n(Current directory: {self.cwd})\nbash-$"

    # -- splitting the typed text ----------------------------------------------
    def _segments(self, text: str) -> list[tuple[str, str]]:
        """0.x: the action is bash input; edit blocks are heredocs, other lines shell."""
        lines, segs, i = text.split("\n"), [], 0
        while i < len(lines):
            line, name = lines[i], _first(lines[i])
            if name == "edit":
                j = next((k for k in range(i + 1, len(lines)) if re.fullmatch(r"end_of_edit\s*", lines[k])), None)
                if j is None:
                    raise NotReplayable("edit without an end_of_edit line: its text would run as shell commands")
                if lines[j] != "end_of_edit":
                    raise NotReplayable("end_of_edit followed by spaces does not end bash's heredoc")
                segs.append(("edit", "\n".join(lines[i:j + 1])))
                i = j + 1
            elif name in WINDOWED | NOT_EMULATED:
                segs.append(("special", line))
                i += 1
            elif not line.strip():
                i += 1
            else:
                chunk, code, j = [], [], i
                while j < len(lines):  # a heredoc body or an open quote belongs to its command
                    chunk.append(lines[j])
                    code.append(lines[j])
                    j += 1
                    for m in _HEREDOC.finditer(lines[j - 1]):
                        while j < len(lines):
                            chunk.append(lines[j])
                            j += 1
                            body = chunk[-1].lstrip("\t") if m.group(0).startswith("<<-") else chunk[-1]
                            if body == m.group(2):
                                break
                    if _complete("\n".join(code)):
                        break
                self._refuse_compound("\n".join(code))
                if segs and segs[-1][0] == "plain":
                    segs[-1] = ("plain", segs[-1][1] + "\n" + "\n".join(chunk))
                else:
                    segs.append(("plain", "\n".join(chunk)))
                i = j
        return segs

    def _refuse_compound(self, text: str) -> None:
        """A SWE-agent command in a pipeline or list cannot be emulated piecewise."""
        try:
            words = _words(text)
        except ValueError:
            return
        for k, w in enumerate(words):
            if w in WINDOWED | NOT_EMULATED and (k == 0 or words[k - 1] in _COMMAND_POSITION):
                raise NotReplayable(f"SWE-agent command {w!r} inside a compound shell command")

    def _argv(self, rest: str) -> list[str]:
        """The arguments as bash splits and expands them."""
        try:
            words = _words(rest)
        except ValueError:
            raise NotReplayable(f"unbalanced quotes in {rest!r}") from None
        if any(w and all(c in ";&|()<>" for c in w) for w in words):
            raise NotReplayable("SWE-agent command inside a compound shell command")
        if not _NEEDS_SHELL.search(rest):
            return words
        res = self.sandbox.run(f"printf '%s\\0' {rest}", timeout=30)
        if res.exit_code != 0:
            raise NotReplayable(f"cannot expand arguments {rest!r}: {res.output.strip()}")
        return res.output.split("\0")[:-1]

    # -- the commands ------------------------------------------------------------
    def _special(self, name: str, rest: str, seg: str) -> str:
        if name in NOT_EMULATED:
            raise NotReplayable(f"SWE-agent command {name!r} is not emulated")
        if name in ("search_dir", "search_file", "find_file"):
            return self._search(name, rest)
        if name == "edit" and self.dialect == "0.x":
            first, _, body = seg.partition("\n")
            argv = self._argv(_split_name(first)[1])
            return self._edit0(argv[0] if argv else "", body.split("\n")[:-1])
        argv = self._argv(rest)
        if self.dialect == "1.x":
            return self._command1(name, argv)
        if name == "insert":
            raise NotReplayable("insert is a SWE-agent 1.x command; this session is 0.x")
        return getattr(self, f"_{name}0")(argv)

    def _search(self, name: str, rest: str) -> str:
        try:
            if any(w and all(c in ";&|()<>" for c in w) for w in _words(rest)):
                raise NotReplayable(f"{name} inside a compound shell command")
        except ValueError:
            raise NotReplayable(f"unbalanced quotes in {rest!r}") from None
        env = f"CURRENT_FILE={shlex.quote(self.file or '')}; "
        res = self.sandbox.run(f"( {_SEARCH_SH}\n{env}{name} {rest}\n)", timeout=self.runner.timeout)
        if res.timed_out:
            raise NotReplayable(f"{name} timed out")
        return res.output

    def _probe(self, path: str) -> tuple[str, str]:
        q = shlex.quote(path)
        res = self.sandbox.run(
            f"if [ -d {q} ]; then echo d; elif [ -f {q} ]; then echo f; elif [ -e {q} ]; then echo e; "
            f"else echo n; fi; realpath -- {q} 2>/dev/null || echo", timeout=30)
        kind, _, real = res.output.partition("\n")
        return kind.strip(), real.strip()

    def _read(self) -> bytes:
        try:
            data = self.sandbox.read_file(self.file)
        except (FileNotFoundError, IsADirectoryError):
            raise NotReplayable(f"the open file {self.file} is gone") from None
        if b"\0" in data:
            raise NotReplayable(f"{self.file} holds NUL bytes (grep would call it binary)")
        return data

    # 0.x (bash functions of defaults.sh / edit_linting.sh) --------------------
    def _constrain(self, total: int, window: int = WINDOW) -> None:
        half = window // 2
        self.line = max(min(self.line, total - half), half)

    def _print0(self, data: bytes, window: int = WINDOW) -> str:
        lines = _lines(data)
        total, cl = len(lines), self.line
        out = [f"[File: {self.file} ({total} lines total)]"]
        above = math.floor(max(0, cl - window / 2))
        below = math.floor(max(0, total - cl - window / 2) + 0.5)
        if above > 0:
            out.append(f"({above} more lines above)")
        head = math.floor(max(cl + window / 2, window / 2))
        out += [f"{k + 1}:{_text(lines[k])}" for k in range(max(0, head - window), min(head, total))]
        if below > 0:
            out.append(f"({below} more lines below)")
        return "\n".join(out) + "\n"

    def _open0(self, argv: list[str]) -> str:
        if not argv or not argv[0]:
            return 'Usage: open "<file>"\n'
        path, out, line = argv[0], "", WINDOW // 2
        kind, real = self._probe(path)
        if len(argv) > 1 and argv[1]:
            if not re.fullmatch(r"[0-9]+", argv[1]):
                return 'Usage: open "<file>" [<line_number>]\nError: <line_number> must be a number\n'
            if kind != "f" or any(c.isspace() for c in path):
                raise NotReplayable("open with a line number on a path awk cannot read")
            total, n = len(_lines(self.sandbox.read_file(real))), int(argv[1])
            out, line = clamp_line(n, total)
            if not out:
                line = max(n + WINDOW // 2 - WINDOW // 6, 1)
        if kind == "f":
            self.file, self.line = real, line
            data = self._read()
            self._constrain(len(_lines(data)))
            return out + self._print0(data)
        if kind == "d":
            return out + f"Error: {path} is a directory. You can only open files. Use cd or ls to navigate directories.\n"
        return out + f"File {path} not found\n"

    def _goto0(self, argv: list[str]) -> str:
        if len(argv) > 1:
            return "goto allows only one line number at a time.\n"
        if not self.file:
            return "No file open. Use the open command first.\n"
        if not argv or not argv[0]:
            return "Usage: goto <line>\n"
        if not re.fullmatch(r"[0-9]+", argv[0]):
            return "Usage: goto <line>\nError: <line> must be a number\n"
        data = self._read()
        total = len(_lines(data))
        if int(argv[0]) > total:
            return f"Error: <line> must be less than or equal to {total}\n"
        self.line = max(int(argv[0]) + WINDOW // 2 - WINDOW // 6, 1)
        self._constrain(total)
        return self._print0(data)

    def _scroll0(self, step: int) -> str:
        if not self.file:
            return "No file open. Use the open command first.\n"
        data = self._read()
        self.line += step
        self._constrain(len(_lines(data)))
        self.scrolls = self.scrolls + 1 if self.last_action in ("scroll_up", "scroll_down") else 1
        warn = ("\nWARNING: Scrolling many times in a row is very inefficient.\n"
                "If you know what you are looking for, use `search_file <pattern>` instead.\n\n")
        return self._print0(data) + (warn if self.scrolls >= 3 else "")

    def _scroll_down0(self, argv: list[str]) -> str:
        return self._scroll0(WINDOW - OVERLAP)

    def _scroll_up0(self, argv: list[str]) -> str:
        return self._scroll0(OVERLAP - WINDOW)

    def _create0(self, argv: list[str]) -> str:
        if not argv or not argv[0]:
            return "Usage: create <filename>\n"
        kind, real = self._probe(argv[0])
        if kind != "n":
            return f"Error: File '{argv[0]}' already exists.\n" + self._open0(argv[:1])
        if self._probe(posixpath.dirname(argv[0]) or ".")[0] != "d":
            raise NotReplayable(f"create {argv[0]}: its directory does not exist")
        if not real.startswith("/"):
            raise NotReplayable(f"cannot resolve {argv[0]}")
        self.sandbox.write_file(real, b"\n")
        return self._open0(argv[:1])

    def _edit0(self, arg: str, body: list[str]) -> str:
        if not self.file:
            return "No file open. Use the `open` command first.\n"
        start, end = (arg + ":").split(":")[:2]
        if not start or not end:
            return "Usage: edit <start_line>:<end_line>\n"
        for value, what in ((start, "start_line"), (end, "end_line")):
            if not re.fullmatch(r"[0-9]+", value):
                return f"Usage: edit <start_line>:<end_line>\nError: {what} must be a number\n"
        s, e = int(start), int(end)
        if s < 1:
            raise NotReplayable("edit from line 0 (bash fails on a negative array slice)")
        data = self._read()
        before = self._lint(data) if self.file.endswith(".py") else ""
        repl = [line.encode("utf-8", errors="surrogateescape") for line in body]
        lines = _lines(data)
        new = lines[:s - 1] + repl + lines[e:]
        new_data = b"\n".join(new) + b"\n"
        self.sandbox.write_file(self.file, new_data)
        errors = split_lint(self._lint(new_data), before, (s, e), len(repl)) if self.file.endswith(".py") else ""
        if not errors:
            self.line = s - 1
            self._constrain(len(new))
            return self._print0(new_data) + _UPDATED + "\n"
        if e - s + 11 < 1:
            raise NotReplayable(f"edit {s}:{e}: the lint report's window would be empty")
        saved = self.line
        self.line = len(repl) // 2 + s - 1
        self._constrain(len(new), len(repl) + 10)
        applied = self._print0(new_data, len(repl) + 10)
        self.sandbox.write_file(self.file, data)
        self.line = int((e - s + 2) / 2) + s - 1  # bash division truncates
        self._constrain(len(lines), e - s + 11)
        original = self._print0(data, e - s + 11)
        self.line = saved
        return (f"{_LINT_HEAD}\nERRORS:\n{errors}\n\nThis is how your edit would have looked if applied\n"
                f"{_DASHES0}\n{applied}{_DASHES0}\n\nThis is the original code before your edit\n{_DASHES0}\n"
                f"{original}{_DASHES0}\n{_NOT_APPLIED}You either need to 1) Specify the correct start/end line"
                f" arguments or 2) Correct your edit code.\n{_NO_RERUN}")

    # -- lint ---------------------------------------------------------------------
    def _lint(self, data: bytes, shown: str | None = None) -> str:
        """flake8's output for the open file holding `data` (E999 only without flake8)."""
        name = shown or self.file
        if self.flake8 is None:
            self.flake8 = self.sandbox.run("command -v flake8 >/dev/null && echo yes", timeout=30).output.strip() == "yes"
        if self.flake8:
            self.sandbox.write_file(self.file, data)
            redirect = "2>/dev/null" if self.dialect == "1.x" else "2>&1"
            return self.sandbox.run(f"{_LINTER} {shlex.quote(name)} {redirect}", timeout=120).output
        note = "lint: no flake8 in the sandbox; only syntax errors (E999, host Python) were checked"
        if note not in self.notes:
            self.notes.append(note)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(data, filename=name)
        except SyntaxError as exc:
            return f"{name}:{exc.lineno or 1}:{exc.offset or 0}: E999 {type(exc).__name__}: {exc.args[0]}\n"
        except ValueError as exc:
            raise NotReplayable(f"flake8 would stop on {name}: {exc}") from None
        return ""
