"""bash / str_replace_editor / submit / think through both backends, with the
messages published trajectories show (the editor: the default `swe-agent` profile,
and `openhands` where it differs; full parity is tests/sandbox/test_editor_parity.py)."""

from __future__ import annotations

import pytest

from swe_srl.sandbox.tools import EMPTY_OUTPUT, ToolRunner, run_action
from swe_srl.trajectory.actions import Action


def edit(sb, **args):
    return run_action(sb, Action.make("str_replace_editor", args))


def oh_runner(sb) -> ToolRunner:
    return ToolRunner(sb, profile="openhands")


def oh_edit(runner, **args):
    return runner.run(Action.make("str_replace_editor", args))


def bash(sb, command, timeout=None):
    return run_action(sb, Action.make("bash", {"command": command}), timeout=timeout)


def test_bash_output_and_empty_output(sandbox):
    assert bash(sandbox, "echo hi").observation == "hi\n"
    assert bash(sandbox, "true").observation == EMPTY_OUTPUT


def test_bash_timeout_observation_says_so(sandbox):
    res = bash(sandbox, "echo started; sleep 60", timeout=1)
    assert res.timed_out
    assert res.observation.startswith("started\n")
    assert "timed out after 1 seconds" in res.observation


def test_view_file_with_line_numbers(sandbox):
    obs = edit(sandbox, command="view", path="/testbed/pkg/calc.py").observation
    assert obs.startswith("Here's the result of running `cat -n` on /testbed/pkg/calc.py:\n")
    assert "     1\tdef add(a, b):\n     2\t    return a + b\n" in obs


def test_view_range(sandbox):
    obs = edit(sandbox, command="view", path="/testbed/pkg/calc.py", view_range=[4, 5]).observation
    assert obs == "Here's the result of running `cat -n` on /testbed/pkg/calc.py:\n     4\t\n     5\tdef sub(a, b):\n\n"  # print's newline
    to_end = edit(sandbox, command="view", path="/testbed/pkg/calc.py", view_range=[6, -1]).observation
    assert to_end.endswith("     6\t    return a - b\n     7\t\n\n")
    oh = oh_edit(oh_runner(sandbox), command="view", path="/testbed/pkg/calc.py", view_range=[4, 5]).observation
    assert oh == "Here's the result of running `cat -n` on /testbed/pkg/calc.py:\n     4\t\n     5\tdef sub(a, b):\n"


@pytest.mark.parametrize(
    "view_range,message",
    [
        ("[0, 2]", "Invalid `view_range`: [0, 2]. Its first element `0` should be within the range of lines of the file: [1, 7]"),
        ("[2, 99]", "Invalid `view_range`: [2, 99]. Its second element `99` should be smaller than the number of lines in the file: `7`"),
        ("[5, 3]", "Invalid `view_range`: [5, 3]. Its second element `3` should be larger or equal than its first `5`"),
    ],
)
def test_view_range_errors(sandbox, view_range, message):
    res = edit(sandbox, command="view", path="/testbed/pkg/calc.py", view_range=view_range)
    assert res.error and res.observation == message + "\n"


def test_view_range_that_is_not_two_integers(sandbox):
    # SWE-agent passes `--view_range 1` to its argparse: a usage error, exit status 2.
    res = edit(sandbox, command="view", path="/testbed/pkg/calc.py", view_range="[1]")
    assert res.error and res.exit_code == 2
    assert res.observation.startswith("usage: str_replace_editor [-h]")
    assert res.observation.endswith("str_replace_editor: error: argument --view_range: expected 2 arguments\n")
    oh = oh_edit(oh_runner(sandbox), command="view", path="/testbed/pkg/calc.py", view_range="[1]")
    assert oh.error and oh.observation == "ERROR:\nInvalid `view_range` parameter: [1]. It should be a list of two integers."


def test_view_directory_two_levels_without_hidden(sandbox):
    obs = edit(sandbox, command="view", path="/testbed").observation
    assert obs.startswith("Here's the files and directories up to 2 levels deep in /testbed, excluding hidden items:\n")
    listed = obs.splitlines()[1:]
    assert "/testbed/pkg/calc.py" in listed and "/testbed/docs/guide" in listed
    assert "/testbed/docs/guide/deep" not in listed
    assert not [p for p in listed if "/." in p]


