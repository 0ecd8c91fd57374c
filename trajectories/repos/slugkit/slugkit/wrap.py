"""Wrap and truncate text on word boundaries."""

ELLIPSIS = "\u2026"


def wrap(text, width):
    """Split ``text`` into lines of at most ``width`` characters.

    Words longer than ``width`` get a line of their own.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    lines, current = [], ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def truncate(text, limit, ellipsis=ELLIPSIS):
    """Shorten ``text`` to ``limit`` characters, ending on a word and ``ellipsis``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[: room + 1]
    head = head.rsplit(" ", 1)[0] if " " in head else text[:room]
    return head.rstrip(" ,.;:") + ellipsis
