"""Prompts for one SRL step: the issue plus the last K expert rounds.

Training, SFT and the evaluation agent loop all build their prompt here, so the policy
sees the same layout everywhere. Long observations are cut head-and-tail with a marker
until the rendered prompt fits the policy's `max_prompt_tokens`; actions and then the
issue are cut only if observations alone cannot make it fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from swe_srl.trajectory.actions import REQUIRED, TOOLS, Action

TOOL_DOCS = {
    "bash": "run one shell command in the repository's container and see its output.",
    "str_replace_editor": (
        "view, create and edit files. `command` is one of view, create, str_replace, insert, undo_edit; "
        "`path` is absolute. view: a file (optionally `view_range`, e.g. [1, 40]) or a directory. "
        "create: `file_text` is the whole new file. str_replace: `old_str` must occur exactly once and is "
        "replaced by `new_str`. insert: `new_str` goes after line `insert_line`. undo_edit: revert the last "
        "edit of `path`."
    ),
    "submit": "submit your changes once the issue is fixed.",
    "think": "write down a thought without touching the repository.",
}


def _tool_lines() -> str:
    lines = []
    for tool, params in TOOLS.items():
        required = set(REQUIRED[tool])
        spec = ", ".join(f"{p}{' (required)' if p in required else ''}" for p in params) or "no parameters"
        lines.append(f"- {tool}: {TOOL_DOCS[tool]} Parameters: {spec}.")
    return "\n".join(lines)


# The examples are rendered by the same code that renders training targets and history.
_EXAMPLE_CALL = Action.make("bash", {"command": 'grep -rn "def parse" /testbed'}).to_text()
_EXAMPLE_MULTILINE = Action.make(
    "str_replace_editor",
    {
        "command": "str_replace",
        "path": "/testbed/pkg/module.py",
        "old_str": "def add(a, b):\n    return a - b",
        "new_str": "def add(a, b):\n    return a + b",
    },
).to_text()

SYSTEM_PROMPT = f"""You are an expert software engineer resolving a GitHub issue in the repository at /testbed. You work one step at a time.

At every step, first think about what to do next inside <think> </think>, then make exactly one tool call, and write nothing after it. A tool call looks like this:

{_EXAMPLE_CALL}

Multi-line parameter values go on their own lines:

{_EXAMPLE_MULTILINE}

Tools:
{_tool_lines()}"""

INSTRUCTION = "Think about the next step inside <think> </think>, then make exactly one tool call."
MIN_KEEP_CHARS = 64  # below this a cut observation says nothing; cut the next part instead


def truncate_middle(text: str, limit: int | None) -> str:
    """Keep the head and tail of `text` within `limit` characters, with a marker between."""
    if limit is None or len(text) <= limit:
        return text
    limit = max(limit, 0)
    head = limit // 2
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n[... {cut} characters truncated ...]\n{text[len(text) - tail:] if tail else ''}"


@dataclass(frozen=True)
class Limits:
    """Per-part character caps used while fitting a prompt (None = no cap)."""

    observation: int | None = None
    action: int | None = None
    issue: int | None = None


def window_rounds(history: Sequence[dict[str, Any]], window: int | str | None) -> list[dict[str, Any]]:
    """The last `window` rounds (`None` or "all" keeps every round)."""
    rounds = list(history)
    if window is None or window == "all":
        return rounds
    window = int(window)
    return rounds[-window:] if window > 0 else []


def user_message(
    problem_statement: str,
    history: Sequence[dict[str, Any]],
    window: int | str | None = 2,
    limits: Limits = Limits(),
) -> str:
    """The user turn: issue, the shown rounds (action + observation), the instruction."""
    shown = window_rounds(history, window)
    first = len(history) - len(shown)
    parts = [f"<issue>\n{truncate_middle(problem_statement.strip(), limits.issue)}\n</issue>"]
    if not history:
        parts.append("You have not taken any steps yet.")
    else:
        header = f"Your previous steps ({len(history)} so far"
        header += f"; the {first} earlier ones are not shown):" if first else "):"
        parts.append(header)
        for i, rnd in enumerate(shown, start=first + 1):
            action = truncate_middle(str(rnd.get("action", "")).strip(), limits.action)
            observation = truncate_middle(str(rnd.get("observation", "") or ""), limits.observation).rstrip()
            parts.append(f"## Step {i}\nAction:\n{action}\nObservation:\n{observation or '(no output)'}")
    parts.append(INSTRUCTION)
    return "\n\n".join(parts)


def build_messages(
    problem_statement: str,
    history: Sequence[dict[str, Any]],
    window: int | str | None = 2,
    *,
    limits: Limits = Limits(),
    system_prompt: str = SYSTEM_PROMPT,
) -> list[dict[str, str]]:
    """System + one user message for the next step after `history`.

    `history` items are dicts with "action" (canonical call text) and "observation";
    "thought" is ignored: the expert's own thoughts are not shown to the policy.
    """
    return [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": user_message(problem_statement, history, window, limits)},
    ]


def render_messages(messages: list[dict[str, str]], tokenizer, chat_template_kwargs: dict | None = None) -> str:
    """Messages -> prompt text through the tokenizer's chat template, ready for generation."""
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=True, **(chat_template_kwargs or {})
    )


