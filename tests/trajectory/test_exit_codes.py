"""Exit codes survive the formats that record them (mini-swe-agent's <returncode>)."""

from __future__ import annotations

import json

from swe_srl import bundled
from swe_srl.trajectory.readers import read_record
from swe_srl.trajectory.writers import write


def test_mini_swe_agent_exit_codes_round_trip():
    record = json.loads((bundled.EXPERTS_DIR / "mini_swe_agent" / "swe-srl__slugkit-1.traj.json").read_text())
    traj = read_record(record, "slugkit", "mini_swe_agent")
    codes = [r.exit_code for r in traj.rounds if r.action.tool == "bash"]
    assert 1 in codes and 0 in codes  # a grep that finds nothing really exits 1
    again = read_record(write(traj, "mini_swe_agent"), "again", "mini_swe_agent")
    assert [r.exit_code for r in again.rounds] == [r.exit_code for r in traj.rounds]


def test_canonical_runs_keep_the_recorded_exit_codes():
    record = json.loads((bundled.EXPERTS_DIR / "canonical" / "swe-srl__slugkit-1.json").read_text())
    traj = read_record(record, "slugkit", "canonical")
    assert all(r.exit_code is not None for r in traj.rounds)
