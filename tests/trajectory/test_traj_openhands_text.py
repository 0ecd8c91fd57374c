"""OpenHands text mode (no real sample exists): a fixture in CodeActAgent's non-function-calling form.

OpenHands' fn_call_converter renders a call as `<function=NAME>` + one `<parameter=...>`
per argument (multi-line values on their own lines) + `</function>`, and a tool result
as a user message `EXECUTION RESULT of [NAME]:\\n<output>`; the first user message can
start with an in-context example that itself contains calls.
"""

from __future__ import annotations

from swe_srl.trajectory.readers import detect_format, read_record
from swe_srl.trajectory.remap import remap_workspace

EXAMPLE = (
    "Here's a running example of how to perform a task with the provided tools.\n\n"
    "--------------------- START OF EXAMPLE ---------------------\n\n"
    "USER: Create a list of numbers from 1 to 10, and display them in a web page at port 5000.\n\n"
    "ASSISTANT: Sure! Let me first check the current directory:\n<function=execute_bash>\n"
    "<parameter=command>\npwd && ls\n</parameter>\n</function>\n\n"
    "USER: EXECUTION RESULT of [execute_bash]:\n/workspace\nopenhands@runtime:~/workspace$\n\n"
    "--------------------- END OF EXAMPLE ---------------------\n\n"
    "Do NOT assume the environment is the same as in the example above.\n\n"
    "--------------------- NEW TASK DESCRIPTION ---------------------\n"
)
TASK = (
    "<uploaded_files>\n/workspace/getmoto__moto__4.1\n</uploaded_files>\n"
    "I've uploaded a python code repository in the directory getmoto__moto__4.1. Consider the following PR description:\n\n"
    "<pr_description>\nCloudFront: Bogus response from create_invalidation API when supplying a single path.\n</pr_description>\n\n"
    "Can you help me implement the necessary changes to the repository so that the requirements specified in the <pr_description> are met?"
)
RECORD = {
    "instance_id": "getmoto__moto-6387_0",
    "resolved": True,
    "messages": [
        {"role": "system", "content": "You are a helpful assistant that can interact with a computer to solve tasks."},
        {"role": "user", "content": EXAMPLE + TASK},
        {
            "role": "assistant",
            "content": "Let me look at the CloudFront responses first.\n<function=execute_bash>\n"
            "<parameter=command>grep -n \"Paths\" /workspace/getmoto__moto__4.1/moto/cloudfront/responses.py</parameter>\n</function>",
        },
        {
            "role": "user",
            "content": "EXECUTION RESULT of [execute_bash]:\n111:        paths = ((params.get(\"Paths\") or {}).get(\"Items\") or {}).get(\"Path\") or []\n"
            "[Python Interpreter: /opt/miniconda3/envs/testbed/bin/python]\nroot@openhands-workspace:/workspace/getmoto__moto__4.1 # \n"
            "[Command finished with exit code 0]",
        },
        {
            "role": "assistant",
            "content": "A single path comes back as a string; wrap it in a list.\n<function=str_replace_editor>\n"
            "<parameter=command>str_replace</parameter>\n<parameter=path>/workspace/getmoto__moto__4.1/moto/cloudfront/responses.py</parameter>\n"
            "<parameter=old_str>\n        paths = ((params.get(\"Paths\") or {}).get(\"Items\") or {}).get(\"Path\") or []\n</parameter>\n"
            "<parameter=new_str>\n        paths = ((params.get(\"Paths\") or {}).get(\"Items\") or {}).get(\"Path\") or []\n"
            "        if isinstance(paths, str):\n            paths = [paths]\n</parameter>\n</function>",
        },
        {"role": "user", "content": "EXECUTION RESULT of [str_replace_editor]:\nThe file /workspace/getmoto__moto__4.1/moto/cloudfront/responses.py has been edited."},
        {"role": "assistant", "content": "The fix is in place; the single path now stays a list."},
        {"role": "user", "content": "Please continue working on the task on whatever approach you think is suitable."},
        {"role": "assistant", "content": "<function=finish>\n</function>"},
    ],
}


def test_text_mode_fixture():
    assert detect_format(RECORD) == "openhands_text"
    t = read_record(RECORD, "oh-text#0")
    assert (t.instance_id, t.trajectory_id, t.resolved) == ("getmoto__moto-6387", "getmoto__moto-6387_0", True)
    assert t.workspace == "/workspace/getmoto__moto__4.1"
    assert t.problem_statement == "CloudFront: Bogus response from create_invalidation API when supplying a single path."
    assert [r.action.tool for r in t.rounds] == ["bash", "str_replace_editor", "submit"]
    assert t.rounds[0].thought == "Let me look at the CloudFront responses first."
    assert t.rounds[0].observation.startswith("111:        paths = ")
    assert t.rounds[1].action.args["new_str"].endswith("paths = [paths]")
    assert t.rounds[1].action.args["old_str"].startswith("        paths")
    assert t.rounds[2].observation == "" and t.counts == {"skipped_messages": 1}
    moved = remap_workspace(t)
    assert moved.rounds[1].action.args["path"] == "/testbed/moto/cloudfront/responses.py"
