"""Replay one expert trajectory in a fresh sandbox and turn it into a trajectory record and step rows.

Published observations were recorded in someone else's environment; replaying every
action in the task's own image gives observations the policy will really see, the
repository state before each step, and a check that the final patch is reproduced.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from swe_srl.sandbox import SandboxError, open_sandbox
from swe_srl.sandbox.tools import NotReplayable, ToolRunner, default_profile
from swe_srl.sandbox.windowed_text import NOT_EMULATED, WINDOWED
from swe_srl.task_setup import prepare_task
from swe_srl.trajectory.model import task_setup_command
from swe_srl.trajectory.actions import Action, roundtrip_errors
from swe_srl.trajectory.model import Task, Trajectory


try:  # C implementation of the same Indel ratio, ~100x faster on long outputs
    from rapidfuzz.fuzz import ratio as _fast_ratio
except ImportError:  # pragma: no cover - rapidfuzz ships with the collect extra
    _fast_ratio = None


LISTING_HEADERS = ("Here's the files and directories up to 2 levels deep in",)
_LISTING_PROGRAMS = frozenset({"ls", "find", "tree", "find_file", "search_dir"})


def is_listing(action: Action | None, observation: str) -> bool:
    """Output whose line order depends on the filesystem (directory views, `find`, `ls`)."""
    if observation.lstrip().startswith(LISTING_HEADERS):
        return True
    if action is not None and action.tool == "bash":
        words = action.args.get("command", "").split()
        return bool(words) and words[0] in _LISTING_PROGRAMS
    return False


def similarity(a: str, b: str, unordered: bool = False) -> float:
    """Similarity in [0, 1] of two observations, whitespace normalised; with
    `unordered`, line order is ignored (directory listings)."""
    a, b = _normalise(a), _normalise(b)
    if unordered:
        a, b = "\n".join(sorted(a.splitlines())), "\n".join(sorted(b.splitlines()))
    if a == b:
        return 1.0
    if _fast_ratio is not None:
        return _fast_ratio(a, b) / 100.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def divergence(recorded: str, replayed: str, action: Action | None = None) -> float:
    """1 - similarity of the recorded and the replayed observation of one action."""
    unordered = is_listing(action, recorded) or is_listing(action, replayed)
    return round(1.0 - similarity(recorded, replayed, unordered=unordered), 4)


def _normalise(text: str) -> str:
    """Runs of blanks inside a line become one space; line ends and blank edges go."""
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())


def tool_key(action: Action, profile: str) -> str:
    """The per-tool bucket a step is counted in (`editor:view`, `windowed:edit`, `bash`...)."""
    if action.tool == "str_replace_editor":
        return f"editor:{action.args.get('command', '?')}"
    if action.tool == "bash" and profile.startswith("swe-agent-windowed"):
        words = action.args.get("command", "").split()
        if words and words[0] in WINDOWED | NOT_EMULATED:  # SWE-agent's own commands, counted apart
            return f"windowed:{words[0]}"
    return action.tool


_INDEX_LINE = re.compile(r"^index [0-9a-f]+\.\.[0-9a-f]+( \d+)?$", re.MULTILINE)


def same_patch(a: str, b: str) -> bool:
    """Equal patches up to blob hashes, trailing whitespace and blank edges."""

    def norm(patch: str) -> str:
        return "\n".join(line.rstrip() for line in _INDEX_LINE.sub("", patch).strip().splitlines())

    return norm(a) == norm(b)


@dataclass
class ReplayOptions:
    sandbox: str = "docker"
    action_timeout: float = 120.0
    divergence_threshold: float = 0.2
    network: bool = False
    run_id: str | None = None
    repos: Path | None = None  # local backend: DIR/<instance_id> git repositories
    tool_profile: str | None = None  # None: each trajectory's own (see default_profile)


@dataclass
class Outcome:
    """What one trajectory produced: its trajectory-table record, its step rows and its
    manifest entry, or an error."""

    trajectory_id: str
    instance_id: str
    source_format: str
    record: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    error: str | None = None


def _repo_for_local(task: Task, opts: ReplayOptions) -> str:
    from swe_srl import bundled

    try:
        return str(bundled.local_repo(task.model_dump(), opts.repos))
    except FileNotFoundError as exc:
        raise SandboxError(str(exc)) from None


def _open(task: Task, image: str, opts: ReplayOptions):
    if opts.sandbox == "local":
        sb = open_sandbox("local", repo_dir=_repo_for_local(task, opts), timeout=opts.action_timeout)
        if task.base_commit and sb.base_commit != task.base_commit:
            res = sb.run(f"git checkout -q {task.base_commit}", timeout=60)
            if res.exit_code != 0:
                sb.close()
                raise SandboxError(f"cannot check out {task.base_commit}: {res.output.strip()}")
            sb.base_commit = task.base_commit
        return sb
    return open_sandbox(
        "docker", image=image, network=opts.network, timeout=opts.action_timeout,
        run_id=opts.run_id, base_commit=task.base_commit or None, setup=task_setup_command(task.model_dump()),
    )


def trajectory_record(traj: Trajectory, image: str, problem_statement: str | None = None, tool_profile: str = "") -> dict:
    """A trajectory's entry in the trajectory table: ids and its rounds, each stored once.

    `observation` is what the policy sees (the replayed one after a replay, else the
    recorded one); `recorded_observation` is the source's, or None where it is the same
    text (every round of --no-replay), so an observation is not stored twice.
    """
    issue = problem_statement if problem_statement is not None else (traj.problem_statement or "")
    return {
        "trajectory_id": traj.trajectory_id,
        "instance_id": traj.instance_id,
        "problem_statement": issue or "",
        "image": image,
        "source_format": traj.source_format,
        "tool_profile": tool_profile,
        "rounds": [
            {"thought": r.thought, "action": r.action_text, "observation": r.observation,
             "recorded_observation": None, "exit_code": r.exit_code, "divergence": None,
             "patch_before": "", "replay_error": None}
            for r in traj.rounds
        ],
    }


def step_rows(traj: Trajectory, record: dict) -> list[dict]:
    """The step table's rows of one trajectory: the expert's call k and what selects it."""
    n = len(traj.rounds)
    return [
        {"trajectory_id": traj.trajectory_id, "step_index": k, "num_steps": n, "instance_id": traj.instance_id,
         "expert_action": rnd.action_text, "expert_tool": rnd.action.tool, "expert_args": dict(rnd.action.args),
         "expert_thought": rnd.thought, "divergence": stored["divergence"], "replay_error": stored["replay_error"],
         "source_format": traj.source_format}
        for k, (rnd, stored) in enumerate(zip(traj.rounds, record["rounds"]))
    ]


def profile_for(traj: Trajectory, opts: ReplayOptions) -> str:
    return default_profile(traj.source_format, opts.tool_profile or traj.tool_profile)


def replay(traj: Trajectory, task: Task, image: str, opts: ReplayOptions) -> tuple[dict, dict]:
    """Run every expert action in order; the record's rounds get replayed and recorded observations.

    An action the profile cannot run with its source's semantics stops the replay there:
    that step and the rest keep their recorded observations and say why (`replay_error`).
    """
    profile = profile_for(traj, opts)
    record = trajectory_record(traj, image, task.problem_statement, profile)
    rounds = record["rounds"]
    tools: dict[str, dict[str, int]] = {}
    divergences, stopped = 0, None
    with _open(task, image, opts) as sb:
        prepare_task(sb, task.model_dump())  # a SWE-smith row's bug, committed out of sight
        runner = ToolRunner(sb, profile=profile, timeout=opts.action_timeout)
        for k, (rnd, row) in enumerate(zip(traj.rounds, rounds)):
            counts = tools.setdefault(tool_key(rnd.action, profile), {"steps": 0, "divergences": 0, "not_replayable": 0})
            counts["steps"] += 1
            if stopped is not None:
                row["replay_error"] = stopped
                counts["not_replayable"] += 1
                continue
            row["patch_before"] = sb.diff()
            try:
                result = runner.run(rnd.action)
            except NotReplayable as exc:
                stopped = f"step {k} cannot be replayed with the {profile} tools: {exc}"
                row["replay_error"] = stopped
                counts["not_replayable"] += 1
                continue
            row["observation"] = result.observation  # later steps' history shows the world the policy will see
            if result.observation != rnd.observation:
                row["recorded_observation"] = rnd.observation
            if getattr(result, "exit_code", None) is not None:
                row["exit_code"] = result.exit_code
            # A run that ends at its last action recorded no observation for it.
            unrecorded = k == len(traj.rounds) - 1 and not rnd.observation
            row["divergence"] = None if unrecorded else divergence(rnd.observation, result.observation, rnd.action)
            if row["divergence"] is not None and row["divergence"] > opts.divergence_threshold:
                divergences += 1
                counts["divergences"] += 1
        final_patch = sb.diff()
    scored = [r["divergence"] for r in rounds if r["divergence"] is not None]
    summary = {
        "steps": len(rounds),
        "divergences": divergences,
        "not_replayable": sum(r["replay_error"] is not None for r in rounds),
        "not_replayable_reason": stopped,
        "tool_profile": profile,
        "tools": tools,
        "mean_divergence": round(sum(scored) / len(scored), 4) if scored else None,
        "final_patch": final_patch,
        "final_patch_matches": same_patch(final_patch, traj.patch) if traj.patch and stopped is None else None,
    }
    return record, summary


def process(traj: Trajectory, task: Task | None, image: str, opts: ReplayOptions, do_replay: bool) -> Outcome:
    """One trajectory end to end; never raises (the error goes in the outcome)."""
    out = Outcome(traj.trajectory_id, traj.instance_id, traj.source_format)
    try:
        if not do_replay:
            issue = task.problem_statement if task else traj.problem_statement
            out.record = trajectory_record(traj, image, issue or "")
            out.summary = {"steps": len(traj.rounds), "divergences": 0, "not_replayable": 0, "mean_divergence": None,
                           "final_patch": None, "final_patch_matches": None}
        elif task is None:
            out.error = f"no task row for instance {traj.instance_id!r} (give --tasks, or use --no-replay)"
            return out
        else:
            out.record, out.summary = replay(traj, task, image, opts)
        if out.record:
            out.rows = step_rows(traj, out.record)
    except SandboxError as exc:
        out.error = f"sandbox: {exc}"
    except Exception as exc:  # an action that crashes its sandbox must not stop the run
        out.error = f"{type(exc).__name__}: {exc}"
    # Expert calls whose canonical text reads back as another call cannot be imitated exactly.
    out.summary["roundtrip_errors"] = [{"step": k, "reason": why} for k, why in roundtrip_errors(traj)]
    out.summary.update(trajectory_id=traj.trajectory_id, instance_id=traj.instance_id,
                       source_format=traj.source_format, image=image, counts=dict(traj.counts))
    return out
