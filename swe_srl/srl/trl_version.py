"""The one TRL series swe-srl's trainer is written against.

`SRLGRPOTrainer` overrides TRL internals that change between minor releases
(`GRPOTrainer._generate_and_score_completions`, `_calculate_rewards`, the layout of the
batch dict and `_metrics`), and the config classes extend TRL 1.16's `GRPOConfig` and
`SFTConfig`. Any other TRL fails here, once, with what to install, rather than deep
inside a training step.
"""

from __future__ import annotations

SERIES = (1, 16)
PIN = "trl>=1.16,<1.17"


def require_trl(version: str | None = None) -> str:
    """TRL's version when it is of the 1.16 series; ImportError saying what to install otherwise."""
    if version is None:
        try:
            import trl
        except ImportError as exc:  # pragma: no cover - trl is a dependency
            raise ImportError(f"swe-srl training needs TRL 1.16: pip install '{PIN}'") from exc
        version = trl.__version__
    parts = version.split(".")
    try:
        series = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        series = None
    if series != SERIES:
        raise ImportError(
            f"swe-srl training is written against TRL {SERIES[0]}.{SERIES[1]} (it overrides GRPOTrainer internals and "
            f"extends its configs), but TRL {version} is installed: pip install '{PIN}'"
        )
    return version
