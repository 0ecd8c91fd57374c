"""Local backend, for machines without Docker. NOT ISOLATED.

Commands run as the current user in a bash subprocess on a temporary copy of a
repository. Agent commands and paths say `/testbed` (the sandbox convention); this
backend rewrites `/testbed` to the copy's real path going in and back coming out, so
trajectories replay unchanged. Nothing stops a command from touching the rest of the
machine: choose it explicitly, for trusted trajectories only.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from swe_srl.sandbox import cleanup
from swe_srl.sandbox.base import DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_ROOT, DEFAULT_TIMEOUT, CommandResult, Sandbox, SandboxError
from swe_srl.sandbox.session import KILL_FOREGROUND_SCRIPT, ShellSession, read_available


class _PipeTransport:
    """A bash subprocess in its own session, talked to over pipes."""

    def __init__(self, cwd: str, env: dict[str, str]):
        self._proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )

    def fileno(self) -> int:
        return self._proc.stdout.fileno()

    def send(self, data: bytes) -> None:
        self._proc.stdin.write(data)
        self._proc.stdin.flush()

    def recv(self) -> bytes:
        return read_available(self.fileno())

    def kill_foreground(self, shell_pid: int) -> None:
        subprocess.run(["sh", "-c", KILL_FOREGROUND_SCRIPT, "sh", str(shell_pid)], check=False)

    def close(self) -> None:
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        for f in (self._proc.stdin, self._proc.stdout):
            try:
                f.close()
            except (OSError, BrokenPipeError):
                pass


class LocalSandbox(Sandbox):
    """A temporary copy of `repo_dir` with a persistent bash session (not isolated)."""

    def __init__(
        self,
        repo_dir: str | Path,
        *,
        root: str = DEFAULT_ROOT,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        base_commit: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.root = root
        self.timeout = timeout
        self._tmp = tempfile.mkdtemp(prefix="swe-srl-local-")
        self.workdir = os.path.join(self._tmp, "testbed")
        self._session: ShellSession | None = None
        try:
            shutil.copytree(repo_dir, self.workdir, symlinks=True)
        except OSError as exc:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise SandboxError(f"cannot copy repository {repo_dir}: {exc}") from exc
        cleanup.install_signal_handlers()
        cleanup.register(self)
        shell_env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        shell_env.update(env or {})
        self._session = ShellSession(lambda: _PipeTransport(self.workdir, shell_env), root=self.workdir, max_output_bytes=max_output_bytes)
        if base_commit is None:
            head = self._session.run("git rev-parse HEAD 2>/dev/null", timeout=30)
            base_commit = head.output.strip() if head.exit_code == 0 else None
        self.base_commit = base_commit

    def _to_real(self, text: str) -> str:
        return text.replace(self.root, self.workdir) if self.root != self.workdir else text

    def _to_alias(self, text: str) -> str:
        return text.replace(self.workdir, self.root) if self.root != self.workdir else text

    def _exec(self, command: str, timeout: float, cap) -> CommandResult:
        if self._session is None:
            raise SandboxError("sandbox is closed")
        res = self._session.run(self._to_real(command), timeout=timeout, max_output_bytes=cap)
        res.output = self._to_alias(res.output)
        return res

    def run(self, command: str, timeout: float | None = None) -> CommandResult:
        return self._exec(command, timeout or self.timeout, "default")

    def _run_internal(self, command: str, timeout: float = 120) -> CommandResult:
        return self._exec(command, timeout, None)

    def _real_path(self, path: str) -> str:
        path = path if path.startswith("/") else os.path.join(self.root, path)
        return self._to_real(path)

    def read_file(self, path: str) -> bytes:
        real = self._real_path(path)
        if os.path.isdir(real):
            raise IsADirectoryError(path)
        with open(real, "rb") as f:
            return f.read()

    def write_file(self, path: str, content: bytes | str) -> None:
        real = self._real_path(path)
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        shutil.rmtree(self._tmp, ignore_errors=True)
        cleanup.unregister(self)
