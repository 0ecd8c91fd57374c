"""Workspace remapping: SWE-Gym /workspace/<repo>__<version> and old SWE-agent /<repo> to /testbed."""

from __future__ import annotations

from swe_srl.trajectory.readers import read_record
from swe_srl.trajectory.remap import detect_workspace, remap_workspace
from swe_srl.trajectory.sources import read_trajectories


def _everything(t):
    return "\n".join(
        [r.thought for r in t.rounds] + [r.observation for r in t.rounds] + [v for r in t.rounds for v in r.action.args.values()]
    )


def test_swegym_paths_move_to_testbed(load_json):
    t = read_record(load_json("swegym_openhands_sampled/sample_raw.json")[0], "swegym#0")
    assert "/workspace/python__mypy__1.6" in _everything(t)
    out = remap_workspace(t)
    assert "/workspace/python__mypy__1.6" not in _everything(out)
    assert out.rounds[0].action.args["path"] == "/testbed"
    assert out.rounds[0].action_text.count("/testbed") == 1
    assert out.workspace == "/testbed" and out.counts["remapped_paths"] > 10
    assert t.rounds[0].action.args["path"] == "/workspace/python__mypy__1.6"  # the input is untouched
    bash = [r.action.args["command"] for r in out.rounds if r.action.tool == "bash"]
    assert bash[0] == "python3 /testbed/reproduce_error.py"


def test_detects_root_from_paths_when_reader_had_none(load_json):
    t = read_record(load_json("swegym_openhands_sampled/sample_raw.json")[1], "swegym#1")
    t = t.model_copy(update={"workspace": None})
    assert detect_workspace(t) == "/workspace/Project-MONAI__MONAI__1.1"
    assert "/workspace/Project-MONAI__MONAI__1.1" not in _everything(remap_workspace(t))


def test_whole_components_only(traj_factory):
    t = traj_factory(
        [("in /workspace/repo__1.0 and /workspace/repo__1.0x", "bash", {"command": "cat /workspace/repo__1.0/a.py /x/workspace/repo__1.0/b"}, "")],
        workspace="/workspace/repo__1.0",
    )
    out = remap_workspace(t)
    assert out.rounds[0].action.args["command"] == "cat /testbed/a.py /x/workspace/repo__1.0/b"
    assert out.rounds[0].thought == "in /testbed and /workspace/repo__1.0x"


def test_nebius_root_and_noop_for_testbed(load_json, real):
    t = read_record(load_json("nebius_swe_agent/sample_raw.json")[0], "n#0")
    out = remap_workspace(t)
    # SWE-agent 0.x commands stay as typed; the directory they run in is remapped.
    assert out.rounds[2].action.args["command"] == "open plumbum/cli/image.py"
    assert "(Current directory: /testbed)" in out.rounds[2].observation
    assert "/plumbum/plumbum" not in _everything(out)
    smith = next(iter(read_trajectories(real / "swe-smith")))
    assert remap_workspace(smith) == smith


def test_read_trajectories_can_remap(real):
    trajs = list(read_trajectories(real / "swegym_openhands_sampled", remap_to="/testbed"))
    assert all("/workspace/" not in _everything(t) for t in trajs)
