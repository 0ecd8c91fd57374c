"""A long-lived shell that runs one command at a time over a byte stream.

Agents expect `cd`, exported variables and shell functions to persist between actions,
and a fresh `docker exec` per command costs ~40 ms, so each sandbox keeps one shell open.
Each command is framed with a random end marker carrying its exit status; its stdin is
/dev/null (a command that reads stdin sees EOF instead of hanging); job control (`set -m`)
gives every foreground job its own process group, so a command past its timeout is
killed with its whole group while the shell itself survives.
"""

from __future__ import annotations

import os
import select
import time
import uuid
from typing import Callable, Protocol

from swe_srl.sandbox.base import CommandResult, SandboxError

# Kills the process group of every child of the shell whose pid is $1 (POSIX sh, /proc).
KILL_FOREGROUND_SCRIPT = r"""
shell=$1
read -r line < /proc/$shell/stat || exit 0
rest=${line##*) }; set -- $rest; shell_pgrp=$3
for f in /proc/[0-9]*/stat; do
  read -r line < "$f" 2>/dev/null || continue
  pid=${f#/proc/}; pid=${pid%/stat}
  rest=${line##*) }; set -- $rest
  [ "$2" = "$shell" ] || continue
  if [ "$3" != "$shell_pgrp" ]; then kill -KILL -"$3" 2>/dev/null; else kill -KILL "$pid" 2>/dev/null; fi
done
exit 0
"""

# Pinned in every session so outputs do not depend on the host or the image's defaults.
PINNED_ENV = {
    "TZ": "UTC",
    "PYTHONHASHSEED": "0",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "LANG": "C.UTF-8",
    "TERM": "dumb",
}

RESTART_NOTE = (
    "The shell session was restarted: the working directory, environment variables "
    "and shell functions were reset."
)


class Transport(Protocol):
    """A bidirectional byte stream to a shell process."""

    def fileno(self) -> int: ...
    def send(self, data: bytes) -> None: ...
    def recv(self) -> bytes:  # b"" at end of stream
        ...
    def kill_foreground(self, shell_pid: int) -> None: ...
    def close(self) -> None: ...


