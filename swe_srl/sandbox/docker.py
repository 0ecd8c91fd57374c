"""Docker backend: one labelled container per sandbox, one shell kept open in it."""

from __future__ import annotations

import io
import posixpath
import shlex
import socket
import struct
import tarfile
import time

import docker
import docker.errors
import docker.utils

from swe_srl.sandbox import cleanup
from swe_srl.sandbox.base import (
    DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_ROOT,
    DEFAULT_TIMEOUT,
    CommandResult,
    Sandbox,
    SandboxError,
)
from swe_srl.sandbox.engine import client
from swe_srl.sandbox.images import ensure_image
from swe_srl.sandbox.session import KILL_FOREGROUND_SCRIPT, ShellSession

LABEL = "swe-srl"
ACTIVATE_CHOICES = ("bashrc", "none")
# Prints, after a sentinel (a .bashrc may print first), the exported environment and the
# shell functions of the shell it runs in.
_ENV_PROBE = "printf '\\0__SWESRL_ENV__\\0'; env -0; printf '__SWESRL_FUNCS__\\0'; declare -f"
_ACTIVATION_CACHE: dict[tuple, str] = {}
_NOT_CARRIED = frozenset({"PWD", "OLDPWD", "SHLVL", "_", "PS1", "PS2", "PS4", "TERM", "HOSTNAME"})
RUN_ID_LABEL = "swe-srl.run-id"

class _ExecTransport:
    """A `docker exec` attached over a raw socket; demultiplexes stdout/stderr frames."""

    def __init__(self, container, argv: list[str], workdir: str):
        api = container.client.api
        self._container = container
        exec_id = api.exec_create(container.id, argv, stdin=True, stdout=True, stderr=True, tty=False, workdir=workdir)["Id"]
        sock = api.exec_start(exec_id, socket=True)
        self._sock: socket.socket = getattr(sock, "_sock", sock)
        self._sock.setblocking(True)
        self._pending = b""  # bytes of an incomplete frame
        self._frame_left = 0

    def fileno(self) -> int:
        return self._sock.fileno()

    def send(self, data: bytes) -> None:
        self._sock.sendall(data)

    def recv(self) -> bytes:
        """Payload bytes of whatever frames have arrived (b"" at end of stream)."""
        while True:  # a chunk holding only a frame header carries no payload yet
            data = self._sock.recv(65536)
            if not data:
                return b""
            payload = self._demux(data)
            if payload:
                return payload

    def _demux(self, data: bytes) -> bytes:
        out = bytearray()
        buf = self._pending + data
        i = 0
        while i < len(buf):
            if self._frame_left:
                take = min(self._frame_left, len(buf) - i)
                out += buf[i:i + take]
                self._frame_left -= take
                i += take
                continue
            if len(buf) - i < 8:
                break
            self._frame_left = struct.unpack(">I", buf[i + 4:i + 8])[0]
            i += 8
        self._pending = buf[i:]
        return bytes(out)

    def kill_foreground(self, shell_pid: int) -> None:
        self._container.exec_run(["sh", "-c", KILL_FOREGROUND_SCRIPT, "sh", str(shell_pid)])

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


