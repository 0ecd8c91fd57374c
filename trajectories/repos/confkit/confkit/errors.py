"""Errors raised while reading a configuration."""


class ConfigError(ValueError):
    """A line that is not a section header, a comment or a key/value pair."""

    def __init__(self, message, lineno):
        super().__init__(f"line {lineno}: {message}")
        self.lineno = lineno
