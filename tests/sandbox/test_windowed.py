"""SWE-agent's windowed commands in a real Docker sandbox: semantics and exact text.

Expected outputs come from recorded trajectories (../shared/real-trajectories) wherever
one shows the case: the real instance marshmallow-code__apispec-811 is replayed whole, and
steps of the other records are replayed on files rebuilt from what they recorded.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from swe_srl.sandbox import open_sandbox
from swe_srl.sandbox.tools import NotReplayable, ToolRunner
from swe_srl.sandbox.windowed import WindowedTools, split_lint
from swe_srl.trajectory.actions import Action
from swe_srl.trajectory.sources import read_trajectories

from tests.conftest import SHARED  # noqa: E402
REAL = SHARED / "real-trajectories"
APISPEC = SHARED / "real-instances" / "marshmallow-code__apispec-811"
FOOTER = "\n(Open file: {})\n(Current directory: /testbed)\nbash-$"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not found (../shared is not next to the repository)")
    return path


@pytest.fixture(scope="session")
def apispec_image(base_image) -> tuple[str, dict]:
    import docker

    task = json.loads((_need(APISPEC) / "task.json").read_text())
    try:
        docker.from_env().images.get(task["image"])
    except docker.errors.ImageNotFound:  # offline, on swe-srl/base, ~25 s
        subprocess.run(["docker", "build", "-q", "-t", task["image"], str(APISPEC)], check=True, capture_output=True)
    return task["image"], task


@pytest.fixture
def win(demo_image):
    """(sandbox, run): windowed commands in a fresh sandbox of the demo repository."""
    with open_sandbox("docker", image=demo_image, mem_limit="512m") as sb:
        runner = ToolRunner(sb, profile="swe-agent-windowed")

        def run(command: str, dialect: str = "0.x"):
            if runner.windowed is None:
                runner.windowed = WindowedTools(runner, dialect=dialect)
            return runner.run(Action.make("bash", {"command": command}))

        yield sb, run


def _body(obs: str) -> str:
    return obs[: obs.rindex("\n(Open file: ")]


def _numbered(first: int, last: int, fmt: str = "x{} = {}") -> str:
    return "".join(f"{i}:{fmt.format(i, i)}\n" for i in range(first, last + 1))


def _trajs(rel: str) -> list:
    return [t for t in read_trajectories(_need(REAL / rel), remap_to="/testbed")]


# -- the real instance -----------------------------------------------------------


def test_real_instance_apispec_811_replays_byte_for_byte(apispec_image):
    from swe_srl.collect.replay import same_patch

    image, task = apispec_image
    traj = next(t for t in _trajs("nebius_swe_agent/sample_raw.json") if t.instance_id == task["instance_id"])
    assert traj.tool_profile == "swe-agent-windowed"
    assert len(traj.rounds) == 5 and traj.rounds[-1].action.tool == "submit"
    with open_sandbox("docker", image=image, base_commit=task["base_commit"]) as sb:
        runner = ToolRunner(sb, profile=traj.tool_profile)
        for rnd in traj.rounds[:4]:
            res = runner.run(rnd.action)
            assert res.observation == rnd.observation, rnd.action.args["command"]
        assert "File updated. Please review the changes" in res.observation
        assert runner.run(traj.rounds[4].action).submitted
        assert same_patch(sb.diff(), traj.patch)


# -- other recorded steps, on files rebuilt from their records ------------------------


def _replay(run, rounds, dialect="0.x", fix=lambda s: s):
    for rnd in rounds:
        obs = run(rnd.action.args["command"], dialect).observation
        assert obs == fix(rnd.observation), rnd.action.args["command"]


@pytest.mark.parametrize("index,rounds", [(1, slice(0, 2)), (3, slice(3, 5))])
def test_nebius_reproduction_scripts(win, index, rounds):
    # OQuPy: create reproduce.py + edit 1:1 (30 lines); brightway: create test_sort_array.py + edit 1:1
    _, run = win
    _replay(run, _trajs("nebius_swe_agent/sample_raw.json")[index].rounds[rounds])


def _fields_py(default) -> str:
    """marshmallow-1867's fields.py lines 1425-1558 as the 0.x demo shows them, padded to 1997 lines."""
    rows: dict[int, str] = {}
    for k in (10, 8):  # the window after the edit (1425-1524, line 1475 edited), the open window (1459-1558)
        for line in _body(default.rounds[k].observation).split("\n"):
            head, sep, text = line.partition(":")
            if sep and head.isdigit():
                rows[int(head)] = text
    lines = ["# filler"] * 1422 + ["class TimeDelta:", '    """Docstring']
    lines += [rows[i] for i in range(1425, 1559)]
    lines += ["# filler"] * (1997 - len(lines))
    return "\n".join(lines) + "\n"


