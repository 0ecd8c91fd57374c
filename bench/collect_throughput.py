"""Replay throughput of `swe-srl collect` on the bundled data with 1 and 2 workers,
and its overhead per step above the bare sandbox (the same actions run through the
same tools in fresh sandboxes, nothing else), all measured in this one run.

    python bench/collect_throughput.py [--copies 3]

Last line: JSON with steps_per_s_1, steps_per_s_2, overhead_ms_per_step.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console

from swe_srl import bundled
from swe_srl.collect.pipeline import CollectConfig, run_collect
from swe_srl.collect.replay import ReplayOptions
from swe_srl.sandbox.docker import DockerSandbox
from swe_srl.sandbox.tools import ToolRunner
from swe_srl.trajectory.model import Trajectory


def copies(n: int, dest: Path) -> list[Trajectory]:
    """n copies of each bundled canonical trajectory, with distinct ids."""
    trajs = []
    for path in sorted((bundled.EXPERTS_DIR / "canonical").glob("*.json")):
        base = json.loads(path.read_text())
        for i in range(n):
            record = {**base, "trajectory_id": f"{base['trajectory_id']}-copy{i}"}
            (dest / f"{record['trajectory_id']}.json").write_text(json.dumps(record))
            trajs.append(Trajectory.model_validate(record))
    return trajs


def bare(trajs: list[Trajectory], images: dict[str, str]) -> float:
    """Seconds to start a sandbox per trajectory and run its actions, nothing more."""
    start = time.perf_counter()
    for t in trajs:
        with DockerSandbox(images[t.instance_id]) as sb:
            runner = ToolRunner(sb, timeout=60)
            for rnd in t.rounds:
                runner.run(rnd.action)
    return time.perf_counter() - start


def timed_collect(src: Path, out: Path, workers: int) -> tuple[float, int]:
    cfg = CollectConfig(trajectories=str(src), out=out, tasks=str(bundled.TASKS_FILE), workers=workers,
                        options=ReplayOptions(action_timeout=60))
    start = time.perf_counter()
    manifest = run_collect(cfg, Console(stderr=True, quiet=True)).manifest
    assert manifest["totals"]["errors"] == 0, manifest["errors"]
    return time.perf_counter() - start, manifest["totals"]["steps"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=3)
    args = ap.parse_args()
    bundled.ensure_images()
    images = {t["instance_id"]: t["image"] for t in bundled.bundled_tasks()}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        trajs = copies(args.copies, src)
        bare_s = bare(trajs, images)
        t1, steps = timed_collect(src, Path(tmp) / "w1", 1)
        t2, _ = timed_collect(src, Path(tmp) / "w2", 2)
    figures = {
        "trajectories": len(trajs),
        "steps": steps,
        "steps_per_s_1": round(steps / t1, 2),
        "steps_per_s_2": round(steps / t2, 2),
        "speedup_2_workers": round(t1 / t2, 2),
        "bare_sandbox_ms_per_step": round(1000 * bare_s / steps, 1),
        "collect_ms_per_step_1": round(1000 * t1 / steps, 1),
        "overhead_ms_per_step": round(1000 * (t1 - bare_s) / steps, 1),
    }
    print(f"{len(trajs)} trajectories, {steps} steps")
    print(f"bare sandbox (start + actions) : {figures['bare_sandbox_ms_per_step']} ms/step")
    print(f"collect, 1 worker             : {figures['steps_per_s_1']} steps/s ({figures['collect_ms_per_step_1']} ms/step)")
    print(f"collect, 2 workers            : {figures['steps_per_s_2']} steps/s (x{figures['speedup_2_workers']})")
    print(f"replay overhead above bare    : {figures['overhead_ms_per_step']} ms/step (diff before each step, rows, fsync)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
