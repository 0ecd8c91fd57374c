from datetime import date

import pytest

from spanlib import Span


def test_length_and_contains():
    span = Span(2, 5)
    assert span.length == 3
    assert span.contains(2) and span.contains(4)
    assert not span.contains(5)


def test_reversed_span_is_rejected():
    with pytest.raises(ValueError):
        Span(5, 2)


def test_empty_span():
    assert Span(3, 3).is_empty()


def test_overlap():
    assert Span(1, 4).overlaps(Span(3, 6))
    assert not Span(1, 3).overlaps(Span(5, 6))


def test_touching_spans_do_not_overlap():
    assert not Span(1, 3).overlaps(Span(3, 5))


def test_date_spans():
    span = Span(date(2024, 1, 1), date(2024, 1, 8))
    assert span.length.days == 7
