"""Repository sandboxes in which agent actions run (Docker, or local and not isolated)."""

from __future__ import annotations

from swe_srl.sandbox.base import CommandResult, Sandbox, SandboxError

__all__ = ["CommandResult", "Sandbox", "SandboxError", "open_sandbox"]


def open_sandbox(kind: str = "docker", *, image: str | None = None, repo_dir: str | None = None, **options) -> Sandbox:
    """Start a sandbox: `docker` from an image, or `local` on a copy of `repo_dir`."""
    if kind == "docker":
        if not image:
            raise SandboxError("the docker sandbox needs an image")
        from swe_srl.sandbox.docker import DockerSandbox

        return DockerSandbox(image, **options)
    if kind == "local":
        if not repo_dir:
            raise SandboxError("the local sandbox needs a repository folder (repo_dir)")
        from swe_srl.sandbox.local import LocalSandbox

        options.pop("network", None)
        return LocalSandbox(repo_dir, **options)
    raise SandboxError(f"unknown sandbox kind {kind!r} (choose docker or local)")
