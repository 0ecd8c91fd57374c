"""Parse INI-style text into a Config object."""

from .convert import to_bool, to_int, to_list
from .errors import ConfigError

COMMENT_PREFIXES = ("#", ";")


class Config:
    """Sections of string values, with typed getters."""

    def __init__(self):
        self._sections = {}

    def __contains__(self, section):
        return section in self._sections

    def sections(self):
        return list(self._sections)

    def add_section(self, name):
        return self._sections.setdefault(name, {})

    def set(self, section, key, value):
        self.add_section(section)[key] = value

    def get(self, section, key, default=None):
        return self._sections.get(section, {}).get(key, default)

    def getint(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else to_int(value)

    def getbool(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else to_bool(value)

    def getlist(self, section, key, default=None):
        value = self.get(section, key)
        return default if value is None else to_list(value)

    def as_dict(self):
        return {name: dict(values) for name, values in self._sections.items()}


def _split_pair(line, lineno):
    """Split ``key = value`` into a stripped key and value."""
    parts = line.split("=")
    if len(parts) < 2:
        raise ConfigError(f"expected 'key = value', got {line!r}", lineno)
    key, value = parts[0].strip(), parts[1].strip()
    if not key:
        raise ConfigError("empty key", lineno)
    return key, value


def parse(text):
    """Parse configuration text and return a Config."""
    config = Config()
    section = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(COMMENT_PREFIXES):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if not section:
                raise ConfigError("empty section name", lineno)
            config.add_section(section)
            continue
        if section is None:
            raise ConfigError("key outside of any section", lineno)
        key, value = _split_pair(line, lineno)
        config.set(section, key, value)
    return config


def load(path):
    """Read and parse a configuration file."""
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())
