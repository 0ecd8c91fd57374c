"""What both editor profiles share: the refused-call error, the sandbox file access they
work through (host side, with a POSIX shell inside), and Python's text-file semantics.

Both real editors are Python programs that read files with `Path.read_text()` (universal
newlines: CRLF and lone CR become LF) and write them with `Path.write_text()`; they list
directories by running `find PATH -maxdepth 2 -not -path '*/\\.*'` in a shell, unquoted.
The helpers here reproduce those effects through the Sandbox API, so the profiles only
decide what to print.
"""

from __future__ import annotations

import shlex
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from swe_srl.sandbox.base import Sandbox

SNIPPET_LINES = 4
MAX_RESPONSE_LEN = 16000
TRUNCATED_MESSAGE = (
    "<response clipped><NOTE>To save on context only part of this file has been shown to you. "
    "You should retry this tool after you have searched inside the file with `grep -n` in order "
    "to find the line numbers of what you are looking for.</NOTE>"
)
FIND_TEMPLATE = r"find {} -maxdepth 2 -not -path '*/\.*'"
PROBE_TIMEOUT = 60


class EditorError(Exception):
    """A refused editor call; its message is the observation (exit_code: the tool's)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def pure(path: str) -> PurePosixPath:
    """`Path(path)` as the editors build it: `//`, `.` and a trailing `/` dropped."""
    return PurePosixPath(path)


def universal_newlines(text: str) -> str:
    """What a text-mode read makes of line ends: CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def maybe_truncate(content: str, truncate_after: int | None = MAX_RESPONSE_LEN) -> str:
    if not truncate_after or len(content) <= truncate_after:
        return content
    return content[:truncate_after] + TRUNCATED_MESSAGE


def cat_n(content: str, descriptor: str, init_line: int = 1) -> str:
    """`_make_output` of both editors: clip, expand tabs, number, header."""
    content = maybe_truncate(content).expandtabs()
    body = "\n".join(f"{i + init_line:6}\t{line}" for i, line in enumerate(content.split("\n")))
    return f"Here's the result of running `cat -n` on {descriptor}:\n" + body + "\n"


def oserror_text(errno: int, path: str) -> str:
    """str() of the OSError Python raises when opening `path` fails."""
    reason = {2: "No such file or directory", 20: "Not a directory", 21: "Is a directory"}[errno]
    return f"[Errno {errno}] {reason}: {path!r}"


@dataclass
class Probe:
    """What `Path.exists()` / `is_dir()` (symlinks followed) say about a path."""

    kind: str | None  # 'file', 'dir' or None
    real: str  # the path with symlinks resolved, for reading and writing
    # The parent directory, when asked for: 'dir'; 'file' (it is not a directory);
    # 'enoent' (missing); 'enotdir' (missing, below a file).
    parent: str | None = None

    @property
    def exists(self) -> bool:
        return self.kind is not None


class SandboxFiles:
    """The sandbox file operations an editor needs, each one sandbox call."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox

    def _sh(self, script: str) -> str:
        # The editor's own commands: no output cap where the backend offers that.
        runner = getattr(self.sandbox, "_run_internal", None)
        res = runner(script, timeout=PROBE_TIMEOUT) if runner else self.sandbox.run(script, timeout=PROBE_TIMEOUT)
        return res.output

    def probe(self, path: str, parent: bool = False) -> Probe:
        q = shlex.quote(path)
        script = (
            f"( p={q}; if [ -d \"$p\" ]; then echo dir; elif [ -e \"$p\" ]; then echo file; else echo none; fi; "
        )
        if parent:
            a = shlex.quote(str(pure(path).parent))
            script += (
                f"a={a}; if [ -d \"$a\" ]; then echo dir; elif [ -e \"$a\" ]; then echo file; else "
                "while [ ! -e \"$a\" ] && [ \"$a\" != / ] && [ \"$a\" != . ]; do a=$(dirname -- \"$a\"); done; "
                "if [ -d \"$a\" ]; then echo enoent; else echo enotdir; fi; fi; "
            )
        else:
            script += "echo -; "
        script += "readlink -f -- \"$p\" 2>/dev/null; true )"
        lines = self._sh(script).split("\n")
        kind = lines[0].strip() if lines else "none"
        parent_state = lines[1].strip() if len(lines) > 1 else "dir"
        real = "\n".join(lines[2:]).rstrip("\n") or path
        return Probe(
            kind=kind if kind in ("file", "dir") else None,
            real=real if real.startswith("/") else path,
            parent=parent_state if parent else None,
        )

    def cwd(self) -> str:
        out = self._sh("pwd").strip()
        return out if out.startswith("/") else self.sandbox.root

    def read(self, probe: Probe) -> bytes:
        return self.sandbox.read_file(probe.real)

    def write(self, probe: Probe, data: bytes) -> None:
        self.sandbox.write_file(probe.real, data)

    def find(self, path: str) -> tuple[str, str]:
        """(stdout, stderr) of the editors' unquoted `find` listing, run by `/bin/sh -c`."""
        mark = f"__SWE_SRL_FIND_{uuid.uuid4().hex}__"
        cmd = FIND_TEMPLATE.format(path)
        script = (
            "( e=$(mktemp 2>/dev/null || echo /tmp/.swe-srl-find.$$); "
            f"/bin/sh -c {shlex.quote(cmd)} 2>\"$e\"; echo; echo {mark}; cat \"$e\"; rm -f \"$e\" )"
        )
        out = self._sh(script)
        stdout, sep, stderr = out.rpartition(f"\n{mark}\n")
        if not sep:
            return "", out
        return stdout, stderr


def join_cwd(cwd: str, path: str) -> str:
    """`Path.cwd() / path`."""
    return str(PurePosixPath(cwd) / path)
