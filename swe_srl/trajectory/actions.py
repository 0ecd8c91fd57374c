"""Canonical tool calls and their one text form.

Every reader maps its source's tool names and arguments onto these four tools, and
training, reward and evaluation compare the same text, so there is exactly one way to
render a call (fixed parameter order, absent parameters left out) and one parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

TOOLS: dict[str, tuple[str, ...]] = {
    "bash": ("command",),
    "str_replace_editor": (
        "command",
        "path",
        "file_text",
        "old_str",
        "new_str",
        "insert_line",
        "view_range",
    ),
    "submit": (),
    "think": ("thought",),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "bash": ("command",),
    "str_replace_editor": ("command", "path"),
    "submit": (),
    "think": ("thought",),
}

# Names used by OpenHands, SWE-agent and friends for the same tools.
TOOL_ALIASES: dict[str, str] = {
    "bash": "bash",
    "execute_bash": "bash",
    "cmd_run": "bash",
    "run": "bash",
    "str_replace_editor": "str_replace_editor",
    "str_replace_based_edit_tool": "str_replace_editor",
    "edit_file": "str_replace_editor",
    "submit": "submit",
    "finish": "submit",
    "think": "think",
}

EDITOR_COMMANDS = ("view", "create", "str_replace", "insert", "undo_edit")


class ActionError(ValueError):
    """A call that cannot be made canonical (unknown tool, missing parameter...)."""


def canonical_tool(name: str) -> str:
    """Map a source tool name to a canonical one, or raise ActionError."""
    tool = TOOL_ALIASES.get(name.strip())
    if tool is None:
        raise ActionError(f"unknown tool {name!r}")
    return tool


def _arg_text(value: Any) -> str:
    """Render one argument value as it appears between parameter tags."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value))
    return str(value)


@dataclass(frozen=True)
class Action:
    """One canonical tool call: a tool name and its string arguments."""

    tool: str
    args: dict[str, str] = field(default_factory=dict)

    @classmethod
    def make(cls, tool: str, args: dict[str, Any] | None = None, *, strict: bool = True) -> "Action":
        """Build a canonical action from source names and loosely typed values.

        Unknown parameters are dropped unless ``strict`` (then they are an error),
        values become strings (lists as JSON, e.g. ``view_range`` "[1, 20]").
        """
        tool = canonical_tool(tool)
        allowed = TOOLS[tool]
        clean: dict[str, str] = {}
        for key, value in (args or {}).items():
            if value is None:
                continue
            if key not in allowed:
                if tool == "submit":  # e.g. OpenHands finish(message=...) carries no call data
                    continue
                if strict:
                    raise ActionError(f"tool {tool!r} has no parameter {key!r}")
                continue
            clean[key] = _arg_text(value)
        missing = [p for p in REQUIRED[tool] if p not in clean]
        if missing:
            raise ActionError(f"tool {tool!r} is missing required parameter(s) {', '.join(missing)}")
        if tool == "str_replace_editor" and clean["command"] not in EDITOR_COMMANDS:
            raise ActionError(f"unknown str_replace_editor command {clean['command']!r}")
        ordered = {p: clean[p] for p in allowed if p in clean}
        return cls(tool, ordered)

    def to_text(self) -> str:
        """The canonical XML function-call form."""
        return to_text(self.tool, self.args)

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "args": dict(self.args)}


def to_text(tool: str, args: dict[str, str]) -> str:
    """Render a call as ``<function=TOOL>`` with one ``<parameter=...>`` per argument."""
    lines = [f"<function={tool}>"]
    for name in TOOLS.get(tool, tuple(args)):
        if name in args:
            value = args[name]
            # Multi-line values sit on their own lines, as in SWE-smith's renderings;
            # the parser strips exactly that one newline on each side, so this round-trips.
            if "\n" in value:
                value = f"\n{value}\n"
            lines.append(f"<parameter={name}>{value}</parameter>")
    lines.append("</function>")
    return "\n".join(lines)


_FUNCTION_RE = re.compile(r"<function=([^>\s]*)>(.*?)</function>", re.DOTALL)
_PARAM_RE = re.compile(r"<parameter=([^>\s]*)>(.*?)</parameter>", re.DOTALL)
_OPEN_FUNCTION_RE = re.compile(r"<function=")


@dataclass(frozen=True)
class ParsedCalls:
    """What the parser found in a text: the calls, and why it is not one clean call."""

    actions: list[Action]
    error: str | None  # None when the text holds exactly one valid call
    prefix: str  # text before the first call (a thought, a monologue)


def _strip_value(value: str) -> str:
    # A newline right after the opening tag or right before the closing one is
    # layout (see to_text), not content.
    if value.startswith("\n"):
        value = value[1:]
    if value.endswith("\n"):
        value = value[:-1]
    return value


def parse_calls(text: str) -> ParsedCalls:
    """Find every ``<function=...>`` call in a text. Never raises.

    ``error`` is set when there is no call, more than one, an unclosed or malformed
    call, an unknown tool, a duplicated or unknown parameter, or a missing required one.
    """
    try:
        return _parse_calls(text)
    except Exception as exc:  # a parser used in a reward must never take a run down
        return ParsedCalls([], f"unparseable call: {exc}", "")


def _parse_calls(text: str) -> ParsedCalls:
    if not isinstance(text, str):
        return ParsedCalls([], "not a string", "")
    matches = list(_FUNCTION_RE.finditer(text))
    opened = len(_OPEN_FUNCTION_RE.findall(text))
    prefix = text[: matches[0].start()] if matches else text
    if not matches:
        return ParsedCalls([], "malformed call: <function=...> is not closed" if opened else "no tool call", prefix)
    actions: list[Action] = []
    errors: list[str] = []
    for m in matches:
        name, body = m.group(1), m.group(2)
        params: dict[str, str] = {}
        leftover = _PARAM_RE.sub("", body)
        if leftover.strip():
            errors.append(f"malformed call: text outside parameters in <function={name}>")
        for p in _PARAM_RE.finditer(body):
            if p.group(1) in params:
                errors.append(f"parameter {p.group(1)!r} given twice")
            params[p.group(1)] = _strip_value(p.group(2))
        try:
            actions.append(Action.make(name, params))
        except ActionError as exc:
            errors.append(str(exc))
    if opened != len(matches):
        errors.append("malformed call: a <function=...> is not closed")
    if len(matches) > 1:
        errors.insert(0, f"expected exactly one tool call, found {len(matches)}")
    return ParsedCalls(actions, "; ".join(errors) or None, prefix)


def parse_action(text: str) -> Action:
    """Parse text holding exactly one valid call, or raise ActionError."""
    parsed = parse_calls(text)
    if parsed.error:
        raise ActionError(parsed.error)
    return parsed.actions[0]
