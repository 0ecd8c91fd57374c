"""Where trajectories and tasks come from: local files, folders or Hugging Face datasets.

`iter_records` turns any source into (record_id, record) pairs with stable ids; a file
or line that does not parse becomes a `RecordError` item instead of an exception, so a
collect run reports it by id and goes on. `read_trajectories` adds reading, the
resolved-only filter and optional workspace remapping; `read_tasks` loads task rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from swe_srl.trajectory.model import RecordError, Task, Trajectory, TrajectoryError
from swe_srl.trajectory.readers import normalise_format, read_record

FILE_SUFFIXES = (".traj", ".json", ".jsonl", ".parquet")


def _is_message_list(data: list) -> bool:
    # A bare list of chat messages (mini-swe-agent) is one record, not many.
    return bool(data) and all(
        isinstance(m, dict) and "role" in m and "messages" not in m and "trajectory" not in m for m in data
    )


def _json_file(path: Path, rid: str) -> Iterator[tuple[str, Any] | RecordError]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        yield RecordError(rid, f"cannot read JSON: {exc}")
        return
    if isinstance(data, list) and not _is_message_list(data):
        for i, rec in enumerate(data):
            yield f"{rid}#{i}", rec
    else:
        yield rid, data


def _jsonl_file(path: Path, rid: str) -> Iterator[tuple[str, Any] | RecordError]:
    """One record per line, read a line at a time (a corpus of thousands of runs is never held whole)."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield RecordError(rid, f"cannot read file: {exc}")
        return
    with f:
        for n, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RecordError(f"{rid}:{n}", f"cannot read line: {exc}")
                continue
            if not line.strip():
                continue
            try:
                yield f"{rid}:{n}", json.loads(line)
            except ValueError as exc:
                yield RecordError(f"{rid}:{n}", f"bad JSON line: {exc}")


def _parquet_file(path: Path, rid: str) -> Iterator[tuple[str, Any] | RecordError]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        yield RecordError(rid, f"cannot read parquet: {exc}")
        return
    for i, rec in enumerate(table.to_pylist()):
        yield f"{rid}#{i}", rec


def _file(path: Path, rid: str) -> Iterator[tuple[str, Any] | RecordError]:
    if path.suffix == ".jsonl":
        yield from _jsonl_file(path, rid)
    elif path.suffix == ".parquet":
        yield from _parquet_file(path, rid)
    else:
        yield from _json_file(path, rid)


def _hub(src: str, split: str) -> Iterator[tuple[str, Any]]:
    import datasets

    name, _, explicit = src.partition(":")
    split = explicit or split
    ds = datasets.load_dataset(name, split=split, streaming=True)
    for i, rec in enumerate(ds):
        yield f"{name}:{split}#{i}", rec


def _looks_local(src: str) -> bool:
    return src.startswith((".", "/", "~")) or src.endswith(FILE_SUFFIXES) or src.count("/") != 1


def iter_records(src: str | Path, split: str = "train") -> Iterator[tuple[str, Any] | RecordError]:
    """(record_id, record) pairs, or RecordError items for what does not parse.

    ``src`` is a .json (one record or a list), .jsonl, .parquet or .traj file, a folder
    (searched recursively for those files, in sorted order), or a Hugging Face dataset
    name, optionally ``name:split``. Ids are the path relative to the source (plus
    ``#index`` or ``:line``) so they stay stable between runs.
    """
    path = Path(src).expanduser()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in FILE_SUFFIXES):
            yield from _file(f, f.relative_to(path).as_posix())
    elif path.is_file():
        yield from _file(path, path.name)
    elif isinstance(src, str) and not _looks_local(src):
        yield from _hub(src, split)
    else:
        raise FileNotFoundError(f"no such trajectory source: {src}")


@dataclass
class ReadStats:
    """What `read_trajectories` saw; pass one in to get the counts afterwards."""

    records: int = 0
    trajectories: int = 0
    rounds: int = 0
    errors: int = 0
    skipped_unresolved: int = 0
    formats: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # summed Trajectory.counts


