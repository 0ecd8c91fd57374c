"""The Sandbox protocol, run for real against Docker and the local backend."""

from __future__ import annotations

import time

import pytest


def test_state_persists_between_actions(sandbox):
    assert sandbox.run("cd /testbed/pkg && export GREETING=hi && greet() { echo \"$GREETING $1\"; }").exit_code == 0
    res = sandbox.run("pwd; greet there")
    assert res.output == "/testbed/pkg\nhi there\n"
    assert res.exit_code == 0 and not res.timed_out and res.duration >= 0


def test_exit_code_and_stderr_are_reported(sandbox):
    res = sandbox.run("echo out; echo err >&2; exit_code() { return 3; }; exit_code")
    assert res.exit_code == 3
    assert res.output == "out\nerr\n"


def test_sleep_past_timeout_is_killed_and_session_survives(sandbox):
    sandbox.run("cd /testbed/pkg")
    start = time.monotonic()
    res = sandbox.run("sleep 600", timeout=2)
    elapsed = time.monotonic() - start
    assert res.timed_out
    assert elapsed < 6
    assert any("timed out" in n for n in res.notes)
    after = sandbox.run("echo still here; pwd")
    assert after.output == "still here\n/testbed/pkg\n"  # same session: cwd kept


def test_child_processes_of_a_timed_out_pipeline_die(sandbox):
    res = sandbox.run("sleep 300 | sleep 301", timeout=1)
    assert res.timed_out
    left = sandbox.run("ps -eo args 2>/dev/null | grep -c '^sleep 30[01]' || true")
    assert left.output.strip() == "0"


def test_builtin_loop_restarts_the_session_and_says_so(sandbox):
    sandbox.run("export KEEP=1")
    res = sandbox.run("while true; do :; done", timeout=1)
    assert res.timed_out
    assert any("restarted" in n for n in res.notes)
    assert sandbox.run("echo ok${KEEP:-}").output == "ok\n"


def test_exit_restarts_the_session(sandbox):
    res = sandbox.run("exit 4")
    assert res.exit_code is None and any("restarted" in n for n in res.notes)
    assert sandbox.run("echo back").output == "back\n"


def test_huge_output_is_capped_head_and_tail(sandbox):
    res = sandbox.run("head -c 10000000 /dev/zero | tr '\\0' 'a'; echo; echo THE-END")
    assert res.exit_code == 0
    assert res.truncated_bytes > 9_900_000
    assert len(res.output) < 21_000
    assert res.output.startswith("aaaa")
    assert "bytes of output truncated" in res.output
    assert res.output.endswith("THE-END\n")
    assert sandbox.run("echo alive").output == "alive\n"


def test_stdin_reading_command_returns(sandbox):
    start = time.monotonic()
    res = sandbox.run("cat; read line; echo read=$?", timeout=10)
    assert not res.timed_out and time.monotonic() - start < 5
    assert res.output == "read=1\n"


def test_non_utf8_output_survives_as_replacement_characters(sandbox):
    res = sandbox.run("printf 'ok \\377\\376 end\\n'")
    assert res.output == "ok \ufffd\ufffd end\n"


def test_read_and_write_files(sandbox):
    sandbox.write_file("/testbed/new/dir/file.txt", "hello\n")
    assert sandbox.read_file("/testbed/new/dir/file.txt") == b"hello\n"
    assert sandbox.run("cat new/dir/file.txt").output == "hello\n"
    sandbox.write_file("/testbed/pkg/calc.py", b"\xff binary\n")
    assert sandbox.read_file("pkg/calc.py") == b"\xff binary\n"
    with pytest.raises(FileNotFoundError):
        sandbox.read_file("/testbed/nope.txt")
    with pytest.raises(IsADirectoryError):
        sandbox.read_file("/testbed/pkg")


def test_write_keeps_an_existing_files_mode(sandbox):
    sandbox.run("printf '#!/bin/sh\\necho one\\n' > run.sh && chmod 755 run.sh")
    sandbox.write_file("/testbed/run.sh", "#!/bin/sh\necho two\n")
    assert sandbox.run("./run.sh").output == "two\n"


def test_diff_has_new_modified_and_deleted_files(sandbox):
    sandbox.run("echo 'x = 1' > added.py && rm README.md && sed -i 's/a + b/b + a/' pkg/calc.py && python3 -c 1")
    sandbox.run("mkdir -p pkg/__pycache__ && echo junk > pkg/__pycache__/calc.cpython-311.pyc")
    patch = sandbox.diff()
    assert "diff --git a/added.py b/added.py\nnew file mode" in patch
    assert "diff --git a/README.md b/README.md\ndeleted file mode" in patch
    assert "-    return a + b\n+    return b + a\n" in patch
    assert "__pycache__" not in patch
    # The agent's own index and cwd are untouched.
    assert sandbox.run("git status --short").output.splitlines() == [" D README.md", " M pkg/calc.py", "?? added.py", "?? pkg/__pycache__/"]


def test_diff_is_empty_for_a_clean_tree_and_survives_commits(sandbox):
    assert sandbox.diff() == ""
    sandbox.run("echo more >> README.md && git commit -qam wip")
    assert "+more" in sandbox.diff()  # against the base commit, not HEAD
