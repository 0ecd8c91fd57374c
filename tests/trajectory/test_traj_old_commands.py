"""SWE-agent's windowed commands are kept as typed (bash), counted per command."""

from __future__ import annotations

import pytest

from swe_srl.trajectory.readers.old_commands import map_command, split_command_tag, split_fenced


@pytest.mark.parametrize(
    "command,name",
    [
        ("open src/a.py", "open"),
        ('open "/repo/a b.py" 40', "open"),
        ("open src/marshmallow/fields.py 1474", "open"),
        ("create ../x.py", "create"),
        ('find_file "*.py"', "find_file"),
        ("find_file setup.py src", "find_file"),
        ('search_dir "def add" lib', "search_dir"),
        ('search_file "docopt"', "search_file"),
        ("goto 120", "goto"),
        ("scroll_down", "scroll_down"),
        ("edit 3:4\n    return a + b\nend_of_edit", "edit"),
        ("edit 'return a - b' 'return a + b'", "edit"),
        ("insert 'x = 1' 3", "insert"),
        ("open 'unbalanced", "open"),
    ],
)
def test_windowed_commands_stay_as_typed(command, name):
    counts: dict[str, int] = {}
    rnd = map_command("r", command + "\n", counts)
    assert rnd.action.tool == "bash" and rnd.action.args == {"command": command}
    assert counts == {"windowed": 1, f"windowed.{name}": 1}


def test_edit_block_is_one_command_with_its_lines():
    text = "edit 53:61\n    def __init__(\n        self,\nend_of_edit\n"
    rnd = map_command("r", text, {})
    assert rnd.action.args["command"] == text.strip()
    assert rnd.action_text == (
        "<function=bash>\n<parameter=command>\nedit 53:61\n    def __init__(\n        self,\nend_of_edit\n"
        "</parameter>\n</function>"
    )


@pytest.mark.parametrize("command", ["python -m pytest -x\n", "ls -F", "grep -r open src"])
def test_plain_commands_are_bash_and_not_counted(command):
    counts: dict[str, int] = {}
    rnd = map_command("r", command, counts)
    assert (rnd.action.tool, rnd.action.args) == ("bash", {"command": command.strip()})
    assert counts == {}


def test_bare_submit_is_the_submit_call():
    assert map_command("r", "submit\n", {}).action.tool == "submit"
    other = map_command("r", "submit now", {})
    assert other.action.tool == "bash" and other.action.args == {"command": "submit now"}


def test_fenced_command_is_the_last_outer_block():
    text = "Discussion with code:\n```python\nx = 1\n```\nNow the edit.\n```\nedit 1:1\n```md\n# t\n```\nend_of_edit\n```"
    thought, command = split_fenced(text)
    assert command == "edit 1:1\n```md\n# t\n```\nend_of_edit\n"
    assert thought.endswith("Now the edit.\n")
    assert split_fenced("no command here") is None


def test_command_tag_form():
    assert split_command_tag("Let's list.\n<command>\nls -F\n</command>") == ("Let's list.\n", "\nls -F\n")
    assert split_command_tag("nothing") is None
