"""Bring a fresh task sandbox to the state its task starts from.

SWE-bench and SWE-Gym images already start there (the repository at the task's base
commit), so their rows need nothing. A SWE-smith image holds one repository at its
original, clean commit for hundreds of tasks; each task's bug is the row's `patch`
(SWE-smith's own harness checks out the instance's branch, which carries that patch as
a commit). `prepare_task` applies the bug and commits it out of sight, so replay and
eval start from the bugged state, `sandbox.diff()` is taken against it, and nothing in
git shows the clean (fixed) code or a bug commit.

A row is SWE-smith's when the caller says so (`source="swesmith"`; any other source
means no), else when the row looks like one as SWE-smith publishes it: an `image_name`
column, a `repo` of `swesmith/...`, an image named `.../swesmith.<arch>...`, or an
instance id shaped `owner__repo.<commit8>.<bug id>`.
"""

from __future__ import annotations

import re
import shlex

from swe_srl.sandbox.base import Sandbox, SandboxError

# owner__repo.commit8.bug_id, e.g. arrow-py__arrow.1d70d009.lm_rewrite__nuzjfyur
SWESMITH_INSTANCE_ID = re.compile(r"^[^\s_]+(?:_[^\s_]+)*__[^\s.]+\.[0-9a-f]{8}\.\S+$")
PATCH_FILE = ".git/swe-srl-task.patch"  # inside .git: never part of the work tree or a diff


class TaskSetupError(SandboxError):
    """The task's bug could not be set up in its sandbox (e.g. the patch does not apply)."""


def is_swesmith_task(task: dict, source: str | None = None) -> bool:
    """Whether `task` is a SWE-smith row (see the module docstring for the rule)."""
    if source is not None:
        return source == "swesmith"
    if task.get("image_name") or str(task.get("repo") or "").startswith("swesmith/"):
        return True
    if str(task.get("image") or "").rsplit("/", 1)[-1].startswith("swesmith."):
        return True
    return bool(SWESMITH_INSTANCE_ID.match(str(task.get("instance_id") or "")))


def prepare_task(sandbox: Sandbox, task: dict, source: str | None = None, *, keep_history: bool = False) -> str | None:
    """Set up `task` in a freshly started `sandbox`; returns the commit diffs are taken
    against (also set as `sandbox.base_commit`).

    For a SWE-smith row the bug `patch` is applied and committed as one commit with HEAD's
    author, committer, dates and message that replaces HEAD; every other ref (branches,
    tags, remotes, stash, notes) and pseudo-ref goes, reflogs are expired and unreachable
    objects pruned, so `git log --all`, `git reflog`, `git fsck --unreachable` and the
    object store hold neither the clean code nor a bug commit. By default the new commit
    is a root commit (SWE-smith's images hold a one-commit history, so this is HEAD's own
    shape there); `keep_history=True` keeps HEAD's parents, which keeps the history but
    lets `git diff HEAD~1 HEAD` show the bug among HEAD's own changes. A patch that is
    already in HEAD is a no-op; one already in the work tree is committed. Any other row:
    nothing changes and the sandbox's base commit is returned.
    """
    if not is_swesmith_task(task, source):
        return sandbox.base_commit
    patch = task.get("patch") or ""
    iid = task.get("instance_id", "?")
    if not patch.strip():
        raise TaskSetupError(f"{iid}: a SWE-smith row needs its bug in `patch`, and this one is empty")
    root = sandbox.root
    sandbox.write_file(f"{root}/{PATCH_FILE}", patch if patch.endswith("\n") else patch + "\n")
    res = sandbox._run_internal(_script(root, keep_history), timeout=900)
    lines = res.output.strip().splitlines()
    if res.exit_code != 0 or not lines or not re.fullmatch(r"[0-9a-f]{40,64}", lines[-1].strip()):
        raise TaskSetupError(f"{iid}: cannot set up the task's bug (exit {res.exit_code}): {res.output.strip()[-2000:]}")
    sandbox.base_commit = lines[-1].strip()
    return sandbox.base_commit


# Runs in a subshell, so the session's cwd and environment stay as they were. The new
# commit is HEAD's raw commit object with the tree replaced (and any signature dropped,
# since it would no longer verify): author, committer, dates, encoding and message are
# HEAD's byte for byte.
_SCRIPT = r"""
( unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
  cd {root} || exit 3
  set -e
  p={patch}
  git rev-parse -q --verify HEAD >/dev/null || {{ echo "no commit checked out in {root}"; exit 4; }}
  if git apply --cached --reverse --check "$p" 2>/dev/null; then
    state=in_head
  elif git apply --index --whitespace=nowarn "$p" 2>"$p.err"; then
    state=applied
  elif git apply --reverse --check "$p" 2>/dev/null && git apply --cached --whitespace=nowarn "$p"; then
    state=applied
  else
    echo "the bug patch does not apply:"; cat "$p.err"; rm -f "$p" "$p.err"; exit 5
  fi
  rm -f "$p" "$p.err"
  head=$(git rev-parse HEAD)
  new=$head
  if [ "$state" = applied ]; then
    tree=$(git write-tree)
    new=$(git cat-file commit HEAD | awk -v tree="$tree" -v keep={keep} -v hdr=1 '
      hdr && /^$/ {{ hdr = 0 }}
      hdr && skip && /^ / {{ next }}
      {{ skip = 0 }}
      hdr && /^tree / {{ print "tree " tree; next }}
      hdr && /^parent / && !keep {{ next }}
      hdr && /^gpgsig/ {{ skip = 1; next }}
      {{ print }}' | git hash-object -t commit -w --stdin)
    git update-ref -m swe-srl HEAD "$new"
  fi
  branch=$(git symbolic-ref -q HEAD || true)
  for r in $(git remote); do git remote remove "$r"; done
  git for-each-ref --format='%(refname)' | while read -r ref; do
    [ "$ref" = "$branch" ] || git update-ref --no-deref -d "$ref"
  done
  gd=$(git rev-parse --git-dir)
  # for-each-ref skips broken refs (e.g. a symref left pointing at a deleted ref)
  (cd "$gd" && find refs -type f) | while read -r ref; do [ "$ref" = "$branch" ] || rm -f "$gd/$ref"; done
  rm -f "$gd/ORIG_HEAD" "$gd/FETCH_HEAD" "$gd/MERGE_HEAD" "$gd/CHERRY_PICK_HEAD" "$gd/REVERT_HEAD" "$gd/AUTO_MERGE" "$gd"/BISECT_*
  rm -rf "$gd/refs/original" "$gd/rebase-merge" "$gd/rebase-apply"
  git worktree prune
  git reflog expire --expire=now --expire-unreachable=now --all
  git gc --quiet --prune=now
  git rev-parse HEAD
)
"""


def _script(root: str, keep_history: bool) -> str:
    return _SCRIPT.format(root=shlex.quote(root), patch=shlex.quote(PATCH_FILE), keep=int(keep_history))