def test_create_and_refuse_overwrite(sandbox):
    res = edit(sandbox, command="create", path="/testbed/pkg/new.py", file_text="X = 1\n")
    assert res.observation == "File created successfully at: /testbed/pkg/new.py\n"
    assert sandbox.read_file("/testbed/pkg/new.py") == b"X = 1\n"
    again = edit(sandbox, command="create", path="/testbed/pkg/new.py", file_text="Y\n")
    assert again.error
    assert again.observation == "File already exists at: /testbed/pkg/new.py. Cannot overwrite files using command `create`.\n"


def test_create_refuses_a_missing_directory(sandbox):
    res = edit(sandbox, command="create", path="/testbed/nodir/new.py", file_text="X = 1\n")
    assert res.error and res.observation == "The parent directory /testbed/nodir does not exist. Please create it first.\n"
    oh = oh_edit(oh_runner(sandbox), command="create", path="/testbed/nodir/new.py", file_text="X = 1\n")
    assert oh.error and oh.observation == (
        "ERROR:\nRan into [Errno 2] No such file or directory: '/testbed/nodir/new.py' while trying to write to /testbed/nodir/new.py"
    )
    assert sandbox.exists("/testbed/nodir") is None


def test_str_replace_unique(sandbox):
    res = edit(sandbox, command="str_replace", path="/testbed/pkg/calc.py", old_str="return a - b", new_str="return a - b  # fixed")
    assert res.observation.startswith("The file /testbed/pkg/calc.py has been edited. Here's the result of running `cat -n` on a snippet of /testbed/pkg/calc.py:\n")
    assert "     6\t    return a - b  # fixed\n" in res.observation
    assert res.observation.endswith("Review the changes and make sure they are as expected. Edit the file again if necessary.\n")
    assert b"return a - b  # fixed" in sandbox.read_file("/testbed/pkg/calc.py")
    # SWE-agent's snippet starts 4 lines above (1-based) and stops at the file's last line.
    assert res.observation.split("\n")[1:5] == ["     1\tdef add(a, b):", "     2\t    return a + b", "     3\t", "     4\t"]
    assert res.observation.split("\n")[6] == "     6\t    return a - b  # fixed"
    assert res.observation.split("\n")[7].startswith("Review the changes")


def test_str_replace_refuses_new_str_equal_to_old_str(sandbox):
    res = edit(sandbox, command="str_replace", path="/testbed/pkg/calc.py", old_str="a + b", new_str="a + b")
    assert res.error and res.observation == "No replacement was performed, old_str `a + b` is the same as new_str `a + b`.\n"
    oh = oh_edit(oh_runner(sandbox), command="str_replace", path="/testbed/pkg/calc.py", old_str="a + b", new_str="a + b")
    assert oh.error and oh.observation == (
        "ERROR:\nInvalid `new_str` parameter: a + b. No replacement was performed. `new_str` and `old_str` must be different."
    )


def test_str_replace_not_found(sandbox):
    res = edit(sandbox, command="str_replace", path="/testbed/pkg/calc.py", old_str="return a * b", new_str="x")
    assert res.error
    assert res.observation == "No replacement was performed, old_str `return a * b` did not appear verbatim in /testbed/pkg/calc.py.\n"


def test_str_replace_several_occurrences_gives_line_numbers(sandbox):
    res = edit(sandbox, command="str_replace", path="/testbed/pkg/notes.txt", old_str="alpha", new_str="omega")
    assert res.error
    assert res.observation == "No replacement was performed. Multiple occurrences of old_str `alpha` in lines [1, 3]. Please ensure it is unique\n"
    assert sandbox.read_file("/testbed/pkg/notes.txt") == b"alpha\nbeta\nalpha\ngamma\n"


def test_insert_after_line_and_bad_line(sandbox):
    res = edit(sandbox, command="insert", path="/testbed/pkg/notes.txt", insert_line=2, new_str="inserted")
    assert "has been edited" in res.observation and "     3\tinserted\n" in res.observation
    assert sandbox.read_file("/testbed/pkg/notes.txt") == b"alpha\nbeta\ninserted\nalpha\ngamma\n"
    bad = edit(sandbox, command="insert", path="/testbed/pkg/notes.txt", insert_line=42, new_str="x")
    assert bad.error
    assert bad.observation == "Invalid `insert_line` parameter: 42. It should be within the range of lines of the file: [0, 6]\n"


