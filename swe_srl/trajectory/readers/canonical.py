"""The project's own trajectory JSON (`Trajectory.model_dump`), as eval saves runs."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from swe_srl.trajectory.model import Trajectory, TrajectoryError

NAME = "canonical"


def read_canonical(record: dict, record_id: str) -> Trajectory:
    """Validate a dumped Trajectory; actions are re-canonicalised on the way in."""
    if not isinstance(record, dict):
        raise TrajectoryError(record_id, "record is not a JSON object")
    try:
        traj = Trajectory.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise TrajectoryError(record_id, f"not a canonical trajectory: {where}: {first['msg']}") from None
    if not traj.rounds:
        raise TrajectoryError(record_id, "no actions in trajectory")
    return traj


def looks_like(record: Any) -> bool:
    return isinstance(record, dict) and "rounds" in record and "source_format" in record
