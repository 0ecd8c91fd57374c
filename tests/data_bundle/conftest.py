"""Make the bundle's scripts (trajectories/*.py, plain scripts, not a package) importable."""

from __future__ import annotations

import sys
from pathlib import Path

TRAJECTORIES = Path(__file__).resolve().parents[2] / "trajectories"
if str(TRAJECTORIES) not in sys.path:
    sys.path.insert(0, str(TRAJECTORIES))
