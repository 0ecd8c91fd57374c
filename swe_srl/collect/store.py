"""The step dataset on disk, written so that a run killed at any byte resumes cleanly.

Three append-only files, one writer:

- `trajectories.jsonl`, the trajectory table: one record per trajectory (ids, problem
  statement, image, source format, tool profile and its rounds, each stored once; a
  round's `recorded_observation` is null where it equals its `observation`);
- `steps.jsonl`, the step table: one small row per expert action (trajectory id, step
  index, the expert's call), no history; training builds the windowed history from the
  trajectory table at load time (`swe_srl.srl.data`), `swe-srl export` the flat view;
- `index.jsonl`: one summary per finished trajectory, written (and fsynced) after its
  record and rows, carrying the byte length both tables had then.

So on reopening, the last whole index line says where each table's finished part ends:
both are cut there (a torn or unfinished tail goes) without reading them. Rerunning
never duplicates or truncates a row.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

STEPS_FILE = "steps.jsonl"
TRAJECTORIES_FILE = "trajectories.jsonl"
INDEX_FILE = "index.jsonl"
MANIFEST_FILE = "manifest.json"
LAYOUT = "trajectory-table/1"  # manifest["layout"]: rounds stored once, steps reference them


def _whole_lines_end(path: Path) -> int:
    """Byte length of a file's whole lines (a torn last line is left out)."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    with open(path, "rb") as f:
        pos = size
        while pos > 0:  # scan back for the last newline, a block at a time
            start = max(0, pos - 65536)
            f.seek(start)
            block = f.read(pos - start)
            i = block.rfind(b"\n")
            if i >= 0:
                return start + i + 1
            pos = start
    return 0


def _dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


class StepStore:
    """Appends finished trajectories; knows which ones a previous run finished."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.out / ".lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another collect run is writing to {self.out}") from None
        self.summaries: dict[str, dict] = {}
        self._recover()
        self._steps = open(self.out / STEPS_FILE, "ab")
        self._trajs = open(self.out / TRAJECTORIES_FILE, "ab")
        self._index = open(self.out / INDEX_FILE, "ab")
        self._steps_end = self._steps.tell()
        self._trajs_end = self._trajs.tell()

    def _recover(self) -> None:
        index_path = self.out / INDEX_FILE
        if not index_path.exists() and (self.out / STEPS_FILE).exists() and (self.out / STEPS_FILE).stat().st_size:
            raise RuntimeError(f"{self.out} holds steps of an older layout (no {INDEX_FILE}): collect into a new folder")
        end = _whole_lines_end(index_path)
        steps_end = trajs_end = 0
        if end:
            with open(index_path, "rb") as f:
                for line in f.read(end).splitlines():
                    entry = json.loads(line)
                    steps_end, trajs_end = entry.pop("_steps_end"), entry.pop("_trajectories_end")
                    self.summaries[entry["trajectory_id"]] = entry
        for name, keep in ((INDEX_FILE, end), (STEPS_FILE, steps_end), (TRAJECTORIES_FILE, trajs_end)):
            path = self.out / name
            size = path.stat().st_size if path.exists() else 0
            if size < keep:
                raise RuntimeError(f"{path} is shorter than {INDEX_FILE} says ({size} < {keep} bytes): not a store this version wrote")
            if size > keep:
                with open(path, "r+b") as f:
                    f.truncate(keep)
                    os.fsync(f.fileno())

    def done(self, trajectory_id: str) -> bool:
        return trajectory_id in self.summaries

    def append(self, record: dict, rows: list[dict], summary: dict) -> None:
        """One finished trajectory: its table record, its step rows, then its index line."""
        for f, blob in ((self._trajs, _dumps(record).encode()), (self._steps, "".join(map(_dumps, rows)).encode())):
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        self._trajs_end, self._steps_end = self._trajs.tell(), self._steps.tell()
        entry = {**summary, "_steps_end": self._steps_end, "_trajectories_end": self._trajs_end}
        self._index.write(_dumps(entry).encode())
        self._index.flush()
        os.fsync(self._index.fileno())
        self.summaries[summary["trajectory_id"]] = summary

    def write_manifest(self, manifest: dict) -> Path:
        path = self.out / MANIFEST_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"layout": LAYOUT, **manifest}, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        return path

    def close(self) -> None:
        for f in (self._steps, self._trajs, self._index, self._lock):
            f.close()
