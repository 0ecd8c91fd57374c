"""The README's main job, end to end: `swe-srl pipeline` on the bundled data."""

from __future__ import annotations

import json
import subprocess
import sys

import docker

from tests.conftest import REPO_ROOT


def test_pipeline_runs_every_stage_on_the_bundled_data(base_image, tmp_path):
    out = tmp_path / "pipeline"
    res = subprocess.run(
        [sys.executable, "-m", "swe_srl.cli", "pipeline", "--out", str(out), "--max-steps", "2", "--eval-max-steps", "5"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["collect"]["steps"] == 41 and summary["collect"]["errors"] == 0
    assert summary["train"]["steps"] == 2 and len(summary["train"]["reward_curve"]) == 2
    assert all(-1.0 <= r <= 1.0 for r in summary["train"]["reward_curve"])
    assert (out / "train" / "final" / "swe_srl_config.yaml").exists()
    replay = summary["eval-replay"]
    assert replay["resolve_rate"] == 1.0 and len(replay["resolved_ids"]) == 3
    model = summary["eval-model"]
    assert not model["infra_failure_ids"]
    assert len(model["resolved_ids"]) + len(model["unresolved_ids"]) == 3
    assert "swe-srl pipeline" in res.stdout
    assert not docker.from_env().containers.list(all=True, filters={"label": "swe-srl"})
