"""`swe-srl sandbox ...`: build images, prune leftovers."""

from __future__ import annotations

import typer

sandbox_app = typer.Typer(help="Sandbox images and housekeeping.", no_args_is_help=True)
