"""The agent's tools, run through any Sandbox: bash, str_replace_editor, submit, think.

str_replace_editor prints what the editor that recorded the trajectory printed, chosen
by the runner's tool profile (see `swe_srl.sandbox.editors`), so replayed observations
line up with recorded ones. The editors work on the host side through
`read_file`/`write_file` plus small shell probes (`find` for directory listings):
nothing but a POSIX shell is needed inside the sandbox.
"""

from __future__ import annotations

from swe_srl.sandbox.base import CommandResult, Sandbox
from swe_srl.sandbox.editors import Editor, make_editor
from swe_srl.sandbox.editors.common import EditorError
from swe_srl.sandbox.results import EMPTY_OUTPUT, NotReplayable, ToolResult  # noqa: F401 (NotReplayable: callers import it from here)
from swe_srl.trajectory.actions import Action

SNIPPET_LINES = 4


def _decode(data: bytes) -> str:
    # surrogateescape keeps undecodable bytes through an edit round trip.
    return data.decode("utf-8", errors="surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _shown(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def numbered(text: str, descriptor: str, init_line: int = 1) -> str:
    """The `cat -n` rendering the SWE-agent editor returns."""
    body = "\n".join(f"{i + init_line:6}\t{line}" for i, line in enumerate(text.expandtabs().split("\n")))
    return f"Here's the result of running `cat -n` on {descriptor}:\n{_shown(body)}\n"


# The tools that recorded published trajectories, whose output the runner reproduces:
#   swe-agent           SWE-agent's tools/edit_anthropic str_replace_editor (SWE-smith,
#                       SWE-agent 1.x function calling) and a plain bash tool
#   openhands           openhands-aci 0.1 OHEditor as OpenHands wraps it (SWE-Gym)
#   swe-agent-windowed  SWE-agent 0.x's windowed command set (nebius, old .traj files)
#                       typed into its bash prompt
#   swe-agent-windowed-1.x  SWE-agent 1.x's windowed tools (open, edit 'a' 'b', insert ...)
PROFILES = ("swe-agent", "openhands", "swe-agent-windowed", "swe-agent-windowed-1.x")
DEFAULT_PROFILE = "swe-agent"
_FORMAT_PROFILES = {
    "swe_smith": "swe-agent",
    "swe_agent": "swe-agent",
    "openhands": "openhands",
    "openhands_text": "openhands",
    "nebius": "swe-agent-windowed",
    "mini_swe_agent": "swe-agent",
    "canonical": "swe-agent",
}


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"unknown tool profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def default_profile(source_format: str, recorded: str | None = None) -> str:
    """The profile a trajectory replays with: what its reader recorded, else its format's."""
    return check_profile(recorded or _FORMAT_PROFILES.get(source_format, DEFAULT_PROFILE))


class ToolRunner:
    """Runs canonical actions in one sandbox, keeping each editor (and its undo history)."""

    def __init__(self, sandbox: Sandbox, profile: str = DEFAULT_PROFILE, timeout: float | None = None):
        self.sandbox = sandbox
        self.profile = check_profile(profile)
        self.timeout = timeout
        self._editors: dict[str, Editor] = {}
        self.windowed = None  # swe_srl.sandbox.windowed.WindowedTools, made on the first bash call

    def run(self, action: Action) -> ToolResult:
        if action.tool == "bash":
            if self.profile.startswith("swe-agent-windowed"):  # typed at SWE-agent's prompt: never plain bash
                from swe_srl.sandbox.windowed import WindowedTools

                self.windowed = self.windowed or WindowedTools(self, dialect="1.x" if self.profile.endswith("1.x") else "0.x")
                return self.windowed.run(action.args["command"])
            return self._bash(action.args["command"])
        if action.tool == "str_replace_editor":
            try:
                text = self._editor(action.args)
            except EditorError as exc:
                return ToolResult(self._shown_editor_output(str(exc)), exit_code=exc.exit_code, error=True)
            return ToolResult(self._shown_editor_output(text))
        if action.tool == "submit":
            return ToolResult(self.sandbox.diff(), submitted=True)
        if action.tool == "think":
            return ToolResult("Your thought has been logged.")
        return ToolResult(f"Unknown tool {action.tool!r}.", exit_code=1, error=True)

    # -- bash ----------------------------------------------------------------
    def _bash(self, command: str) -> ToolResult:
        res: CommandResult = self.sandbox.run(command, timeout=self.timeout)
        text = res.output
        if res.notes:
            text = (text.rstrip("\n") + "\n" if text.strip() else "") + "\n".join(res.notes)
        if not text.strip() and res.exit_code == 0:
            text = EMPTY_OUTPUT
        return ToolResult(text, exit_code=res.exit_code, timed_out=res.timed_out, notes=res.notes)

    # -- str_replace_editor --------------------------------------------------
    def _editor(self, args: dict[str, str]) -> str:
        """The profile's editor runs the call: its output, or EditorError if refused."""
        editor = self._editors.get(self.profile)
        if editor is None:
            editor = self._editors[self.profile] = make_editor(self.profile, self.sandbox)
        return editor(args)

    def _shown_editor_output(self, text: str) -> str:
        # SWE-agent shows an empty observation as its no-output message (as for bash).
        if self.profile.startswith("swe-agent") and not text.strip():
            return EMPTY_OUTPUT
        return text


def run_action(sandbox: Sandbox, action: Action, timeout: float | None = None) -> ToolResult:
    """Run one action with the sandbox's own ToolRunner (so undo history persists)."""
    runner = getattr(sandbox, "_tool_runner", None)
    if runner is None:
        runner = ToolRunner(sandbox)
        sandbox._tool_runner = runner  # type: ignore[attr-defined]
    runner.timeout = timeout
    return runner.run(action)
