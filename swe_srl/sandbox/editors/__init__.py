"""str_replace_editor profiles: one module per real editor whose output is reproduced.

`make_editor(profile, sandbox)` gives a callable taking the canonical editor arguments
(all strings, `view_range` as JSON) that returns the observation, or raises
`EditorError` (its message is the observation, `exit_code` the tool's) for a refused
call. Profiles: `swe-agent` (and `swe-agent-windowed`, whose editor is the same tool):
SWE-agent's edit_anthropic; `openhands`: openhands-aci 0.1.2 as OpenHands wraps it.
"""

from __future__ import annotations

from typing import Callable, Protocol

from swe_srl.sandbox.base import Sandbox
from swe_srl.sandbox.editors.common import EditorError
from swe_srl.sandbox.editors.openhands import OpenHandsEditor
from swe_srl.sandbox.editors.swe_agent import SweAgentEditor


class Editor(Protocol):
    profile: str

    def __call__(self, args: dict[str, str]) -> str: ...


EDITORS: dict[str, Callable[[Sandbox], Editor]] = {
    "swe-agent": SweAgentEditor,
    "swe-agent-windowed": SweAgentEditor,
    "openhands": OpenHandsEditor,
}


def make_editor(profile: str, sandbox: Sandbox) -> Editor:
    try:
        factory = EDITORS[profile]
    except KeyError:
        raise ValueError(f"no str_replace_editor for tool profile {profile!r}; choose one of {', '.join(EDITORS)}") from None
    return factory(sandbox)


__all__ = ["EDITORS", "Editor", "EditorError", "OpenHandsEditor", "SweAgentEditor", "make_editor"]
