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


FUNCTION_CLOSE = "</function>"
PARAM_OPEN = "<parameter="
PARAM_CLOSE = "</parameter>"
_HEADER_RE = re.compile(r"<function=([^>\s]*)>")
_PARAM_TAG_RE = re.compile(r"<parameter=([^>\s]*)>")
_WS_RE = re.compile(r"\s*")
_MAX_ENDS = 64  # candidate `</function>` positions tried per call
_BUDGET = 20_000  # value ends examined per call (all readings together) before giving up


@dataclass(frozen=True)
class ParsedCalls:
    """What the parser found in a text: the calls, and why it is not one clean call."""

    actions: list[Action]
    error: str | None  # None when the text holds exactly one valid call
    prefix: str  # text before the first call (a thought, a monologue)
    suffix: str = ""  # text after the last call read


def _strip_value(value: str) -> str:
    # A newline right after the opening tag or right before the closing one is
    # layout (see to_text), not content.
    if value.startswith("\n"):
        value = value[1:]
    if value.endswith("\n"):
        value = value[:-1]
    return value


class _Body:
    """Reads one call body (between `<function=NAME>` and its `</function>`).

    A value ends only at a `</parameter>` followed (after whitespace) by the next
    parameter tag or by the end of the body, at the first such place that gives a valid
    call: a later one is tried only when the earlier reading is invalid (an unknown or
    repeated parameter, a missing required one), so values may hold any markup.
    """

    def __init__(self, tool: str, body: str, budget: list[int]):
        self.tool, self.body = tool, body
        self.budget = budget  # shared by every reading of one call: [value ends left]
        self.error: str | None = None

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def read(self) -> Action | None:
        return self._params(_WS_RE.match(self.body).end(), {})

    def _params(self, k: int, params: dict[str, str]) -> Action | None:
        body = self.body
        if k == len(body):
            try:
                return Action.make(self.tool, params)
            except ActionError as exc:
                self._fail(str(exc))
                return None
        tag = _PARAM_TAG_RE.match(body, k)
        if tag is None:
            self._fail(f"malformed call: text outside parameters in <function={self.tool}>")
            return None
        name = tag.group(1)
        if name in params:
            self._fail(f"parameter {name!r} given twice")
            return None
        if len(params) >= max(len(TOOLS[self.tool]), 1):
            self._fail(f"tool {self.tool!r} takes at most {len(TOOLS[self.tool])} parameters")
            return None
        start = tag.end()
        close = body.find(PARAM_CLOSE, start)
        closed = False
        while close != -1:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                self._fail(f"malformed call: <function={self.tool}> is too ambiguous to read")
                return None
            after = close + len(PARAM_CLOSE)
            nxt = _WS_RE.match(body, after).end()
            if nxt == len(body) or body.startswith(PARAM_OPEN, nxt):
                closed = True
                found = self._params(nxt, {**params, name: _strip_value(body[start:close])})
                if found is not None or self.budget[0] < 0:
                    return found
            close = body.find(PARAM_CLOSE, after)
        if not closed:
            self._fail(f"malformed call: parameter {name!r} is not closed in <function={self.tool}>")
        return None


def _read_call(text: str, header: re.Match) -> tuple[Action | None, str | None, int]:
    """The call opened by `header`: (action or None, error or None, index after it; -1 if unclosed).

    The call ends at the first `</function>` followed by nothing but whitespace or by
    the next call that gives a valid reading; failing that, at any later `</function>`
    (text after the call is the caller's business).
    """
    name = header.group(1)
    try:
        tool = canonical_tool(name)
    except ActionError as exc:
        end = text.find(FUNCTION_CLOSE, header.end())
        return None, str(exc), (-1 if end == -1 else end + len(FUNCTION_CLOSE))
    ends: list[tuple[bool, int]] = []
    e = text.find(FUNCTION_CLOSE, header.end())
    while e != -1 and len(ends) < _MAX_ENDS:
        rest = e + len(FUNCTION_CLOSE)
        nxt = _WS_RE.match(text, rest).end()
        ends.append((not (nxt == len(text) or _HEADER_RE.match(text, nxt)), e))
        e = text.find(FUNCTION_CLOSE, rest)
    if not ends:
        return None, "malformed call: <function=...> is not closed", -1
    ends.sort()
    budget = [_BUDGET]
    first_error: str | None = None
    for _, e in ends:
        reader = _Body(tool, text[header.end() : e], budget)
        action = reader.read()
        if action is not None:
            return action, None, e + len(FUNCTION_CLOSE)
        first_error = first_error or reader.error
        if budget[0] < 0:
            break
    return None, first_error or "malformed call", ends[0][1] + len(FUNCTION_CLOSE)


def parse_calls(text: str) -> ParsedCalls:
    """Find every ``<function=...>`` call in a text. Never raises.

    A parameter value may hold any text, tags included: it ends only where
    ``</parameter>`` is followed (after whitespace) by the next parameter tag or the
    call's end, at the first such place that gives a valid call, and a call ends at the
    first ``</function>`` followed by nothing or by the next call. So the canonical text
    of an action reads back as that action unless one of its values holds
    ``</parameter>`` + whitespace + a parameter tag the call could still take, or
    ``</function>`` + whitespace + a call (both are read as the boundary, as in
    SWE-agent's layout); `roundtrip_errors` reports such actions.

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
    header = _HEADER_RE.search(text)
    if header is None:
        error = "malformed call: <function=...> is not closed" if "<function=" in text else "no tool call"
        return ParsedCalls([], error, text)
    prefix = text[: header.start()]
    actions: list[Action] = []
    errors: list[str] = []
    found = 0
    pos = header.start()
    while header is not None:
        found += 1
        action, error, end = _read_call(text, header)
        if action is not None:
            actions.append(action)
        if error:
            errors.append(error)
        if end == -1:
            pos = len(text)
            break
        pos = end
        header = _HEADER_RE.search(text, pos)
    if found > 1:
        errors.insert(0, f"expected exactly one tool call, found {found}")
    return ParsedCalls(actions, "; ".join(errors) or None, prefix, text[pos:])


def parse_action(text: str) -> Action:
    """Parse text holding exactly one valid call, or raise ActionError."""
    parsed = parse_calls(text)
    if parsed.error:
        raise ActionError(parsed.error)
    return parsed.actions[0]


def roundtrip_error(action: Action) -> str | None:
    """Why the canonical text of `action` does not read back as `action` (None when it does)."""
    parsed = parse_calls(action.to_text())
    if parsed.error:
        return parsed.error
    if parsed.actions != [action]:
        return "reads back as a different action"
    if parsed.prefix or parsed.suffix:
        return "reads back with text outside the call"
    return None


def roundtrip_errors(traj: Any) -> list[tuple[int, str]]:
    """(round index, reason) for every round of a trajectory whose action does not round-trip.

    `traj` is a `Trajectory` (anything with `.rounds` holding `.action`). Collect calls
    this once per trajectory and reports what it returns: such an expert action cannot
    be reproduced for reward (parse(render(a)) != a).
    """
    errors = []
    for k, rnd in enumerate(getattr(traj, "rounds", ()) or ()):
        reason = roundtrip_error(rnd.action)
        if reason is not None:
            errors.append((k, reason))
    return errors
