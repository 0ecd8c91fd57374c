"""The `swe-srl` command line: one typer app, one sub-app or command per stage."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="swe-srl",
    help="Train SWE agents with Supervised Reinforcement Learning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

# --- stage registrations (one line each) ---
from swe_srl.sandbox.cli import sandbox_app  # noqa: E402

app.add_typer(sandbox_app, name="sandbox")
from swe_srl.srl.cli import TRAIN_CONTEXT, train  # noqa: E402

app.command("train", context_settings=TRAIN_CONTEXT)(train)
from swe_srl.collect.cli import collect  # noqa: E402

app.command("collect")(collect)
from swe_srl.collect.export import export_command  # noqa: E402

app.command("export")(export_command)
from swe_srl.evaluation.cli import eval_command  # noqa: E402

app.command("eval")(eval_command)
from swe_srl.validate import validate_command  # noqa: E402

app.command("validate")(validate_command)
from swe_srl.pipeline import pipeline  # noqa: E402

app.command("pipeline")(pipeline)
# --- end of stage registrations ---


@app.command()
def version() -> None:
    """Print the swe-srl version."""
    from swe_srl import __version__

    typer.echo(__version__)


if __name__ == "__main__":
    app()
