"""The compiler's JSON writer: numbers in plain decimal notation, everything else exactly as ``json.dumps``."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.asl.strategies import TRICKY_BACKOFF_RATES, TRICKY_PERCENTAGES
from workbench.asl.json_text import dumps_json, json_number

FINITE = st.floats(allow_nan=False, allow_infinity=False)
# floats json.dumps writes without an exponent (and not -0.0, which json_number writes as 0.0)
PLAIN_FLOATS = FINITE.filter(lambda f: "e" not in repr(f) and repr(f) != "-0.0")
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), PLAIN_FLOATS, st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=25)


@given(VALUES, st.sampled_from([None, 0, 2, "\t"]), st.sampled_from([None, (",", ":"), (", ", " = ")]),
       st.booleans(), st.booleans())
def test_same_text_as_json_dumps_when_no_float_needs_an_exponent(value: Any, indent: Any, separators: Any,
                                                                  sort_keys: bool, ensure_ascii: bool) -> None:
    options: dict[str, Any] = {"indent": indent, "separators": separators, "sort_keys": sort_keys,
                               "ensure_ascii": ensure_ascii}
    assert dumps_json(value, **options) == json.dumps(value, **options)


@given(FINITE)
def test_every_float_is_a_plain_decimal_that_reads_back_as_the_same_float(value: float) -> None:
    text = json_number(value)
    assert "e" not in text.lower() and "." in text
    assert json.loads(text) == value and type(json.loads(text)) is float


@given(st.integers())
def test_integers_stay_integers(value: int) -> None:
    assert json_number(value) == str(value)


@pytest.mark.parametrize(("value", "text"), [
    (1e-06, "0.000001"), (1e-05, "0.00001"), (2.5e-07, "0.00000025"), (1e-10, "0.0000000001"),
    (99.99999, "99.99999"), (0.1, "0.1"), (5.0, "5.0"), (100.0, "100.0"), (0.0, "0.0"), (-0.0, "0.0"),
    (1e16, "10000000000000000.0"), (-1.5e-05, "-0.000015"), (3, "3"), (2**64, "18446744073709551616"),
])
def test_known_numbers(value: float, text: str) -> None:
    assert json_number(value) == text


def test_the_smallest_and_largest_floats_are_written_in_full() -> None:
    tiny, huge = json_number(5e-324), json_number(1.7976931348623157e308)
    assert tiny.startswith("0.000") and tiny.endswith("5") and float(tiny) == 5e-324
    assert huge.endswith(".0") and len(huge) == 311 and float(huge) == 1.7976931348623157e308


@pytest.mark.parametrize("value", [*TRICKY_PERCENTAGES, *TRICKY_BACKOFF_RATES])
def test_tricky_values_survive_a_round_trip_inside_data(value: float) -> None:
    text = dumps_json({"n": value, "in": [value, {"deep": value}]}, indent=2)
    assert "e-" not in text and "e+" not in text
    assert json.loads(text) == {"n": value, "in": [value, {"deep": value}]}


def test_nan_infinity_and_non_numbers_are_refused() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="not a JSON number"):
            dumps_json({"x": [bad]})
    with pytest.raises(TypeError, match="not a JSON number"):
        json_number(True)
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_json({"x": object()})
    with pytest.raises(TypeError, match="keys must be"):
        dumps_json({(1, 2): 3})


def test_default_converts_other_objects_and_keys_are_written_like_json() -> None:
    assert dumps_json({"when": {1, 2}}, default=sorted) == '{"when": [1, 2]}'
    assert dumps_json({1: "a", 1e-06: "b", None: "c", False: "d"}) == \
        '{"1": "a", "0.000001": "b", "null": "c", "false": "d"}'


def test_deep_nesting_needs_no_recursion() -> None:
    deep: Any = 1e-06
    for _ in range(20_000):
        deep = [deep]
    text = dumps_json(deep)
    assert text == "[" * 20_000 + "0.000001" + "]" * 20_000