class CappedOutput:
    """Collects a stream, keeping only its head and tail, and finds the end marker.

    Memory stays bounded however much a command prints (10 MB of `yes` is fine).
    """

    def __init__(self, marker: bytes, max_bytes: int | None):
        self.marker = marker
        self.head_cap = None if max_bytes is None else max_bytes // 2
        self.tail_cap = None if max_bytes is None else max_bytes - max_bytes // 2
        self.head = bytearray()
        self.buf = bytearray()  # everything after head, trimmed to the tail cap
        self.dropped = 0
        self.trailer: bytes | None = None  # bytes after the marker, once found

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True once the marker has been seen."""
        search_from = max(0, len(self.buf) - len(self.marker))
        self.buf += chunk
        idx = self.buf.find(self.marker, search_from)
        if idx >= 0:
            self.trailer = bytes(self.buf[idx + len(self.marker):])
            del self.buf[idx:]
            self._trim(keep=0)
            return True
        self._trim(keep=len(self.marker))
        return False

    def _trim(self, keep: int) -> None:
        if self.head_cap is None:
            return
        if len(self.head) < self.head_cap:
            take = min(self.head_cap - len(self.head), max(0, len(self.buf) - keep))
            self.head += self.buf[:take]
            del self.buf[:take]
        excess = len(self.buf) - (self.tail_cap + keep)
        if excess > 0:
            del self.buf[:excess]
            self.dropped += excess

    def text(self) -> str:
        if not self.dropped:
            return (bytes(self.head) + bytes(self.buf)).decode("utf-8", errors="replace")
        head = bytes(self.head).decode("utf-8", errors="replace")
        tail = bytes(self.buf).decode("utf-8", errors="replace")
        return f"{head}\n[... {self.dropped} bytes of output truncated ...]\n{tail}"


class ShellSession:
    """One shell process behind a Transport, restarted when it dies or hangs."""

    def __init__(
        self,
        connect: Callable[[], Transport],
        root: str,
        shell: str = "bash",
        max_output_bytes: int | None = 100_000,
        grace_s: float = 3.0,
        init: str = "",
    ):
        self._connect = connect
        self.init = init  # run at every (re)start, after the pinned environment
        self.root = root
        self.shell = shell
        self.max_output_bytes = max_output_bytes
        self.grace_s = grace_s
        self._nonce = uuid.uuid4().hex
        self._count = 0
        self._transport: Transport | None = None
        self.shell_pid: int | None = None
        self._start()

    # -- lifecycle -------------------------------------------------------------
    def _start(self) -> None:
        self._transport = self._connect()
        pinned = " ".join(f"{k}={v}" for k, v in PINNED_ENV.items())
        init = f"set -m; {self.init}\nexport {pinned} 2>/dev/null; cd {self.root} 2>/dev/null"
        res = self._exchange(init, timeout=60, status_expr="$$", max_bytes=10_000)
        if res.timed_out or res.exit_code is None:
            self.close()
            raise SandboxError(f"shell session did not start: {res.output[-500:]!r}")
        self.shell_pid = res.exit_code

    def restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        if self._transport is not None:
            try:
                self._transport.close()
            finally:
                self._transport = None

    # -- commands --------------------------------------------------------------
    def run(self, command: str, timeout: float, max_output_bytes: int | None | str = "default") -> CommandResult:
        cap = self.max_output_bytes if max_output_bytes == "default" else max_output_bytes
        if self._transport is None:
            self._start()
        return self._exchange(command, timeout=timeout, status_expr="$__swesrl_rc", max_bytes=cap)

    def _frame(self, command: str, status_expr: str) -> tuple[bytes, bytes]:
        self._count += 1
        tag = f"{self._nonce}_{self._count}"
        eof = f"__SWESRL_EOF_{tag}__"
        marker = f"__SWESRL_DONE_{tag}__ "
        if self.shell == "bash":
            load = f"IFS= read -r -d '' __swesrl_cmd <<'{eof}'\n{command}\n{eof}\n"
            body = '{ eval "$__swesrl_cmd"\n} </dev/null 2>&1'
        else:  # POSIX sh: no `read -d`, go through a file
            load = f"cat > /tmp/.swesrl_cmd_$$ <<'{eof}'\n{command}\n{eof}\n"
            body = "{ . /tmp/.swesrl_cmd_$$\n} </dev/null 2>&1"
        script = f"{load}{body}; __swesrl_rc=$?; printf '\\n%s%s\\n' '{marker}' \"{status_expr}\"\n"
        return script.encode(), ("\n" + marker).encode()

    def _exchange(self, command: str, timeout: float, status_expr: str, max_bytes: int | None) -> CommandResult:
        transport = self._transport
        assert transport is not None
        script, marker = self._frame(command, status_expr)
        out = CappedOutput(marker, max_bytes)
        notes: list[str] = []
        start = time.monotonic()
        deadline = start + timeout
        timed_out = False
        try:
            transport.send(script)
        except OSError as exc:
            return self._lost(out, start, notes, f"the shell session was lost ({exc})")
        fd = transport.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if not timed_out:
                    timed_out = True
                    if self.shell_pid is not None:
                        transport.kill_foreground(self.shell_pid)
                    deadline = time.monotonic() + self.grace_s
                    continue
                # The shell itself is stuck (a builtin loop, a blocked read): start anew.
                return self._lost(out, start, notes, None, timed_out=True)
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = transport.recv()
            if not chunk:
                return self._lost(out, start, notes, "the shell exited", timed_out=timed_out)
            if out.feed(chunk):
                break
        status = self._read_status(out, transport, deadline)
        if timed_out:
            notes.append(f"The command timed out after {timeout:g} seconds and was killed.")
        return _result(out, start, notes, status, timed_out)

    def _read_status(self, out: CappedOutput, transport: Transport, deadline: float) -> int | None:
        trailer = out.trailer or b""
        while b"\n" not in trailer:
            ready, _, _ = select.select([transport.fileno()], [], [], max(0.1, deadline - time.monotonic()))
            chunk = transport.recv() if ready else b""
            if not chunk:
                break
            trailer += chunk
        try:
            return int(trailer.split(b"\n", 1)[0].strip())
        except ValueError:
            return None

    def _lost(self, out: CappedOutput, start: float, notes: list[str], why: str | None, timed_out: bool = False) -> CommandResult:
        if why:
            notes.append(why)
        if timed_out:
            notes.append("The command timed out and could not be interrupted.")
        try:
            self.restart()
            notes.append(RESTART_NOTE)
        except SandboxError as exc:
            notes.append(f"the shell session could not be restarted: {exc}")
        return _result(out, start, notes, None, timed_out)


def _result(out: CappedOutput, start: float, notes: list[str], exit_code: int | None, timed_out: bool) -> CommandResult:
    return CommandResult(
        output=out.text(),
        exit_code=exit_code,
        timed_out=timed_out,
        duration=time.monotonic() - start,
        truncated_bytes=out.dropped,
        notes=notes,
    )


def read_available(fd: int, size: int = 65536) -> bytes:
    """One read from a file descriptor, b"" at end of stream."""
    try:
        return os.read(fd, size)
    except OSError:
        return b""
