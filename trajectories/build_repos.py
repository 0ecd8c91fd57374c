"""Build the bundled task repositories as real git repositories with stable SHAs.

Each task row names a ``base_commit`` that instance images check out, so the SHA must
come out the same on every machine: the tree (file bytes and modes), author, committer,
dates and message are all fixed here, and no user or system git config is read.
``add_fix_commit`` adds a later commit holding the gold fix and its tests, so tests can
prove that an instance image hides commits after the base.

    python trajectories/build_repos.py OUT_DIR [NAME ...] [--with-fix]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOS_DIR = HERE / "repos"
TASKS_DIR = HERE / "tasks"

IDENTITY = ("swe-srl", "swe-srl@example.invalid")
BASE_DATE = "2026-11-01T09:00:00+00:00"
FIX_DATE = "2026-11-03T15:30:00+00:00"
SKIP = {"__pycache__", ".pytest_cache", ".git"}


def names() -> list[str]:
    """The bundled task repositories, sorted."""
    return sorted(p.name for p in REPOS_DIR.iterdir() if p.is_dir())


def _env(date: str) -> dict[str, str]:
    """A git environment that ignores every user/system setting and fixes identity and dates."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    name, email = IDENTITY
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_NAME=name,
        GIT_COMMITTER_EMAIL=email,
        GIT_COMMITTER_DATE=date,
        LC_ALL="C",
    )
    return env


def git(dest: Path, *args: str, date: str = BASE_DATE) -> str:
    """Run one git command in ``dest`` with the fixed environment; return its stdout."""
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args],
        cwd=dest, env=_env(date), check=True, capture_output=True, text=True,
    )
    return proc.stdout


def copy_tree(src: Path, dest: Path) -> None:
    """Copy file bytes only (mode 0644), skipping caches, so the git tree never varies."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in SKIP for part in rel.parts) or path.suffix == ".pyc" or not path.is_file():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        target.chmod(0o644)


def build_repo(name: str, dest: str | Path) -> str:
    """Create ``dest`` as a git repository of task ``name`` at its base commit; return the SHA."""
    src = REPOS_DIR / name
    if not src.is_dir():
        raise ValueError(f"unknown task repository {name!r}; known: {', '.join(names())}")
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    copy_tree(src, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", f"Initial import of {name}")
    return git(dest, "rev-parse", "HEAD").strip()


def add_fix_commit(name: str, dest: str | Path) -> str:
    """Commit the gold fix and its tests on top of the base commit; return the new SHA."""
    dest = Path(dest)
    for patch in ("gold.patch", "test.patch"):
        git(dest, "apply", str(TASKS_DIR / name / patch))
    git(dest, "add", "-A", date=FIX_DATE)
    git(dest, "commit", "-q", "-m", f"Fix {name} issue #1", date=FIX_DATE)
    return git(dest, "rev-parse", "HEAD").strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder that receives one repository per task")
    parser.add_argument("names", nargs="*", help="task repositories to build (default: all)")
    parser.add_argument("--with-fix", action="store_true", help="also add the later fix commit")
    parser.add_argument("--force", action="store_true", help="replace existing repositories")
    args = parser.parse_args(argv)
    for name in args.names or names():
        dest = args.out / name
        if args.force and dest.exists():
            shutil.rmtree(dest)
        sha = build_repo(name, dest)
        line = f"{name} {sha}"
        if args.with_fix:
            line += f" fix={add_fix_commit(name, dest)}"
        print(line)


if __name__ == "__main__":
    main()
