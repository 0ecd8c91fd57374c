"""Canonical action text, and the parser's never-raise / round-trip properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swe_srl.trajectory.actions import Action, ActionError, parse_action, parse_calls
from swe_srl.trajectory.model import Round, make_round, TrajectoryError


def test_bash_text_from_openhands_name():
    act = Action.make("execute_bash", {"command": 'grep -rn "def add" /testbed'})
    assert act.tool == "bash"
    assert act.to_text() == '<function=bash>\n<parameter=command>grep -rn "def add" /testbed</parameter>\n</function>'


def test_editor_parameters_in_fixed_order_and_typed_values():
    act = Action.make(
        "str_replace_editor",
        {"view_range": [1, 20], "path": "/testbed/a.py", "command": "view"},
    )
    assert act.to_text() == (
        "<function=str_replace_editor>\n<parameter=command>view</parameter>\n"
        "<parameter=path>/testbed/a.py</parameter>\n<parameter=view_range>[1, 20]</parameter>\n</function>"
    )


def test_multiline_value_sits_on_its_own_lines():
    act = Action.make("str_replace_editor", {"command": "create", "path": "/t/x.py", "file_text": "a\nb"})
    assert "<parameter=file_text>\na\nb\n</parameter>" in act.to_text()
    assert parse_action(act.to_text()) == act


def test_finish_is_submit_and_drops_message():
    assert Action.make("finish", {"message": "done"}).to_text() == "<function=submit>\n</function>"


def test_round_text_is_always_canonical():
    rnd = Round.model_validate(
        {"thought": "t", "action": {"tool": "execute_bash", "args": {"command": "ls"}}, "action_text": "stale", "observation": ""}
    )
    assert rnd.action_text == "<function=bash>\n<parameter=command>ls</parameter>\n</function>"
    assert Round.model_validate(rnd.model_dump()).action == rnd.action


def test_view_range_spelling_is_normalised_by_readers():
    rnd = make_round("r", "str_replace_editor", {"command": "view", "path": "/a", "view_range": "[3,9]"})
    assert rnd.action.args["view_range"] == "[3, 9]"


def test_make_round_reports_unknown_tool_with_id():
    with pytest.raises(TrajectoryError) as err:
        make_round("rec-7", "browser", {"url": "x"}, where="message 3")
    assert err.value.record_id == "rec-7" and "message 3" in err.value.reason and "browser" in err.value.reason


def test_unknown_editor_command_is_an_error():
    with pytest.raises(ActionError):
        Action.make("str_replace_editor", {"command": "delete", "path": "/a"})


def _check_parsed(parsed) -> None:
    # parse_calls catches every exception, so "never raises" cannot fail: check that its
    # catch-all was not what answered, and that the result is consistent.
    assert parsed.error is None or not parsed.error.startswith("unparseable call"), parsed.error
    if parsed.error is None:
        assert len(parsed.actions) == 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_calls_handles_any_text(text):
    _check_parsed(parse_calls(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40).map(lambda s: "<function=" + s))
def test_parse_calls_handles_call_like_text(text):
    _check_parsed(parse_calls(text + "<parameter=command>x</parameter></function>"))


_value = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>"), min_size=1, max_size=60)
_action = st.one_of(
    st.builds(lambda c: Action.make("bash", {"command": c}), _value),
    st.builds(lambda t: Action.make("think", {"thought": t}), _value),
    st.just(Action.make("submit")),
    st.builds(
        lambda p, old, new: Action.make("str_replace_editor", {"command": "str_replace", "path": p, "old_str": old, "new_str": new}),
        _value,
        _value,
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>"), max_size=60),
    ),
    st.builds(
        lambda p, a, b: Action.make("str_replace_editor", {"command": "view", "path": p, "view_range": [a, b]}),
        _value,
        st.integers(1, 500),
        st.integers(-1, 900),
    ),
)


@settings(max_examples=300, deadline=None)
@given(_action)
def test_parse_action_round_trips_canonical_text(action):
    assert parse_action(action.to_text()) == action
