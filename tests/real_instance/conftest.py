"""The real SWE-bench-style instance in ../shared/real-instances (marshmallow-code__apispec-811):
its image built offline in the SWE-bench layout, and the real SWE-agent 0.x trajectory of it.

Skipped cleanly where ../shared is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED

INSTANCE_ID = "marshmallow-code__apispec-811"
INSTANCE_DIR = SHARED / "real-instances" / INSTANCE_ID
NEBIUS_SAMPLE = SHARED / "real-trajectories" / "nebius_swe_agent" / "sample_raw.json"
NEBIUS_INDEX = 2  # the record of this instance (PROVENANCE.md)
# The test environment of PROVENANCE.md ("Test environment"), installed offline from its wheels.
SETUP = (
    "pip install -q setuptools==65.5.1 wheel==0.38.4 packaging==21.3 marshmallow==3.18.0 PyYAML==6.0.1 "
    "'prance[osv]==0.21.8.0' openapi-spec-validator==0.4.0 pytest==7.2.0 "
    "&& pip install -q --no-build-isolation -e ."
)


@pytest.fixture(scope="session")
def real_task() -> dict:
    if not INSTANCE_DIR.is_dir():
        pytest.skip(f"{INSTANCE_DIR} is absent (the shared real-instance data)")
    return json.loads((INSTANCE_DIR / "task.json").read_text())


@pytest.fixture(scope="session")
def real_image(base_image, real_task) -> str:
    """The task's image, named as its row says, built offline (cached by commit and recipe)."""
    import docker

    from swe_srl.sandbox.images import COMMIT_LABEL, RECIPE_LABEL, build_instance_image, recipe_label

    image = real_task["image"]
    try:
        labels = docker.from_env().images.get(image).labels or {}
        if labels.get(COMMIT_LABEL) == real_task["base_commit"] and labels.get(RECIPE_LABEL) == recipe_label():
            return image
    except docker.errors.ImageNotFound:
        pass
    build_instance_image(INSTANCE_DIR / "repo.bundle", real_task["base_commit"], image, setup=SETUP,
                         wheels=INSTANCE_DIR / "wheels")
    return image


@pytest.fixture(scope="session")
def nebius_record() -> dict:
    if not NEBIUS_SAMPLE.is_file():
        pytest.skip(f"{NEBIUS_SAMPLE} is absent")
    record = json.loads(NEBIUS_SAMPLE.read_text())[NEBIUS_INDEX]
    assert record["instance_id"].startswith(INSTANCE_ID)
    return record


def tasks_file(tmp_path: Path, task: dict) -> Path:
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(task) + "\n")
    return path
