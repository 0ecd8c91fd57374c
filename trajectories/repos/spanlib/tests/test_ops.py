from datetime import date, timedelta

from spanlib import Span, gaps, merge, total_length


def test_merge_overlapping():
    assert merge([Span(5, 9), Span(1, 4), Span(3, 6)]) == [Span(1, 9)]


def test_merge_keeps_separate_spans():
    assert merge([Span(6, 8), Span(1, 3)]) == [Span(1, 3), Span(6, 8)]


def test_merge_nested():
    assert merge([Span(1, 10), Span(2, 3)]) == [Span(1, 10)]


def test_merge_drops_empty_spans():
    assert merge([Span(2, 2), Span(4, 6)]) == [Span(4, 6)]


def test_gaps_between_spans():
    assert gaps([Span(1, 3), Span(6, 8)]) == [Span(3, 6)]


def test_gaps_within_window():
    assert gaps([Span(3, 5)], within=Span(0, 10)) == [Span(0, 3), Span(5, 10)]


def test_total_length_counts_overlap_once():
    assert total_length([Span(1, 5), Span(3, 7)]) == 6


def test_total_length_of_dates():
    spans = [Span(date(2024, 1, 1), date(2024, 1, 4)), Span(date(2024, 1, 10), date(2024, 1, 11))]
    assert total_length(spans, zero=timedelta(0)) == timedelta(days=4)
