"""Every real sample under ../shared/real-trajectories parses, with counts pinned.

The numbers were counted once from the files (see the README there) and are asserted
exactly, so a reader change that drops or adds rounds shows up here.
"""

from __future__ import annotations

import json

import pytest

from swe_srl.trajectory.readers import detect_format, read_record
from swe_srl.trajectory.sources import ReadStats, iter_records, read_trajectories

FOLDERS = {
    # folder: (format, number of trajectories, rounds per trajectory)
    "swegym_openhands_sampled": ("openhands", [21, 9, 11, 17, 29]),
    "openhands": ("openhands", [7, 2, 1, 10, 11]),
    "nebius_swe_agent": ("nebius", [6, 14, 5, 8, 16]),
    "swe-smith": ("swe_smith", [15, 23, 18, 22, 38]),
    "SWE-smith_5kTrajectories": ("swe_smith", [28, 30, 29, 24, 45]),
    "swe_agent_traj": ("swe_agent", [14, 11, 11]),
    "mini_swe_agent": ("mini_swe_agent", [10, 2]),
}


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_folder_parses_with_pinned_counts(real, folder):
    fmt, rounds = FOLDERS[folder]
    stats = ReadStats()
    trajs = list(read_trajectories(real / folder, stats=stats))
    assert all(not isinstance(t, Exception) for t in trajs), trajs
    assert [len(t.rounds) for t in trajs] == rounds
    assert {t.source_format for t in trajs} == {fmt}
    assert stats.errors == 0 and stats.skipped_unresolved == 0
    assert stats.rounds == sum(rounds)


def test_swe_smith_repo_samples(real):
    trajs = list(read_trajectories(real / "swe_smith"))
    assert [(t.source_format, t.instance_id, len(t.rounds)) for t in trajs] == [
        ("swe_smith", "pandas-dev__pandas.95280573.pr_53652", 37),
        ("swe_smith", "getmoto__moto.694ce1f4.pr_7331", 44),
        ("swe_smith", "pydantic__pydantic.acb0f10f.pr_8316", 22),
        ("swe_agent", "pandas-dev__pandas.95280573.pr_53856", 17),
        ("swe_agent", "pydantic__pydantic.acb0f10f.pr_8316", 22),
    ]


def test_auto_detection_per_sample(real):
    seen = {}
    for item in iter_records(real):
        assert not isinstance(item, Exception), item
        rid, record = item
        seen.setdefault(rid.split("/")[0], set()).add(detect_format(record, rid))
    assert seen == {
        "swegym_openhands_sampled": {"openhands"},
        "openhands": {"openhands"},
        "nebius_swe_agent": {"nebius"},
        "swe-smith": {"swe_smith"},
        "SWE-smith_5kTrajectories": {"swe_smith"},
        "swe_smith": {"swe_smith", "swe_agent"},
        "swe_agent_traj": {"swe_agent"},
        "mini_swe_agent": {"mini_swe_agent"},
    }


def test_swegym_first_record(load_json):
    rec = load_json("swegym_openhands_sampled/sample_raw.json")[0]
    t = read_record(rec, "swegym#0")
    assert (t.trajectory_id, t.instance_id, t.resolved) == ("python__mypy-15976_0", "python__mypy-15976", True)
    assert t.workspace == "/workspace/python__mypy__1.6"
    assert t.rounds[0].action_text == (
        "<function=str_replace_editor>\n<parameter=command>view</parameter>\n"
        "<parameter=path>/workspace/python__mypy__1.6</parameter>\n<parameter=view_range>[0, -1]</parameter>\n</function>"
    )
    assert t.rounds[0].observation == "ERROR:\nThe `view_range` parameter is not allowed when `path` points to a directory."
    assert t.rounds[-1].action.tool == "submit"
    assert t.problem_statement.startswith("attrs & dataclasses false positive error with slots=True")
    assert t.patch.startswith("diff --git a/mypy/plugins/attrs.py")
    assert t.counts == {"skipped_messages": 2}
    # several calls in one assistant turn: each is a round, the text goes to the first
    multi = [m for m in rec["messages"] if len(m.get("tool_calls") or []) == 4][0]
    calls = [json.loads(c["function"]["arguments"]) for c in multi["tool_calls"]]
    i = next(k for k, r in enumerate(t.rounds) if r.thought == multi["content"].strip())
    assert [t.rounds[i + j].action.args["path"] for j in range(4)] == [c["path"] for c in calls]
    assert [t.rounds[i + j].thought == "" for j in range(1, 4)] == [True, True, True]


