"""`swe-srl pipeline`: the whole method in one command on the bundled default data.

Images (built offline if missing) -> collect (replay the bundled expert runs) -> train
(tiny CPU SRL config) -> eval of the trained checkpoint and of the replay policy through
the real SWE-bench harness -> one summary of every stage (also saved as summary.json).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from swe_srl import bundled

DEFAULT_CONFIG = bundled.PROJECT_ROOT / "configs" / "tiny-cpu.yaml"


def _reward_curve(metrics: list[dict]) -> list[float]:
    """Mean training reward per logged optimizer step."""
    return [round(m["reward"], 4) for m in metrics if "reward" in m and not any(k.startswith("eval_") for k in m)]


def pipeline(
    out: Path = typer.Option(Path("runs/pipeline"), "--out", "-o", help="Folder for every stage's output."),
    config: Path = typer.Option(DEFAULT_CONFIG, "--config", "-c", exists=True, dir_okay=False, help="Training config."),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Parallel sandboxes in collect and eval."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Override the config's optimizer steps."),
    eval_max_steps: int = typer.Option(30, "--eval-max-steps", help="Agent steps per task when evaluating the trained policy."),
) -> None:
    """Run collect -> train -> eval on the bundled data, offline, and summarise each stage."""
    from swe_srl.collect.pipeline import CollectConfig, run_collect
    from swe_srl.collect.replay import ReplayOptions
    from swe_srl.evaluation.config import EvalConfig
    from swe_srl.evaluation.runner import run_eval
    from swe_srl.srl.config import load_config
    from swe_srl.srl.run import run_training

    console = Console()
    out.mkdir(parents=True, exist_ok=True)
    stages: list[tuple[str, str, float]] = []
    summary: dict = {}

    def stage(name: str):
        console.rule(f"[bold]{name}")
        return time.monotonic()

    t = stage("images")
    built = bundled.ensure_images()
    stages.append(("images", f"{len(built)} built, {len(bundled.bundled_tasks()) - len(built)} already there", time.monotonic() - t))

    t = stage("collect")
    collected = run_collect(
        CollectConfig(trajectories=str(bundled.DEFAULT_TRAJECTORIES), tasks=str(bundled.TASKS_FILE), out=out / "collect",
                      workers=workers, options=ReplayOptions()),
        console,
    ).manifest["totals"]
    summary["collect"] = collected
    stages.append(("collect", f"{collected['steps']} steps from {collected['trajectories']} trajectories, "
                   f"{collected['divergences']} divergent, {collected['errors']} errors", time.monotonic() - t))

    # Later stages start clean: a rerun trains anew and must not reuse old grades.
    for name in ("train", "eval-model", "eval-replay"):
        shutil.rmtree(out / name, ignore_errors=True)

    t = stage("train (SRL, GRPO)")
    result = run_training(load_config(config, data=str(out / "collect"), output_dir=out / "train", max_steps=max_steps))
    curve = _reward_curve(result.metrics)
    summary["train"] = {"steps": result.global_step, "reward_curve": curve, "checkpoint": str(result.final_dir)}
    stages.append(("train", f"{result.global_step} steps, reward per step {curve}, saved {result.final_dir}", time.monotonic() - t))

    for name, policy, model, steps in (("eval-model", "model", str(result.final_dir), eval_max_steps), ("eval-replay", "replay", None, 50)):
        t = stage(f"eval ({policy} policy, SWE-bench harness)")
        report = run_eval(EvalConfig(policy=policy, model=model, out=out / name, workers=workers, max_steps=steps,
                                     run_id=f"pipeline-{policy}"), console)
        summary[name] = {k: report[k] for k in ("resolve_rate", "resolved_ids", "unresolved_ids", "empty_patch_ids", "infra_failure_ids")}
        rate = report["resolve_rate"]
        stages.append((name, f"resolved {len(report['resolved_ids'])}/{len(report['resolved_ids']) + len(report['unresolved_ids']) + len(report['infra_failure_ids'])}"
                       f" ({'n/a' if rate is None else f'{100 * rate:.0f}%'}), empty patches {len(report['empty_patch_ids'])}, "
                       f"infra failures {len(report['infra_failure_ids'])}", time.monotonic() - t))

    table = Table(title="swe-srl pipeline")
    table.add_column("stage")
    table.add_column("result")
    table.add_column("seconds", justify="right")
    for name, text, secs in stages:
        table.add_row(name, text, f"{secs:.0f}")
    console.print(table)
    summary["seconds"] = {name: round(secs, 1) for name, _, secs in stages}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    console.print(f"summary saved to {out / 'summary.json'}")