def test_undo_edit_walks_back_per_file_history(sandbox):
    # openhands keeps a per-file history for as long as its runner lives.
    runner = oh_runner(sandbox)
    path = "/testbed/pkg/notes.txt"
    oh_edit(runner, command="str_replace", path=path, old_str="beta", new_str="BETA")
    oh_edit(runner, command="str_replace", path=path, old_str="gamma", new_str="GAMMA")
    oh_edit(runner, command="str_replace", path="/testbed/pkg/calc.py", old_str="a - b", new_str="b - a")
    first = oh_edit(runner, command="undo_edit", path=path)
    assert first.observation.startswith(f"Last edit to {path} undone successfully.")
    assert sandbox.read_file(path) == b"alpha\nBETA\nalpha\ngamma\n"
    oh_edit(runner, command="undo_edit", path=path)
    assert sandbox.read_file(path) == b"alpha\nbeta\nalpha\ngamma\n"
    none_left = oh_edit(runner, command="undo_edit", path=path)
    assert none_left.error and none_left.observation == f"ERROR:\nNo edit history found for {path}."
    assert b"b - a" in sandbox.read_file("/testbed/pkg/calc.py")  # other file's edit kept


def test_swe_agent_undo_edit_never_finds_history(sandbox):
    path = "/testbed/pkg/notes.txt"
    edit(sandbox, command="str_replace", path=path, old_str="beta", new_str="BETA")
    res = edit(sandbox, command="undo_edit", path=path)
    assert res.error and res.observation == f"No edit history found for {path}.\n"
    assert sandbox.read_file(path) == b"alpha\nBETA\nalpha\ngamma\n"


def test_path_errors(sandbox):
    rel = edit(sandbox, command="view", path="pkg/calc.py")
    assert rel.observation == "The path pkg/calc.py is not an absolute path, it should start with `/`. Maybe you meant /testbed/pkg/calc.py?\n"
    missing = edit(sandbox, command="view", path="/testbed/nope.py")
    assert missing.observation == "The path /testbed/nope.py does not exist. Please provide a valid path.\n"
    on_dir = edit(sandbox, command="str_replace", path="/testbed/pkg", old_str="a", new_str="b")
    assert on_dir.observation == "The path /testbed/pkg is a directory and only the `view` command can be used on directories\n"
    oh = oh_edit(oh_runner(sandbox), command="view", path="/testbed/nope.py")
    assert oh.observation == "ERROR:\nInvalid `path` parameter: /testbed/nope.py. The path /testbed/nope.py does not exist. Please provide a valid path."


def test_missing_parameters(sandbox):
    assert edit(sandbox, command="create", path="/testbed/x.py").observation == "Parameter `file_text` is required for command: create\n"
    assert edit(sandbox, command="str_replace", path="/testbed/pkg/calc.py").observation == "Parameter `old_str` is required for command: str_replace\n"
    assert edit(sandbox, command="insert", path="/testbed/pkg/calc.py", new_str="x").observation == "Parameter `insert_line` is required for command: insert\n"


def test_editor_round_trips_non_utf8_bytes(sandbox):
    # swe-agent reads a non-UTF-8 file as latin-1 and writes it back the same way.
    sandbox.write_file("/testbed/latin.txt", b"caf\xe9 one\nline two\n")
    edit(sandbox, command="str_replace", path="/testbed/latin.txt", old_str="two", new_str="2")
    assert sandbox.read_file("/testbed/latin.txt") == b"caf\xe9 one\nline 2\n"


def test_edits_follow_a_symlink(sandbox):
    bash(sandbox, "ln -s pkg/notes.txt /testbed/link.txt")
    res = edit(sandbox, command="str_replace", path="/testbed/link.txt", old_str="beta", new_str="BETA")
    assert not res.error, res.observation
    assert sandbox.read_file("/testbed/pkg/notes.txt") == b"alpha\nBETA\nalpha\ngamma\n"
    assert bash(sandbox, "test -L /testbed/link.txt && echo link").observation == "link\n"


def test_submit_returns_the_patch_and_think_does_nothing(sandbox):
    assert run_action(sandbox, Action.make("think", {"thought": "plan"})).observation == "Your thought has been logged."
    assert sandbox.diff() == ""
    edit(sandbox, command="str_replace", path="/testbed/pkg/calc.py", old_str="a - b", new_str="b - a")
    res = run_action(sandbox, Action.make("submit", {}))
    assert res.submitted and "+    return b - a" in res.observation


def test_swe_agent_str_replace_that_empties_a_file_fails_as_swe_agent_did(sandbox):
    # SWE-agent writes the file, then its snippet window asserts: a traceback, exit 1.
    res = edit(sandbox, command="str_replace", path="/testbed/README.md", old_str="# demo\n", new_str="")
    assert res.error and res.exit_code == 1
    assert res.observation.startswith("Traceback (most recent call last):\n")
    assert res.observation.endswith("AssertionError: (1, 0, 1)\n")
    assert sandbox.read_file("/testbed/README.md") == b""
