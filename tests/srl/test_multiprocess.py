"""Two processes (torchrun, gloo on CPU): every rank runs the same number of generation rounds and
ends every step with the same number of groups, none of them zero-variance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import STEPS, TINY_CONFIG


@pytest.mark.slow
def test_two_ranks_end_with_equal_groups(tiny_policy, tmp_path):
    script = Path(__file__).with_name("ddp_run.py")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533",
           str(script), str(tiny_policy), str(STEPS), str(TINY_CONFIG), str(tmp_path)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert [r["world"] for r in ranks] == [2, 2]
    assert ranks[0]["rounds"] == ranks[1]["rounds"] and len(ranks[0]["rounds"]) == 4
    for rank in ranks:
        assert [b["rows"] for b in rank["batches"]] == [4] * 4  # one whole group per rank and step
        assert all("bash" not in b["tools"] for b in rank["batches"])
    assert any(r > 1 for r in ranks[0]["rounds"])  # some steps needed refills
