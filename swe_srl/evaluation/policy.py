"""The one small protocol every evaluated policy implements, and the policies that need
no model: replay (an expert's actions, for deterministic harness checks), no-op and garbage
(for the failure paths).

A policy sees one step at a time and returns one completion in the training format
(`<think>...</think>` + one call); the agent loop parses it with the training parser, so a
policy never runs tools itself and every backend is judged by the same rules.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from swe_srl.srl.parse import render_completion
from swe_srl.trajectory.actions import Action
from swe_srl.trajectory.model import Trajectory


@dataclass(frozen=True)
class StepInput:
    """Everything a policy may look at for the next step of one task.

    `messages` is the training-format prompt (system + user) built with character caps;
    a local model re-renders from `problem_statement`/`history` with its own tokenizer so
    it can fit its token budget exactly as in training.
    """

    instance_id: str
    step: int  # 0-based index of this policy call within the task
    problem_statement: str  # as shown (oracle-files adds the file list)
    history: list[dict[str, str]]  # earlier rounds: thought, action, observation
    window: int | str | None
    messages: list[dict[str, str]]


@dataclass
class Completion:
    """One policy output; `tokens` is None when the backend cannot count them."""

    text: str
    tokens: int | None = None
    prompt_tokens: int | None = None
    prompt_truncated: bool = False
    info: dict[str, Any] = field(default_factory=dict)


class PolicyError(RuntimeError):
    """The policy could not answer. `infra=True` when that is not the model's doing
    (endpoint unreachable after retries, no expert run to replay); otherwise the loop
    stops and the work done so far is graded (context exhausted, request refused)."""

    def __init__(self, message: str, *, infra: bool, exit_status: str = "policy_error"):
        super().__init__(message)
        self.infra = infra
        self.exit_status = exit_status


@runtime_checkable
class Policy(Protocol):
    name: str  # what predictions.jsonl calls the model (model_name_or_path)
    window: int | str | None  # rounds shown per prompt when the config leaves it open

    def act(self, step: StepInput) -> Completion: ...


SUBMIT = Action.make("submit")


class ReplayPolicy:
    """Re-emits each expert trajectory's actions in order, then submits.

    With the bundled experts it must resolve every bundled task: the check that the
    sandbox, the loop, the patch and the harness agree end to end.
    """

    window = 2

    def __init__(self, trajectories: dict[str, Trajectory], name: str = "swe-srl-replay"):
        self.trajectories = trajectories
        self.name = name

    @classmethod
    def from_source(cls, src: str | Path, fmt: str = "auto") -> "ReplayPolicy":
        """Load expert runs from any supported source, keyed by instance id (first wins)."""
        from swe_srl.trajectory.model import TrajectoryError
        from swe_srl.trajectory.sources import read_trajectories

        found: dict[str, Trajectory] = {}
        for item in read_trajectories(src, fmt, remap_to="/testbed"):
            if isinstance(item, TrajectoryError):
                continue
            found.setdefault(item.instance_id, item)
        if not found:
            raise ValueError(f"no readable expert trajectories in {src}")
        return cls(found)

    def tool_profile_for(self, instance_id: str) -> str:
        """A replayed run uses the tools that recorded it."""
        from swe_srl.sandbox.tools import DEFAULT_PROFILE, default_profile

        traj = self.trajectories.get(instance_id)
        return default_profile(traj.source_format, traj.tool_profile) if traj else DEFAULT_PROFILE

    def act(self, step: StepInput) -> Completion:
        traj = self.trajectories.get(step.instance_id)
        if traj is None:
            raise PolicyError(f"no expert trajectory to replay for {step.instance_id}", infra=True)
        if step.step < len(traj.rounds):
            rnd = traj.rounds[step.step]
            return Completion(render_completion(rnd.thought, rnd.action))
        return Completion(render_completion("The expert run is over; submitting.", SUBMIT))


class NoopPolicy:
    """Submits at once: every task must come out unresolved with an empty patch."""

    name = "swe-srl-noop"
    window = 2

    def act(self, step: StepInput) -> Completion:
        return Completion(render_completion("I will not change anything.", SUBMIT))


class GarbagePolicy:
    """Never follows the format (deterministic per seed): exercises format errors and
    the max-steps stop without any model."""

    name = "swe-srl-garbage"
    window = 2
    SAMPLES = (
        "I think the bug is in the parser.",
        "<think>look around</think> ls -la",
        "<think>two at once</think>\n<function=bash>\n<parameter=command>ls</parameter>\n</function>\n"
        "<function=bash>\n<parameter=command>pwd</parameter>\n</function>",
        "<think>unknown tool</think>\n<function=rm_rf>\n<parameter=path>/</parameter>\n</function>",
        "<function=bash>\n<parameter=command>ls</parameter>\n</function>",
        "<think>unclosed</think>\n<function=bash>\n<parameter=command>ls",
    )

    def __init__(self, seed: int = 0):
        self.seed = seed

    def act(self, step: StepInput) -> Completion:
        rng = random.Random(f"{self.seed}:{step.instance_id}:{step.step}")
        return Completion(rng.choice(self.SAMPLES))
