"""Policy output parsing: monologue + exactly one valid canonical call, never raising."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swe_srl.srl.parse import (
    canonical_call,
    completion_text,
    parse_completion,
    parse_output,
    render_completion,
)
from swe_srl.trajectory.actions import TOOLS, Action, parse_calls, roundtrip_error, roundtrip_errors

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
        ("<think>a</think>\n <think>b</think>" + LS, "more than one <think>"),
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
def test_parser_handles_any_text(text):
    out = parse_output(text)
    # parse_output catches every exception: its catch-all must not be what answered
    assert out.error is None or not out.error.startswith(("unparseable output", "unparseable call")), out.error
    assert (out.action is None) == (out.error is not None)
    if out.valid:  # a valid parse round-trips through the canonical form
        assert parse_output(f"<think>x</think>\n{out.action.to_text()}").action == out.action


# -- values holding the format's own markup ----------------------------------------------

HARD_FILE = (
    "<function=bash>\n<parameter=command>ls</parameter>\n</function>\n"
    "x = '</parameter>'  # a parser test\n"
    "<think>nested</think> and </think> alone\n"
    "template = '<parameter=path>/etc</parameter>'\n"
    "</function>\n"
    "</parameter>\n"
)
HARD_ACTIONS = [
    Action.make("str_replace_editor", {"command": "create", "path": "/testbed/t.xml", "file_text": HARD_FILE}),
    Action.make("str_replace_editor", {"command": "create", "path": "/testbed/a.txt", "file_text": "ends with a tag</function>"}),
    Action.make("str_replace_editor", {"command": "create", "path": "/testbed/b.txt", "file_text": "</parameter>\n</function>"}),
    Action.make("str_replace_editor", {"command": "str_replace", "path": "/testbed/p.py",
                                       "old_str": 'END = "</function>"', "new_str": 'END = "</parameter></function>"'}),
    Action.make("bash", {"command": "grep -rn '</think>' /testbed && echo '<function=submit></function>'"}),
    Action.make("bash", {"command": "cat <<'EOF' > x.html\n<p>a < b > c</p>\n</parameter>\nEOF"}),
    Action.make("think", {"thought": "<think>I should not nest</think> tags; </parameter>\n<parameter=thought> is text"}),
    Action.make("str_replace_editor", {"command": "create", "path": "/testbed/e.txt", "file_text": ""}),
    Action.make("str_replace_editor", {"command": "create", "path": "/testbed/n.txt", "file_text": "\n"}),
    Action.make("str_replace_editor", {"command": "create", "path": "/testbed/n2.txt", "file_text": "\n\nx\n\n"}),
]


@pytest.mark.parametrize("action", HARD_ACTIONS, ids=range(len(HARD_ACTIONS)))
def test_values_holding_markup_parse_back_exactly(action):
    assert parse_calls(action.to_text()).actions == [action]
    assert roundtrip_error(action) is None
    out = parse_output(render_completion("I write the file.", action))
    assert out.valid and out.action == action and out.monologue == "I write the file."


@pytest.mark.parametrize("action", HARD_ACTIONS, ids=range(len(HARD_ACTIONS)))
def test_exact_copies_of_hard_actions_score_one(action):
    from swe_srl.srl.reward import SRLReward, srl_reward

    completion = render_completion("Copy.", action)
    assert srl_reward(completion, action.to_text()) == 1.0
    assert SRLReward()(completions=[completion], expert_action=[action.to_text()]) == [1.0]


def test_a_monologue_ends_at_the_first_close_tag_and_the_renderer_escapes_it():
    text = render_completion("I will type </think> literally and <think> too", Action.make("submit"))
    out = parse_output(text)
    assert out.valid and out.monologue == "I will type &lt;/think> literally and <think> too"


def test_two_calls_are_still_two_calls():
    for a, b in [(LS, LS), (LS, VIEW), (HARD_ACTIONS[0].to_text(), LS)]:
        out = parse_output(f"<think>x</think>\n{a}\n{b}")
        assert out.action is None and "expected exactly one tool call, found 2" in out.error


def test_inline_and_loose_layouts_read_and_canonicalise():
    inline = "<function=str_replace_editor><parameter=command>view</parameter><parameter=path>/a.py</parameter></function>"
    loose = "<function=bash>\n<parameter=command>\nls -la\n</parameter>\n</function>"
    assert parse_calls(inline).actions == [Action.make("str_replace_editor", {"command": "view", "path": "/a.py"})]
    assert canonical_call(loose) == Action.make("bash", {"command": "ls -la"}).to_text()
    assert canonical_call("not a call") == "not a call"


def test_roundtrip_errors_names_the_rounds_that_do_not_read_back():
    from types import SimpleNamespace

    # A value holding the end of a value and the next tag reads as two parameters.
    clash = Action.make("str_replace_editor", {"command": "create", "path": "/a",
                                               "file_text": "a\nb\n</parameter>\n<parameter=old_str>\nc\nd"})
    traj = SimpleNamespace(rounds=[SimpleNamespace(action=a) for a in (HARD_ACTIONS[0], clash, Action.make("submit"))])
    errors = roundtrip_errors(traj)
    assert [k for k, _ in errors] == [1] and "different action" in errors[0][1]


# Values built from the format's own markup, `<`, `>` and newlines: every action whose
# canonical text has one reading reads back as itself.
PIECES = st.sampled_from(
    ["<think>", "</think>", "<function=", "<function=bash>", "</function>", "<parameter=", "<parameter=path>",
     "<parameter=new_str>", "</parameter>", "<", ">", "\n", "\n\n", " ", "=", "/", "a", "ls", "&lt;"]
)
VALUE = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=24).map("".join)
EDITOR_OPTIONAL = ["file_text", "old_str", "new_str", "insert_line", "view_range"]


@st.composite
def actions(draw):
    tool = draw(st.sampled_from(sorted(TOOLS)))
    if tool == "submit":
        return Action.make("submit")
    if tool != "str_replace_editor":
        return Action.make(tool, {TOOLS[tool][0]: draw(VALUE)})
    args = {"command": draw(st.sampled_from(["view", "create", "str_replace", "insert", "undo_edit"])), "path": draw(VALUE)}
    for name in draw(st.lists(st.sampled_from(EDITOR_OPTIONAL), unique=True, max_size=3)):
        args[name] = draw(VALUE)
    return Action.make(tool, args)


# What a value cannot hold and read back (see parse_calls): the end of a value followed
# by another parameter tag, or the end of a call followed by nothing or another call.
BOUNDARY = re.compile(r"</parameter>\s*(<parameter=|</function>\s*(<function=|$))")


def _one_reading(action: Action) -> bool:
    return not any(BOUNDARY.search(v) for v in action.args.values())


@settings(max_examples=1500, deadline=None)
@given(actions(), VALUE)
def test_parse_of_render_is_identity(action, thought):
    if not _one_reading(action):
        return
    assert parse_calls(action.to_text()).actions == [action]
    out = parse_output(render_completion(thought, action))
    assert out.valid, out.error
    assert out.action == action


def test_swe_agent_layout_reads_single_line_values_on_their_own_lines():
    # SWE-smith's rendering puts one-line values on their own lines: the first value end
    # followed by the next tag is the boundary, though the whole text would also be a
    # canonical one-parameter call.
    text = ("<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n<parameter=path>/t.py</parameter>\n"
            "<parameter=old_str>\n    x = 1,\n</parameter>\n<parameter=new_str>\n    x = 2,\n</parameter>\n</function>")
    assert parse_calls(text).actions[0].args == {"command": "str_replace", "path": "/t.py", "old_str": "    x = 1,",
                                                  "new_str": "    x = 2,"}
