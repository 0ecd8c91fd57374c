"""Turn titles into URL slugs."""

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text, sep="-", max_length=None):
    """Lowercase ``text`` and join its ASCII letters and digits with ``sep``.

    With ``max_length`` the slug is cut at a separator so no word is split.
    """
    slug = _NON_ALNUM.sub(sep, text.lower()).strip(sep)
    if max_length is not None and len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit(sep, 1)[0] if sep in cut else slug[:max_length]
    return slug
