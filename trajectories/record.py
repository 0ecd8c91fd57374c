"""Replay the canonical expert runs in real sandboxes and write them in every source format.

The expert runs in ``experts/<instance_id>.yaml`` hold thoughts and actions only; what
the tools print comes from running them, so observations here are exactly what collect
and eval will see. Each run is replayed in a fresh sandbox of its task's instance image
(built offline from ``build_repos.py`` when missing), then written once per format the
readers accept, under ``experts/<format>/``.

Each format is replayed with the tools that record it (``default_profile``): SWE-agent's
editor for swe_smith / swe_agent / canonical, openhands-aci's for the OpenHands formats,
SWE-agent 0.x's windowed commands for nebius. Two formats cannot say every editor call:
nebius (a plain view is `open PATH`, an empty create `create PATH`) and mini-swe-agent
(bash only). For them the calls they lack become the equivalent shell command (the
writers' ``shell_equivalent``) and that run is replayed on its own, so each file holds
the observations of the actions it actually contains.

Output is byte-for-byte reproducible: keys are sorted, nothing records a time, and
pytest's run time (the one inherently variable output) is pinned.

    python trajectories/record.py [--sandbox docker|local] [--rebuild-images] [ID ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_repos import build_repo  # noqa: E402
from bundle import EXPERTS_DIR, expert_actions, load_tasks, repo_name  # noqa: E402

from swe_srl.bundled import ensure_images  # noqa: E402
from swe_srl.sandbox import Sandbox, open_sandbox  # noqa: E402
from swe_srl.sandbox.tools import ToolRunner, default_profile  # noqa: E402
from swe_srl.trajectory.actions import Action  # noqa: E402
from swe_srl.trajectory.model import Round, Trajectory  # noqa: E402
from swe_srl.trajectory.writers import WRITERS, shell_equivalent, write  # noqa: E402

MODEL = "swe-srl-expert"
FORMATS = tuple(WRITERS)
# File name per format, as each tool names its runs.
FILE_NAMES = {"swe_agent": "{iid}.traj", "mini_swe_agent": "{iid}.traj.json"}
ACTION_TIMEOUT = 120
# "14 passed in 0.63s" -> a fixed time, so two recordings give the same bytes.
_PYTEST_TIME = re.compile(r"(?m)^(=* ?\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed|warnings?|deselected)\b.*?) in \d+\.\d+s")


def pin_times(text: str) -> str:
    """Replace pytest's wall-clock run time in a summary line with a fixed one."""
    return _PYTEST_TIME.sub(r"\1 in 0.05s", text)


def open_task_sandbox(task: dict, kind: str, workdir: Path) -> Sandbox:
    """A sandbox at the task's base commit: its instance image, or a local checkout."""
    if kind == "docker":
        return open_sandbox("docker", image=task["image"], base_commit=task["base_commit"], pull=False)
    repo = workdir / repo_name(task)
    build_repo(repo_name(task), repo)
    return open_sandbox("local", repo_dir=str(repo), base_commit=task["base_commit"])


def expressible(fmt: str, action: Action) -> Action:
    """The call as ``fmt`` can state it: editor calls a format lacks become shell commands."""
    if action.tool != "str_replace_editor":
        return action
    args = action.args
    if fmt == "nebius" and args["command"] == "view" and "view_range" not in args:
        return Action.make("bash", {"command": f"open {args['path']}"})  # SWE-agent 0.x
    if fmt == "nebius" and args["command"] == "create" and args.get("file_text", "") == "":
        return Action.make("bash", {"command": f"create {args['path']}"})
    if fmt in ("nebius", "mini_swe_agent"):
        return Action.make("bash", {"command": shell_equivalent(action)})
    return action


def replay(task: dict, kind: str = "docker", fmt: str = "canonical") -> Trajectory:
    """Run every expert action (as ``fmt`` states it) in a fresh sandbox; return the run."""
    iid = task["instance_id"]
    steps = [(thought, expressible(fmt, action)) for thought, action in expert_actions(iid)]
    rounds: list[Round] = []
    patch = ""
    with tempfile.TemporaryDirectory(prefix="swe-srl-record-") as tmp:
        with open_task_sandbox(task, kind, Path(tmp)) as sandbox:
            runner = ToolRunner(sandbox, profile=default_profile(fmt), timeout=ACTION_TIMEOUT)
            for k, (thought, action) in enumerate(steps):
                result = runner.run(action)
                if result.error or result.timed_out:
                    raise RuntimeError(f"{iid} step {k}: the expert action failed:\n{result.observation}")
                rounds.append(Round(thought=thought, action=action, observation=pin_times(result.observation), exit_code=result.exit_code))
                if result.submitted:
                    patch = result.observation
    if not patch.strip():
        raise RuntimeError(f"{iid}: the expert run ends without a patch")
    return Trajectory(
        trajectory_id=f"{iid}__expert",
        instance_id=iid,
        source_format="canonical",
        rounds=rounds,
        problem_statement=task["problem_statement"],
        patch=patch,
        resolved=True,
        workspace="/testbed",
        model=MODEL,
    )


def output_path(fmt: str, iid: str, out_dir: Path = EXPERTS_DIR) -> Path:
    return out_dir / fmt / FILE_NAMES.get(fmt, "{iid}.json").format(iid=iid)


def render(record: dict) -> str:
    """Stable JSON text: sorted keys, fixed indentation, trailing newline."""
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def record_task(task: dict, kind: str = "docker", out_dir: Path = EXPERTS_DIR) -> dict[str, Path]:
    """Replay one task's expert run and write it in every format; return the written paths."""
    runs: dict[tuple[str, ...], Trajectory] = {}
    written = {}
    for fmt in FORMATS:
        key = (default_profile(fmt), *(expressible(fmt, action).to_text() for _, action in expert_actions(task["instance_id"])))
        if key not in runs:  # formats that state the same calls share one replay
            runs[key] = replay(task, kind, fmt)
        path = output_path(fmt, task["instance_id"], out_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(write(runs[key], fmt, strict=True)))
        written[fmt] = path
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="instance ids to record (default: all bundled tasks)")
    parser.add_argument("--sandbox", choices=("docker", "local"), default="docker",
                        help="docker: the tasks' instance images; local: host checkouts (not isolated)")
    parser.add_argument("--rebuild-images", action="store_true", help="rebuild instance images that exist")
    parser.add_argument("--out", type=Path, default=EXPERTS_DIR, help="folder that receives <format>/ folders")
    args = parser.parse_args(argv)
    tasks = [t for t in load_tasks() if not args.ids or t["instance_id"] in args.ids]
    missing = set(args.ids) - {t["instance_id"] for t in tasks}
    if missing:
        parser.error(f"unknown instance ids: {', '.join(sorted(missing))}")
    if args.sandbox == "docker":
        ensure_images(tasks, rebuild=args.rebuild_images)
    for task in tasks:
        paths = record_task(task, args.sandbox, args.out)
        print(f"{task['instance_id']}: {len(paths)} formats -> {args.out}")


if __name__ == "__main__":
    main()
