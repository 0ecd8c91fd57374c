import pytest

from confkit.convert import to_bool, to_int, to_list


@pytest.mark.parametrize("word", ["1", "yes", "TRUE", " on "])
def test_true_words(word):
    assert to_bool(word) is True


@pytest.mark.parametrize("word", ["0", "no", "False", "off"])
def test_false_words(word):
    assert to_bool(word) is False


def test_bad_bool():
    with pytest.raises(ValueError):
        to_bool("maybe")


def test_int_with_underscores():
    assert to_int(" 1_000 ") == 1000


def test_list_drops_empty_items():
    assert to_list("a, b,, c ,") == ["a", "b", "c"]