def count_tokens(text: str, tokenizer) -> int:
    """Tokens TRL will feed for a text prompt (it tokenizes with special tokens on)."""
    return len(tokenizer(text)["input_ids"])


def _cap_removing(lengths: list[int], remove: int, floor: int) -> int | None:
    """Largest cap >= floor such that capping `lengths` removes at least `remove` chars."""
    if not lengths or remove <= 0:
        return None
    if sum(max(0, n - floor) for n in lengths) < remove:
        return None
    lo, hi = floor, max(lengths)
    while lo < hi:  # binary search on the cap: removed chars decrease as the cap grows
        mid = (lo + hi + 1) // 2
        if sum(max(0, n - mid) for n in lengths) >= remove:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _capped(n: int, cap: int | None) -> int:
    return n if cap is None else min(n, cap)


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    messages: list[dict[str, str]]
    num_tokens: int
    truncated: bool
    fits: bool


def render_prompt(
    problem_statement: str,
    history: Sequence[dict[str, Any]],
    tokenizer,
    max_prompt_tokens: int | None,
    window: int | str | None = 2,
    *,
    system_prompt: str = SYSTEM_PROMPT,
    chat_template_kwargs: dict | None = None,
    max_attempts: int = 16,
) -> RenderedPrompt:
    """Build, fit and render the prompt for the next step.

    Cuts the shown observations first (largest first, head+tail with a marker), then the
    shown actions, then the issue, re-measuring with the tokenizer after each cut. `fits`
    is False only when even the floors cannot fit (the system prompt alone is too long).
    """
    shown = window_rounds(history, window)
    limits = Limits()
    truncated = False
    for _ in range(max_attempts):
        messages = build_messages(problem_statement, history, window, limits=limits, system_prompt=system_prompt)
        text = render_messages(messages, tokenizer, chat_template_kwargs)
        n = count_tokens(text, tokenizer)
        if max_prompt_tokens is None or n <= max_prompt_tokens:
            return RenderedPrompt(text, messages, n, truncated, True)
        # chars to drop, from this text's chars-per-token, with margin for the markers
        remove = int((n - max_prompt_tokens) * len(text) / n * 1.1) + 48
        parts = {
            "observation": [_capped(len(str(r.get("observation", "") or "")), limits.observation) for r in shown],
            "action": [_capped(len(str(r.get("action", ""))), limits.action) for r in shown],
            "issue": [_capped(len(problem_statement), limits.issue)],
        }
        progressed = False
        for field, lengths in parts.items():
            room = sum(max(0, x - MIN_KEEP_CHARS) for x in lengths)
            if room <= 0:
                continue
            cap = _cap_removing(lengths, remove, MIN_KEEP_CHARS)
            limits = Limits(**{**limits.__dict__, field: MIN_KEEP_CHARS if cap is None else cap})
            progressed = True
            if cap is not None:
                break
            remove -= room  # this part gave all it can; take the rest from the next one
        if not progressed:
            break
        truncated = True
    messages = build_messages(problem_statement, history, window, limits=limits, system_prompt=system_prompt)
    text = render_messages(messages, tokenizer, chat_template_kwargs)
    n = count_tokens(text, tokenizer)
    return RenderedPrompt(text, messages, n, truncated, max_prompt_tokens is None or n <= max_prompt_tokens)
