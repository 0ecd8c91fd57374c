"""The step dataset on disk, written so that a run killed at any byte resumes cleanly.

`steps.jsonl` holds the rows, `trajectories.jsonl` one summary per finished trajectory.
A trajectory's rows are written (and fsynced) before its summary, by one writer, in
order; so on reopening, the rows after the last summarised trajectory are exactly the
unfinished tail, and are cut off. Rerunning never duplicates or truncates a row.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

STEPS_FILE = "steps.jsonl"
SUMMARIES_FILE = "trajectories.jsonl"
MANIFEST_FILE = "manifest.json"


def _complete_lines(path: Path) -> tuple[list[bytes], int]:
    """Whole lines of a file and the byte length they span (a torn last line is left out)."""
    if not path.exists():
        return [], 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    return data[:end].splitlines(), end


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
        self._sums = open(self.out / SUMMARIES_FILE, "ab")

    def _recover(self) -> None:
        sums_path, steps_path = self.out / SUMMARIES_FILE, self.out / STEPS_FILE
        lines, _ = _complete_lines(sums_path)
        summaries = {}
        for line in lines:
            s = json.loads(line)
            summaries[s["trajectory_id"]] = s
        # Keep the longest prefix of rows made of whole, summarised trajectories.
        rows, _ = _complete_lines(steps_path)
        keep_bytes, counts, order = 0, {}, []
        offset = 0
        for line in rows:
            offset += len(line) + 1
            tid = json.loads(line)["trajectory_id"]
            if tid not in summaries:
                break
            if tid not in counts:
                order.append(tid)
            counts[tid] = counts.get(tid, 0) + 1
            if counts[tid] == summaries[tid]["steps"]:
                keep_bytes = offset
        finished = [tid for tid in order if counts[tid] == summaries[tid]["steps"]]
        self.summaries = {tid: summaries[tid] for tid in finished}
        if steps_path.exists():
            with open(steps_path, "r+b") as f:
                f.truncate(keep_bytes)
        tmp = sums_path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(self.summaries[t], ensure_ascii=False) + "\n" for t in finished))
        os.replace(tmp, sums_path)

    def done(self, trajectory_id: str) -> bool:
        return trajectory_id in self.summaries

    def append(self, rows: list[dict], summary: dict) -> None:
        blob = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
        self._steps.write(blob)
        self._steps.flush()
        os.fsync(self._steps.fileno())
        self._sums.write((json.dumps(summary, ensure_ascii=False) + "\n").encode())
        self._sums.flush()
        os.fsync(self._sums.fileno())
        self.summaries[summary["trajectory_id"]] = summary

    def write_manifest(self, manifest: dict) -> Path:
        path = self.out / MANIFEST_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        return path

    def close(self) -> None:
        for f in (self._steps, self._sums, self._lock):
            f.close()
