"""The one sandbox protocol that collect and eval program against.

A sandbox is a repository checkout (at `root`, `/testbed` by convention) plus a shell
session in which an agent's commands run. Backends differ in isolation only.
"""

from __future__ import annotations

import abc
import shlex
from dataclasses import dataclass, field

DEFAULT_ROOT = "/testbed"
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_OUTPUT_BYTES = 100_000


class SandboxError(RuntimeError):
    """The sandbox itself failed (could not start, lost its container...)."""


@dataclass
class CommandResult:
    """What one command did: its (capped) output, exit code and how it ended."""

    output: str
    exit_code: int | None
    timed_out: bool = False
    duration: float = 0.0
    truncated_bytes: int = 0  # bytes dropped from the middle of the output
    notes: list[str] = field(default_factory=list)  # session restarted, out of memory...

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


class Sandbox(abc.ABC):
    """Run commands, read and write files, and diff a repository checkout."""

    root: str = DEFAULT_ROOT

    @abc.abstractmethod
    def run(self, command: str, timeout: float | None = None) -> CommandResult:
        """Run `command` in the persistent shell session."""

    @abc.abstractmethod
    def read_file(self, path: str) -> bytes:
        """Raw bytes of a file; FileNotFoundError if it is not a file."""

    @abc.abstractmethod
    def write_file(self, path: str, content: bytes | str) -> None:
        """Create or replace a file (parents created, an existing mode kept)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release everything the sandbox holds. Safe to call twice."""

    def exists(self, path: str) -> str | None:
        """'file', 'dir', or None: one cheap probe the editor needs."""
        q = shlex.quote(path)
        res = self.run(f"if [ -d {q} ]; then echo dir; elif [ -e {q} ]; then echo file; fi", timeout=30)
        kind = res.output.strip()
        return kind if kind in ("file", "dir") else None

    def diff(self, base_commit: str | None = None) -> str:
        """The patch of the working tree against `base_commit` (default: the commit
        checked out when the sandbox started): new, modified and deleted files,
        binary-safe, without touching the agent's own git index."""
        base = base_commit or self.base_commit or "HEAD"
        root = shlex.quote(self.root)
        # A private index keeps `git status` as the agent left it; a subshell keeps
        # the session's cwd and environment as they were.
        script = (
            f"( unset GIT_DIR GIT_WORK_TREE; cd {root} || exit 3; "
            # Start from a copy of the real index (its stat cache keeps `add` fast).
            'idx=$(mktemp); cp "$(git rev-parse --git-path index)" "$idx" 2>/dev/null || rm -f "$idx"; '
            'export GIT_INDEX_FILE="$idx"; '
            "git add -A -- . ':(exclude,glob)**/__pycache__/**' ':(exclude,glob)**/*.pyc' >/dev/null 2>&1 "
            f"&& git -c core.quotepath=false diff --cached --binary --no-color --no-ext-diff {shlex.quote(base)}; "
            'rc=$?; rm -f "$GIT_INDEX_FILE"; exit $rc )'
        )
        res = self._run_internal(script)
        if res.exit_code != 0:
            raise SandboxError(f"git diff failed in {self.root} (exit {res.exit_code}): {res.output[-2000:]}")
        return res.output

    base_commit: str | None = None

    def _run_internal(self, command: str, timeout: float = 120) -> CommandResult:
        """A command of our own (not the agent's): no output cap."""
        return self.run(command, timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
