"""What counts as a divergence: listings without regard to order, whitespace normalised."""

from __future__ import annotations

from swe_srl.collect.replay import divergence, is_listing, same_patch, tool_key
from swe_srl.trajectory.actions import Action

VIEW_DIR = Action.make("str_replace_editor", {"command": "view", "path": "/testbed/src"})
HEADER = "Here's the files and directories up to 2 levels deep in /testbed/src, excluding hidden items:\n"


def test_directory_views_and_find_compare_without_order():
    a = HEADER + "/testbed/src\n/testbed/src/a.py\n/testbed/src/b.py\n"
    b = HEADER + "/testbed/src\n/testbed/src/b.py\n/testbed/src/a.py\n"
    assert divergence(a, b, VIEW_DIR) == 0.0
    find = Action.make("bash", {"command": "find . -name '*.py'"})
    assert is_listing(find, "./x.py") and divergence("./a.py\n./b.py", "./b.py\n./a.py", find) == 0.0


def test_order_still_matters_for_other_output():
    cat = Action.make("bash", {"command": "cat order.txt"})
    assert not is_listing(cat, "first\nsecond")
    assert divergence("first line here\nsecond line here", "second line here\nfirst line here", cat) > 0.0


def test_whitespace_is_normalised_but_words_are_not():
    ls = Action.make("bash", {"command": "python -c 'print(1)'"})
    assert divergence("total   12\n a  b \n\n", "total 12\na b", ls) == 0.0
    assert divergence("a b", "a c", ls) > 0.0


def test_patches_keep_their_indentation():
    p = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+    a\n"
    assert same_patch("\n" + p, p.replace("\n", "  \n"))
    assert not same_patch(p, p.replace("+    a", "+ a"))


def test_tool_keys():
    assert tool_key(VIEW_DIR, "swe-agent") == "editor:view"
    edit = Action.make("bash", {"command": "edit 1:2\nx\nend_of_edit"})
    assert tool_key(edit, "swe-agent-windowed") == "windowed:edit"
    assert tool_key(edit, "swe-agent") == "bash"


def test_collect_reports_expert_calls_that_do_not_read_back():
    from swe_srl.collect.replay import ReplayOptions, process
    from swe_srl.trajectory.model import Round, Trajectory

    clash = Action.make("str_replace_editor", {"command": "create", "path": "/testbed/a",
                                               "file_text": "a\n</parameter>\n<parameter=old_str>\nc"})
    traj = Trajectory(trajectory_id="t", instance_id="i", source_format="canonical",
                      rounds=[Round(action=Action.make("bash", {"command": "ls"})), Round(action=clash)])
    out = process(traj, None, "", ReplayOptions(), do_replay=False)
    assert out.error is None and [e["step"] for e in out.summary["roundtrip_errors"]] == [1]
