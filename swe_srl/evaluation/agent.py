"""The agent loop: one sandbox per task, the training prompt and parser at every step.

A run ends on `submit`, at the step limit, the token budget or the wall-clock limit (or
when the policy gives up); whatever it ends on, the patch is the sandbox's diff against
the commit the image starts at, which is what the SWE-bench harness applies the patch to.
Failures that are not the model's (image missing, container lost, endpoint down) come
back as `infra=True` so the report never counts them as unresolved.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field

from swe_srl.evaluation.policy import Completion, Policy, PolicyError, StepInput
from swe_srl.evaluation.settings import problem_statement_for
from swe_srl.sandbox import Sandbox, SandboxError, open_sandbox
from swe_srl.sandbox.images import ImageNotFoundError, image_for_task
from swe_srl.sandbox.tools import DEFAULT_PROFILE, NotReplayable, ToolResult, ToolRunner, check_profile
from swe_srl.srl.parse import parse_completion
from swe_srl.srl.prompt import Limits, build_messages, truncate_middle
from swe_srl.task_setup import prepare_task
from swe_srl.trajectory.model import Round, Trajectory, task_setup_command

FORMAT_ERROR = (
    "Your output was not a valid step ({error}). Write your reasoning inside <think> </think>, "
    "then exactly one tool call in the <function=...> form, and nothing after it."
)


@dataclass
class AgentLimits:
    """When a run stops, and how much of each round a prompt shows."""

    max_steps: int = 50
    max_total_tokens: int | None = None  # completion tokens over the whole run
    time_limit: float | None = 1800.0  # seconds of wall clock per task
    action_timeout: float = 120.0
    window: int | str | None = 2
    max_observation_chars: int | None = 20_000  # per shown observation (char cap for chat backends)
    max_invalid_chars: int = 2_000  # an invalid output is shown back this long at most
    tool_profile: str | None = None  # None: the policy's own (a replayed run's source tools), else swe-agent


@dataclass
class SandboxOptions:
    kind: str = "docker"  # or "local": a copy of the task's repository, NOT isolated
    repos: str | None = None  # local: folder holding <instance_id>/ repositories (default: the bundled ones)
    network: bool = False
    mem_limit: str = "4g"
    cpus: float = 2.0
    pull: bool = True  # try the registry when the image is not local


@dataclass
class AgentRun:
    """What one task's run produced; `infra` marks failures that are not the model's."""

    instance_id: str
    exit_status: str
    patch: str = ""
    steps: int = 0
    format_errors: int = 0
    tokens: int = 0
    tokens_estimated: bool = False  # some completion had no token count (chars/4 used)
    seconds: float = 0.0
    infra: bool = False
    error: str | None = None
    base_commit: str | None = None
    tool_profile: str = DEFAULT_PROFILE
    rounds: list[Round] = field(default_factory=list)
    transcript: list[dict] = field(default_factory=list)

    def record(self) -> dict:
        """Everything but the rounds (those go into the saved trajectory)."""
        data = asdict(self)
        data.pop("rounds")
        return data

    def trajectory(self, run_id: str, model: str, problem_statement: str, resolved: bool | None = None) -> Trajectory:
        """The run in the canonical trajectory format (only the calls that ran), for collect."""
        return Trajectory(
            trajectory_id=f"{self.instance_id}__{run_id}",
            instance_id=self.instance_id,
            source_format="canonical",
            rounds=self.rounds,
            problem_statement=problem_statement,
            patch=self.patch,
            resolved=resolved,
            workspace="/testbed",
            model=model,
            tool_profile=self.tool_profile,
            counts={"steps": self.steps, "format_errors": self.format_errors, "tokens": self.tokens},
        )


def _token_count(completion: Completion) -> tuple[int, bool]:
    if completion.tokens is not None:
        return completion.tokens, False
    return (len(completion.text) + 3) // 4, True


def run_agent(task: dict, policy: Policy, limits: AgentLimits, sandbox: SandboxOptions, run_id: str, setting: str = "end-to-end") -> AgentRun:
    """Work one task in a fresh sandbox (of its image, or a local copy of its repository);
    never raises for a task's failure."""
    iid = task["instance_id"]
    started = time.monotonic()
    run = AgentRun(iid, exit_status="not_started")
    try:
        sb = _open(task, limits, sandbox, run_id)
    except ImageNotFoundError as exc:
        return _infra(run, "image_missing", str(exc), started)
    except Exception as exc:  # engine down, container refused to start, no repository ...
        return _infra(run, "sandbox_error", f"{type(exc).__name__}: {exc}", started)
    try:
        with sb:
            run.base_commit = prepare_task(sb, task)  # a SWE-smith row's bug, committed out of sight
            _loop(run, task, policy, limits, setting, sb, started)
            if not run.infra:
                run.patch = sb.diff()
    except PolicyError as exc:
        return _infra(run, "policy_unavailable", str(exc), started)
    except SandboxError as exc:
        return _infra(run, "sandbox_error", str(exc), started)
    except Exception as exc:
        return _infra(run, "agent_error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}", started)
    run.seconds = round(time.monotonic() - started, 2)
    return run


