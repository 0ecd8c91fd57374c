"""`swe-srl collect`: the typer command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from swe_srl import bundled


def collect(
    trajectories: Optional[str] = typer.Option(None, "--trajectories", "-t", help="Trajectory file, folder, or Hugging Face dataset (name or name:split). Default: the bundled experts."),
    tasks: Optional[str] = typer.Option(None, "--tasks", help="Task rows (SWE-bench shape): .json/.jsonl/.parquet or a HF dataset. Default: the bundled tasks."),
    fmt: str = typer.Option("auto", "--format", "-f", help="auto, openhands, openhands_text, swe_agent, swe_smith, nebius, mini_swe_agent, canonical."),
    out: Path = typer.Option(Path("runs/collect"), "--out", "-o", help="Output folder (trajectories.jsonl, steps.jsonl, index.jsonl, manifest.json)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Parallel sandboxes."),
    sandbox: str = typer.Option("docker", "--sandbox", help="docker, or local (NOT isolated: runs commands on this machine)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Read at most N trajectories."),
    strict: bool = typer.Option(False, "--strict", help="Fail on the first bad trajectory instead of reporting and skipping it."),
    replay: bool = typer.Option(True, "--replay/--no-replay", help="Replay actions in sandboxes, or use recorded observations only (no Docker)."),
    include_unresolved: bool = typer.Option(False, "--include-unresolved", help="Keep trajectories that did not resolve their task."),
    split: str = typer.Option("train", help="Split of a Hugging Face trajectory dataset."),
    tasks_split: Optional[str] = typer.Option(None, "--tasks-split", help="Split of a Hugging Face task dataset (default: the one it publishes: train for SWE-smith and SWE-Gym, else test)."),
    image_source: Optional[str] = typer.Option(None, "--image-source", help="Image names for rows without `image`: swebench, swegym (OpenHands' xingyaoww/sweb.eval.*) or swesmith. Default: from the --tasks (else --trajectories) dataset name, else per row."),
    repos: Optional[Path] = typer.Option(None, help="Local sandbox: folder of git repositories named by instance id."),
    action_timeout: float = typer.Option(120.0, help="Seconds before one replayed action is killed."),
    divergence_threshold: float = typer.Option(0.2, help="Flag a step whose replayed observation differs from the recorded one by more than this (1 - similarity)."),
    network: bool = typer.Option(False, help="Give replay sandboxes network access."),
    tool_profile: Optional[str] = typer.Option(None, "--tool-profile", help="Tools to replay with: swe-agent, openhands, swe-agent-windowed or swe-agent-windowed-1.x. Default: the tools that recorded each trajectory (from its format)."),
    instance_ids: Optional[str] = typer.Option(None, "--instance-ids", help="Only trajectories of these task instances (comma-separated)."),
) -> None:
    """Replay expert trajectories in sandboxes and write one training step per expert action."""
    from swe_srl.collect.pipeline import CollectConfig, StrictError, run_collect
    from swe_srl.collect.replay import ReplayOptions
    from swe_srl.sandbox.tools import check_profile

    if tool_profile is not None:
        try:
            check_profile(tool_profile)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--tool-profile")

    from swe_srl.sandbox.images import IMAGE_SOURCES

    if image_source is not None and image_source not in IMAGE_SOURCES:
        raise typer.BadParameter(f"choose one of {', '.join(IMAGE_SOURCES)}", param_hint="--image-source")
    console = Console(stderr=True)
    default_data = trajectories is None
    trajectories = trajectories or str(bundled.DEFAULT_TRAJECTORIES)
    if tasks is None and (default_data or Path(trajectories).resolve().is_relative_to(bundled.BUNDLE_DIR)):
        tasks = str(bundled.TASKS_FILE)
    if replay and sandbox == "docker" and tasks == str(bundled.TASKS_FILE):
        with console.status("building the bundled task images (first run only) ..."):
            bundled.ensure_images()
    cfg = CollectConfig(
        trajectories=trajectories, out=out, tasks=tasks, fmt=fmt, workers=workers, sandbox=sandbox, limit=limit,
        strict=strict, replay=replay, include_unresolved=include_unresolved, split=split,
        tasks_split=tasks_split, image_source=image_source,
        instance_ids=frozenset(i.strip() for i in instance_ids.split(",") if i.strip()) if instance_ids else None,
        options=ReplayOptions(sandbox=sandbox, action_timeout=action_timeout, divergence_threshold=divergence_threshold,
                              network=network, repos=repos, tool_profile=tool_profile),
    )
    try:
        result = run_collect(cfg, console)
    except StrictError as exc:
        console.print(f"[red]--strict: stopping on a bad trajectory:[/red] {exc}")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: finished trajectories are saved; rerun the same command to resume[/yellow]")
        raise typer.Exit(130)
    console.print(f"wrote {result.manifest['totals']['steps']} steps to {out / 'steps.jsonl'}, their rounds to {out / 'trajectories.jsonl'} "
                  f"(manifest: {out / 'manifest.json'}; one row per step: swe-srl export --data {out})")
