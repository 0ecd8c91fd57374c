"""spanlib: half-open spans and the operations on sets of them."""

from .ops import gaps, merge, total_length
from .span import Span

__all__ = ["Span", "gaps", "merge", "total_length"]
__version__ = "0.1.0"
