"""`swe-srl export`: the flat one-row-per-step view of a collect folder.

collect stores each trajectory's rounds once (`trajectories.jsonl`) and small step rows
that reference them (`steps.jsonl`); this writes the public shape, one row per step with
its history (the `StepRow` fields), as JSONL or Parquet, or pushes it to the Hub. The
history is the last `window` rounds (all by default), so the flat view is exactly the
rows training would render, and the store's size stays linear in the rounds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Optional

import typer

from swe_srl.collect.store import STEPS_FILE, TRAJECTORIES_FILE

FORMATS = ("jsonl", "parquet")


def _window(window: int | str | None) -> int | None:
    if window is None or str(window) == "all":
        return None
    k = int(window)
    if k < 0:
        raise ValueError("window must be >= 0 or 'all'")
    return k


def flat_rows(data: str | Path, window: int | str | None = "all") -> Iterator[dict]:
    """One `StepRow`-shaped dict per step, in store order, reading one trajectory at a time."""
    data = Path(data)
    k_max = _window(window)
    with open(data / TRAJECTORIES_FILE, "rb") as trajs, open(data / STEPS_FILE, "rb") as steps:
        record: dict | None = None
        for line in steps:
            step = json.loads(line)
            while record is None or record["trajectory_id"] != step["trajectory_id"]:
                nxt = trajs.readline()
                if not nxt:
                    raise ValueError(f"{data}: step of {step['trajectory_id']!r} has no record in {TRAJECTORIES_FILE}")
                record = json.loads(nxt)
            k = step["step_index"]
            rounds = record["rounds"]
            first = 0 if k_max is None else max(0, k - k_max)
            rnd = rounds[k]
            yield {
                "instance_id": step["instance_id"],
                "trajectory_id": step["trajectory_id"],
                "step_index": k,
                "num_steps": step["num_steps"],
                "problem_statement": record["problem_statement"],
                "history": [{"thought": r["thought"], "action": r["action"], "observation": r["observation"]} for r in rounds[first:k]],
                "expert_action": step["expert_action"],
                "expert_tool": step["expert_tool"],
                "expert_args": step["expert_args"],
                "expert_thought": step["expert_thought"],
                "observation": rnd["observation"],
                "recorded_observation": rnd["observation"] if rnd["recorded_observation"] is None else rnd["recorded_observation"],
                "divergence": rnd["divergence"],
                "patch_before": rnd["patch_before"],
                "image": record["image"],
                "source_format": record["source_format"],
                "tool_profile": record["tool_profile"],
                "replay_error": rnd["replay_error"],
            }


def _arg_keys(data: Path) -> list[str]:
    keys: set[str] = set()
    with open(data / STEPS_FILE, "rb") as f:
        for line in f:
            keys.update(json.loads(line)["expert_args"])
    return sorted(keys)


def features(arg_keys: list[str]):
    """The flat view's columns: `expert_args` is one struct over every tool's argument names."""
    from datasets import Features, Value

    text = Value("string")
    return Features({
        "instance_id": text, "trajectory_id": text, "step_index": Value("int64"), "num_steps": Value("int64"),
        "problem_statement": text, "history": [{"thought": text, "action": text, "observation": text}],
        "expert_action": text, "expert_tool": text, "expert_args": {k: text for k in arg_keys},
        "expert_thought": text, "observation": text, "recorded_observation": text, "divergence": Value("float64"),
        "patch_before": text, "image": text, "source_format": text, "tool_profile": text, "replay_error": text,
    })


def _filled_rows(data: str, window, arg_keys: tuple[str, ...]) -> Iterator[dict]:
    for row in flat_rows(data, window):
        row["expert_args"] = {k: row["expert_args"].get(k) for k in arg_keys}
        yield row


def flat_dataset(data: str | Path, window: int | str | None = "all"):
    """The flat view as a `datasets.Dataset` (built by a generator, written to the HF cache)."""
    from datasets import Dataset

    data = Path(data).resolve()
    keys = _arg_keys(data)
    # A tuple, not a list: `from_generator` would shard a list over several generator calls.
    return Dataset.from_generator(_filled_rows, features=features(keys),
                                  gen_kwargs={"data": str(data), "window": window, "arg_keys": tuple(keys)})


def export(data: str | Path, out: str | Path, fmt: str = "jsonl", window: int | str | None = "all") -> int:
    """Write the flat view to `out`; returns the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    n = 0
    if fmt == "jsonl":
        with open(tmp, "w", encoding="utf-8") as f:
            for row in flat_rows(data, window):
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    else:
        ds = flat_dataset(data, window)
        ds.to_parquet(str(tmp))
        n = len(ds)
    tmp.replace(out)
    return n


def export_command(
    data: Path = typer.Option(..., "--data", "-d", help="A `swe-srl collect` output folder."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl or parquet."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write (needed unless --push-to-hub)."),
    window: str = typer.Option("all", "--window", help="Rounds of history per row: K, or all."),
    push_to_hub: Optional[str] = typer.Option(None, "--push-to-hub", help="Also push the flat view to this Hugging Face dataset repo (needs a login)."),
) -> None:
    """Write the one-row-per-step view of a collect folder (history included), or push it to the Hub."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    try:
        _window(window)
    except ValueError:
        raise typer.BadParameter("K (an integer >= 0) or all", param_hint="--window")
    if not (data / TRAJECTORIES_FILE).exists() or not (data / STEPS_FILE).exists():
        raise typer.BadParameter(f"{data} has no {STEPS_FILE} and {TRAJECTORIES_FILE} (is it a `swe-srl collect` output?)", param_hint="--data")
    if out is None and push_to_hub is None:
        raise typer.BadParameter("give --out FILE, --push-to-hub NAME, or both", param_hint="--out")
    if out is not None:
        n = export(data, out, fmt, window)
        typer.echo(f"wrote {n} step rows to {out}")
    if push_to_hub is not None:
        ds = flat_dataset(data, window)
        ds.push_to_hub(push_to_hub)
        typer.echo(f"pushed {len(ds)} step rows to {push_to_hub}")
