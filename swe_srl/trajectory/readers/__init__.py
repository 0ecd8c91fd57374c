"""One reader per source format, a registry, and format detection for `--format auto`.

Each reader is `read_<fmt>(record, record_id) -> Trajectory` and raises
`TrajectoryError(record_id, reason)` on input it cannot use; `read_record` adds the
detection and turns any unexpected crash on a malformed record into a TrajectoryError,
so one bad record never stops a whole dataset.
"""

from __future__ import annotations

from typing import Any, Callable

from swe_srl.trajectory.model import RecordError, Trajectory, TrajectoryError
from swe_srl.trajectory.readers import canonical, mini_swe_agent, nebius, openhands, openhands_text, swe_agent, swe_smith
from swe_srl.trajectory.readers._common import content_text
from swe_srl.trajectory.readers.canonical import read_canonical
from swe_srl.trajectory.readers.mini_swe_agent import read_mini_swe_agent
from swe_srl.trajectory.readers.nebius import read_nebius
from swe_srl.trajectory.readers.openhands import read_openhands
from swe_srl.trajectory.readers.openhands_text import read_openhands_text
from swe_srl.trajectory.readers.swe_agent import read_swe_agent
from swe_srl.trajectory.readers.swe_smith import read_swe_smith

Reader = Callable[[Any, str], Trajectory]

READERS: dict[str, Reader] = {
    "openhands": read_openhands,
    "openhands_text": read_openhands_text,
    "swe_agent": read_swe_agent,
    "swe_smith": read_swe_smith,
    "nebius": read_nebius,
    "mini_swe_agent": read_mini_swe_agent,
    "canonical": read_canonical,
}

FORMATS: tuple[str, ...] = tuple(READERS)

# Most specific first: chat-based formats overlap, so their markers decide.
_DETECTORS = (
    ("canonical", canonical.looks_like),
    ("swe_agent", swe_agent.looks_like),
    ("nebius", nebius.looks_like),
    ("openhands_text", openhands_text.looks_like),
    ("openhands", openhands.looks_like),
    ("mini_swe_agent", mini_swe_agent.looks_like),
    ("swe_smith", swe_smith.looks_like),
)


def normalise_format(fmt: str) -> str:
    """Accept 'swe-agent', 'SWE_smith', ... and return the registry key, or raise ValueError."""
    key = fmt.strip().lower().replace("-", "_")
    if key != "auto" and key not in READERS:
        raise ValueError(f"unknown trajectory format {fmt!r}; expected auto or one of {', '.join(FORMATS)}")
    return key


def detect_format(record: Any, record_id: str = "?") -> str:
    """The format name of one record, or TrajectoryError when nothing matches."""
    for name, looks_like in _DETECTORS:
        if looks_like(record):
            return name
    msgs = record if isinstance(record, list) else (record.get("messages") if isinstance(record, dict) else None)
    if isinstance(msgs, list) and any(
        isinstance(m, dict) and m.get("role") == "assistant" and "```bash" in content_text(m.get("content")) for m in msgs
    ):
        return "mini_swe_agent"
    raise TrajectoryError(record_id, "cannot detect the trajectory format")


def read_record(record: Any, record_id: str, fmt: str = "auto") -> Trajectory:
    """Read one record in a given format (or detected); always raises TrajectoryError on bad input."""
    fmt = normalise_format(fmt)
    if fmt == "auto":
        fmt = detect_format(record, record_id)
    try:
        return READERS[fmt](record, record_id)
    except TrajectoryError:
        raise
    except Exception as exc:  # a malformed record must be reported, not crash the run
        raise TrajectoryError(record_id, f"malformed {fmt} record: {type(exc).__name__}: {exc}") from exc


__all__ = [
    "FORMATS",
    "READERS",
    "RecordError",
    "TrajectoryError",
    "detect_format",
    "normalise_format",
    "read_canonical",
    "read_mini_swe_agent",
    "read_nebius",
    "read_openhands",
    "read_openhands_text",
    "read_record",
    "read_swe_agent",
    "read_swe_smith",
]
