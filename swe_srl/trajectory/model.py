"""The canonical data shapes: task rows, trajectories, rounds and step rows.

Every reader produces a `Trajectory`; collect, train and eval only ever see these shapes,
so source quirks stop at the readers. Task rows keep the SWE-bench 5.x shape so the same
rows feed the sandbox, collect and the SWE-bench harness.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator, model_validator

from swe_srl.trajectory.actions import Action, ActionError


class TrajectoryError(ValueError):
    """A record that cannot become a trajectory; carries the record id and the reason."""

    def __init__(self, record_id: str, reason: str):
        super().__init__(f"{record_id}: {reason}")
        self.record_id = record_id
        self.reason = reason

    def __reduce__(self):  # keep it picklable (datasets/multiprocessing)
        return (type(self), (self.record_id, self.reason))


class RecordError(TrajectoryError):
    """A record that could not even be loaded (bad JSON line, unreadable file)."""


def _as_action(value: Any) -> Action:
    if isinstance(value, Action):
        return Action.make(value.tool, value.args)
    if isinstance(value, dict) and "tool" in value:
        return Action.make(value["tool"], value.get("args") or {})
    raise ValueError(f"expected an action {{tool, args}}, got {type(value).__name__}")


ActionField = Annotated[Action, BeforeValidator(_as_action), PlainSerializer(lambda a: a.to_dict())]


class Round(BaseModel):
    """One expert step: free text thought, one canonical call and what it printed."""

    thought: str = ""
    action: ActionField
    action_text: str = ""
    observation: str = ""
    exit_code: int | None = None  # when the source records it (mini-swe-agent, replays)

    @model_validator(mode="after")
    def _canonical_text(self) -> "Round":
        self.action_text = self.action.to_text()
        return self


def _json_list(value: Any) -> Any:
    # SWE-bench ships FAIL_TO_PASS/PASS_TO_PASS as JSON strings.
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    if value is None:
        return []
    return list(value)


class Task(BaseModel):
    """A SWE-bench 5.x task row (extra columns such as created_at are kept)."""

    model_config = ConfigDict(extra="allow")

    instance_id: str
    repo: str
    base_commit: str
    problem_statement: str
    version: str = ""
    patch: str = ""
    test_patch: str = ""
    FAIL_TO_PASS: Annotated[list[str], BeforeValidator(_json_list)] = Field(default_factory=list)
    PASS_TO_PASS: Annotated[list[str], BeforeValidator(_json_list)] = Field(default_factory=list)
    image: str | None = None
    eval_script: str | None = None
    log_parser: str | None = None
    eval_type: str | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> str:
        return "" if value is None else str(value)

    @model_validator(mode="before")
    @classmethod
    def _image_name(cls, data: Any) -> Any:
        # SWE-smith rows call the image `image_name`.
        if isinstance(data, dict) and not data.get("image") and data.get("image_name"):
            data = {**data, "image": data["image_name"]}
        return data


def task_setup_command(task: dict) -> str | None:
    """A task row's own shell setup for its sandbox session (`setup_command`, optional),
    run after the image's activation at every shell start, e.g. `source /opt/venv/bin/activate`."""
    return task.get("setup_command") or None


class HistoryItem(BaseModel):
    """An earlier round as the step dataset stores it (action as canonical text)."""

    thought: str
    action: str
    observation: str


class StepRow(BaseModel):
    """One training instance: the expert's action k with everything before it."""

    instance_id: str
    trajectory_id: str
    step_index: int
    num_steps: int
    problem_statement: str
    history: list[HistoryItem]
    expert_action: str
    expert_tool: str
    expert_args: dict[str, str]
    expert_thought: str
    observation: str
    recorded_observation: str
    divergence: float | None = Field(default=None, ge=0.0, le=1.0)
    patch_before: str = ""
    image: str = ""
    source_format: str
    tool_profile: str = ""  # the profile the step was replayed with
    # Why this step was not replayed (None: it was, or --no-replay): a command the profile
    # cannot run with its source's semantics. Such a step and the rest of its trajectory
    # keep their recorded observations.
    replay_error: str | None = None


class Trajectory(BaseModel):
    """One expert run normalised to canonical rounds."""

    trajectory_id: str
    instance_id: str
    source_format: str
    rounds: list[Round]
    problem_statement: str | None = None
    patch: str | None = None  # the run's own final patch, when the source has one
    resolved: bool | None = None
    workspace: str | None = None  # repository root the run was recorded under
    model: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)  # e.g. kept_as_bash, skipped_messages
    # The tools that recorded the run (swe_srl.sandbox.tools.PROFILES); None: the source
    # format's default (swe_srl.sandbox.tools.default_profile).
    tool_profile: str | None = None

    def to_step_rows(self, *, image: str = "", problem_statement: str | None = None) -> list[StepRow]:
        """Step rows from the recorded observations (collect fills replay fields later)."""
        issue = problem_statement if problem_statement is not None else (self.problem_statement or "")
        rows = []
        for k, rnd in enumerate(self.rounds):
            history = [
                HistoryItem(thought=r.thought, action=r.action_text, observation=r.observation)
                for r in self.rounds[:k]
            ]
            rows.append(
                StepRow(
                    instance_id=self.instance_id,
                    trajectory_id=self.trajectory_id,
                    step_index=k,
                    num_steps=len(self.rounds),
                    problem_statement=issue,
                    history=history,
                    expert_action=rnd.action_text,
                    expert_tool=rnd.action.tool,
                    expert_args=dict(rnd.action.args),
                    expert_thought=rnd.thought,
                    observation=rnd.observation,
                    recorded_observation=rnd.observation,
                    divergence=None,
                    patch_before="",
                    image=image,
                    source_format=self.source_format,
                )
            )
        return rows


def make_round(
    record_id: str,
    tool: str,
    args: dict[str, Any] | None,
    thought: str = "",
    observation: str = "",
    where: str = "",
) -> Round:
    """A Round from source names, turning ActionError into TrajectoryError.

    ``where`` (e.g. "message 7") is put in front of the reason so a bad call can be found.
    """
    try:
        action = Action.make(tool, _normalise_args(args or {}))
    except ActionError as exc:
        raise TrajectoryError(record_id, f"{where}: {exc}" if where else str(exc)) from None
    return Round(thought=thought, action=action, observation=observation)


def _normalise_args(args: dict[str, Any]) -> dict[str, Any]:
    # view_range arrives as a list ("[1, 20]" once canonical) or as a string in any
    # spacing; one spelling keeps the expert text stable across formats.
    vr = args.get("view_range")
    if isinstance(vr, str):
        try:
            parsed = json.loads(vr)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            args = {**args, "view_range": parsed}
    return args