def test_openhands_event_stream_skips_ipython(load_json):
    trajs = [read_record(r, f"oh#{i}") for i, r in enumerate(load_json("openhands/sample_raw.json"))]
    assert [t.instance_id for t in trajs] == ["244", "231", "264", "146", "16"]
    assert [t.counts.get("skipped_tool.run_ipython", 0) for t in trajs] == [10, 9, 0, 13, 2]
    first_run = next(r for r in trajs[0].rounds if r.action.tool == "bash")
    assert first_run.action.args["command"].startswith("git add /workspace/opendevin/runtime/client/README.md")
    assert first_run.observation == "`pre-commit` not found.  Did you forget to activate your virtualenv?"
    assert trajs[0].model == "claude-3-5-sonnet-20240620"


def test_nebius_old_commands(load_json):
    trajs = [read_record(r, f"n#{i}") for i, r in enumerate(load_json("nebius_swe_agent/sample_raw.json"))]
    assert [t.counts.get("windowed", 0) for t in trajs] == [3, 7, 2, 5, 10]
    assert {t.tool_profile for t in trajs} == {"swe-agent-windowed"}
    t = trajs[0]
    assert (t.instance_id, t.trajectory_id, t.resolved, t.workspace) == (
        "tomerfiliba__plumbum-366",
        "tomerfiliba__plumbum-366_17",
        True,
        "/plumbum",
    )
    texts = [r.action_text for r in t.rounds]
    assert texts[1] == '<function=bash>\n<parameter=command>find_file "image.py" plumbum</parameter>\n</function>'
    assert t.rounds[2].action.args == {"command": "open plumbum/cli/image.py"}
    assert t.rounds[3].action.args["command"] == "edit 5:5\nimport plumbum.cli as cli\nend_of_edit"
    assert t.rounds[5].action.tool == "submit"
    # observations are kept as recorded, SWE-agent's prompt footer included
    assert t.rounds[0].observation.endswith("translations.py*\n\n(Open file: n/a)\n(Current directory: /plumbum)\nbash-$")
    assert t.rounds[4].observation == (
        "Your command ran successfully and did not produce any output.\n"
        "(Open file: /plumbum/plumbum/cli/image.py)\n(Current directory: /plumbum)\nbash-$"
    )
    assert trajs[1].rounds[4].action.args == {"command": "open oqupy/process_tensor.py 536"}
    assert trajs[4].counts == {
        "windowed": 10, "windowed.find_file": 1, "windowed.open": 1, "windowed.search_file": 2,
        "windowed.goto": 1, "windowed.edit": 5,
    }


def test_swe_agent_traj_variants(real):
    trajs = list(read_trajectories(real / "swe_agent_traj"))
    assert {t.instance_id for t in trajs} == {"marshmallow-code__marshmallow-1867"}
    default, fc, xml = trajs
    assert default.workspace == xml.workspace == "/marshmallow-code__marshmallow"
    assert fc.workspace == "/testbed" and fc.model == "gpt-4o"
    assert default.tool_profile == xml.tool_profile == "swe-agent-windowed"
    assert fc.tool_profile == "swe-agent-windowed-1.x"
    assert fc.rounds[0].action.args == {"command": "create reproduce.py"}
    assert fc.rounds[4].action.args == {"command": "find_file fields.py src"}
    assert fc.rounds[5].action.args == {"command": 'open "src/marshmallow/fields.py" 1474'}
    assert fc.rounds[1].action.args["command"].startswith("insert 'from marshmallow.fields import TimeDelta")
    assert fc.rounds[2].observation == "344\n(Open file: /testbed/reproduce.py)\n(Current directory: /testbed)\nbash-$"
    assert [t.counts.get("windowed") for t in trajs] == [7, 6, 6]
    assert [t.counts.get("windowed.edit") for t in trajs] == [3, 2, 3]
    assert xml.rounds[0].action.args == {"command": "create reproduce.py"}
    assert default.rounds[8].action.args == {"command": "open src/marshmallow/fields.py 1474"}
    assert default.rounds[3].observation == (
        "[File: /marshmallow-code__marshmallow/reproduce.py (1 lines total)]\n1:\n\n"
        "(Open file: /marshmallow-code__marshmallow/reproduce.py)\n(Current directory: /marshmallow-code__marshmallow)\nbash-$"
    )
    # the 0.x history records no observation after submit; the step's patch fills it
    assert default.rounds[-1].observation.lstrip().startswith("diff --git a/src/marshmallow/fields.py")
    assert all(t.rounds[-1].action.tool == "submit" for t in trajs)
    assert fc.patch.lstrip().startswith("diff --git a/src/marshmallow/fields.py")


