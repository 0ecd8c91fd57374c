"""Split a policy output into its inner monologue and its one tool call.

The format is `<think> monologue </think>` followed by exactly one canonical call. The
call is parsed by the shared `parse_calls`, so training, reward and evaluation accept
exactly the same calls. Nothing here raises: a reward function must never take a run down.
"""

from __future__ import annotations

from dataclasses import dataclass

from swe_srl.trajectory.actions import Action, parse_calls

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


@dataclass(frozen=True)
class ParsedOutput:
    """A policy output: the monologue, the action (None when invalid) and why it is invalid."""

    monologue: str
    action: Action | None
    error: str | None

    @property
    def valid(self) -> bool:
        return self.error is None


def _split(text: str) -> ParsedOutput:
    if not isinstance(text, str):
        return ParsedOutput("", None, "not a string")
    opens, closes = text.count(THINK_OPEN), text.count(THINK_CLOSE)
    if opens == 0 or closes == 0:
        return ParsedOutput("", None, "missing <think>...</think> block")
    if opens > 1 or closes > 1:
        return ParsedOutput("", None, "more than one <think> block")
    start, end = text.index(THINK_OPEN), text.index(THINK_CLOSE)
    if end < start:
        return ParsedOutput("", None, "</think> before <think>")
    if text[:start].strip():
        return ParsedOutput("", None, "text before <think>")
    monologue = text[start + len(THINK_OPEN) : end].strip()
    if not monologue:
        return ParsedOutput("", None, "empty <think> block")
    rest = text[end + len(THINK_CLOSE) :]
    calls = parse_calls(rest)
    if calls.error is not None:
        return ParsedOutput(monologue, None, calls.error)
    if calls.prefix.strip():
        return ParsedOutput(monologue, None, "text between </think> and the call")
    tail = rest[rest.rindex("</function>") + len("</function>") :]
    if tail.strip():
        return ParsedOutput(monologue, None, "text after the call")
    return ParsedOutput(monologue, calls.actions[0], None)


def parse_output(text: str) -> ParsedOutput:
    """Parse a completion; `error` says why it breaks the format (None when valid)."""
    try:
        return _split(text)
    except Exception as exc:  # defensive: the reward path must never raise
        return ParsedOutput("", None, f"unparseable output: {exc}")


def parse_completion(text: str) -> tuple[str, Action | None, str | None]:
    """(monologue, action or None, error or None) — the tuple form the eval loop uses."""
    out = parse_output(text)
    return out.monologue, out.action, out.error


def completion_text(completion) -> str:
    """TRL hands completions as text or as chat messages; return the assistant text."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        return "".join(m.get("content", "") or "" for m in completion if isinstance(m, dict))
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    return str(completion)
