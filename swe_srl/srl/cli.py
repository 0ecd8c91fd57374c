"""`swe-srl train`: SRL (or the SFT baseline) on step rows from `swe-srl collect`."""

from __future__ import annotations

import logging
from pathlib import Path

import typer


def train(
    ctx: typer.Context,
    config: Path = typer.Option(..., "--config", "-c", exists=True, dir_okay=False, help="Training YAML (see configs/)."),
    data: str = typer.Option(None, "--data", help="Collect output folder, steps .jsonl file or HF dataset name."),
    output: Path = typer.Option(None, "--output", "-o", help="Run folder (output_dir: checkpoints, metrics.jsonl, final/)."),
    method: str = typer.Option(None, "--method", help="srl (GRPO with the step reward) or sft (baseline)."),
    max_steps: int = typer.Option(None, "--max-steps", help="Stop after this many optimizer steps."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the newest checkpoint in the run folder."),
) -> None:
    """Train a policy with Supervised RL on expert steps (or SFT on the same steps).

    Any option of TRL's GRPOConfig/SFTConfig/ModelConfig or SRL's fields can follow as
    `--name value` (e.g. `--learning_rate 3e-6 --num_generations 16`); it overrides the YAML.
    """
    from rich.console import Console

    from swe_srl.srl.config import load_config
    from swe_srl.srl.run import run_training

    if method is not None and method not in ("srl", "sft"):
        raise typer.BadParameter("--method must be srl or sft")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    console = Console()
    try:
        cfg = load_config(config, list(ctx.args), data=data, output_dir=output, method=method, max_steps=max_steps)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from exc
    result = run_training(cfg, resume=resume)
    train_logs = [m for m in result.metrics if "loss" in m and not any(k.startswith("eval_") for k in m)]
    last = train_logs[-1] if train_logs else {}
    keys = ("reward", "kept/reward_mean", "srl/format_failure_rate", "dynamic_sampling/kept_fraction", "loss")
    summary = {k: last[k] for k in keys if k in last}
    console.print(f"[bold green]done[/]: {result.global_step} steps, policy saved to {result.final_dir}")
    if summary:
        console.print("last step: " + ", ".join(f"{k}={v:.4g}" for k, v in summary.items()))


TRAIN_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}
