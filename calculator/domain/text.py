"""Free text a person typed, checked before it is stored: no NUL or other control characters and
no lone surrogates (valid JSON "\\ud800" is not valid Unicode text, and PostgreSQL refuses NUL)."""

from __future__ import annotations

_MULTILINE = frozenset("\t\n\r")


def storable(text: str, *, multiline: bool = False) -> bool:
    """Return True when `text` can be stored and shown: tabs are allowed, line breaks only when
    `multiline`; other control characters, DEL and lone surrogates never."""
    allowed = _MULTILINE if multiline else frozenset("\t")
    return not any(
        (ord(char) < 32 and char not in allowed)
        or ord(char) == 127
        or 0xD800 <= ord(char) <= 0xDFFF
        for char in text
    )
