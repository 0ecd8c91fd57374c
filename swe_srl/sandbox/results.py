"""What a tool call gives back (`ToolResult`), and the error for a call a profile cannot
run (`NotReplayable`); shared by the tool runner and the windowed emulator."""

from __future__ import annotations

from dataclasses import dataclass, field

EMPTY_OUTPUT = "Your command ran successfully and did not produce any output."


@dataclass
class ToolResult:
    """An observation for the agent, and what the harness needs to know about it."""

    observation: str
    exit_code: int | None = 0
    submitted: bool = False
    error: bool = False  # the tool refused the call (bad path, not unique, ...)
    timed_out: bool = False
    notes: list[str] = field(default_factory=list)


class NotReplayable(Exception):
    """An action this profile cannot run with its source's semantics.

    It is never handed to bash instead: replay marks the step (and the rest of its
    trajectory) not replayable, with this message as the reason.
    """
