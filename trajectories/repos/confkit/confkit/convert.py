"""Conversions from raw string values to Python types."""

TRUE_WORDS = {"1", "yes", "true", "on"}
FALSE_WORDS = {"0", "no", "false", "off"}


def to_bool(value):
    """Interpret common yes/no spellings, case-insensitively."""
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_int(value):
    """Parse an integer, allowing underscores as in Python literals."""
    return int(value.strip().replace("_", ""))


def to_list(value, sep=","):
    """Split a value into stripped, non-empty items."""
    return [item.strip() for item in value.split(sep) if item.strip()]
