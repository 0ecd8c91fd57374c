"""Operations on collections of spans."""

from .span import Span


def merge(spans):
    """Return the sorted, non-overlapping spans covering the same values."""
    merged = []
    for span in sorted(spans):
        if span.is_empty():
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def gaps(spans, within=None):
    """Return the spans of values not covered, optionally inside ``within``."""
    merged = merge(spans)
    if within is not None:
        merged = [Span(max(s.start, within.start), min(s.end, within.end))
                  for s in merged if s.overlaps(within)]
    result = []
    cursor = within.start if within is not None else (merged[0].start if merged else None)
    for span in merged:
        if span.start > cursor:
            result.append(Span(cursor, span.start))
        cursor = max(cursor, span.end)
    if within is not None and cursor < within.end:
        result.append(Span(cursor, within.end))
    return result


def total_length(spans, zero=0):
    """Sum the lengths of the merged spans; pass ``zero`` for non-numeric lengths."""
    total = zero
    for span in merge(spans):
        total = total + span.length
    return total
