"""`swe-srl collect`: read trajectories, replay them in parallel sandboxes, write the
step dataset and its manifest. Resumable, and a bad trajectory never stops the run."""

from __future__ import annotations

import hashlib
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from swe_srl import __version__
from swe_srl.collect.replay import Outcome, ReplayOptions, process
from swe_srl.collect.store import StepStore
from swe_srl.sandbox import cleanup
from swe_srl.sandbox.images import image_for_task
from swe_srl.trajectory.model import Task, Trajectory, TrajectoryError
from swe_srl.trajectory.sources import ReadStats, dataset_kind, read_tasks, read_trajectories


class StrictError(RuntimeError):
    """--strict and a trajectory failed."""


@dataclass
class CollectConfig:
    trajectories: str
    out: Path
    tasks: str | None = None
    fmt: str = "auto"
    workers: int = 1
    sandbox: str = "docker"
    limit: int | None = None
    strict: bool = False
    replay: bool = True
    include_unresolved: bool = False
    instance_ids: frozenset[str] | None = None  # only these task instances
    split: str = "train"
    tasks_split: str | None = None  # None: the task dataset's own split (train for SWE-smith/SWE-Gym, else test)
    image_source: str | None = None  # swebench|swegym|swesmith for rows without `image`; None: from the dataset names
    options: ReplayOptions = field(default_factory=ReplayOptions)


@dataclass
class CollectResult:
    out: Path
    manifest: dict
    errors: list[dict]


def _run_id(out: Path) -> str:
    """Stable per output folder, so a rerun can remove what a killed run left."""
    return "collect-" + hashlib.sha1(str(out.resolve()).encode()).hexdigest()[:10]


def image_source(cfg: CollectConfig) -> str | None:
    """--image-source, else the family of the task dataset's name, else the trajectory
    dataset's (e.g. SWE-Gym/OpenHands-Sampled-Trajectories -> swegym); None: per row."""
    return cfg.image_source or dataset_kind(cfg.tasks) or dataset_kind(cfg.trajectories)


def _image(traj: Trajectory, task: Task | None, source: str | None = None) -> str:
    if task is not None:
        return image_for_task(task.model_dump(), source)
    try:
        return image_for_task({"instance_id": traj.instance_id}, source)
    except ValueError:
        return ""


def _items(cfg: CollectConfig, stats: ReadStats) -> Iterator[Trajectory | TrajectoryError]:
    n = 0
    for item in read_trajectories(cfg.trajectories, cfg.fmt, cfg.include_unresolved, split=cfg.split, remap_to="/testbed", stats=stats):
        if cfg.limit is not None and n >= cfg.limit:
            return
        if cfg.instance_ids is not None and isinstance(item, Trajectory) and item.instance_id not in cfg.instance_ids:
            continue
        n += 1
        yield item


