"""The Docker engine handle: one shared client for images and sandboxes."""

from __future__ import annotations

import docker
import docker.errors

from swe_srl.sandbox.base import SandboxError

_client: docker.DockerClient | None = None


def client() -> docker.DockerClient:
    """One shared Docker client (its connection pool is thread-safe)."""
    global _client
    if _client is None:
        try:
            _client = docker.from_env(timeout=120)
            _client.ping()
        except docker.errors.DockerException as exc:
            _client = None
            raise SandboxError(
                f"no Docker engine answers ({exc}). Start one (e.g. `dockerd &`) "
                "or use the local backend (--sandbox local)."
            ) from exc
    return _client
