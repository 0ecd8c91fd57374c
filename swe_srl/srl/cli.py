"""`swe-srl train`: SRL (or the SFT baseline) on step rows from `swe-srl collect`."""

from __future__ import annotations

import logging
from pathlib import Path

import typer


def train(
    config: Path = typer.Option(..., "--config", "-c", exists=True, dir_okay=False, help="Training YAML (see configs/)."),
    data: str = typer.Option(None, "--data", help="Collect output folder, steps .jsonl file or HF dataset name."),
    output: Path = typer.Option(None, "--output", "-o", help="Run folder (checkpoints, metrics.jsonl, final/)."),
    method: str = typer.Option(None, "--method", help="srl (GRPO with the step reward) or sft (baseline)."),
    max_steps: int = typer.Option(None, "--max-steps", help="Stop after this many optimizer steps."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the newest checkpoint in the run folder."),
) -> None:
    """Train a policy with Supervised RL on expert steps (or SFT on the same steps)."""
    from rich.console import Console

    from swe_srl.srl.config import load_config
    from swe_srl.srl.run import run_training

    if method is not None and method not in ("srl", "sft"):
        raise typer.BadParameter("--method must be srl or sft")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    console = Console()
    cfg = load_config(config)
    result = run_training(cfg, data=data, output_dir=output, method=method, max_steps=max_steps, resume=resume)
    train_logs = [m for m in result.metrics if "loss" in m and not any(k.startswith("eval_") for k in m)]
    last = train_logs[-1] if train_logs else {}
    summary = {k: last[k] for k in ("reward", "srl/format_failure_rate", "dynamic_sampling/kept_fraction", "loss") if k in last}
    console.print(f"[bold green]done[/]: {result.global_step} steps, policy saved to {result.final_dir}")
    if summary:
        console.print("last step: " + ", ".join(f"{k}={v:.4g}" for k, v in summary.items()))
