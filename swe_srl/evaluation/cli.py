"""`swe-srl eval`: the typer command (flags map one to one onto EvalConfig)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console


def _instances(value: str | None) -> list[str] | None:
    """A file with one id per line (# comments allowed), or comma-separated ids."""
    if not value:
        return None
    path = Path(value)
    if path.is_file():
        lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
        return [line for line in lines if line]
    return [v.strip() for v in value.split(",") if v.strip()]


def eval_command(
    tasks: Optional[str] = typer.Option(None, "--tasks", help="Task rows: .json/.jsonl/.parquet, folder, or HF dataset (e.g. SWE-bench/SWE-bench_Verified). Default: the bundled tasks."),
    policy: str = typer.Option("replay", "--policy", help="replay, model (a swe-srl train checkpoint), endpoint (OpenAI-compatible server), noop, garbage."),
    model: Optional[str] = typer.Option(None, "--model", help="model: checkpoint folder; endpoint: the served model name."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="endpoint: e.g. http://localhost:8000/v1 (default $OPENAI_BASE_URL). Key: $SWE_SRL_API_KEY or $OPENAI_API_KEY."),
    trajectories: Optional[str] = typer.Option(None, "--trajectories", help="replay: expert trajectories (any supported format). Default: the bundled experts."),
    setting: str = typer.Option("end-to-end", "--setting", help="end-to-end (issue only) or oracle-files (issue + the files the gold patch touches)."),
    max_steps: int = typer.Option(50, "--max-steps", min=1, help="Policy calls per task."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", min=1, help="Completion tokens per task (all steps)."),
    time_limit: Optional[float] = typer.Option(1800.0, "--time-limit", help="Wall-clock seconds per task."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Tasks worked and graded in parallel."),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="Names the run; rerunning with the same id (and --out) skips finished instances."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default runs/eval/<run-id>): predictions.jsonl, report.json, trajectories/, instances/, logs/."),
    instances: Optional[str] = typer.Option(None, "--instances", help="Instance ids to run: a file (one per line, e.g. eval/instances/bundled.txt) or id1,id2."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N tasks."),
    split: Optional[str] = typer.Option(None, "--tasks-split", "--split", help="Split of a Hugging Face task dataset (default: the one it publishes: train for SWE-smith and SWE-Gym, else test)."),
    image_source: Optional[str] = typer.Option(None, "--image-source", help="Image names for rows without `image`: swebench, swegym (OpenHands' xingyaoww/sweb.eval.*) or swesmith. Default: from the --tasks dataset name, else per row."),
    tool_profile: Optional[str] = typer.Option(None, "--tool-profile", help="Tools the agent calls: swe-agent, openhands, swe-agent-windowed or swe-agent-windowed-1.x. Default: the policy's (a checkpoint's training profile; a replayed run's source tools), else swe-agent."),
    window: Optional[str] = typer.Option(None, "--window", help="Rounds shown per prompt: N or 'all' (default: the policy's training window, 2)."),
    temperature: float = typer.Option(0.0, "--temperature", help="0 = greedy (the paper's setting)."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", help="Per step (default: the checkpoint's max_completion_tokens; endpoint 4096)."),
    device: Optional[str] = typer.Option(None, "--device", help="model policy: cpu, cuda, cuda:1 ..."),
    action_timeout: float = typer.Option(120.0, "--action-timeout", help="Seconds before one tool call is killed."),
    harness_timeout: int = typer.Option(1800, "--harness-timeout", help="Seconds for the SWE-bench test run of one instance."),
    build_images: bool = typer.Option(True, "--build-images/--no-build-images", help="Build missing bundled task images offline."),
    pull: bool = typer.Option(True, "--pull/--no-pull", help="Try to pull task images that are not local."),
    network: bool = typer.Option(False, "--network", help="Give the agent's sandboxes network access."),
    sandbox: str = typer.Option("docker", "--sandbox", help="Where the agent works: docker, or local (a copy of the repository, NOT isolated: commands run on this machine as you). Grading always runs in Docker."),
    repos: Optional[str] = typer.Option(None, "--repos", help="local sandbox: folder holding DIR/<instance_id> git repositories (default: the bundled tasks' repos)."),
    summary_rows: int = typer.Option(50, "--summary-rows", help="Instances shown in the on-screen table."),
) -> None:
    """Run a policy as an agent on tasks in sandboxes and grade its patches with the SWE-bench harness."""
    from pydantic import ValidationError

    from swe_srl.evaluation.config import EvalConfig
    from swe_srl.evaluation.report import print_summary
    from swe_srl.evaluation.runner import run_eval

    console = Console(stderr=True)
    try:
        cfg = EvalConfig(
            tasks=tasks, policy=policy, model=model, base_url=base_url, trajectories=trajectories, setting=setting,
            max_steps=max_steps, max_total_tokens=max_tokens, time_limit=time_limit, workers=workers, run_id=run_id,
            out=out, instances=_instances(instances), limit=limit, split=split, image_source=image_source, tool_profile=tool_profile,
            window=None if window is None else (window if window == "all" else int(window)),
            temperature=temperature, max_new_tokens=max_new_tokens, device=device, action_timeout=action_timeout,
            harness_timeout=harness_timeout, build_images=build_images, pull=pull, network=network,
            sandbox=sandbox, repos=repos,
        )
    except (ValidationError, ValueError) as exc:
        console.print(f"[red]bad eval options:[/red] {exc}")
        raise typer.Exit(2)
    try:
        report = run_eval(cfg, console)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: finished instances are saved; rerun with the same --run-id and --out to resume[/yellow]")
        raise typer.Exit(130)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]eval failed:[/red] {exc}")
        raise typer.Exit(2)
    print_summary(report, Console(), max_rows=summary_rows)
    console.print(f"report: {Path(report['predictions']).parent / 'report.json'}")