def test_function_calling_runs_without_footers_keep_the_default_profile(real):
    trajs = list(read_trajectories(real / "swe_smith"))
    assert trajs and {t.tool_profile for t in trajs} == {None}


def test_same_run_in_two_renderings_gives_same_actions(real):
    line = (real / "swe_smith/ft_xml_example.jsonl").read_text().splitlines()[2]
    ft = read_record(json.loads(line), "ft:3")
    traj = read_record(json.loads((real / "swe_smith/pydantic__pydantic.acb0f10f.pr_8316.traj").read_text()), "p.traj")
    assert [r.action_text for r in ft.rounds] == [r.action_text for r in traj.rounds]
    assert [r.thought for r in ft.rounds] == [r.thought for r in traj.rounds]
    assert [r.observation for r in ft.rounds[:-1]] == [r.observation for r in traj.rounds[:-1]]
    assert ft.problem_statement == traj.problem_statement
    assert traj.rounds[0].action_text == (
        '<function=bash>\n<parameter=command>find /testbed -type f -name "*.py" | grep -i alias</parameter>\n</function>'
    )


def test_swe_smith_ids_and_first_action(load_json):
    t = read_record(load_json("swe-smith/sample_raw.json")[0], "s#0")
    assert t.trajectory_id == "arrow-py__arrow.1d70d009.lm_rewrite__nuzjfyur.l13ggwmx_1"
    assert t.instance_id == "arrow-py__arrow.1d70d009.lm_rewrite__nuzjfyur"
    assert t.model == "claude-3-7-sonnet-20250219" and t.resolved is True
    assert t.rounds[0].action.args == {"command": 'find /testbed -type f -name "*.py" | grep -v "__pycache__" | sort'}
    assert t.rounds[0].observation.startswith("/testbed/arrow/__init__.py")
    assert t.rounds[0].thought.endswith("let's explore the repository structure to locate the Arrow class implementation:")
    five_k = [read_record(r, f"5k#{i}").instance_id for i, r in enumerate(load_json("SWE-smith_5kTrajectories/sample_raw.json"))]
    assert five_k[4] == "pydantic__pydantic.acb0f10f.pr_9848"
    moto = read_record(load_json("swe-smith/sample_raw.json")[4], "s#4")
    assert moto.instance_id == "getmoto__moto.694ce1f4.pr_6055"  # a real id ending in digits is kept


def test_mini_swe_agent_submit_and_patch(real):
    t = read_record(json.loads((real / "mini_swe_agent/github_issue.traj.json").read_text()), "github_issue.traj.json")
    assert t.instance_id == "github_issue"
    assert t.rounds[0].action.args == {"command": "cat /Users/fuchur/Documents/24/git_sync/swe-agent-test-repo/tests/./missing_colon.py"}
    assert t.rounds[0].observation.startswith("cat: /Users/fuchur/")
    assert t.rounds[-1].action.tool == "submit"
    assert t.patch.startswith("diff --git a/tests/missing_colon.py")
    assert t.problem_statement.startswith("GitHub Issue: SyntaxError: invalid syntax")
