"""The step reward on hand-computed cases, every invalid format, and the TRL callable."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swe_srl.srl import native
from swe_srl.srl.reward import SRLReward, matcher_class, srl_reward, text_similarity
from swe_srl.trajectory.actions import Action

LS = Action.make("bash", {"command": "ls"}).to_text()
LS_A = Action.make("bash", {"command": "ls -a"}).to_text()
SUBMIT = Action.make("submit").to_text()


def view(path: str) -> str:
    return Action.make("str_replace_editor", {"command": "view", "path": path}).to_text()


def out(action_text: str, monologue: str = "Let me check.") -> str:
    return f"<think>\n{monologue}\n</think>\n{action_text}"


def test_identical_action_scores_one():
    assert srl_reward(out(LS), LS) == 1.0
    assert srl_reward(out(SUBMIT), SUBMIT) == 1.0


def test_inserted_flag_hand_computed():
    # LS is 61 characters, LS_A is LS with " -a" inserted after "ls" (64): every character of
    # LS matches (a 37-character prefix and a 24-character suffix), so 2M/T = 122/125.
    assert (len(LS), len(LS_A)) == (61, 64)
    assert srl_reward(out(LS_A), LS) == 122 / 125 == 0.976
    assert srl_reward(out(LS), LS_A) == 122 / 125


def test_one_character_substitution_hand_computed():
    # Same length n, one differing character: M = n - 1, ratio = 2(n-1)/2n.
    a, b = view("/testbed/a.py"), view("/testbed/b.py")
    n = len(a)
    assert len(b) == n == 119
    assert srl_reward(out(a), b) == (n - 1) / n == 118 / 119


def test_monologue_is_never_compared():
    assert srl_reward(out(LS_A, "short"), LS) == srl_reward(out(LS_A, "a much longer monologue " * 20), LS)


@pytest.mark.parametrize(
    "completion",
    [
        LS,  # no think block
        "<think></think>\n" + LS,  # empty monologue
        "<think>a</think>\n",  # no call
        "<think>a</think>\n" + LS + LS,  # two calls
        "<think>a</think>\n<function=grep>\n<parameter=command>x</parameter>\n</function>",  # unknown tool
        "<think>a</think>\n<function=str_replace_editor>\n<parameter=command>view</parameter>\n</function>",  # no path
        "<think>a</think>\n<function=bash>\n<parameter=command>ls</parameter>\n",  # unclosed
        "<think>a</think>\n<function=bash>ls</function>",  # text outside parameters
        "<think>a</think><think>b</think>\n" + LS,  # two think blocks
        "",  # nothing at all
    ],
)
def test_invalid_format_scores_minus_one(completion):
    assert srl_reward(completion, LS) == -1.0


def test_autojunk_is_off_by_default_and_configurable():
    # 300 characters of "abc": with autojunk those characters count as "popular" and the
    # shared run is no longer found, so the score collapses.
    expert = Action.make("bash", {"command": "echo " + "abc" * 100}).to_text()
    policy = Action.make("bash", {"command": "abc" * 100 + " | wc"}).to_text()
    off = difflib.SequenceMatcher(None, policy, expert, autojunk=False).ratio()
    on = difflib.SequenceMatcher(None, policy, expert, autojunk=True).ratio()
    assert off > 0.98 and on < 0.2
    assert srl_reward(out(policy), expert, backend="difflib") == off
    assert srl_reward(out(policy), expert, autojunk=True, backend="difflib") == on


def test_structured_mode_gates_on_tool_command_and_path():
    assert srl_reward(out(LS), SUBMIT, mode="structured") == 0.0
    assert srl_reward(out(view("/testbed/a.py")), view("/testbed/b.py"), mode="structured") == 0.0
    create = Action.make("str_replace_editor", {"command": "create", "path": "/testbed/a.py", "file_text": "x"}).to_text()
    assert srl_reward(out(create), view("/testbed/a.py"), mode="structured") == 0.0
    assert srl_reward(out(LS_A), LS, mode="structured") == srl_reward(out(LS_A), LS) == 122 / 125
    assert srl_reward(LS, LS, mode="structured") == -1.0


def test_indel_mode_hand_computed():
    # LCS of LS and LS_A is all 61 characters of LS: 1 - 3/125.
    assert srl_reward(out(LS_A), LS, mode="indel") == pytest.approx(122 / 125, abs=1e-12)
    assert srl_reward(out(SUBMIT), SUBMIT, mode="indel") == 1.0


def test_unknown_mode_and_backend_are_rejected():
    with pytest.raises(ValueError):
        srl_reward(out(LS), LS, mode="bleu")
    with pytest.raises(ValueError):
        matcher_class("fastest")


FAST_BACKENDS = ["cydifflib", "native"]


def _need(backend: str) -> None:
    if backend == "cydifflib":
        pytest.importorskip("cydifflib")
    elif not native.available():
        pytest.skip("no C compiler: the native ratio is unavailable here")


@pytest.mark.parametrize("backend", FAST_BACKENDS)
def test_fast_backends_give_identical_ratios_on_the_fixture(step_rows, backend):
    _need(backend)
    actions = [r["expert_action"] for r in step_rows]
    actions += [a.replace("/testbed", "/repo") for a in actions[::3]]
    for a in actions:
        for b in actions:
            assert text_similarity(a, b, backend=backend) == text_similarity(a, b, backend="difflib")


ALPHABET = "ab \n<>=/xyzé"


@pytest.mark.parametrize("backend", FAST_BACKENDS)
@settings(max_examples=300, deadline=None)
@given(a=st.text(alphabet=ALPHABET, max_size=300), b=st.text(alphabet=ALPHABET, max_size=300), autojunk=st.booleans())
def test_fast_backends_identical_to_difflib_on_random_text(backend, a, b, autojunk):
    _need(backend)
    expected = difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()
    assert text_similarity(a, b, autojunk=autojunk, backend=backend) == expected


@settings(max_examples=300, deadline=None)
@given(
    a=st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=400),
    edits=st.lists(st.tuples(st.integers(0, 399), st.text(max_size=5)), max_size=6),
    autojunk=st.booleans(),
)
def test_native_search_strategies_agree_with_difflib(a, edits, autojunk):
    """Near copies (the expensive case), through the DP, the suffix automaton and the mix."""
    _need("native")
    b = a
    for at, text in edits:
        b = b[:at] + text + b[at + len(text):]
    expected = difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()
    assert [native.ratio(a, b, autojunk, mode=m) for m in (0, 1, 2)] == [expected] * 3


def test_auto_backend_falls_back_without_the_native_ratio(monkeypatch):
    monkeypatch.setattr(native, "available", lambda: False)
    expected = "cydifflib" if native_fallback_has_cydifflib() else "difflib"
    assert matcher_class("auto").__module__.split(".")[0] == expected
    with pytest.raises(ValueError):
        matcher_class("native")


def native_fallback_has_cydifflib() -> bool:
    try:
        import cydifflib  # noqa: F401
    except ImportError:
        return False
    return True


def test_trl_callable_reads_the_expert_action_column_and_logs():
    logged: dict[str, float] = {}
    reward = SRLReward()
    assert reward.__name__ == "srl_similarity"
    completions = [out(LS), out(LS_A), "garbage", out(LS)]
    experts = [LS, LS, LS, LS_A]
    rewards = reward(
        prompts=["p"] * 4, completions=completions, expert_action=experts, log_metric=logged.__setitem__,
        trainer_state=None, instance_id=["i"] * 4,
    )
    assert rewards == [1.0, 122 / 125, -1.0, 122 / 125]
    assert logged["srl/format_failure_rate"] == 0.25
    assert logged["srl/exact_match_rate"] == 0.25
    assert logged["srl/valid_similarity_mean"] == pytest.approx((1.0 + 2 * 122 / 125) / 3)


def test_trl_callable_accepts_conversational_completions():
    rewards = SRLReward("structured")(completions=[[{"role": "assistant", "content": out(LS)}]], expert_action=[LS])
    assert rewards == [1.0]


LAYOUTS = [
    # SWE-agent's layout: one-line values on their own lines
    "<function=str_replace_editor>\n<parameter=command>\nstr_replace\n</parameter>\n<parameter=path>\n/testbed/a.py\n"
    "</parameter>\n<parameter=old_str>\nreturn a - b\n</parameter>\n<parameter=new_str>\nreturn a + b\n</parameter>\n</function>",
    # all on one line, parameters out of order
    "<function=str_replace_editor><parameter=path>/testbed/a.py</parameter><parameter=command>str_replace</parameter>"
    "<parameter=old_str>return a - b</parameter><parameter=new_str>return a + b</parameter></function>",
    # the canonical one
    Action.make("str_replace_editor", {"command": "str_replace", "path": "/testbed/a.py", "old_str": "return a - b",
                                       "new_str": "return a + b"}).to_text(),
]


@pytest.mark.parametrize("expert", LAYOUTS, ids=["swe-agent", "inline", "canonical"])
@pytest.mark.parametrize("mode", ["difflib", "structured", "indel"])
def test_an_exact_copy_scores_one_in_any_layout(expert, mode):
    assert srl_reward(out(expert), expert, mode=mode) == 1.0
    for layout in LAYOUTS:  # the policy writes it in another layout: still the same action
        assert srl_reward(out(layout), expert, mode=mode) == 1.0
    logged = {}
    assert SRLReward(mode)(completions=[out(expert)], expert_action=[expert], log_metric=logged.__setitem__) == [1.0]
    assert logged["srl/exact_match_rate"] == 1.0
