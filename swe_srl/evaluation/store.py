"""One JSON record per instance under `<out>/instances/`: what makes a rerun with the same
run id skip finished work, and what the report is rebuilt from."""

from __future__ import annotations

import json
import os
from pathlib import Path


class RunStore:
    def __init__(self, out: Path, run_id: str):
        self.out = Path(out)
        self.run_id = run_id
        self.instances = self.out / "instances"
        self.trajectories = self.out / "trajectories"
        self.instances.mkdir(parents=True, exist_ok=True)
        self.trajectories.mkdir(parents=True, exist_ok=True)

    def _path(self, iid: str) -> Path:
        return self.instances / f"{iid}.json"

    def get(self, iid: str) -> dict | None:
        """This run's record of `iid` (a record of another run id does not count)."""
        try:
            rec = json.loads(self._path(iid).read_text())
        except (OSError, ValueError):
            return None
        return rec if rec.get("run_id") == self.run_id else None

    def put(self, rec: dict) -> None:
        _atomic_write(self._path(rec["instance_id"]), json.dumps(rec, indent=1))

    def put_trajectory(self, iid: str, data: dict) -> Path:
        path = self.trajectories / f"{iid}.json"
        _atomic_write(path, json.dumps(data, indent=1))
        return path


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
