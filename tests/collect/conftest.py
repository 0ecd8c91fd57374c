"""Bundled data and task images for the collect tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_srl import bundled


@pytest.fixture(scope="session")
def bundled_images(base_image) -> list[str]:
    bundled.ensure_images()
    return [t["image"] for t in bundled.bundled_tasks()]


def read_rows(out: Path) -> list[dict]:
    """The flat one-row-per-step view (history included) of a collect folder."""
    from swe_srl.collect.export import flat_rows

    return list(flat_rows(out))


def canonical_record(instance_id: str) -> dict:
    return json.loads((bundled.EXPERTS_DIR / "canonical" / f"{instance_id}.json").read_text())
