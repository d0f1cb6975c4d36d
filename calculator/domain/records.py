"""Making frozen dataclass values on the hot path (a request's drugs, plans and parsed order).

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which
costs about a microsecond per value on a class of ten fields; `maker(cls)` returns a function
that makes the same value (equal, same repr, same hash) from every field's value, given in the
order of the fields, by filling the instance's `__dict__` at once. For classes without
`__post_init__`, `__slots__` or `InitVar` fields only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def maker(cls: type[T]) -> Callable[..., T]:
    """Return make(*values) -> cls with the fields set to `values` in their order, all given."""
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__} needs its own __init__")
    names = tuple(field.name for field in fields(cls))  # type: ignore[arg-type]
    new = object.__new__

    def make(*values: Any) -> T:
        if len(values) != len(names):
            raise TypeError(f"{cls.__name__} takes {len(names)} values, not {len(values)}")
        instance = new(cls)
        instance.__dict__.update(zip(names, values, strict=False))  # lengths checked above
        return instance

    make.__name__ = f"make_{cls.__name__}"
    return make
