"""slugkit: slugs, wrapping and truncation for short texts."""

from .slug import slugify
from .wrap import truncate, wrap

__all__ = ["slugify", "truncate", "wrap"]
__version__ = "0.1.0"
