"""confkit: read INI-style configuration files into typed values."""

from .errors import ConfigError
from .parser import Config, load, parse

__all__ = ["Config", "ConfigError", "load", "parse"]
__version__ = "0.1.0"
