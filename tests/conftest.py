"""Shared fixtures: a real Docker engine and the offline base image.

Docker tests skip on a developer machine without an engine, but never in CI
(CI=true): there a missing engine is a failure, because .ci/run starts one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared real data (real trajectories, the real instance, editor parity): next to
# the repository, or where SWE_SRL_SHARED points. Tests that need it skip without it.
SHARED = Path(os.environ.get("SWE_SRL_SHARED") or REPO_ROOT.parent / "shared")
BASE_IMAGE = "swe-srl/base:latest"


def docker_engine_ok() -> bool:
    try:
        import docker

        docker.from_env(timeout=10).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def docker_available() -> bool:
    if docker_engine_ok():
        return True
    if os.environ.get("CI"):
        pytest.fail("CI must run the Docker tests, but no Docker engine answers")
    pytest.skip("no Docker engine (start dockerd to run these tests)")


@pytest.fixture(scope="session")
def base_image(docker_available) -> str:
    import docker

    try:
        docker.from_env().images.get(BASE_IMAGE)
    except docker.errors.ImageNotFound:
        from swe_srl.sandbox.images import build_base

        build_base(BASE_IMAGE)
    return BASE_IMAGE


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture(scope="session", autouse=True)
def no_leaked_containers():
    """After the whole session, no container labelled swe-srl may remain."""
    yield
    if not docker_engine_ok():
        return
    import docker

    left = docker.from_env().containers.list(all=True, filters={"label": "swe-srl"})
    assert not left, f"containers labelled swe-srl left behind: {[c.name for c in left]}"
