"""A half-open span [start, end) of ordered values."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """The values x with start <= x < end; start must not be after end."""

    start: Any
    end: Any

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"span ends before it starts: {self.start!r} > {self.end!r}")

    @property
    def length(self):
        return self.end - self.start

    def is_empty(self):
        return self.start == self.end

    def contains(self, value):
        return self.start <= value < self.end

    def overlaps(self, other):
        """True when the spans share at least one value (touching is not overlapping)."""
        return self.start < other.end and other.start < self.end