def _v070_lint_header(text: str) -> str:
    """The demos were recorded in April 2024, before SWE-agent reworded the lint header
    (the emulator prints v0.7.0's text)."""
    return text.replace("Please understand the fixes and retry your edit commmand.",
                        "Please read this error message carefully and then retry editing the file.")


def test_swe_agent_demos_open_lint_failure_and_edit(win):
    sb, run = win
    default, fc, xml = _trajs("swe_agent_traj")
    sb.write_file("/testbed/src/marshmallow/fields.py", _fields_py(default))
    _replay(run, default.rounds[3:5] + default.rounds[8:11], fix=_v070_lint_header)  # create + edit reproduce.py, then fields.py
    assert "E999 IndentationError: unexpected indent" in default.rounds[9].observation


def test_xml_demo_from_the_start(win):
    sb, run = win
    default, fc, xml = _trajs("swe_agent_traj")
    sb.write_file("/testbed/src/marshmallow/fields.py", _fields_py(default))
    _replay(run, xml.rounds[:2] + xml.rounds[5:8], fix=_v070_lint_header)  # create + edit reproduce.py; open, failed edit, edit


def test_function_calling_demo_1x_tools(win):
    # SWE-agent 1.x windowed tools: create + insert, open 1474, a lint failure, edit 'search' 'replace'.
    # Its terminal printed CRLF; the text is otherwise the same.
    sb, run = win
    default, fc, xml = _trajs("swe_agent_traj")
    assert fc.tool_profile == "swe-agent-windowed-1.x"
    sb.write_file("/testbed/src/marshmallow/fields.py", _fields_py(default))
    _replay(run, fc.rounds[:2] + fc.rounds[5:8], dialect="1.x", fix=lambda s: s.replace("\r\n", "\n"))
    assert "Text replaced." in fc.rounds[7].observation


# -- every 0.x command ---------------------------------------------------------------


def _file(sb, n: int, path: str = "/testbed/f.py") -> None:
    sb.write_file(path, "".join(f"x{i} = {i}\n" for i in range(1, n + 1)))


def test_open_goto_scroll_windows(win):
    sb, run = win
    _file(sb, 772)
    obs = run("open f.py 536").observation  # as OQuPy's `open oqupy/process_tensor.py 536`
    assert obs == "[File: /testbed/f.py (772 lines total)]\n(520 more lines above)\n" + _numbered(521, 620) + (
        "(152 more lines below)\n" + FOOTER.format("/testbed/f.py"))
    _file(sb, 143)
    obs = run("goto 122").observation  # as treon's goto 122 in a 143-line file
    assert _body(obs) == "[File: /testbed/f.py (143 lines total)]\n(43 more lines above)\n" + _numbered(44, 143)
    assert run("open f.py").observation.startswith("[File: /testbed/f.py (143 lines total)]\n1:x1 = 1\n")
    assert "(43 more lines below)" in run("scroll_up").observation
    down = run("scroll_down").observation
    assert "(43 more lines above)" in down and "WARNING" not in down
    third = _body(run("scroll_down").observation)
    assert third.endswith("\n\nWARNING: Scrolling many times in a row is very inefficient.\n"
                          "If you know what you are looking for, use `search_file <pattern>` instead.\n\n")
    assert _body(run("goto 200").observation) == "Error: <line> must be less than or equal to 143\n"
    assert _body(run("goto x").observation) == "Usage: goto <line>\nError: <line> must be a number\n"
    assert _body(run("goto 1 2").observation) == "goto allows only one line number at a time.\n"
    assert _body(run("open f.py 999").observation).startswith(
        "Warning: <line_number> (999) is greater than the number of lines in the file (143)\n"
        "Warning: Setting <line_number> to 143\n[File: /testbed/f.py (143 lines total)]\n(43 more lines above)\n")
    assert _body(run("open nope.py").observation) == "File nope.py not found\n"
    assert _body(run("open pkg").observation) == (
        "Error: pkg is a directory. You can only open files. Use cd or ls to navigate directories.\n")


