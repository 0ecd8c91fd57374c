"""SWE-agent 1.x windowed tools (`tools/defaults`, `tools/edit_replace` at 684efd40), as a mixin.

`Windowed1x` holds the 1.x methods `_command1` ... `_insert1` (open, create, goto, scroll,
`edit 'search' 'replace'`, insert, with their lint-and-revert). `WindowedTools` in
`swe_srl.sandbox.windowed` inherits it and provides the state (`file`, `first`,
`sandbox`) and the shared `_probe`, `_read` and `_lint` these methods call.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from swe_srl.sandbox.results import NotReplayable
from swe_srl.sandbox.windowed_text import (OVERLAP, WINDOW, _DASHES1, _NO_RERUN, _NOT_APPLIED, _REPLACED,
                                           _not_found, _shown, clamp_line, split_lint)


class Windowed1x:
    """The 1.x windowed tools' methods; mixed into `WindowedTools`."""

    def _command1(self, name: str, argv: list[str]) -> str:
        if name == "open":
            if not argv:
                return self._window1() if self.file else 'Usage: open "<file>"\n'
            msg = self._load1(argv[0])
            if msg:
                return msg
            shown = str(PurePosixPath(argv[0]))
            out, n = "", self.first
            if len(argv) > 1:
                if not re.fullmatch(r"\s*[+-]?\d+\s*", argv[1]):
                    return 'Usage: open "<file>" [<line_number>]\nError: <line_number> must be a number\n'
                out, n = clamp_line(int(argv[1]), self._n1())
            self._goto1(n - 1)
            return out + self._window1(shown)
        if name == "create":
            if not argv:
                return "Usage: create <filename>\n"
            kind, real = self._probe(argv[0])
            if kind != "n":
                return f"Warning: File '{PurePosixPath(argv[0])}' already exists.\n"
            if self._probe(posixpath.dirname(argv[0]) or ".")[0] != "d":
                raise NotReplayable(f"create {argv[0]}: its directory does not exist")
            self.sandbox.write_file(real, b"\n")
            self._load1(argv[0])
            self._set_first1(0)
            return self._window1(str(PurePosixPath(argv[0])))
        if name == "goto":
            if len(argv) != 1:
                return "goto allows only one line number at a time.\n" if argv else "Usage: goto <line>\n"
            if not re.fullmatch(r"\s*[+-]?\d+\s*", argv[0]):
                return "Usage: goto <line>\nError: <line> must be a number\n"
            if not self.file:
                return "No file open. Use the open command first.\n"
            if int(argv[0]) > self._n1():
                return f"Error: <line> must be less than or equal to {self._n1()}\n"
            self._goto1(int(argv[0]) - 1)
            return self._window1()
        if name in ("scroll_up", "scroll_down"):
            if not self.file:
                return "No file open. Use the open command first.\n"
            self._set_first1(self.first + (WINDOW - OVERLAP if name == "scroll_down" else OVERLAP - WINDOW))
            return self._window1()
        if name == "edit":
            if argv and re.fullmatch(r"\d+:\d+", argv[0]):
                raise NotReplayable("edit N:M of the 1.x edit_linting bundle is not emulated")
            return self._edit1(argv)
        if name == "insert":
            return self._insert1(argv)
        raise NotReplayable(f"{name} with arguments {argv!r}")

    def _load1(self, path: str) -> str:
        kind, real = self._probe(path)
        shown = PurePosixPath(path)
        if kind == "d":
            return f"Error: {shown} is a directory. You can only open files. Use cd or ls to navigate directories.\n"
        if kind == "n":
            return f"Error: File {shown} not found\n"
        self.file = real
        self._set_first1(self.first)
        return ""

    def _text1(self) -> str:  # Path.read_text(): universal newlines
        return self._read().decode("utf-8", errors="surrogateescape").replace("\r\n", "\n").replace("\r", "\n")

    def _n1(self) -> int:
        return len(self._text1().splitlines())

    def _set_first1(self, value: float) -> None:
        self.first = max(0, min(int(value), self._n1() - 1 - WINDOW))

    def _goto1(self, line: int) -> None:
        self._set_first1(line - WINDOW * (1 / 6))

    def _range1(self) -> tuple[int, int]:
        return self.first, min(self.first + WINDOW - 1, self._n1() - 1)

    def _window1(self, shown: str | None = None, numbers: bool = True) -> str:
        text, (start, end) = self._text1(), self._range1()
        lines, n = text.split("\n")[start:end + 1], len(text.splitlines())
        if not numbers:
            return "\n".join(lines)
        out = [f"[File: {shown or self.file} ({n} lines total)]"] + ([f"({start} more lines above)"] if start > 0 else [])
        out += [f"{i + start + 1}:{line}" for i, line in enumerate(lines)]
        out += [f"({n - end - 1} more lines below)"] if end < n - 1 else []
        return _shown("\n".join(out)) + "\n"

    def _write1(self, text: str) -> None:
        self.sandbox.write_file(self.file, text.encode("utf-8", errors="surrogateescape"))

    def _lint1(self, window: tuple[int, int] | None, n_lines: int, before: str) -> str | None:
        if not self.file.endswith(".py"):
            return None
        after = self._lint(self._text1().encode("utf-8", errors="surrogateescape"))
        return (split_lint(after, before, window, n_lines) if window else split_lint(after, "", (0, 0), 0)) or None

    def _before1(self, original: str) -> str:
        return self._lint(original.encode("utf-8", errors="surrogateescape")) if self.file.endswith(".py") else ""

    def _failed1(self, errors: str, original: str, first: int, head: str) -> str:
        applied = self._window1()
        self._write1(original)
        self.first = first
        self._set_first1(first)
        return (f"{head}Your proposed edit has introduced new syntax error(s). Please read this error message"
                f" carefully and then retry editing the file.\n\nERRORS:\n\n{errors}\nThis is how your edit would"
                f" have looked if applied\n{_DASHES1}\n{applied}{_DASHES1}\n\nThis is the original code before"
                f" your edit\n{_DASHES1}\n{self._window1()}{_DASHES1}\n\n{_NOT_APPLIED}{_NO_RERUN}\n")

    def _edit1(self, argv: list[str]) -> str:
        if len(argv) not in (2, 3) or any(a.startswith("-") and len(a) > 1 for a in argv):
            raise NotReplayable(f"edit arguments {argv!r} (argparse would refuse them)")
        if not self.file:
            return "No file opened. Either `open` a file first.\n"
        search, replace, every = argv[0], argv[1], len(argv) == 3 and bool(argv[2])
        if search == replace:
            return "Your search and replace strings are the same. No changes were made.\n"
        original, first = self._text1(), self.first
        before = self._before1(original)
        if every:
            at = original.find(search)
            if at < 0:
                return _not_found(search)
            start = len(original[:at].split("\n"))
            self._write1(original.replace(search, replace))
            self._goto1(start)
            errors = self._lint1(None, 0, before)
            msg = f"Replaced {original.count(search)} occurrences. {_REPLACED}\n"
        else:
            window = self._window1(numbers=False)
            if window.count(search) > 1:
                return (f"Error: Found more than one occurrence of {search} in the window while replace_all=False."
                        " Aborting edit.\n")
            at = window.find(search)
            if at < 0:
                return _not_found(search)
            start = self.first + len(window[:at].split("\n"))
            lines, (lo, hi) = original.split("\n"), self._range1()
            new_window = window.replace(search, replace)
            lines[lo:hi + 1] = new_window.split("\n") if new_window else []
            self._write1("\n".join(lines))
            self._goto1(start)
            errors = self._lint1((start, start + len(search.split("\n"))), len(replace.split("\n")), before)
            msg = f"Text replaced. {_REPLACED}\n"
        if errors:
            return self._failed1(errors, original, first, "\n")
        return msg + self._window1()

    def _insert1(self, argv: list[str]) -> str:
        if len(argv) not in (1, 2) or (len(argv) == 2 and not re.fullmatch(r"\s*[+-]?\d+\s*", argv[1])):
            raise NotReplayable(f"insert arguments {argv!r} (argparse would refuse them)")
        if not self.file:
            return "No file opened. Use the `create` or `open` command first.\n"
        text, line = argv[0], int(argv[1]) - 1 if len(argv) == 2 else None
        original, first = self._text1(), self.first
        before = self._before1(original)
        if not text:
            return self._window1()
        text = text[:-1] if text.endswith("\n") else text
        if line is None:
            at, new = self._n1(), text
            if original:
                new = (original[:-1] if original.endswith("\n") else original) + "\n" + text
        elif line < 0:
            at, new = 0, text
            if original:
                new = text + "\n" + (original[1:] if original.startswith("\n") else original)
        else:
            lines = original.split("\n")
            lines.insert(line, text)
            new, at = "\n".join(lines), line
        self._write1(new)
        self._goto1(at)
        errors = self._lint1((at, at), len(text.split("\n")), before)
        if errors:
            return self._failed1(errors, original, first, " ")
        return self._window1()
