"""The bundled default data (`trajectories/` at the repository root): where it lives,
and its task repositories and sandbox images, built on demand and offline."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLE_DIR = PROJECT_ROOT / "trajectories"
TASKS_FILE = BUNDLE_DIR / "tasks.jsonl"
EXPERTS_DIR = BUNDLE_DIR / "experts"
DEFAULT_TRAJECTORIES = EXPERTS_DIR / "swe_smith"
CACHE_DIR = PROJECT_ROOT / ".swe-srl"


@lru_cache(maxsize=1)
def _build_repos_module():
    spec = importlib.util.spec_from_file_location("swe_srl_bundle_build_repos", BUNDLE_DIR / "build_repos.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"bundled data not found under {BUNDLE_DIR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bundled_tasks() -> list[dict]:
    return [json.loads(line) for line in TASKS_FILE.read_text().splitlines() if line.strip()]


def bundled_rows(tasks: list[dict]) -> list[dict]:
    """The rows of `tasks` that are bundled tasks (same instance id and image)."""
    known = {(t["instance_id"], t["image"]) for t in bundled_tasks()}
    return [t for t in tasks if (t["instance_id"], t["image"]) in known]


# The bundled repos have no dependencies and no pip in their env: a .pth file is their
# editable install (what `pip install -e .` leaves in a SWE-bench image's env).
EDITABLE_INSTALL = "echo /testbed > \"$(python -c 'import site; print(site.getsitepackages()[0])')/testbed.pth\""

_build_lock = threading.Lock()  # collect workers may ask for the same repo at once


def repo_dir(task: dict, cache: Path = CACHE_DIR) -> Path:
    """The task's git repository at its base commit, built (deterministically) if missing."""
    with _build_lock:
        return _repo_dir(task, cache)


def local_repo(task: dict, repos: str | Path | None = None) -> Path:
    """The repository folder a local sandbox copies for `task`: `repos/<instance_id>`
    when `repos` is given, else the bundled task's own repository."""
    iid = task["instance_id"]
    if repos is not None:
        path = Path(repos) / iid
        if not path.exists():
            raise FileNotFoundError(f"no repository for {iid} under {repos}")
        return path
    if any(t["instance_id"] == iid for t in bundled_tasks()):
        return repo_dir(task)
    raise FileNotFoundError(f"the local sandbox needs --repos DIR holding DIR/{iid} (a git repository)")


def _repo_dir(task: dict, cache: Path) -> Path:
    name = task["repo"].split("/", 1)[1]
    dest = cache / "repos" / name
    if (dest / ".git").exists() and _head(dest) != task["base_commit"]:
        shutil.rmtree(dest)  # built from an older bundle
    if not (dest / ".git").exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        sha = _build_repos_module().build_repo(name, dest)
        if sha != task["base_commit"]:
            raise RuntimeError(f"bundled repo {name} built at {sha}, task row says {task['base_commit']}")
    return dest


def _head(repo: Path) -> str:
    res = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    return res.stdout.strip()


def ensure_images(tasks: list[dict] | None = None, rebuild: bool = False) -> list[str]:
    """Build the instance image of each bundled task that is missing or stale."""
    import docker.errors

    from swe_srl.sandbox.engine import client
    from swe_srl.sandbox.images import BASE_IMAGE, COMMIT_LABEL, RECIPE_LABEL, build_base, build_instance_image, recipe_label

    try:
        client().images.get(BASE_IMAGE)
    except docker.errors.ImageNotFound:
        build_base(BASE_IMAGE)
    built = []
    for task in tasks if tasks is not None else bundled_tasks():
        image = task["image"]
        if not rebuild:
            try:
                labels = client().images.get(image).labels or {}
                if labels.get(COMMIT_LABEL) == task["base_commit"] and labels.get(RECIPE_LABEL) == recipe_label():
                    continue
            except docker.errors.ImageNotFound:
                pass
        build_instance_image(repo_dir(task), task["base_commit"], image, setup=EDITABLE_INSTALL)
        built.append(image)
    return built
