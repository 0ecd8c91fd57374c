"""The policy's output format, both ways: `<think> monologue </think>` + exactly one call.

`render_completion` is the one renderer of that format (SFT targets, the replay policy
in eval, tests); `parse_output` reads it back. The monologue ends at the first
`</think>` (the renderer escapes that tag inside a monologue), and the call is read by
the shared `parse_calls`, so training, reward and evaluation accept exactly the same
calls and a rendered completion always parses back to its action. Nothing here raises:
a reward function must never take a run down.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from swe_srl.trajectory.actions import Action, parse_calls

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
THINK_CLOSE_ESCAPED = "&lt;/think>"


@dataclass(frozen=True)
class ParsedOutput:
    """A policy output: the monologue, the action (None when invalid) and why it is invalid."""

    monologue: str
    action: Action | None
    error: str | None

    @property
    def valid(self) -> bool:
        return self.error is None


def clean_monologue(text: str | None, tool: str = "") -> str:
    """A monologue the format can carry: stripped, `</think>` escaped, never empty."""
    text = (text or "").strip().replace(THINK_CLOSE, THINK_CLOSE_ESCAPED)
    return text or f"Next I call {tool or 'the tool'}."


def render_completion(monologue: str | None, action: Action | str, tool: str = "") -> str:
    """The one rendering of a step: `<think>\nMONOLOGUE\n</think>\n` + the canonical call.

    `action` is an Action or a call's text (made canonical when it parses; kept as it
    is otherwise). An empty monologue becomes a one-line note naming the tool, since an
    empty think block is invalid.
    """
    if isinstance(action, Action):
        call, tool = action.to_text(), tool or action.tool
    else:
        call = canonical_call(action)
    return f"{THINK_OPEN}\n{clean_monologue(monologue, tool)}\n{THINK_CLOSE}\n{call}"


@lru_cache(maxsize=65536)
def canonical_call(text: str) -> str:
    """The canonical text of the one call in `text`; `text` unchanged when it is not one valid call.

    Cached: the reward canonicalises every expert text once, not once per rollout.
    """
    calls = parse_calls(text)
    if calls.error is not None or calls.prefix.strip() or calls.suffix.strip():
        return text
    return calls.actions[0].to_text()


def _split(text: str) -> ParsedOutput:
    if not isinstance(text, str):
        return ParsedOutput("", None, "not a string")
    start, end = text.find(THINK_OPEN), text.find(THINK_CLOSE)
    if start == -1 or end == -1:
        return ParsedOutput("", None, "missing <think>...</think> block")
    if end < start:
        return ParsedOutput("", None, "</think> before <think>")
    if text[:start].strip():
        return ParsedOutput("", None, "text before <think>")
    monologue = text[start + len(THINK_OPEN) : end].strip()  # it ends at the first </think>
    rest = text[end + len(THINK_CLOSE) :]
    if rest.lstrip().startswith(THINK_OPEN):
        return ParsedOutput("", None, "more than one <think> block")
    if not monologue:
        return ParsedOutput("", None, "empty <think> block")
    calls = parse_calls(rest)
    if calls.error is not None:
        return ParsedOutput(monologue, None, calls.error)
    if calls.prefix.strip():
        return ParsedOutput(monologue, None, "text between </think> and the call")
    if calls.suffix.strip():
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
