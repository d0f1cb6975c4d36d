"""Making frozen dataclass values on the hot path (a request's drugs, plans and parsed order).

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which
costs about a microsecond per value on a class of ten fields; `maker(cls)` returns a function
that makes the same value (equal, same repr, same hash) from every field's value, given in the
order of the fields. Like the dataclass machinery, it writes that function's source once, from
the field names, so that each call builds the instance's `__dict__` from one dict display
(0.8 us on thirteen fields, against 1.4 us for a loop over the names and 1.9 us for `__init__`),
set through the class's own `__dict__` descriptor (`dict_setter`).
For classes without `__post_init__`, `__slots__` or `InitVar` fields only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

# The generated function's own names: no field may take one of them.
_RESERVED = frozenset({"_maker_new", "_maker_cls", "_maker_set_dict", "_maker_instance"})


def dict_setter(cls: type) -> Callable[[Any, dict[str, Any]], None]:
    """Return set(instance, fields), which makes `fields` the `__dict__` of an instance of
    `cls` without its __setattr__ (a frozen class refuses its own): the `__dict__` descriptor's
    own setter, about 50 ns quicker than object.__setattr__(instance, "__dict__", fields), which
    looks the descriptor up and checks that it may call it each time."""
    for klass in cls.__mro__:
        descriptor = vars(klass).get("__dict__")
        if descriptor is not None:
            return descriptor.__set__
    raise TypeError(f"{cls.__name__} instances have no __dict__")


def maker(cls: type[T]) -> Callable[..., T]:
    """Return make(*values) -> cls with the fields set to `values` in their order, all given
    (one left out is a TypeError naming it)."""
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__} needs its own __init__")
    names = tuple(field.name for field in fields(cls))  # type: ignore[arg-type]
    if not all(name.isidentifier() for name in names) or _RESERVED & set(names):
        raise TypeError(f"{cls.__name__} has a field maker cannot name")
    function_name = f"make_{cls.__name__}"
    entries = ", ".join(f"{name!r}: {name}" for name in names)
    source = (
        f"def {function_name}({', '.join(names)}):\n"
        "    _maker_instance = _maker_new(_maker_cls)\n"
        f"    _maker_set_dict(_maker_instance, {{{entries}}})\n"
        "    return _maker_instance\n"
    )
    namespace: dict[str, Any] = {
        "_maker_new": object.__new__,
        "_maker_cls": cls,
        "_maker_set_dict": dict_setter(cls),
    }
    exec(source, namespace)  # the source is made above from the field names only
    return namespace[function_name]