def test_no_file_open_messages(win):
    _, run = win
    assert run("goto 3").observation == "No file open. Use the open command first.\n" + FOOTER.format("n/a")
    assert _body(run("scroll_down").observation) == "No file open. Use the open command first.\n"
    assert _body(run("edit 1:1\nx\nend_of_edit").observation) == "No file open. Use the `open` command first.\n"
    assert _body(run("search_file add").observation) == "No file open. Use the open command first.\n"


def test_edit_windows_and_lint(win):
    sb, run = win
    _file(sb, 772)
    run("open f.py 536")
    obs = run("edit 536:536\n        y = 0  # now\nend_of_edit").observation  # indented: E999, not applied
    assert "ERRORS:\n- E999 IndentationError: unexpected indent\n\n" in obs
    assert "x536 = 536" in sb.read_file("/testbed/f.py").decode()
    obs = run("edit 536:536\ny = 0  # now\nend_of_edit").observation
    # as OQuPy's edit 536:536: window 486-585, File updated.
    assert _body(obs) == ("[File: /testbed/f.py (772 lines total)]\n(485 more lines above)\n" + _numbered(486, 535)
                          + "536:y = 0  # now\n" + _numbered(537, 585) + "(187 more lines below)\n"
                          "File updated. Please review the changes and make sure they are correct (correct indentation,"
                          " no duplicate lines, etc). Edit the file again if necessary.\n")
    run("edit 2:3\na = 1\nb = 2\nc = 3\nend_of_edit")
    assert sb.read_file("/testbed/f.py").decode().startswith("x1 = 1\na = 1\nb = 2\nc = 3\nx4 = 4\n")
    assert _body(run("edit 5\nq\nend_of_edit").observation) == "Usage: edit <start_line>:<end_line>\n"
    assert _body(run("edit a:5\nq\nend_of_edit").observation) == (
        "Usage: edit <start_line>:<end_line>\nError: start_line must be a number\n")


def test_lint_ignores_errors_that_were_there_before():
    assert split_lint("f.py:9:1: E999 X\n", "f.py:7:1: E999 X\n", (2, 2), 3) == ""
    assert split_lint("f.py:9:1: E999 X\n", "f.py:7:1: E999 X\n", (7, 7), 1) == "- E999 X"
    assert split_lint("f.py:3:1: F821 undefined name 'y'\n", "", (3, 3), 1) == "- F821 undefined name 'y'"


def test_create_and_multi_line_actions(win):
    sb, run = win
    obs = run("create new.py").observation
    assert obs == "[File: /testbed/new.py (1 lines total)]\n1:\n" + FOOTER.format("/testbed/new.py")
    obs = run("create new.py").observation
    assert _body(obs).startswith("Error: File 'new.py' already exists.\n[File: /testbed/new.py (1 lines total)]")
    obs = run("cd pkg\ncreate t.txt\nedit 1:1\nhello\nend_of_edit\ncat t.txt").observation
    assert obs.endswith("Edit the file again if necessary.\nhello\n\n(Open file: /testbed/pkg/t.txt)\n"
                        "(Current directory: /testbed/pkg)\nbash-$")
    assert run("true").observation == (
        "Your command ran successfully and did not produce any output.\n(Open file: /testbed/pkg/t.txt)\n"
        "(Current directory: /testbed/pkg)\nbash-$")


