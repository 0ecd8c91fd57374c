import pytest

from confkit import ConfigError, load, parse

SAMPLE = """
# service settings
[server]
host = 127.0.0.1
port = 8080
debug = yes

; storage
[storage]
paths = /var/data, /tmp/cache
"""


def test_sections_in_order():
    assert parse(SAMPLE).sections() == ["server", "storage"]


def test_plain_values():
    cfg = parse(SAMPLE)
    assert cfg.get("server", "host") == "127.0.0.1"
    assert cfg.getint("server", "port") == 8080
    assert cfg.getbool("server", "debug") is True
    assert cfg.getlist("storage", "paths") == ["/var/data", "/tmp/cache"]


def test_missing_key_returns_default():
    cfg = parse(SAMPLE)
    assert cfg.get("server", "timeout") is None
    assert cfg.getint("server", "timeout", 30) == 30


def test_whitespace_around_key_and_value_is_stripped():
    cfg = parse("[a]\n   name   =   value with spaces   \n")
    assert cfg.get("a", "name") == "value with spaces"


def test_empty_value():
    assert parse("[a]\nkey =\n").get("a", "key") == ""


def test_line_without_equals_is_an_error():
    with pytest.raises(ConfigError) as excinfo:
        parse("[a]\njust some words\n")
    assert excinfo.value.lineno == 2


def test_key_outside_section_is_an_error():
    with pytest.raises(ConfigError):
        parse("key = value\n")


def test_load_reads_file(tmp_path):
    path = tmp_path / "app.ini"
    path.write_text("[app]\nname = demo\n", encoding="utf-8")
    assert load(path).as_dict() == {"app": {"name": "demo"}}
