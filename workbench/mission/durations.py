"""Durations as operators write them (``30s``, ``5m``, ``1h30m``, ``90``) → whole seconds, as ASL wants."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_PART = re.compile(r"(\d+)(h|m|s)")
_WHOLE = re.compile(r"^(?:\d+[hms])+$")
_UNIT = {"h": 3600, "m": 60, "s": 1}


def parse_duration(value: Any) -> int:
    """Turn ``30s``, ``5m``, ``1h``, ``1h30m`` or a number of seconds into whole seconds.

    ASL counts retry intervals, timeouts and waits in whole seconds, so fractions are refused
    rather than silently rounded.

    Example:
        >>> parse_duration("1h30m"), parse_duration("45s"), parse_duration(10)
        (5400, 45, 10)
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}: use 30s, 5m, 1h or a number of seconds")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"invalid duration {value}: durations cannot be negative")
        return value
    if isinstance(value, float):
        if value.is_integer() and value >= 0:
            return int(value)
        raise ValueError(f"invalid duration {value}: ASL counts whole seconds; write e.g. {max(1, round(value))}s")
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if len(text) > 40:  # ASL's limit is 99,999,999 seconds; a longer spelling is a mistake (or an attack)
            raise ValueError(f"invalid duration {value[:20]!r}...: too long; use 30s, 5m, 1h or a number of seconds")
        if text.isdigit():
            return int(text)
        if _WHOLE.match(text):
            return sum(int(n) * _UNIT[u] for n, u in _PART.findall(text))
    raise ValueError(f"invalid duration {value!r}: use 30s, 5m, 1h, 1h30m or a number of seconds")


def format_duration(seconds: int) -> str:
    """The shortest human spelling of a number of seconds (``90`` → ``1m30s``)."""
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in _UNIT.items():
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


def parse_positive_duration(value: Any) -> int:
    """Like :func:`parse_duration`, for fields where ASL wants at least one second (timeouts, intervals)."""
    seconds = parse_duration(value)
    if seconds < 1:
        raise ValueError(f"invalid duration {value!r}: it must be at least 1s")
    return seconds


DURATION_PATTERN = r"^ *(?:[0-9]+|(?:[0-9]+ *[hmsHMS] *)+)$"


def _schema(minimum: int) -> WithJsonSchema:
    """What editors should accept: the number of seconds, or text such as ``1h30m``."""
    return WithJsonSchema({
        "anyOf": [{"type": "integer", "minimum": minimum}, {"type": "string", "pattern": DURATION_PATTERN}],
        "description": "Seconds, or a duration such as 30s, 5m, 1h, 1h30m.",
    }, mode="validation")


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    PlainSerializer(lambda s: s, return_type=int),
    _schema(0),
]
"""Seconds as an int; accepts ``30s``/``5m``/``1h``/numbers on input."""

PositiveDuration = Annotated[
    int,
    BeforeValidator(parse_positive_duration),
    PlainSerializer(lambda s: s, return_type=int),
    _schema(1),
]
"""A :data:`Duration` of at least one second (ASL timeouts, heartbeats and retry intervals)."""
