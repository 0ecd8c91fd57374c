"""The agent loop in a real sandbox of a bundled task: training prompt and parser, format
errors, the stop conditions, the patch, and the saved canonical trajectory."""

from __future__ import annotations

import pytest

from swe_srl import bundled
from swe_srl.evaluation.agent import FORMAT_ERROR, AgentLimits, SandboxOptions, run_agent
from swe_srl.evaluation.policy import Completion, render_completion
from swe_srl.srl.prompt import SYSTEM_PROMPT, Limits, build_messages
from swe_srl.trajectory.actions import Action
from swe_srl.trajectory.readers.canonical import read_canonical
from swe_srl.trajectory.writers import write_canonical

pytestmark = pytest.mark.docker
RUN_ID = "pytest-eval-agent"


class Scripted:
    """Plays fixed outputs (then submits) and keeps every StepInput it was shown."""

    name = "scripted"
    window = 2

    def __init__(self, outputs: list[str], tokens: int | None = None):
        self.outputs = outputs
        self.tokens = tokens
        self.seen = []

    def act(self, step):
        self.seen.append(step)
        text = self.outputs[step.step] if step.step < len(self.outputs) else render_completion("done", Action.make("submit"))
        return Completion(text, tokens=self.tokens)


def bash(cmd: str) -> str:
    return render_completion(f"run {cmd}", Action.make("bash", {"command": cmd}))


@pytest.fixture(scope="module")
def task(bundled_images) -> dict:
    return next(t for t in bundled.bundled_tasks() if t["instance_id"] == "swe-srl__confkit-1")


def test_loop_prompts_like_training_and_counts_format_errors(task):
    edit = render_completion("add a file", Action.make("str_replace_editor", {"command": "create", "path": "/testbed/NOTE.txt", "file_text": "hello\n"}))
    policy = Scripted(["no format here", bash("echo hi"), edit])
    run = run_agent(task, policy, AgentLimits(max_steps=10), SandboxOptions(pull=False), RUN_ID)
    assert run.exit_status == "submitted" and not run.infra
    assert (run.steps, run.format_errors, len(run.rounds)) == (4, 1, 3)
    first, second, third = policy.seen[:3]
    assert first.messages == build_messages(task["problem_statement"], [], 2, limits=Limits(observation=20_000))
    assert first.messages[0]["content"] == SYSTEM_PROMPT
    invalid = second.history[0]
    assert invalid["action"] == "no format here"
    assert invalid["observation"] == FORMAT_ERROR.format(error="missing <think>...</think> block")
    assert "## Step 1\nAction:\nno format here" in second.messages[1]["content"]
    assert third.history[1]["observation"].strip() == "hi"
    assert "+hello" in run.patch and "NOTE.txt" in run.patch
    assert run.base_commit == task["base_commit"]
    traj = read_canonical(write_canonical(run.trajectory(RUN_ID, "scripted", task["problem_statement"])), "t")
    assert [r.action.tool for r in traj.rounds] == ["bash", "str_replace_editor", "submit"]
    assert traj.counts["format_errors"] == 1 and traj.patch == run.patch


def test_window_and_oracle_files_reach_the_prompt(task):
    policy = Scripted([bash("true"), bash("echo two"), bash("echo three")])
    run_agent(task, policy, AgentLimits(max_steps=4, window=1), SandboxOptions(pull=False), RUN_ID, setting="oracle-files")
    last = policy.seen[3]
    user = last.messages[1]["content"]
    assert "- /testbed/confkit/parser.py" in last.problem_statement and "/testbed/confkit/parser.py" in user
    assert "the 2 earlier ones are not shown" in user and "## Step 3" in user and "## Step 2" not in user


def test_stops_at_max_steps_max_tokens_and_time_limit(task):
    run = run_agent(task, Scripted(["garbage"] * 9), AgentLimits(max_steps=3), SandboxOptions(pull=False), RUN_ID)
    assert (run.exit_status, run.steps, run.format_errors, run.patch) == ("max_steps", 3, 3, "")
    run = run_agent(task, Scripted([bash("true")] * 9, tokens=100), AgentLimits(max_steps=20, max_total_tokens=250), SandboxOptions(pull=False), RUN_ID)
    assert (run.exit_status, run.steps, run.tokens, run.tokens_estimated) == ("max_tokens", 3, 300, False)
    run = run_agent(task, Scripted([bash("sleep 30")] * 9), AgentLimits(max_steps=20, time_limit=3), SandboxOptions(pull=False), RUN_ID)
    assert run.exit_status == "time_limit" and run.steps == 1 and run.seconds < 15


def test_missing_image_is_an_infra_failure(task):
    ghost = {**task, "instance_id": "swe-srl__ghost-1", "image": "swe-srl/sweb.eval.does-not-exist:latest"}
    run = run_agent(ghost, Scripted([]), AgentLimits(), SandboxOptions(pull=False), RUN_ID)
    assert run.infra and run.exit_status == "image_missing" and "does-not-exist" in run.error
