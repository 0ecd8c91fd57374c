"""Step prompts: the window of rounds, head/tail truncation to the token budget, and the
chat template keeping the think block of SFT targets."""

from __future__ import annotations

import copy

import pytest

from swe_srl.srl.data import sft_completion, sft_dataset
from swe_srl.srl.parse import parse_output
from swe_srl.srl.prompt import (
    INSTRUCTION,
    SYSTEM_PROMPT,
    Limits,
    build_messages,
    render_prompt,
    truncate_middle,
    user_message,
)
from swe_srl.trajectory.actions import TOOLS

from .conftest import tiny_config


def rounds(n: int) -> list[dict]:
    return [
        {"thought": f"thought {i}", "action": f"<function=bash>\n<parameter=command>cmd {i}</parameter>\n</function>",
         "observation": f"output {i}"}
        for i in range(1, n + 1)
    ]


def test_system_prompt_documents_every_tool_and_the_rule():
    for tool in TOOLS:
        assert f"- {tool}:" in SYSTEM_PROMPT
    assert "<think>" in SYSTEM_PROMPT and "exactly one tool call" in SYSTEM_PROMPT
    assert "<function=bash>\n<parameter=command>" in SYSTEM_PROMPT


def test_window_keeps_the_last_k_rounds():
    text = user_message("Fix the bug.", rounds(5), window=2)
    assert "cmd 4" in text and "cmd 5" in text and "output 5" in text
    assert "cmd 3" not in text and "output 1" not in text
    assert "5 so far; the 3 earlier ones are not shown" in text
    assert "## Step 4" in text and "## Step 5" in text
    assert "thought" not in text  # the expert's thoughts are never shown
    assert text.startswith("<issue>\nFix the bug.\n</issue>") and text.endswith(INSTRUCTION)


def test_window_all_and_zero():
    text = user_message("x", rounds(3), window="all")
    assert all(f"cmd {i}" in text for i in (1, 2, 3)) and "not shown" not in text
    text = user_message("x", rounds(3), window=0)
    assert "cmd" not in text and "the 3 earlier ones are not shown" in text
    assert "You have not taken any steps yet." in user_message("x", [], window=2)


def test_build_messages_is_system_then_user():
    messages = build_messages("issue", rounds(1), 2)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == SYSTEM_PROMPT


def test_truncate_middle_keeps_head_and_tail():
    text = "HEAD" + "x" * 1000 + "TAIL"
    cut = truncate_middle(text, 100)
    assert cut.startswith("HEAD") and cut.endswith("TAIL")
    assert "[... 908 characters truncated ...]" in cut
    assert truncate_middle("short", 100) == "short"
    assert truncate_middle("abc", None) == "abc"


def test_limits_cut_only_the_shown_parts():
    history = [{"action": "A" * 500, "observation": "O" * 500}]
    text = user_message("I" * 500, history, 2, Limits(observation=50, action=None, issue=None))
    assert "O" * 25 + "\n[... 450 characters truncated ...]\n" + "O" * 25 in text
    assert "A" * 500 in text and "I" * 500 in text


def test_render_prompt_truncates_observations_to_fit(step_rows, word_tokenizer):
    tiny_tokenizer = word_tokenizer
    row = max(step_rows, key=lambda r: sum(len(h["observation"]) for h in r["history"][-2:]))
    full = render_prompt(row["problem_statement"], row["history"], tiny_tokenizer, None, 2)
    assert not full.truncated
    budget = full.num_tokens - 300
    fitted = render_prompt(row["problem_statement"], row["history"], tiny_tokenizer, budget, 2)
    assert fitted.fits and fitted.truncated and fitted.num_tokens <= budget
    assert "characters truncated ...]" in fitted.text
    assert row["problem_statement"].strip() in fitted.text  # the issue is cut last
    longest = max(row["history"][-2:], key=lambda h: len(h["observation"]))["observation"]
    assert longest[:20] in fitted.text and longest.rstrip()[-20:] in fitted.text
    assert fitted.text.endswith("<|im_start|>assistant\n")  # generation prompt, no pre-filled think


def test_render_prompt_reports_when_nothing_can_fit(step_rows, word_tokenizer):
    tiny_tokenizer = word_tokenizer
    row = step_rows[5]
    rendered = render_prompt(row["problem_statement"], row["history"], tiny_tokenizer, 10, 2)
    assert not rendered.fits and rendered.truncated
    assert rendered.num_tokens > 10


def test_render_prompt_cuts_the_issue_when_history_is_not_enough(word_tokenizer):
    tiny_tokenizer = word_tokenizer
    issue = "start of issue " + "very long issue text " * 400 + " end of issue"
    full = render_prompt(issue, [], tiny_tokenizer, None, 2)
    fitted = render_prompt(issue, [], tiny_tokenizer, full.num_tokens // 2, 2)
    assert fitted.fits and fitted.truncated
    assert "start of issue" in fitted.text and "end of issue" in fitted.text


def test_tiny_template_keeps_the_think_block_of_sft_targets(steps_ds, tiny_tokenizer):
    rows = sft_dataset(steps_ds, tiny_tokenizer, tiny_config(max_prompt_tokens=4096))
    for row in rows:
        ids = tiny_tokenizer(row["prompt"] + row["completion"])["input_ids"]
        decoded = tiny_tokenizer.decode(ids, skip_special_tokens=True)  # how TRL decodes rollouts
        assert row["completion"] in decoded
        assert parse_output(row["completion"]).valid


# DeepSeek-R1 style: assistant turns lose everything up to </think>.
STRIPPING_TEMPLATE = (
    "{%- for message in messages %}{%- set content = message['content'] %}"
    "{%- if message['role'] == 'assistant' and '</think>' in content %}"
    "{%- set content = content.split('</think>')[-1].lstrip() %}{%- endif %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + content + '<|im_end|>\\n' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def test_sft_targets_survive_a_template_that_strips_think(steps_ds, tiny_tokenizer):
    tokenizer = copy.deepcopy(tiny_tokenizer)
    tokenizer.chat_template = STRIPPING_TEMPLATE
    row = steps_ds[3]
    completion = sft_completion(row["expert_thought"], row["expert_action"])
    messages = build_messages(row["problem_statement"], row["history"], 2)
    # The hazard: rendering the target as an assistant message drops the monologue...
    as_message = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": completion}], tokenize=False)
    assert "<think>" not in as_message.split("<|im_start|>assistant")[-1]
    # ...so the SFT rows append the completion as text after the rendered prompt.
    sft_rows = sft_dataset(steps_ds.select([3]), tokenizer, tiny_config(max_prompt_tokens=4096))
    assert sft_rows[0]["completion"] == completion
    assert sft_rows[0]["completion"].startswith("<think>\n" + row["expert_thought"])


@pytest.mark.parametrize("thought", ["", "   "])
def test_sft_target_without_thought_still_has_a_monologue(thought):
    text = sft_completion(thought, "<function=submit>\n</function>", "submit")
    assert parse_output(text).valid
