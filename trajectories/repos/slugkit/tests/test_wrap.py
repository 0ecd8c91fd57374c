import pytest

from slugkit import truncate, wrap


def test_wrap_breaks_on_words():
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]


def test_wrap_long_word_on_own_line():
    assert wrap("a extraordinarily b", 5) == ["a", "extraordinarily", "b"]


def test_wrap_rejects_zero_width():
    with pytest.raises(ValueError):
        wrap("text", 0)


def test_truncate_short_text_unchanged():
    assert truncate("short", 10) == "short"


def test_truncate_on_word_boundary():
    assert truncate("A rather long title", 12) == "A rather\u2026"


def test_truncate_custom_ellipsis():
    assert truncate("one two three", 9, ellipsis="...") == "one..."