def _open(task: dict, limits: AgentLimits, options: SandboxOptions, run_id: str) -> Sandbox:
    base_commit = task.get("base_commit") or None
    if options.kind != "local":  # SWE-bench images' HEAD is an empty commit on top of base_commit
        return open_sandbox(
            options.kind, image=image_for_task(task), network=options.network, mem_limit=options.mem_limit, cpus=options.cpus,
            timeout=limits.action_timeout, run_id=run_id, pull=options.pull, setup=task_setup_command(task), base_commit=base_commit,
        )
    from swe_srl.bundled import local_repo

    sb = open_sandbox("local", repo_dir=str(local_repo(task, options.repos)), timeout=limits.action_timeout)
    if base_commit and sb.base_commit != base_commit:
        res = sb.run(f"git checkout -q {base_commit}", timeout=60)
        if res.exit_code != 0:
            sb.close()
            raise SandboxError(f"cannot check out {base_commit}: {res.output.strip()}")
        sb.base_commit = base_commit
    return sb


def _infra(run: AgentRun, status: str, message: str, started: float) -> AgentRun:
    run.exit_status, run.infra, run.error = status, True, message
    run.seconds = round(time.monotonic() - started, 2)
    return run


def _loop(run: AgentRun, task: dict, policy: Policy, limits: AgentLimits, setting: str, sb, started: float) -> None:
    problem = problem_statement_for(task, setting, sb.root)
    preferred = getattr(policy, "tool_profile_for", None)
    run.tool_profile = check_profile(limits.tool_profile or (preferred(run.instance_id) if preferred else DEFAULT_PROFILE))
    runner = ToolRunner(sb, profile=run.tool_profile, timeout=limits.action_timeout)
    history: list[dict[str, str]] = []
    caps = Limits(observation=limits.max_observation_chars)
    while True:
        elapsed = time.monotonic() - started
        if run.steps >= limits.max_steps:
            run.exit_status = "max_steps"
            return
        if limits.max_total_tokens is not None and run.tokens >= limits.max_total_tokens:
            run.exit_status = "max_tokens"
            return
        if limits.time_limit is not None and elapsed >= limits.time_limit:
            run.exit_status = "time_limit"
            return
        step = StepInput(run.instance_id, run.steps, problem, list(history), limits.window,
                         build_messages(problem, history, limits.window, limits=caps))
        t0 = time.monotonic()
        try:
            completion = policy.act(step)
        except PolicyError as exc:
            if exc.infra:
                raise
            run.exit_status, run.error = exc.exit_status, str(exc)
            return
        n, estimated = _token_count(completion)
        run.tokens += n
        run.tokens_estimated |= estimated
        run.steps += 1
        monologue, action, error = parse_completion(completion.text)
        entry = {"step": run.steps, "completion": completion.text, "tokens": n, "policy_seconds": round(time.monotonic() - t0, 3)}
        if completion.prompt_truncated:
            entry["prompt_truncated"] = True
        if action is None:
            run.format_errors += 1
            observation = FORMAT_ERROR.format(error=error)
            history.append({"thought": "", "action": truncate_middle(completion.text.strip(), limits.max_invalid_chars) or "(empty output)", "observation": observation})
            run.transcript.append({**entry, "format_error": error, "observation": observation})
            continue
        if limits.time_limit is not None:
            runner.timeout = max(1.0, min(limits.action_timeout, limits.time_limit - (time.monotonic() - started)))
        try:
            result = runner.run(action)
        except NotReplayable as exc:  # a command these tools do not have: the model's error
            result = ToolResult(f"Error: {exc}", exit_code=1, error=True)
        run.rounds.append(Round(thought=monologue, action=action, observation=result.observation, exit_code=result.exit_code))
        history.append({"thought": monologue, "action": action.to_text(), "observation": result.observation})
        run.transcript.append({**entry, "tool": action.tool, "exit_code": result.exit_code, "timed_out": result.timed_out,
                               "observation": result.observation})
        if result.submitted:
            run.exit_status = "submitted"
            return
