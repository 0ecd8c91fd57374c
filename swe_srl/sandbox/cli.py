"""`swe-srl sandbox ...`: build images, prune leftovers, try a command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from swe_srl.sandbox.base import SandboxError

sandbox_app = typer.Typer(help="Sandbox images and housekeeping.", no_args_is_help=True)
console = Console()


@sandbox_app.command("build-base")
def build_base_cmd(
    tag: str = typer.Option("swe-srl/base:latest", help="Image tag to build."),
    offline: Optional[bool] = typer.Option(
        None, "--offline/--dockerfile", help="Force the debootstrap route or the Dockerfile route (default: Dockerfile, then debootstrap)."
    ),
) -> None:
    """Build the base image (Debian with git, python3, pytest, patch)."""
    from swe_srl.sandbox.images import build_base

    with console.status(f"building {tag} ..."):
        try:
            build_base(tag, offline=offline)
        except (SandboxError, OSError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1)
    console.print(f"built [bold]{tag}[/bold]")


@sandbox_app.command("build-instance")
def build_instance_cmd(
    repo: Path = typer.Option(..., exists=True, help="Git repository (or git bundle file) to put at /testbed."),
    commit: str = typer.Option(..., help="Commit to check out; nothing newer stays in git."),
    tag: str = typer.Option(..., help="Image tag to build."),
    base: str = typer.Option("swe-srl/base:latest", help="Base image."),
    setup: Optional[str] = typer.Option(None, help="Shell command run in /testbed at build time, inside the env (e.g. pip install -e .)."),
    layout: str = typer.Option("swebench", help="swebench: deps in the conda env `testbed`, activated by /root/.bashrc, as SWE-bench images; plain: the base image's system Python."),
    wheels: Optional[Path] = typer.Option(None, exists=True, file_okay=False, help="Folder of wheels that --setup's pip installs from, offline (swebench layout)."),
) -> None:
    """Build a task image: REPO at /testbed checked out at COMMIT, later history removed."""
    from swe_srl.sandbox.images import build_instance_image

    with console.status(f"building {tag} ..."):
        try:
            sha = build_instance_image(repo, commit, tag, base=base, setup=setup, layout=layout, wheels=wheels)
        except (SandboxError, OSError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1)
    console.print(f"built [bold]{tag}[/bold] at {sha}")


@sandbox_app.command("prune")
def prune_cmd(run_id: Optional[str] = typer.Option(None, help="Only this run's containers.")) -> None:
    """Remove containers labelled swe-srl that a crashed run left behind."""
    from swe_srl.sandbox.docker import prune

    try:
        removed = prune(run_id)
    except SandboxError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1)
    console.print(f"removed {len(removed)} container(s)")


@sandbox_app.command("run")
def run_cmd(
    image: str = typer.Argument(..., help="Sandbox image."),
    command: str = typer.Argument(..., help="Shell command to run in /testbed."),
    timeout: float = typer.Option(60.0, help="Seconds before the command is killed."),
    network: bool = typer.Option(False, help="Give the sandbox network access."),
) -> None:
    """Run one command in a fresh sandbox and print what an agent would observe."""
    from swe_srl.sandbox.docker import DockerSandbox

    try:
        with DockerSandbox(image, network=network) as sb:
            res = sb.run(command, timeout=timeout)
    except SandboxError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1)
    typer.echo(res.output, nl=False)
    for note in res.notes:
        console.print(f"[yellow]{note}[/yellow]")
    raise typer.Exit(0 if res.exit_code == 0 else 1)
