from slugkit import slugify


def test_basic_title():
    assert slugify("Hello, World!") == "hello-world"


def test_collapses_punctuation_and_spaces():
    assert slugify("  Python -- 3.11   release notes ") == "python-3-11-release-notes"


def test_custom_separator():
    assert slugify("Read the docs", sep="_") == "read_the_docs"


def test_max_length_cuts_at_separator():
    assert slugify("one two three four", max_length=12) == "one-two"


def test_max_length_single_long_word():
    assert slugify("supercalifragilistic", max_length=5) == "super"


def test_empty_text():
    assert slugify("") == ""
