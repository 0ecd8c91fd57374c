"""A real instance end to end: SWE-bench-layout image, activation, collect of the real
SWE-agent 0.x trajectory with its own tools, and the replayed patch graded by swebench."""

from __future__ import annotations

from rich.console import Console

from swe_srl.collect.pipeline import CollectConfig, run_collect
from swe_srl.collect.replay import same_patch
from swe_srl.sandbox.docker import DockerSandbox
from tests.collect.conftest import read_rows
from tests.real_instance.conftest import INSTANCE_ID, NEBIUS_SAMPLE, tasks_file

QUIET = Console(file=open("/dev/null", "w"))


def test_image_has_the_swebench_layout_and_the_session_activates_it(real_image, real_task):
    with DockerSandbox(real_image, base_commit=real_task["base_commit"]) as sb:
        res = sb.run("echo $CONDA_DEFAULT_ENV; which python; python -c 'import marshmallow, apispec, prance; print(marshmallow.__version__)'")
        assert res.exit_code == 0, res.output
        assert res.output.split() == ["testbed", "/opt/miniconda3/envs/testbed/bin/python", "3.18.0"]
        assert sb.run("pytest --version").output.strip() == "pytest 7.2.0"
        # HEAD is SWE-bench's empty commit on top of the base commit; diffs are against the base.
        assert sb.run("git log -1 --format=%s").output.strip() == "SWE-bench"
        assert sb.run("git rev-parse HEAD~1").output.strip() == real_task["base_commit"]
        assert sb.diff() == ""
        # The activation survives a restart of the shell (an `exit` restarts it).
        sb.run("exit 3")
        assert sb.run("echo $CONDA_DEFAULT_ENV").output.strip() == "testbed"
    with DockerSandbox(real_image, activate="none") as sb:
        res = sb.run("which python; python -c 'import marshmallow'")
        assert "/opt/miniconda3/bin/python" in res.output and "ModuleNotFoundError" in res.output


def test_collect_replays_the_real_trajectory_without_divergence(real_image, real_task, nebius_record, tmp_path):
    cfg = CollectConfig(trajectories=str(NEBIUS_SAMPLE), out=tmp_path / "collect", tasks=str(tasks_file(tmp_path, real_task)),
                        fmt="nebius", instance_ids=frozenset({INSTANCE_ID}))
    manifest = run_collect(cfg, QUIET).manifest
    assert manifest["errors"] == [] and manifest["totals"]["trajectories"] == 1
    (summary,) = manifest["trajectories"].values()
    assert summary["tool_profile"] == "swe-agent-windowed"
    assert summary["not_replayable"] == 0, summary["not_replayable_reason"]
    rows = read_rows(cfg.out)
    assert [r["expert_args"]["command"].split()[0] if r["expert_tool"] == "bash" else r["expert_tool"] for r in rows][:4] == [
        "grep", "grep", "open", "edit"]
    recorded = [r for r in rows if r["recorded_observation"]]
    assert len(recorded) == 4
    # Every recorded observation is reproduced (the threshold is 0.2; these are exact).
    assert [r["divergence"] for r in recorded] == [0.0, 0.0, 0.0, 0.0], [r["observation"][-300:] for r in recorded]
    assert summary["divergences"] == 0
    assert summary["final_patch_matches"] is True
    assert same_patch(summary["final_patch"], nebius_record["generated_patch"])


def test_the_replayed_patch_resolves_the_instance_through_the_harness(real_image, real_task, nebius_record, tmp_path):
    from swe_srl.evaluation.config import EvalConfig
    from swe_srl.evaluation.runner import run_eval

    cfg = EvalConfig(tasks=str(tasks_file(tmp_path, real_task)), policy="replay", trajectories=str(NEBIUS_SAMPLE),
                     trajectories_format="nebius", instances=[INSTANCE_ID], run_id="pytest-real-apispec",
                     out=tmp_path / "eval", build_images=False, pull=False)
    report = run_eval(cfg, QUIET)
    inst = report["instances"][INSTANCE_ID]
    assert report["resolved_ids"] == [INSTANCE_ID], inst
    assert inst["tests"]["FAIL_TO_PASS_success"] == 1 and inst["tests"]["PASS_TO_PASS_success"] == 96
