"""Writer -> reader round trips for every format, and what lossy formats refuse."""

from __future__ import annotations

import json

import pytest

from swe_srl.trajectory.readers import READERS, detect_format, read_record
from swe_srl.trajectory.readers._common import split_footer
from swe_srl.trajectory.writers import WRITERS, WriteError, shell_equivalent, write

EXACT = ["openhands", "openhands_text", "swe_agent", "swe_smith", "canonical"]


def _rounds(t):
    return [(r.thought, r.action, r.action_text, r.observation) for r in t.rounds]


def _as_typed(t):
    """A run as nebius reads it back: every call as typed at SWE-agent's prompt (editor
    views and empty creates become `open`/`create`), observations without their footer."""
    out = []
    for r in t.rounds:
        a = r.action
        if a.tool == "str_replace_editor":
            command = f"{'open' if a.args['command'] == 'view' else 'create'} {a.args['path']}"
        else:
            command = a.args.get("command")
        out.append((r.thought, "bash" if command else a.tool, command, split_footer(r.observation)[0].rstrip("\n")))
    return out


def _read_back(t, fmt):
    return _as_typed(t) if fmt == "nebius" else _rounds(t)


def test_every_reader_has_a_writer():
    assert set(WRITERS) == set(READERS)


@pytest.mark.parametrize("fmt", EXACT)
def test_full_round_trip(fmt, full_traj):
    record = json.loads(json.dumps(write(full_traj, fmt)))  # must be plain JSON
    assert detect_format(record) == fmt
    back = READERS[fmt](record, f"x.{fmt}")
    assert _rounds(back) == _rounds(full_traj)
    assert back.instance_id == full_traj.instance_id
    assert back.problem_statement == full_traj.problem_statement
    assert back.workspace == "/testbed"
    assert back.patch == full_traj.patch
    assert back.source_format == fmt


@pytest.mark.parametrize("fmt", EXACT + ["nebius"])
def test_old_command_subset_round_trip(fmt, old_traj):
    back = read_record(write(old_traj, fmt), "x")
    assert _read_back(back, fmt) == _read_back(old_traj, fmt)
    assert back.resolved is (None if fmt == "swe_agent" else True)


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_bash_only_round_trip(fmt, bash_traj):
    record = write(bash_traj, fmt)
    assert detect_format(record) == fmt
    back = read_record(record, "x")
    assert _read_back(back, fmt) == _read_back(bash_traj, fmt)
    assert back.patch == bash_traj.patch


def test_nebius_record_looks_like_the_real_one(old_traj):
    rec = write(old_traj, "nebius")
    roles = [t["role"] for t in rec["trajectory"]]
    assert roles[:3] == ["system", "user", "ai"] and rec["trajectory"][0]["system_prompt"].startswith("SETTING:")
    assert "ISSUE:\nBug: add() returns" in rec["trajectory"][1]["text"]
    assert rec["trajectory"][2]["text"] == "Look around.\n```\nls -F\n```"
    assert rec["trajectory"][3]["text"] == "calc.py\n\n(Open file: n/a)\n(Current directory: /testbed)\nbash-$"
    assert rec["trajectory"][4]["text"] == "Open it.\n```\nopen /testbed/calc.py\n```"
    assert rec["trajectory"][5]["text"].endswith("(Open file: /testbed/calc.py)\n(Current directory: /testbed)\nbash-$")
    back = read_record(rec, "n")
    assert back.tool_profile == "swe-agent-windowed"
    assert back.rounds[1].action.args == {"command": "open /testbed/calc.py"}
    # A run replayed with the windowed tools already has its footers: written once.
    again = write(back, "nebius")
    assert again["trajectory"][5]["text"] == rec["trajectory"][5]["text"]


@pytest.mark.parametrize("fmt", ["nebius", "mini_swe_agent"])
def test_strict_refuses_what_the_format_cannot_say(fmt, full_traj):
    with pytest.raises(WriteError) as err:
        write(full_traj, fmt)
    assert err.value.index == (2 if fmt == "nebius" else 1)


@pytest.mark.parametrize("fmt", ["nebius", "mini_swe_agent"])
def test_lossy_mode_renders_editor_calls_as_shell(fmt, full_traj):
    back = read_record(write(full_traj, fmt, strict=False), "x")
    tools = [r.action.tool for r in back.rounds]
    assert "think" not in tools and tools[-1] == "submit"
    assert len(back.rounds) == len(full_traj.rounds) - 1
    assert back.rounds[2].action.args["command"] == "cat -n /testbed/calc.py | sed -n '1,5p'"


def test_shell_equivalents_do_what_the_editor_does(tmp_path):
    import subprocess

    from swe_srl.trajectory.actions import Action

    f = tmp_path / "a.py"
    steps = [
        Action.make("str_replace_editor", {"command": "create", "path": str(f), "file_text": "x = 1\ny = 2\n"}),
        Action.make("str_replace_editor", {"command": "str_replace", "path": str(f), "old_str": "x = 1", "new_str": "x = 'it''s'"}),
        Action.make("str_replace_editor", {"command": "insert", "path": str(f), "insert_line": 1, "new_str": "# note"}),
    ]
    for a in steps:
        subprocess.run(["bash", "-c", shell_equivalent(a)], check=True)
    assert f.read_text() == "x = 'it''s'\n# note\ny = 2\n"
    view = Action.make("str_replace_editor", {"command": "view", "path": str(f), "view_range": [2, -1]})
    out = subprocess.run(["bash", "-c", shell_equivalent(view)], check=True, capture_output=True, text=True).stdout
    assert out.split("\t") == ["     2", "# note\n     3", "y = 2\n"]


def test_unknown_format_is_a_value_error(full_traj):
    with pytest.raises(ValueError):
        write(full_traj, "nope")


def test_real_sample_survives_a_trip_through_every_exact_format(load_json):
    t = read_record(load_json("swe-smith/sample_raw.json")[1], "s#1")
    for fmt in EXACT:
        assert _rounds(read_record(write(t, fmt), "x")) == _rounds(t), fmt
