"""The API writes JSON exactly as `json.dumps(data, indent=2)` with ninja's encoder writes it
(what `manage.py calculate --json` prints), whatever the data, though a faster encoder does it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from calculator.api.errors import render_json


def standard(data: object) -> bytes:
    return json.dumps(data, cls=NinjaJSONEncoder, indent=2).encode()


# What the API's answers hold: text of any characters (non-ASCII, control characters, lone
# surrogates), integers of any size, Decimals, dates and times, nested lists and objects, with
# keys that are usually text. Floats are apart: see the next test.
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates()
    | st.datetimes(timezones=st.sampled_from([None, UTC]))
    | st.times()
)
KEYS = st.text() | st.integers(min_value=-5, max_value=5)
DATA = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25,
)


@given(DATA)
def test_the_api_writes_the_bytes_the_standard_encoder_writes(data):
    assert render_json(data) == standard(data)


@given(st.recursive(st.floats() | st.integers(), lambda inner: st.lists(inner, max_size=4)))
@example([float("inf"), -(2**63) - 1])  # an integer orjson refuses: the standard encoder's turn
def test_a_float_comes_back_as_the_same_number(data):
    """Floats (only ever echoed from a request) may be spelled differently ("1e16" for "1e+16"),
    but never change value; NaN and infinity, which JSON cannot hold, become null."""

    def finite(value):
        if isinstance(value, list):
            return [finite(item) for item in value]
        return value if value == value and value not in (float("inf"), float("-inf")) else None

    assert json.loads(render_json(data)) == finite(data)


def test_the_seed_values_the_api_answers_with_are_written_as_today():
    data = {
        "value": Decimal("148.8"),
        "units": 149,
        "from": date(2026, 1, 1),
        "at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "time": time(12, 30),
        "steps": ["5 mg/hr x 24 hr = 120 mg/day", "µg ≠ mg"],
        "empty": [{}, []],
    }
    assert render_json(data) == standard(data)
    assert b'"at": "2026-01-02T03:04:05.678Z"' in render_json(data)