def read_trajectories(
    src: str | Path,
    fmt: str = "auto",
    include_unresolved: bool = False,
    *,
    split: str = "train",
    remap_to: str | None = None,
    stats: ReadStats | None = None,
) -> Iterator[Trajectory | TrajectoryError]:
    """Trajectories from a source, with errors as items (RecordError/TrajectoryError).

    Runs known to have failed (resolved False, nebius target False) are skipped and
    counted unless ``include_unresolved``; runs of unknown status are kept. With
    ``remap_to`` (e.g. "/testbed") paths under the recorded workspace are rewritten.
    """
    from swe_srl.trajectory.remap import remap_workspace

    fmt = normalise_format(fmt)
    stats = stats if stats is not None else ReadStats()
    for item in iter_records(src, split=split):
        stats.records += 1
        if isinstance(item, RecordError):
            stats.errors += 1
            yield item
            continue
        rid, record = item
        try:
            traj = read_record(record, rid, fmt)
        except TrajectoryError as exc:
            stats.errors += 1
            yield exc
            continue
        if traj.resolved is False and not include_unresolved:
            stats.skipped_unresolved += 1
            continue
        if remap_to is not None:
            traj = remap_workspace(traj, target=remap_to)
        stats.trajectories += 1
        stats.rounds += len(traj.rounds)
        stats.formats[traj.source_format] = stats.formats.get(traj.source_format, 0) + 1
        for key, n in traj.counts.items():
            stats.counts[key] = stats.counts.get(key, 0) + n
        yield traj


# Which dataset family a Hugging Face dataset name belongs to (the first match wins:
# `SWE-bench/SWE-smith` is SWE-smith's, though it sits in the SWE-bench org), and the
# split each family publishes (SWE-smith and SWE-Gym have only `train`).
_DATASET_KINDS = (
    ("swesmith", ("swe-smith", "swesmith")),
    ("swegym", ("swe-gym", "swegym")),
    ("swebench", ("princeton-nlp/swe-bench", "swe-bench/")),
)
DEFAULT_SPLITS = {"swesmith": "train", "swegym": "train", "swebench": "test"}


def dataset_kind(src: str | Path | None) -> str | None:
    """`swebench`, `swegym` or `swesmith` for a Hugging Face dataset name such as
    `SWE-Gym/SWE-Gym`, `SWE-bench/SWE-smith` or `princeton-nlp/SWE-bench_Lite` (a
    `:split` suffix allowed); None for local files and folders and unknown datasets."""
    if src is None or isinstance(src, Path) or Path(str(src)).expanduser().exists():
        return None
    name = str(src).partition(":")[0]
    if _looks_local(name):
        return None
    low = name.lower()
    for kind, marks in _DATASET_KINDS:
        if any(m in low for m in marks):
            return kind
    return None


def default_tasks_split(src: str | Path | None) -> str:
    """The split a task dataset publishes when none is given: `train` for SWE-smith and
    SWE-Gym, else `test` (SWE-bench's)."""
    return DEFAULT_SPLITS.get(dataset_kind(src) or "", "test")


def read_tasks(src: str | Path, split: str | None = None) -> dict[str, Task]:
    """Task rows by instance id from a .json/.jsonl/.parquet file, folder or HF dataset
    (`split` of a dataset: default the one it publishes, see `default_tasks_split`).

    Tasks feed every later stage, so a bad row is an error here, not a skipped item.
    """
    tasks: dict[str, Task] = {}
    for item in iter_records(src, split=split or default_tasks_split(src)):
        if isinstance(item, RecordError):
            raise item
        rid, row = item
        try:
            task = Task.model_validate(row)
        except Exception as exc:
            raise RecordError(rid, f"not a task row: {exc}") from None
        tasks[task.instance_id] = task
    return tasks
