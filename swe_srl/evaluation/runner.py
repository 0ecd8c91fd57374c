"""`run_eval`: tasks -> agent runs (parallel) -> predictions.jsonl -> SWE-bench harness
(parallel) -> report.json. Every finished instance is recorded at once, so a rerun with the
same run id and output folder picks up where the last one stopped; infrastructure failures
are retried on a rerun, graded instances are not."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from swe_srl import __version__, bundled
from swe_srl.evaluation.agent import AgentLimits, AgentRun, SandboxOptions, run_agent
from swe_srl.evaluation.config import EvalConfig
from swe_srl.evaluation.harness import Grade, check_gradable, grade, log_dir, run_parallel
from swe_srl.evaluation.report import build_report
from swe_srl.evaluation.settings import problem_statement_for
from swe_srl.evaluation.store import RunStore
from swe_srl.sandbox import cleanup
from swe_srl.sandbox.images import image_for_task
from swe_srl.trajectory.model import Task
from swe_srl.trajectory.sources import dataset_kind, default_tasks_split, read_tasks

FINAL = ("resolved", "unresolved")


def load_tasks(cfg: EvalConfig) -> list[dict]:
    """Task rows (SWE-bench shape) in source order, filtered by `instances` and `limit`."""
    return load_task_rows(cfg.tasks, split=cfg.split, instances=cfg.instances, limit=cfg.limit, image_source=cfg.image_source)


def load_task_rows(
    tasks: str | None,
    *,
    split: str | None = None,
    instances: list[str] | None = None,
    limit: int | None = None,
    image_source: str | None = None,
) -> list[dict]:
    """Task rows in source order, filtered by `instances` (kept in that order) and `limit`.

    `tasks` is a task file/folder, a Hugging Face dataset name, or a swebench 5 task repo
    (whose rows carry eval.sh and the image name); None means the bundled tasks. `split`
    defaults to the one the dataset publishes (train for SWE-smith and SWE-Gym, else test).
    Rows without an `image` get the name of `image_source`'s convention (swebench, swegym,
    swesmith), by default the one of the dataset `tasks` names, else inferred per row."""
    src = tasks or str(bundled.TASKS_FILE)
    split = split or default_tasks_split(src)
    image_source = image_source or dataset_kind(src)
    if (Path(src) / "tasks").is_dir():  # a swebench 5 task repo checkout (tasks/<id>/task.yaml ...)
        from swebench.task.repo import load_task_repo

        rows = [r for r in load_task_repo(src) if instances is not None or r.get("split", split) == split]
        rows = [Task.model_validate(r).model_dump() for r in rows]
    else:
        try:
            rows = [t.model_dump() for t in read_tasks(src, split=split).values()]
        except (OSError, ImportError) as exc:  # offline Hub, missing file, no `datasets`
            raise ValueError(f"cannot load tasks from {src}: {exc}") from exc
    if instances is not None:
        by_id = {r["instance_id"]: r for r in rows}
        unknown = [i for i in instances if i not in by_id]
        if unknown:
            raise ValueError(f"instance ids not in {src}: {', '.join(unknown[:10])}")
        rows = [by_id[i] for i in instances]
    if limit is not None:
        rows = rows[:limit]
    for row in rows:
        row["image"] = image_for_task(row, image_source)
    return rows


def run_eval(cfg: EvalConfig, console: Console | None = None) -> dict:
    """Run one evaluation; returns the report (also written to `<out>/report.json`)."""
    console = console or Console(stderr=True)
    cleanup.install_signal_handlers()
    started = time.time()
    run_id = cfg.resolved_run_id()
    out = (cfg.out or Path("runs/eval") / run_id).resolve()
    tasks = load_tasks(cfg)
    check_gradable(tasks)  # before anything starts: one error naming the rows
    store = RunStore(out, run_id)
    if cfg.build_images and (ours := bundled.bundled_rows(tasks)):
        with console.status("building missing bundled task images ..."):
            bundled.ensure_images(ours)
    _prune(run_id)

    signature = cfg.signature()
    records = {t["instance_id"]: store.get(t["instance_id"]) for t in tasks}
    stale = [i for i, r in records.items() if r is not None and r.get("signature") != signature]
    if stale:
        console.print(f"[yellow]run {run_id}: {len(stale)} instance(s) were recorded with other settings or another checkpoint; running them again[/yellow]")
        records.update({i: None for i in stale})
    to_run = [t for t in tasks if records[t["instance_id"]] is None or records[t["instance_id"]]["status"] == "infra_failure"]
    skipped = len(tasks) - len(to_run)
    if skipped:
        console.print(f"run {run_id}: {skipped} instance(s) already done, skipped")
    policy_name = None
    try:
        if to_run:
            policy_name = _agent_phase(cfg, to_run, store, records, run_id, console)
        names = {r["model_name_or_path"] for r in records.values() if r and r.get("model_name_or_path")}
        policy_name = policy_name or (names.pop() if len(names) == 1 else cfg.policy)
        _write_predictions(out, tasks, records)
        pending = [t for t in tasks if records[t["instance_id"]]["status"] == "pending_grade"]
        if pending:
            _grade_phase(cfg, pending, store, records, run_id, out, console)
    except KeyboardInterrupt:
        cleanup.close_all()
        raise
    report = build_report(cfg, run_id, policy_name, tasks, records, out, seconds=time.time() - started, version=__version__)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    return report


def _prune(run_id: str) -> None:
    """Containers a killed earlier run with this run id left behind."""
    try:
        from swe_srl.sandbox.docker import prune

        prune(run_id)
    except Exception:  # no engine: every task will report it as an infra failure
        pass


def _progress(console: Console, label: str) -> Progress:
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=console)


def _agent_phase(cfg: EvalConfig, tasks: list[dict], store: RunStore, records: dict, run_id: str, console: Console) -> str:
    from swe_srl.evaluation.backends import make_policy

    policy = make_policy(cfg)
    limits = AgentLimits(
        max_steps=cfg.max_steps, max_total_tokens=cfg.max_total_tokens, time_limit=cfg.time_limit,
        action_timeout=cfg.action_timeout, window=cfg.window if cfg.window is not None else policy.window,
        max_observation_chars=cfg.max_observation_chars, tool_profile=cfg.tool_profile,
    )
    sandbox = SandboxOptions(kind=cfg.sandbox, repos=cfg.repos, network=cfg.network, mem_limit=cfg.mem_limit, cpus=cfg.cpus, pull=cfg.pull)

    def work(task: dict) -> AgentRun:
        return run_agent(task, policy, limits, sandbox, run_id, cfg.setting)

    counts = {"infra": 0, "format_errors": 0}
    with _progress(console, "agent") as progress:
        bar = progress.add_task("agent", total=len(tasks), note="")
        for task, run in run_parallel(work, tasks, cfg.workers):
            records[task["instance_id"]] = _save_run(cfg, store, task, run, policy.name, run_id)
            counts["infra"] += run.infra
            counts["format_errors"] += run.format_errors
            progress.update(bar, advance=1, note=f"format errors {counts['format_errors']}  infra failures {counts['infra']}")
    return policy.name


def _save_run(cfg: EvalConfig, store: RunStore, task: dict, run: AgentRun, model_name: str, run_id: str) -> dict:
    iid = task["instance_id"]
    empty = not run.patch.strip()
    status = "infra_failure" if run.infra else ("unresolved" if empty else "pending_grade")
    traj_path = None
    if not run.infra or run.rounds:
        traj = run.trajectory(run_id, model_name, task["problem_statement"], resolved=False if status == "unresolved" else None)
        from swe_srl.trajectory.writers import write_canonical

        traj_path = str(store.put_trajectory(iid, write_canonical(traj)))
    agent = run.record()
    rec = {
        "instance_id": iid, "run_id": run_id, "model_name_or_path": model_name, "policy": cfg.policy,
        "setting": cfg.setting, "signature": cfg.signature(), "status": status, "empty_patch": empty and not run.infra,
        "reason": (run.error or run.exit_status) if run.infra else ("empty patch" if empty else ""),
        "trajectory": traj_path, "agent": agent, "grade": None,
        "prompt_issue": problem_statement_for(task, cfg.setting) if cfg.setting != "end-to-end" else None,
    }
    store.put(rec)
    # A harness verdict on an earlier patch under this run id would be read back as this one's.
    shutil.rmtree(log_dir(store.out, run_id, model_name, iid), ignore_errors=True)
    return rec


def _write_predictions(out: Path, tasks: list[dict], records: dict) -> None:
    """SWE-bench's predictions format, one line per instance that produced a patch (empty included)."""
    lines = []
    for t in tasks:
        rec = records[t["instance_id"]]
        if rec and rec["status"] != "infra_failure":
            lines.append(json.dumps({"instance_id": t["instance_id"], "model_name_or_path": rec["model_name_or_path"],
                                     "model_patch": rec["agent"]["patch"]}))
    (out / "predictions.jsonl").write_text("".join(line + "\n" for line in lines))


def _grade_phase(cfg: EvalConfig, tasks: list[dict], store: RunStore, records: dict, run_id: str, out: Path, console: Console) -> None:
    predictions = {
        t["instance_id"]: {"instance_id": t["instance_id"], "model_name_or_path": records[t["instance_id"]]["model_name_or_path"],
                           "model_patch": records[t["instance_id"]]["agent"]["patch"]}
        for t in tasks
    }
    with console.status(f"grading {len(tasks)} patch(es) with the SWE-bench harness ({cfg.workers} worker(s)) ..."):
        grades = grade(tasks, predictions, run_id, out, workers=cfg.workers, timeout=cfg.harness_timeout)
    for t in tasks:
        iid = t["instance_id"]
        g: Grade = grades[iid]
        rec = records[iid]
        rec.update(status=g.status, reason=g.reason, grade={"status": g.status, "reason": g.reason, "tests": g.tests, "log_dir": g.log_dir})
        store.put(rec)
        if rec.get("trajectory") and g.status in FINAL:
            path = Path(rec["trajectory"])
            data = json.loads(path.read_text())
            data["resolved"] = g.status == "resolved"
            store.put_trajectory(iid, data)