def test_search_commands(win):
    sb, run = win
    run("open pkg/notes.txt")
    assert _body(run("search_file alpha").observation) == (
        'Found 2 matches for "alpha" in /testbed/pkg/notes.txt:\nLine 1:alpha\nLine 3:alpha\n'
        'End of matches for "alpha" in /testbed/pkg/notes.txt\n')
    assert _body(run('search_file "zzz"').observation) == 'No matches found for "zzz" in /testbed/pkg/notes.txt\n'
    assert _body(run('search_dir "return a" pkg').observation) == (
        'Found 2 matches for "return a" in /testbed/pkg:\n/testbed/pkg/calc.py (2 matches)\n'
        'End of matches for "return a" in /testbed/pkg\n')
    assert _body(run('search_dir x nowhere').observation) == "Directory nowhere not found\n"
    assert _body(run('find_file "calc.py"').observation) == (
        'Found 1 matches for "calc.py" in /testbed:\n/testbed/pkg/calc.py\n')
    assert _body(run("find_file '*.md' docs").observation) == (
        'Found 1 matches for "*.md" in /testbed/docs:\n/testbed/docs/guide/deep/too_deep.md\n')


# -- an edit block is never run by a shell -------------------------------------------


def _absent(sb, path):
    return sb.run(f"test -e {path} && echo there || echo absent").output.strip() == "absent"


def test_edit_lines_never_run_as_shell_commands(win):
    sb, run = win
    run("edit 1:1\ntouch /tmp/pwned1\nend_of_edit")  # no file open
    with pytest.raises(NotReplayable):
        run("open README.md\nedit 1:1\ntouch /tmp/pwned2")  # no end_of_edit: bash would run the lines
    with pytest.raises(NotReplayable):
        run("edit 1:1\ntouch /tmp/pwned3\nend_of_edit  ")  # bash's heredoc would not end there
    run("open README.md")
    run("ls\nedit 1:1\ntouch /tmp/pwned4\nend_of_edit")
    for k in range(1, 5):
        assert _absent(sb, f"/tmp/pwned{k}")
    assert sb.read_file("/testbed/README.md") == b"touch /tmp/pwned4\n"


@pytest.mark.parametrize("command", [
    "cd pkg && open calc.py", "ls | goto 3", "filemap pkg/calc.py", "edit 0:1\nx\nend_of_edit",
    "insert 'x'", "ls; scroll_down",
])
def test_not_replayable(win, command):
    sb, run = win
    run("open pkg/calc.py")
    with pytest.raises(NotReplayable):
        run(command)


# -- the 1.x tools ----------------------------------------------------------------------


def test_1x_edit_replace_and_insert(win):
    sb, run = win
    _file(sb, 30, "/testbed/g.py")
    obs = run("open g.py", "1.x").observation
    assert obs.startswith("[File: g.py (30 lines total)]\n1:x1 = 1\n") and "\n30:x30 = 30\n(Open file: /testbed/g.py)" in obs
    obs = run("edit 'x3 = 3' 'x3 = 33'", "1.x").observation
    assert obs.startswith("Text replaced. Please review the changes and make sure they are correct\n(correct indentation,"
                          " no duplicate lines, etc). Edit the file again if necessary.\n[File: /testbed/g.py (30 lines total)]")
    assert "3:x3 = 33\n" in obs
    assert _body(run("edit 'nope' 'x'", "1.x").observation).startswith("Text 'nope' not found in displayed lines.")
    assert "Aborting edit." in run("edit 'x2' 'y'", "1.x").observation  # x2, x20..x29
    obs = run("insert 'z = 0' 2", "1.x").observation
    assert "2:z = 0\n3:x2 = 2\n" in obs and "(31 lines total)" in obs
    obs = run("insert '  bad'", "1.x").observation
    assert "ERRORS:\n\n- E999 IndentationError: unexpected indent\nThis is how your edit would have looked" in obs
    assert sb.read_file("/testbed/g.py").decode().endswith("x30 = 30\n")
    assert _body(run("create g.py", "1.x").observation) == "Warning: File 'g.py' already exists."
