"""`swe-srl validate`: are these task rows sound? Checked through the real SWE-bench harness.

Per instance, swebench's own `run_instance` runs the row's eval script twice over: with
the gold `patch` (it must resolve the instance) and on the unpatched repository
(swebench's no-patch mode: the FAIL_TO_PASS tests must fail there). Each check runs
`runs` times; verdicts that differ between runs mark the instance flaky. Status per
instance, first match wins:

- `error`: a check could not run (image missing, harness or environment fault, no gold
  patch); the reason says which;
- `flaky`: some check's verdict or test counts differ between runs;
- `gold_fails`: the gold patch does not resolve the instance;
- `base_passes`: FAIL_TO_PASS tests already pass without the patch;
- `valid`.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from swe_srl.evaluation.harness import (
    Grade, check_gradable, check_run_id, docker_client, grade_one, harness_cwd, run_parallel,
)

STATUSES = ("valid", "gold_fails", "base_passes", "flaky", "error")
KINDS = ("gold", "base")


@dataclass
class Check:
    """One harness run of one instance: `gold` (gold patch) or `base` (no patch)."""

    kind: str
    run: int
    verdict: str  # gold: resolves | fails; base: f2p_fail | f2p_pass; either: error
    status: str  # the harness Grade: resolved | unresolved | infra_failure
    reason: str = ""
    tests: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    log_dir: str = ""


def _verdict(kind: str, g: Grade) -> str:
    if g.status == "infra_failure":
        return "error"
    if kind == "gold":
        return "resolves" if g.status == "resolved" else "fails"
    return "f2p_pass" if g.tests.get("FAIL_TO_PASS_success", 0) > 0 else "f2p_fail"


def _counts(tests: dict[str, int], kind: str) -> str:
    ok, bad = tests.get(f"{kind}_success", 0), tests.get(f"{kind}_failure", 0)
    return f"{ok}/{ok + bad}"


def judge(task: dict, checks: list[Check]) -> tuple[str, str]:
    """(status, reason) of one instance from its checks (see the module docstring)."""
    if not (task.get("patch") or "").strip():
        return "error", "the row has no gold patch"
    for c in checks:
        if c.verdict == "error":
            return "error", f"{c.kind} run {c.run}: {c.reason}"
    for kind in KINDS:
        runs = [c for c in checks if c.kind == kind]
        seen = {(c.verdict, tuple(sorted(c.tests.items()))) for c in runs}
        if len(seen) > 1:
            detail = "; ".join(f"run {c.run}: {c.verdict} (F2P {_counts(c.tests, 'FAIL_TO_PASS')}, "
                               f"P2P {_counts(c.tests, 'PASS_TO_PASS')} pass)" for c in runs)
            return "flaky", f"{kind} runs disagree: {detail}"
    gold = [c for c in checks if c.kind == "gold"]
    if gold and gold[0].verdict == "fails":
        t = gold[0].tests
        return "gold_fails", (f"the gold patch does not resolve it: {gold[0].reason}; FAIL_TO_PASS {_counts(t, 'FAIL_TO_PASS')} "
                              f"and PASS_TO_PASS {_counts(t, 'PASS_TO_PASS')} pass")
    base = [c for c in checks if c.kind == "base"]
    if base and base[0].verdict == "f2p_pass":
        return "base_passes", f"{_counts(base[0].tests, 'FAIL_TO_PASS')} FAIL_TO_PASS test(s) already pass without the patch"
    return "valid", ""


def validate_tasks(
    tasks: list[dict],
    out: Path,
    *,
    runs: int = 2,
    workers: int = 1,
    run_id: str | None = None,
    timeout: int = 1800,
    console: Console | None = None,
) -> dict:
    """Validate `tasks` (rows in the swebench 5 shape, `image` set); writes and returns
    `out/validation.json`. Harness logs go under `out/logs/run_evaluation/<run_id>.<check>/`.
    A new run id (the default) runs every check afresh; the same run id again reads back
    the reports of finished checks (swebench's resume rule)."""
    console = console or Console(stderr=True)
    check_gradable(tasks)
    if runs < 1:
        raise ValueError("runs must be at least 1")
    run_id = run_id or f"validate-{time.strftime('%Y%m%d-%H%M%S')}"
    check_run_id(run_id)
    out = Path(out).resolve()
    started = time.time()
    jobs = [(t, kind, r) for t in tasks if (t.get("patch") or "").strip() for r in range(1, runs + 1) for kind in KINDS]
    client = docker_client() if jobs else None

    def one(job) -> Check:
        task, kind, r = job
        patch = task["patch"] if kind == "gold" else ""
        pred = {"instance_id": task["instance_id"], "model_name_or_path": kind, "model_patch": patch}
        # one run id per check: it names the grading container, and the checks of one
        # instance run side by side
        t0 = time.time()
        g = grade_one(task, pred, f"{run_id}.{kind}{r}", out, client, timeout, skip_patch=kind == "base")
        return Check(kind, r, _verdict(kind, g), g.status, g.reason, g.tests, round(time.time() - t0, 2), g.log_dir)

    checks: dict[str, list[Check]] = {t["instance_id"]: [] for t in tasks}
    with console.status(f"validating {len(tasks)} instance(s): {len(jobs)} harness run(s), {workers} at a time ..."):
        with harness_cwd(out):
            for (task, _, _), check in run_parallel(one, jobs, workers):
                checks[task["instance_id"]].append(check)
    instances = {}
    for t in tasks:
        iid = t["instance_id"]
        cs = sorted(checks[iid], key=lambda c: (KINDS.index(c.kind), c.run))
        status, reason = judge(t, cs)
        instances[iid] = {"status": status, "reason": reason, "image": t.get("image"), "checks": [asdict(c) for c in cs]}
    counts = {s: sum(1 for i in instances.values() if i["status"] == s) for s in STATUSES}
    report = {
        "run_id": run_id, "runs": runs, "workers": workers, "seconds": round(time.time() - started, 2),
        "counts": counts, "valid_ids": [i for i, v in instances.items() if v["status"] == "valid"],
        "invalid_ids": [i for i, v in instances.items() if v["status"] != "valid"], "instances": instances,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "validation.json").write_text(json.dumps(report, indent=1))
    return report


_STYLE = {"valid": "green", "gold_fails": "red", "base_passes": "red", "flaky": "yellow", "error": "magenta"}


def _cell(checks: list[dict], kind: str) -> str:
    """One check's runs: `F2P 2/2 P2P 8/8 x2` when they agree, else each run's."""
    texts = [c["verdict"] if c["verdict"] == "error" else
             f"F2P {_counts(c['tests'], 'FAIL_TO_PASS')} P2P {_counts(c['tests'], 'PASS_TO_PASS')}"
             for c in checks if c["kind"] == kind]
    if not texts:
        return "-"
    return f"{texts[0]} x{len(texts)}" if len(set(texts)) == 1 else " | ".join(texts)


def print_table(report: dict, console: Console, max_rows: int = 100) -> None:
    table = Table(title=f"validate {report['run_id']}: {report['runs']} run(s) per check, {report['seconds']} s")
    table.add_column("instance", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("gold patch (pass)")
    table.add_column("no patch (pass)")
    table.add_column("reason")
    for iid, inst in list(report["instances"].items())[:max_rows]:
        style = _STYLE[inst["status"]]
        table.add_row(iid, f"[{style}]{inst['status']}[/{style}]", _cell(inst["checks"], "gold"), _cell(inst["checks"], "base"),
                      inst["reason"][:300])
    console.print(table)
    console.print("  ".join(f"{s}: {n}" for s, n in report["counts"].items()))


def validate_command(
    tasks: Optional[str] = typer.Option(None, "--tasks", help="Task rows in the swebench 5 shape: .json/.jsonl/.parquet, folder, swebench 5 task repo or HF dataset. Default: the bundled tasks."),
    instance_ids: Optional[str] = typer.Option(None, "--instance-ids", "--instances", help="Only these instances: id1,id2 or a file with one id per line."),
    runs: int = typer.Option(2, "--runs", min=1, help="Harness runs per check; verdicts that differ between runs mark an instance flaky."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Harness runs in parallel."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default runs/validate/<run-id>): validation.json and the harness logs."),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="Names the run (default validate-<time>); the same id again reads back finished checks."),
    split: Optional[str] = typer.Option(None, "--tasks-split", "--split", help="Split of a Hugging Face task dataset (default: the one it publishes)."),
    image_source: Optional[str] = typer.Option(None, "--image-source", help="Image names for rows without `image`: swebench, swegym or swesmith (default: from the dataset name)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N tasks."),
    timeout: int = typer.Option(1800, "--timeout", help="Seconds for one test run."),
    build_images: bool = typer.Option(True, "--build-images/--no-build-images", help="Build missing bundled task images offline."),
) -> None:
    """Check task rows through the SWE-bench harness: the gold patch resolves each, the unpatched repository fails its FAIL_TO_PASS tests, the same way every run."""
    from swe_srl import bundled
    from swe_srl.evaluation.cli import _instances
    from swe_srl.evaluation.runner import load_task_rows
    from swe_srl.sandbox.images import IMAGE_SOURCES

    console = Console(stderr=True)
    if image_source is not None and image_source not in IMAGE_SOURCES:
        raise typer.BadParameter(f"choose one of {', '.join(IMAGE_SOURCES)}", param_hint="--image-source")
    run_id = run_id or f"validate-{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        check_run_id(run_id)
        rows = load_task_rows(tasks, split=split, instances=_instances(instance_ids), limit=limit, image_source=image_source)
        check_gradable(rows)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]validate failed:[/red] {exc}")
        raise typer.Exit(2)
    mine = bundled.bundled_rows(rows)
    if build_images and mine:
        with console.status("building missing bundled task images ..."):
            bundled.ensure_images(mine)
    report = validate_tasks(rows, out or Path("runs/validate") / run_id, runs=runs, workers=workers, run_id=run_id,
                            timeout=timeout, console=console)
    print_table(report, Console())
    console.print(f"report: {(out or Path('runs/validate') / run_id) / 'validation.json'}")
    if report["invalid_ids"]:
        raise typer.Exit(1)
