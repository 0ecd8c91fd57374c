"""The swe-srl eval report (report.json) and its on-screen summary.

`resolve_rate` is resolved / instances the model was judged on (infrastructure failures
left out, since they say nothing about the model); `resolve_rate_all` divides by every
selected instance, which is what a leaderboard number over the full set means once the
infrastructure failures are fixed and rerun.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

STATUS_STYLE = {"resolved": "green", "unresolved": "red", "infra_failure": "yellow", "pending_grade": "magenta"}


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def build_report(cfg, run_id: str, model_name: str, tasks: list[dict], records: dict, out: Path, *, seconds: float, version: str) -> dict:
    ids = {s: [] for s in ("resolved", "unresolved", "infra_failure", "pending_grade")}
    empty, instances = [], {}
    exits: Counter = Counter()
    totals = Counter()
    for t in tasks:
        iid = t["instance_id"]
        rec = records[iid]
        ids[rec["status"]].append(iid)
        if rec["empty_patch"]:
            empty.append(iid)
        agent = rec["agent"]
        exits[agent["exit_status"]] += 1
        for key in ("steps", "format_errors", "tokens"):
            totals[key] += agent[key]
        instances[iid] = {
            "status": rec["status"], "reason": rec["reason"], "exit_status": agent["exit_status"],
            "empty_patch": rec["empty_patch"], "steps": agent["steps"], "format_errors": agent["format_errors"],
            "tokens": agent["tokens"], "tokens_estimated": agent["tokens_estimated"], "agent_seconds": agent["seconds"],
            "patch_lines": len(agent["patch"].splitlines()), "tests": (rec.get("grade") or {}).get("tests", {}),
            "trajectory": rec.get("trajectory"), "harness_log_dir": (rec.get("grade") or {}).get("log_dir"),
        }
    judged = len(ids["resolved"]) + len(ids["unresolved"])
    return {
        "run_id": run_id,
        "model_name_or_path": model_name,
        "policy": cfg.policy,
        "setting": cfg.setting,
        "tasks": cfg.tasks or "bundled",
        "max_steps": cfg.max_steps,
        "swe_srl_version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "total_instances": len(tasks),
        "resolved_ids": ids["resolved"],
        "unresolved_ids": ids["unresolved"],
        "infra_failure_ids": ids["infra_failure"],
        "empty_patch_ids": empty,
        "pending_ids": ids["pending_grade"],
        "resolved_instances": len(ids["resolved"]),
        "judged_instances": judged,
        "resolve_rate": _rate(len(ids["resolved"]), judged),
        "resolve_rate_all": _rate(len(ids["resolved"]), len(tasks)),
        "steps": totals["steps"],
        "format_errors": totals["format_errors"],
        "tokens": totals["tokens"],
        "exit_statuses": dict(sorted(exits.items())),
        "predictions": str(out / "predictions.jsonl"),
        "trajectories": str(out / "trajectories"),
        "harness_logs": str(out / "logs" / "run_evaluation" / run_id),
        "instances": instances,
    }


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def print_summary(report: dict, console: Console | None = None, max_rows: int = 50) -> None:
    """A per-instance table (first `max_rows`) and the headline numbers."""
    console = console or Console()
    table = Table(title=f"swe-srl eval {report['run_id']} ({report['model_name_or_path']}, {report['setting']})")
    table.add_column("instance", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for col in ("exit", "steps", "fmt err", "tokens", "patch", "secs"):
        table.add_column(col, justify="left" if col == "exit" else "right")
    rows = list(report["instances"].items())
    notes = []
    for iid, inst in rows[:max_rows]:
        style = STATUS_STYLE.get(inst["status"], "")
        table.add_row(iid, f"[{style}]{inst['status']}[/{style}]", inst["exit_status"], str(inst["steps"]),
                      str(inst["format_errors"]), f"{inst['tokens']}{'~' if inst['tokens_estimated'] else ''}",
                      str(inst["patch_lines"]), f"{inst['agent_seconds']:.0f}")
        if inst["status"] != "resolved" and inst["reason"]:
            notes.append(f"{iid}: {inst['reason'].splitlines()[0][:160]}")
    if len(rows) > max_rows:
        table.caption = f"{len(rows) - max_rows} more instance(s) in report.json"
    console.print(table)
    for note in notes:
        console.print(f"  {note}", highlight=False)
    console.print(
        f"[bold]resolved {report['resolved_instances']}/{report['judged_instances']} judged "
        f"= {_pct(report['resolve_rate'])}[/bold]  (of all {report['total_instances']}: {_pct(report['resolve_rate_all'])})  "
        f"unresolved {len(report['unresolved_ids'])} (empty patches {len(report['empty_patch_ids'])})  "
        f"[yellow]infra failures {len(report['infra_failure_ids'])}[/yellow]  "
        f"format errors {report['format_errors']}  steps {report['steps']}  {report['seconds']:.0f}s"
    )
    if any(inst["tokens_estimated"] for inst in report["instances"].values()):
        console.print("token counts marked ~ are estimated from characters (the policy does not count tokens)")
