"""Frozen values made on the hot path without their dataclass __init__ (domain/records.py)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, fields
from decimal import Decimal

import pytest

from calculator.domain.dosing import (
    DrugInput,
    OrderInput,
    ServicePeriod,
    Therapy,
    make_drug_input,
    make_order_input,
)
from calculator.domain.records import dict_setter, maker
from calculator.domain.units import Measure, parse_concentration, parse_rate


def test_a_made_value_is_the_value_its_constructor_makes() -> None:
    """equal, same hash and repr, still frozen, with every field set."""
    rate, concentration = parse_rate("5 mg/hr"), parse_concentration("25 mg/mL")
    values = (rate, concentration, "Morphine", "00074113303", None, 0, None, "J2270")
    values += (None, "ML", None, None, (), Measure(Decimal(10), "min"))
    made, built = make_drug_input(*values), DrugInput(*values)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert [getattr(made, field.name) for field in fields(DrugInput)] == list(values)
    with pytest.raises(FrozenInstanceError):
        made.name = "other"  # type: ignore[misc]
    order = make_order_input((made,), ServicePeriod(31), Decimal(24), Therapy.CONTINUOUS, ())
    assert order == OrderInput((built,), ServicePeriod(31), Decimal(24), Therapy.CONTINUOUS, ())


def test_every_field_must_be_given() -> None:
    """a value left out is an error naming it, not a field missing from the made value."""
    make_period = maker(ServicePeriod)  # a class of defaults is made from all of its values too
    with pytest.raises(TypeError, match=r"make_ServicePeriod.*missing.*'end'"):
        make_period(31, None)
    with pytest.raises(TypeError, match="make_ServicePeriod"):
        make_period(31, None, None, "one too many")


def test_a_class_that_works_out_fields_keeps_its_constructor() -> None:
    """a __post_init__ (Measure works out its canonical values) cannot be skipped."""

    @dataclass(frozen=True)
    class Slotted:
        __slots__ = ("value",)
        value: int

    for cls in (Measure, Slotted):
        with pytest.raises(TypeError, match="needs its own __init__"):
            maker(cls)


def test_a_field_named_like_the_makers_own_names_is_refused() -> None:
    """the made function's source names its helpers: a field of the same name would shadow one."""

    @dataclass(frozen=True)
    class Clashing:
        _maker_cls: int

    with pytest.raises(TypeError, match="a field maker cannot name"):
        maker(Clashing)


def test_a_dict_setter_fills_a_frozen_value_of_its_own_class_only() -> None:
    """the fields set as a whole are the value's fields; another class's instance is refused,
    and a class whose instances have no __dict__ has no setter."""
    rate = parse_rate("5 mg/hr")
    made = object.__new__(Measure)
    dict_setter(Measure)(made, dict(vars(rate)))
    assert made == rate and repr(made) == repr(rate) and made.per_canonical == rate.per_canonical
    with pytest.raises(TypeError):
        dict_setter(Measure)(object.__new__(ServicePeriod), {"days": 1})

    @dataclass(frozen=True)
    class Slotted:
        __slots__ = ("value",)
        value: int

    with pytest.raises(TypeError, match="no __dict__"):
        dict_setter(Slotted)
