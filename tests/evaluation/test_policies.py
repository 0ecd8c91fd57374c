"""Policies and settings without Docker: what each policy emits parses (or fails to
parse) with the training parser, and the endpoint policy retries against a local server."""

from __future__ import annotations

import time

import pytest

from swe_srl import bundled
from swe_srl.evaluation.backends import DEFAULT_REPLAY_SOURCE
from swe_srl.evaluation.endpoint import EndpointPolicy
from swe_srl.evaluation.policy import GarbagePolicy, NoopPolicy, PolicyError, ReplayPolicy, StepInput, render_completion
from swe_srl.evaluation.settings import gold_files, problem_statement_for
from swe_srl.srl.parse import parse_completion
from swe_srl.srl.prompt import SYSTEM_PROMPT, build_messages
from swe_srl.trajectory.actions import Action


def step(iid: str = "swe-srl__confkit-1", k: int = 0, problem: str = "fix it") -> StepInput:
    return StepInput(iid, k, problem, [], 2, build_messages(problem, [], 2))


def test_replay_emits_every_expert_action_then_submits():
    policy = ReplayPolicy.from_source(str(DEFAULT_REPLAY_SOURCE))
    assert set(policy.trajectories) == {t["instance_id"] for t in bundled.bundled_tasks()}
    for iid, traj in policy.trajectories.items():
        for k, rnd in enumerate(traj.rounds):
            _, action, error = parse_completion(policy.act(step(iid, k)).text)
            assert error is None and action == rnd.action
        _, action, error = parse_completion(policy.act(step(iid, len(traj.rounds))).text)
        assert action is not None and action.tool == "submit"


def test_replay_without_an_expert_run_is_an_infra_error():
    policy = ReplayPolicy.from_source(str(DEFAULT_REPLAY_SOURCE))
    with pytest.raises(PolicyError) as err:
        policy.act(step("nobody__nothing-1"))
    assert err.value.infra


def test_render_completion_survives_markup_in_the_thought():
    action = Action.make("bash", {"command": "grep -rn think /testbed"})
    monologue, parsed, error = parse_completion(render_completion("I saw </think> and <function=bash> in a file", action))
    assert error is None and parsed == action and "think" in monologue


def test_noop_submits_and_garbage_never_parses():
    _, action, error = parse_completion(NoopPolicy().act(step()).text)
    assert error is None and action.tool == "submit"
    garbage = GarbagePolicy(seed=3)
    outputs = [garbage.act(step(k=k)).text for k in range(40)]
    assert all(parse_completion(o)[2] is not None for o in outputs)
    assert outputs == [GarbagePolicy(seed=3).act(step(k=k)).text for k in range(40)]  # deterministic


def test_oracle_files_names_the_gold_patch_files():
    task = bundled.bundled_tasks()[0]
    files = gold_files(task["patch"])
    assert files == ["confkit/parser.py"]
    assert problem_statement_for(task, "end-to-end") == task["problem_statement"]
    oracle = problem_statement_for(task, "oracle-files")
    assert oracle.startswith(task["problem_statement"].rstrip()) and "- /testbed/confkit/parser.py" in oracle
    multi = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\ndiff --git a/pkg/b.py b/pkg/b.py\n"
    assert gold_files(multi) == ["a.py", "pkg/b.py"]
    with pytest.raises(ValueError):
        problem_statement_for(task, "oracle")


def test_endpoint_retries_a_429_and_a_500_then_answers(stub_server, monkeypatch):
    monkeypatch.setenv("SWE_SRL_API_KEY", "sk-test-key")
    good = render_completion("look", Action.make("bash", {"command": "ls"}))
    server = stub_server([(429, "slow down"), (500, "boom"), (200, good)])
    policy = EndpointPolicy("my-model", server.base_url, max_retries=2, request_timeout=30)
    assert policy.client.max_retries == 2 and policy.client.timeout == 30
    completion = policy.act(step())  # the openai client's own retries
    assert completion.text == good and completion.tokens == 7 and completion.prompt_tokens == 100
    assert len(server.requests) == 3
    req = server.requests[-1]
    assert req["model"] == "my-model" and req["temperature"] == 0.0
    assert req["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert "<issue>\nfix it\n</issue>" in req["messages"][1]["content"]
    assert server.headers[-1]["authorization"] == "Bearer sk-test-key"


def test_endpoint_gives_up_after_retries_as_infra(stub_server):
    server = stub_server(default=(503, "down"))
    policy = EndpointPolicy("m", server.base_url, api_key="k", max_retries=2)
    with pytest.raises(PolicyError) as err:
        policy.act(step())
    assert err.value.infra and len(server.requests) == 3


def test_endpoint_bad_request_is_the_models_limit(stub_server):
    server = stub_server(default=(400, "This model's maximum context length is 32768 tokens"))
    with pytest.raises(PolicyError) as err:
        EndpointPolicy("m", server.base_url, api_key="k").act(step())
    assert not err.value.infra and err.value.exit_status == "context_exceeded" and len(server.requests) == 1


def test_endpoint_unreachable_is_infra():
    policy = EndpointPolicy("m", "http://127.0.0.1:9/v1", api_key="k", max_retries=1, request_timeout=2)
    t0 = time.monotonic()
    with pytest.raises(PolicyError) as err:
        policy.act(step())
    assert err.value.infra and time.monotonic() - t0 < 30
