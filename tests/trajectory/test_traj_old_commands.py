"""The SWE-agent 0.x command mapper: exact mappings only, the rest kept as bash and counted."""

from __future__ import annotations

import pytest

from swe_srl.trajectory.readers.old_commands import map_command, split_command_tag, split_fenced


@pytest.mark.parametrize(
    "command,cwd,tool,args",
    [
        ("open src/a.py", "/repo", "str_replace_editor", {"command": "view", "path": "/repo/src/a.py"}),
        ('open "/repo/a b.py" 40', None, "str_replace_editor", {"command": "view", "path": "/repo/a b.py"}),
        ("create ../x.py", "/repo/sub", "str_replace_editor", {"command": "create", "path": "/repo/x.py", "file_text": ""}),
        ('find_file "*.py"', "/repo", "bash", {"command": 'find . -name "*.py"'}),
        ("find_file setup.py src", "/repo", "bash", {"command": 'find src -name "setup.py"'}),
        ('search_dir "def add" lib', "/repo", "bash", {"command": 'grep -rn "def add" lib'}),
        ("search_dir needle", "/repo", "bash", {"command": 'grep -rn "needle" .'}),
        ("submit", "/repo", "submit", {}),
        ("python -m pytest -x\n", "/repo", "bash", {"command": "python -m pytest -x"}),
    ],
)
def test_exact_mappings(command, cwd, tool, args):
    counts: dict[str, int] = {}
    rnd = map_command("r", command, cwd, counts)
    assert (rnd.action.tool, rnd.action.args) == (tool, args)
    assert "kept_as_bash" not in counts


@pytest.mark.parametrize(
    "command,cwd,name",
    [
        ("edit 3:4\n    return a + b\nend_of_edit", "/repo", "edit"),
        ("goto 120", "/repo", "goto"),
        ("scroll_down", "/repo", "scroll_down"),
        ('search_file "docopt"', "/repo", "search_file"),
        ("open src/a.py", None, "open"),  # relative path, unknown directory
        ("open 'unbalanced", "/repo", "open"),
        ("submit now", "/repo", "submit"),
    ],
)
def test_windowed_and_unresolvable_commands_stay_bash(command, cwd, name):
    counts: dict[str, int] = {}
    rnd = map_command("r", command, cwd, counts)
    assert rnd.action.tool == "bash" and rnd.action.args["command"] == command.strip()
    assert counts == {"kept_as_bash": 1, f"kept_as_bash.{name}": 1}


def test_open_with_line_is_a_plain_view_and_counted():
    counts: dict[str, int] = {}
    map_command("r", "open a.py 536", "/repo", counts)
    assert counts == {"open_line_dropped": 1}


def test_fenced_command_is_the_last_outer_block():
    text = "Discussion with code:\n```python\nx = 1\n```\nNow the edit.\n```\nedit 1:1\n```md\n# t\n```\nend_of_edit\n```"
    thought, command = split_fenced(text)
    assert command == "edit 1:1\n```md\n# t\n```\nend_of_edit\n"
    assert thought.endswith("Now the edit.\n")
    assert split_fenced("no command here") is None


def test_command_tag_form():
    assert split_command_tag("Let's list.\n<command>\nls -F\n</command>") == ("Let's list.\n", "\nls -F\n")
    assert split_command_tag("nothing") is None