def run_collect(cfg: CollectConfig, console: Console | None = None) -> CollectResult:
    console = console or Console(stderr=True)
    cleanup.install_signal_handlers()
    started = time.time()
    tasks: dict[str, Task] = read_tasks(cfg.tasks, split=cfg.tasks_split) if cfg.tasks else {}
    source = image_source(cfg)
    store = StepStore(cfg.out)
    cfg.options.run_id = _run_id(cfg.out)
    if cfg.replay and cfg.sandbox == "docker":
        from swe_srl.sandbox.docker import prune

        prune(cfg.options.run_id)  # containers of a previous run into this folder that was killed
    stats = ReadStats()
    errors: list[dict] = []
    resumed = len(store.summaries)
    counters = {"steps": 0, "divergences": 0, "errors": 0}

    def record_error(tid: str, reason: str) -> None:
        errors.append({"id": tid, "reason": reason})
        counters["errors"] += 1
        if cfg.strict:
            raise StrictError(f"{tid}: {reason}")

    progress = Progress(
        TextColumn("[bold]collect"), BarColumn(), MofNCompleteColumn(),
        TextColumn("steps {task.fields[steps]}  divergences {task.fields[divergences]}  errors {task.fields[errors]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
    )
    try:
        with progress, ThreadPoolExecutor(max_workers=max(1, cfg.workers)) as pool:
            bar = progress.add_task("collect", total=None, **counters)
            pending: deque[Future] = deque()
            seen: set[str] = set()  # trajectory ids of this run: rows are keyed by them

            def drain(block_until: int) -> None:
                # Write in input order, so the output is the same however workers finish.
                while pending and (len(pending) > block_until or pending[0].done()):
                    outcome: Outcome = pending.popleft().result()
                    if outcome.error:
                        record_error(outcome.trajectory_id, outcome.error)
                    else:
                        store.append(outcome.record, outcome.rows, outcome.summary)
                        counters["steps"] += outcome.summary["steps"]
                        counters["divergences"] += outcome.summary["divergences"]
                    progress.update(bar, advance=1, **counters)

            for item in _items(cfg, stats):
                if isinstance(item, TrajectoryError):
                    record_error(item.record_id, item.reason)
                    progress.update(bar, advance=1, **counters)
                    continue
                if item.trajectory_id in seen:
                    record_error(item.trajectory_id, "duplicate trajectory id in the input (the first one is kept)")
                    progress.update(bar, advance=1, **counters)
                    continue
                seen.add(item.trajectory_id)
                if store.done(item.trajectory_id):
                    progress.update(bar, advance=1, **counters)
                    continue
                task = tasks.get(item.instance_id)
                pending.append(pool.submit(process, item, task, _image(item, task, source), cfg.options, cfg.replay))
                drain(block_until=2 * max(1, cfg.workers))
            drain(block_until=0)
            progress.update(bar, total=progress.tasks[0].completed)
    except (KeyboardInterrupt, StrictError):
        cleanup.close_all()
        _finish(cfg, store, stats, errors, started, resumed, interrupted=True)
        raise
    finally:
        store.close()
    manifest = _finish(cfg, store, stats, errors, started, resumed, interrupted=False)
    print_summary(manifest, console)
    return CollectResult(cfg.out, manifest, errors)


def _finish(cfg: CollectConfig, store: StepStore, stats: ReadStats, errors: list[dict], started: float, resumed: int, interrupted: bool) -> dict:
    per_format: dict[str, dict] = {}
    per_tool: dict[str, dict] = {}
    for s in store.summaries.values():
        f = per_format.setdefault(s["source_format"], {"trajectories": 0, "steps": 0, "divergences": 0, "not_replayable": 0, "errors": 0})
        f["trajectories"] += 1
        f["steps"] += s["steps"]
        f["divergences"] += s["divergences"]
        f["not_replayable"] += s.get("not_replayable", 0)
        for tool, counts in s.get("tools", {}).items():
            t = per_tool.setdefault(tool, {"steps": 0, "divergences": 0, "not_replayable": 0})
            for key, value in counts.items():
                t[key] += value
    manifest = {
        "swe_srl_version": __version__,
        "config": {
            "trajectories": str(cfg.trajectories), "tasks": cfg.tasks, "format": cfg.fmt, "sandbox": cfg.sandbox,
            "replay": cfg.replay, "workers": cfg.workers, "limit": cfg.limit, "include_unresolved": cfg.include_unresolved,
            "divergence_threshold": cfg.options.divergence_threshold, "action_timeout": cfg.options.action_timeout,
            "tool_profile": cfg.options.tool_profile,
        },
        "interrupted": interrupted,
        "seconds": round(time.time() - started, 2),
        "totals": {
            "trajectories": len(store.summaries),
            "steps": sum(s["steps"] for s in store.summaries.values()),
            "divergences": sum(s["divergences"] for s in store.summaries.values()),
            "not_replayable": sum(s.get("not_replayable", 0) for s in store.summaries.values()),
            "roundtrip_errors": sum(len(s.get("roundtrip_errors", [])) for s in store.summaries.values()),
            "errors": len(errors),
            "resumed_trajectories": resumed,
            "skipped_unresolved": stats.skipped_unresolved,
            "records_read": stats.records,
        },
        "formats": per_format,
        "tools": dict(sorted(per_tool.items())),
        "trajectories": store.summaries,
        "errors": errors,
    }
    store.write_manifest(manifest)
    return manifest


def print_summary(manifest: dict, console: Console) -> None:
    table = Table(title="collect summary")
    for col in ("format", "trajectories", "steps", "divergences", "not replayable"):
        table.add_column(col, justify="right" if col != "format" else "left")
    for fmt, f in sorted(manifest["formats"].items()):
        table.add_row(fmt, str(f["trajectories"]), str(f["steps"]), str(f["divergences"]), str(f.get("not_replayable", 0)))
    t = manifest["totals"]
    table.add_row("[bold]total", str(t["trajectories"]), str(t["steps"]), str(t["divergences"]), str(t.get("not_replayable", 0)))
    console.print(table)
    if manifest.get("tools"):
        tools = Table(title="per tool")
        for col in ("tool", "steps", "divergences", "not replayable"):
            tools.add_column(col, justify="right" if col != "tool" else "left")
        for name, c in manifest["tools"].items():
            tools.add_row(name, str(c["steps"]), str(c["divergences"]), str(c["not_replayable"]))
        console.print(tools)
    if manifest["errors"]:
        errs = Table(title=f"{len(manifest['errors'])} trajectory error(s)", show_lines=False)
        errs.add_column("id")
        errs.add_column("reason")
        for e in manifest["errors"]:
            errs.add_row(e["id"], e["reason"][:300])
        console.print(errs)
