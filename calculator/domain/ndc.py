"""National Drug Code (NDC) parsing and formatting, with no Django dependency.

Labels print an NDC as 10 digits in one of three hyphenated shapes (4-4-2, 5-3-2 or 5-4-1);
claims carry 11 digits (5-4-2), made by padding a zero into the short segment.  A bare
10-digit NDC has no hyphens to say which segment is short, so it cannot be normalised on its
own: :func:`normalize_ndc` raises :class:`AmbiguousNdc`, whose ``candidates`` the caller can
look up in the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

__all__ = [
    "AmbiguousNdc",
    "NdcError",
    "format_ndc",
    "is_ndc11",
    "label_forms",
    "ndc_candidates",
    "normalize_ndc",
]

_DIGITS = frozenset("0123456789")
_ALLOWED = _DIGITS | {"-"}
_HOW = "use 11 digits (5-4-2) or a hyphenated 10-digit label form (4-4-2, 5-3-2 or 5-4-1)"
_SHOWN_MAX = 40

# Segment lengths accepted with hyphens, and how each becomes the 11-digit 5-4-2 form.
_PADDERS: dict[tuple[int, ...], Callable[[str, str, str], str]] = {
    (5, 4, 2): lambda labeler, product, package: labeler + product + package,
    (4, 4, 2): lambda labeler, product, package: "0" + labeler + product + package,
    (5, 3, 2): lambda labeler, product, package: labeler + "0" + product + package,
    (5, 4, 1): lambda labeler, product, package: labeler + product + "0" + package,
}

_WAYS = {
    3: "which can be read three ways",
    2: "which can be read two ways",
    1: "which needs its hyphens to be read",
}


class NdcError(ValueError):
    """Text that is not a usable NDC; ``str(error)`` is a sentence fit to show the user."""


class AmbiguousNdc(NdcError):
    """A bare 10-digit NDC; ``candidates`` holds its distinct 11-digit readings to look up."""

    digits: str
    candidates: tuple[str, ...]

    def __init__(self, digits10: str) -> None:
        self.digits = digits10
        self.candidates = tuple(dict.fromkeys(ndc_candidates(digits10)))
        example = f"{digits10[:4]}-{digits10[4:8]}-{digits10[8:]}"
        super().__init__(
            f'"{digits10}" is a bare 10-digit NDC, {_WAYS[len(self.candidates)]}; '
            f"enter it with hyphens (e.g. {example}) or as 11 digits"
        )

    def __reduce__(self) -> tuple[type[AmbiguousNdc], tuple[str]]:
        """Return the pickling recipe, e.g. (AmbiguousNdc, ("0074113303",))."""
        return (type(self), (self.digits,))


def _is_digits(text: str, length: int) -> bool:
    """Return whether *text* is exactly *length* ASCII digits, e.g. ("0123", 4) -> True."""
    return len(text) == length and set(text) <= _DIGITS


def _shown(text: str) -> str:
    """Return *text* quoted for a message, escaped and shortened, e.g. "12a" -> '"12a"'."""
    escaped = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if len(escaped) > _SHOWN_MAX:
        escaped = escaped[: _SHOWN_MAX - 1] + "…"
    return f'"{escaped}"'


def is_ndc11(text: str) -> bool:
    """Return whether *text* is a normalised 11-digit NDC, e.g. "00074113303" -> True."""
    return _is_digits(text, 11) and text != "0" * 11


def ndc_candidates(digits10: str) -> tuple[str, str, str]:
    """Return the readings, e.g. "1234567890" -> ("01234567890", "12345067890", "12345678900")."""
    if not _is_digits(digits10, 10):
        raise NdcError(f"{_shown(digits10)} is not a bare 10-digit NDC")
    d = digits10
    return ("0" + d, d[:5] + "0" + d[5:], d[:9] + "0" + d[9:])


@lru_cache(maxsize=4096)
def normalize_ndc(text: str) -> str:
    """Return the 11-digit NDC for a label or claim form, e.g. "0002-7266-25" -> "00002726625".

    Pure, so cached by text: an order names the pharmacy's few products again and again (an
    error is raised again each time, not kept)."""
    stripped = text.strip()
    if not stripped:
        raise NdcError(f"Enter an NDC: {_HOW}")
    if not set(stripped) <= _ALLOWED:
        raise NdcError(
            f"{_shown(stripped)} is not an NDC: it may contain only digits and hyphens; {_HOW}"
        )
    if "-" in stripped:
        parts = stripped.split("-")
        pad = _PADDERS.get(tuple(len(part) for part in parts))
        if pad is None:
            raise NdcError(f"{_shown(stripped)} is not an NDC: {_HOW}")
        labeler, product, package = parts
        ndc11 = pad(labeler, product, package)
    elif len(stripped) == 11:
        ndc11 = stripped
    elif len(stripped) == 10:
        if stripped == "0" * 10:
            raise NdcError(f"{_shown(stripped)} is not an NDC: an NDC cannot be all zeros")
        raise AmbiguousNdc(stripped)
    else:
        raise NdcError(f"{_shown(stripped)} is not an NDC: {_HOW}")
    if ndc11 == "0" * 11:
        raise NdcError(f"{_shown(stripped)} is not an NDC: an NDC cannot be all zeros")
    return ndc11


def format_ndc(ndc11: str) -> str:
    """Return the 11-digit NDC hyphenated 5-4-2, e.g. "00074113303" -> "00074-1133-03"."""
    if not is_ndc11(ndc11):
        raise NdcError(f"{_shown(ndc11)} is not an 11-digit NDC")
    return f"{ndc11[:5]}-{ndc11[5:9]}-{ndc11[9:]}"


def label_forms(ndc11: str) -> tuple[str, ...]:
    """Return the hyphenated 10-digit forms, e.g. "00002726625" -> ("0002-7266-25",)."""
    if not is_ndc11(ndc11):
        raise NdcError(f"{_shown(ndc11)} is not an 11-digit NDC")
    labeler, product, package = ndc11[:5], ndc11[5:9], ndc11[9:]
    forms: list[str] = []
    if labeler[0] == "0":
        forms.append(f"{labeler[1:]}-{product}-{package}")
    if product[0] == "0":
        forms.append(f"{labeler}-{product[1:]}-{package}")
    if package[0] == "0":
        forms.append(f"{labeler}-{product}-{package[1:]}")
    return tuple(forms)
