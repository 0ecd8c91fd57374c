"""Policy output parsing: monologue + exactly one valid canonical call, never raising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swe_srl.srl.parse import completion_text, parse_completion, parse_output
from swe_srl.trajectory.actions import Action

LS = "<function=bash>\n<parameter=command>ls -la /testbed</parameter>\n</function>"
VIEW = (
    "<function=str_replace_editor>\n<parameter=command>view</parameter>\n"
    "<parameter=path>/testbed/confkit/parser.py</parameter>\n</function>"
)


def test_valid_output_splits_monologue_and_action():
    monologue, action, error = parse_completion(f"<think>\nLet me look around.\n</think>\n{LS}")
    assert error is None
    assert monologue == "Let me look around."
    assert action == Action.make("bash", {"command": "ls -la /testbed"})


def test_surrounding_whitespace_is_fine():
    out = parse_output(f"\n <think>look</think>\n\n{VIEW}\n  ")
    assert out.valid and out.action.tool == "str_replace_editor"


def test_submit_without_parameters_is_valid():
    out = parse_output("<think>done</think>\n<function=submit>\n</function>")
    assert out.valid and out.action.tool == "submit"


@pytest.mark.parametrize(
    "text, reason",
    [
        (LS, "missing <think>"),
        ("<think>\n\n</think>\n" + LS, "empty <think>"),
        ("<think>a</think><think>b</think>" + LS, "more than one <think>"),
        ("<think>plan", "missing <think>"),
        ("</think>x<think>" + LS, "</think> before <think>"),
        ("Sure!\n<think>a</think>" + LS, "text before <think>"),
        ("<think>a</think>\nI will list files.\n" + LS, "text between </think> and the call"),
        ("<think>a</think>\n" + LS + "\nDone.", "text after the call"),
        ("<think>a</think>\n", "no tool call"),
        ("<think>a</think>\n" + LS + "\n" + LS, "expected exactly one tool call"),
        ("<think>a</think>\n<function=rm_rf>\n<parameter=path>/</parameter>\n</function>", "unknown tool"),
        ("<think>a</think>\n<function=str_replace_editor>\n<parameter=command>view</parameter>\n</function>", "missing required"),
        ("<think>a</think>\n<function=bash>\n<parameter=command>ls</parameter>", "not closed"),
        ("<think>a</think>\n<function=bash>\n<parameter=command>ls\n</function>", "malformed"),
        ("<think>a</think>\n<function=bash>\n<parameter=cmd>ls</parameter>\n</function>", "no parameter"),
        (
            "<think>a</think>\n<function=str_replace_editor>\n<parameter=command>delete</parameter>\n"
            "<parameter=path>/testbed/a.py</parameter>\n</function>",
            "unknown str_replace_editor command",
        ),
    ],
)
def test_invalid_formats(text, reason):
    monologue, action, error = parse_completion(text)
    assert action is None
    assert reason in error


def test_non_string_input_is_an_error_not_an_exception():
    assert parse_output(None).error == "not a string"  # type: ignore[arg-type]


def test_completion_text_accepts_trl_shapes():
    assert completion_text("x") == "x"
    assert completion_text([{"role": "assistant", "content": "x"}]) == "x"


MARKUP = st.sampled_from(
    ["<think>", "</think>", "<function=", "</function>", "<parameter=", "</parameter>", ">", "\n", "bash",
     "str_replace_editor", "submit", "command", "path", "view", "ls", " ", "=", "<", "/"]
)
TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_parser_never_raises(text):
    out = parse_output(text)
    assert (out.action is None) == (out.error is not None)
    if out.valid:  # a valid parse round-trips through the canonical form
        assert parse_output(f"<think>x</think>\n{out.action.to_text()}").action == out.action