class DockerSandbox(Sandbox):
    """A container from `image` with a persistent bash session rooted at /testbed.

    Network is off unless `network=True`; memory, CPU and pids are limited; the
    container carries the `swe-srl` label and the run id, and is removed on close,
    on exceptions (context manager) and on SIGINT/SIGTERM of this process.

    `activate="bashrc"` gives the session the environment the image's own tools get:
    SWE-bench, SWE-Gym and SWE-smith images activate their conda env `testbed` only in
    /root/.bashrc, so what an interactive shell exports and defines there (variables and
    functions such as `conda`) is carried into the non-interactive session, without an
    interactive shell's side effects (prompt, history, job-control noise). `setup` is a
    task's own command (e.g. `source /opt/venv/bin/activate`), run after that; both are
    replayed whenever the session restarts.
    """

    def __init__(
        self,
        image: str,
        *,
        root: str = DEFAULT_ROOT,
        network: bool = False,
        mem_limit: str = "4g",
        cpus: float = 2.0,
        pids_limit: int = 1024,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        run_id: str | None = None,
        base_commit: str | None = None,
        env: dict[str, str] | None = None,
        pull: bool = True,
        activate: str = "bashrc",
        setup: str | None = None,
    ):
        self.image = image
        self.root = root
        self.timeout = timeout
        self.mem_limit = mem_limit
        self.run_id = run_id or cleanup.RUN_ID
        self.container = None
        self._session: ShellSession | None = None
        self._oom_kills = 0
        self._env = env
        dc = client()
        ensure_image(dc, image, pull=pull)
        cleanup.install_signal_handlers()
        try:
            self.container = dc.containers.run(
                image,
                command=["sleep", "infinity"],
                detach=True,
                init=True,
                labels={LABEL: "1", RUN_ID_LABEL: self.run_id},
                network_mode="bridge" if network else "none",
                mem_limit=mem_limit,
                memswap_limit=mem_limit,
                nano_cpus=int(cpus * 1e9),
                pids_limit=pids_limit,
                working_dir=root,
                environment=env or {},
                stdin_open=False,
            )
            cleanup.register(self)
            self.shell = self._detect_shell()
            if activate not in ACTIVATE_CHOICES:
                raise SandboxError(f"unknown activate mode {activate!r}; choose one of {', '.join(ACTIVATE_CHOICES)}")
            init = self._bashrc_environment() if activate == "bashrc" and self.shell == "bash" else ""
            if setup:
                init += f"\n{setup}"
            self._session = ShellSession(
                lambda: _ExecTransport(self.container, [self.shell, "--noprofile", "--norc"] if self.shell == "bash" else [self.shell], root),
                root=root,
                shell=self.shell,
                max_output_bytes=max_output_bytes,
                init=init,
            )
            self._oom_kills = self._read_oom_kills()
            if base_commit is None:
                head = self._session.run("git -C . rev-parse HEAD 2>/dev/null", timeout=30)
                base_commit = head.output.strip() if head.exit_code == 0 else None
            self.base_commit = base_commit
        except BaseException:
            self.close()
            raise

    def _probe_env(self, *bash_flags: str) -> tuple[dict[str, str], str]:
        argv = ["sh", "-c", 'if command -v timeout >/dev/null; then exec timeout 30 "$@"; else exec "$@"; fi', "sh",
                "bash", *bash_flags, "-c", _ENV_PROBE]
        _, (out, _err) = self.container.exec_run(argv, demux=True, workdir=self.root)
        text = (out or b"").decode("utf-8", errors="replace")
        _, sep, rest = text.partition("\0__SWESRL_ENV__\0")
        if not sep:
            return {}, ""
        items, _, functions = rest.partition("__SWESRL_FUNCS__\0")
        env = dict(item.split("=", 1) for item in items.split("\0") if "=" in item)
        return env, functions

    def _bashrc_environment(self) -> str:
        """Shell code giving a --norc shell what /root/.bashrc (via `bash -i`) sets up;
        probed once per image and environment (images do not change under a tag's id)."""
        key = (self.container.attrs.get("Image", self.image), tuple(sorted((self._env or {}).items())))
        if key not in _ACTIVATION_CACHE:
            _ACTIVATION_CACHE[key] = self._probe_bashrc()
        return _ACTIVATION_CACHE[key]

    def _probe_bashrc(self) -> str:
        if self.container.exec_run(["test", "-f", "/root/.bashrc"])[0] != 0:
            return ""
        plain, _ = self._probe_env("--noprofile", "--norc")
        interactive, functions = self._probe_env("-i")
        exports = [
            f"export {name}={shlex.quote(value)}"
            for name, value in sorted(interactive.items())
            if name not in _NOT_CARRIED and name.isidentifier() and plain.get(name) != value
        ]
        return "\n".join([functions.strip(), *exports]).strip()

    def _detect_shell(self) -> str:
        code, _ = self.container.exec_run(["sh", "-c", "command -v bash"])
        return "bash" if code == 0 else "sh"

    # -- protocol ------------------------------------------------------------
    def run(self, command: str, timeout: float | None = None) -> CommandResult:
        if self._session is None:
            raise SandboxError("sandbox is closed")
        res = self._session.run(command, timeout=timeout or self.timeout)
        if res.exit_code == 137 and not res.timed_out:
            kills = self._read_oom_kills()
            if kills > self._oom_kills:
                self._oom_kills = kills
                res.notes.append(f"The command was killed: it ran out of memory (the sandbox limit is {self.mem_limit}).")
        return res

    def _run_internal(self, command: str, timeout: float = 120) -> CommandResult:
        assert self._session is not None
        return self._session.run(command, timeout=timeout, max_output_bytes=None)

    def _read_oom_kills(self) -> int:
        """The cgroup's OOM-kill counter (v1 memory.oom_control or v2 memory.events)."""
        code, out = self.container.exec_run(
            ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null"]
        )
        for line in out.decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "oom_kill":
                return int(parts[1])
        return 0

    def _abspath(self, path: str) -> str:
        return path if path.startswith("/") else posixpath.join(self.root, path)

    def read_file(self, path: str) -> bytes:
        path = self._abspath(path)
        try:
            stream, stat = self.container.get_archive(path)
        except docker.errors.NotFound as exc:
            raise FileNotFoundError(path) from exc
        data = b"".join(stream)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            member = tar.next()
            if member is None or not member.isfile():
                raise IsADirectoryError(path) if member is not None and member.isdir() else FileNotFoundError(path)
            f = tar.extractfile(member)
            assert f is not None
            return f.read()

    def _stat(self, path: str) -> dict | None:
        """Docker's stat of a path (HEAD on the archive endpoint: no file transfer)."""
        api = self.container.client.api
        res = api.head(api._url("/containers/{0}/archive", self.container.id), params={"path": path})
        if res.status_code == 404:
            return None
        api._raise_for_status(res)
        header = res.headers.get("x-docker-container-path-stat")
        return docker.utils.decode_json_header(header) if header else {}

    def write_file(self, path: str, content: bytes | str) -> None:
        path = self._abspath(path)
        data = content.encode() if isinstance(content, str) else content
        parent, name = posixpath.split(path)
        stat = self._stat(path)
        mode = stat.get("mode", 0o644) & 0o7777 if stat else 0o644
        if stat is None:
            self.container.exec_run(["mkdir", "-p", parent])
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
        if not self.container.put_archive(parent, buf.getvalue()):
            raise SandboxError(f"could not write {path}")

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self.container is not None:
            try:
                self.container.remove(force=True)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as exc:
                if "already in progress" not in str(exc):
                    raise
            finally:
                cleanup.unregister(self)
                self.container = None


def prune(run_id: str | None = None) -> list[str]:
    """Remove every swe-srl container (of one run, or all): what a crashed run left."""
    label = f"{RUN_ID_LABEL}={run_id}" if run_id else LABEL
    removed = []
    for c in client().containers.list(all=True, filters={"label": label}):
        try:
            c.remove(force=True)
            removed.append(c.name)
        except docker.errors.NotFound:
            pass
    return removed

