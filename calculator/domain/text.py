"""Free text a person typed, checked before it is stored: no NUL or other control characters and
no lone surrogates (valid JSON "\\ud800" is not valid Unicode text, and PostgreSQL refuses NUL)."""

from __future__ import annotations

import re

# One search per text instead of a Python-level test per character (every request's names and
# NDCs pass through here). Tab (\x09) is always allowed; line feed and carriage return (\x0a,
# \x0d) only in multiline text. DEL is \x7f; lone surrogates are \ud800-\udfff.
_UNSTORABLE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
_UNSTORABLE_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable(text: str, *, multiline: bool = False) -> bool:
    """Return True when `text` can be stored and shown: tabs are allowed, line breaks only when
    `multiline`; other control characters, DEL and lone surrogates never."""
    if text.isprintable():  # no control character, tab, line break or surrogate: at once
        return True
    unstorable = _UNSTORABLE_MULTILINE if multiline else _UNSTORABLE_LINE
    return unstorable.search(text) is None
