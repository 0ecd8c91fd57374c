"""A small git repository, and the same protocol fixture over both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git

FILES = {
    "pkg/__init__.py": "",
    "pkg/calc.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
    "pkg/notes.txt": "alpha\nbeta\nalpha\ngamma\n",
    "README.md": "# demo\n",
    "docs/guide/deep/too_deep.md": "x\n",
    ".hidden/secret.txt": "s\n",
}


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory) -> tuple[Path, str]:
    repo = tmp_path_factory.mktemp("demo") / "repo"
    repo.mkdir()
    for rel, text in FILES.items():
        p = repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def demo_image(base_image, demo_repo) -> str:
    from swe_srl.sandbox.images import build_instance_image

    repo, sha = demo_repo
    tag = "swe-srl-test/demo:latest"
    build_instance_image(repo, sha, tag, base=base_image)
    return tag


@pytest.fixture(params=["docker", "local"])
def sandbox(request, demo_repo):
    """A fresh sandbox on the demo repository, for each backend."""
    from swe_srl.sandbox import open_sandbox

    if request.param == "docker":
        image = request.getfixturevalue("demo_image")
        sb = open_sandbox("docker", image=image, mem_limit="512m", max_output_bytes=20_000)
    else:
        sb = open_sandbox("local", repo_dir=str(demo_repo[0]), max_output_bytes=20_000)
    with sb:
        yield sb
