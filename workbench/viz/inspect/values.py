"""Values the inspector shows: execution data redacted (the one redaction module), times as ISO text.

Every input, output, error, cause and event detail passes through :class:`~workbench.core.redact.Redactor`
here, once per distinct text (a live view redraws the same history every fraction of a second, so the
redacted text of each value is cached). JSON payloads are pretty-printed; other text stays as it is.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import orjson

from workbench.core.redact import Redactor, hide_local_paths
from workbench.history.load.events import PAYLOAD_FIELDS

#: The redactor used when ``redact=True``: default secret keys, this machine's folders hidden, nothing cut.
DEFAULT_REDACTOR = Redactor(max_bytes=1 << 30, hide_paths=True)


class Cleaner:
    """Turns raw history text into what the inspector may show: redacted, pretty, optionally cut.

    Example:
        >>> Cleaner().payload('{"user": "ann", "password": "hunter2"}')
        '{\\n  "user": "ann",\\n  "password": "[redacted]"\\n}'
    """

    def __init__(self, redact: bool | Redactor = True, max_bytes: int | None = None) -> None:
        chosen = (DEFAULT_REDACTOR if redact is True else redact) if redact else None
        if isinstance(chosen, Redactor) and not isinstance(chosen.keys, tuple):  # cached by value: hashable keys
            chosen = Redactor(tuple(chosen.keys), chosen.max_bytes, chosen.hide_paths)
        self.redactor: Redactor | None = chosen
        self.max_bytes = max_bytes

    def _cut(self, text: str) -> str:
        if self.max_bytes is None or len(text) <= self.max_bytes // 4:
            return text
        return Redactor(max_bytes=max(16, self.max_bytes)).truncate(text)

    def payload(self, text: object) -> str | None:
        """A payload (JSON text, or any text) redacted and pretty-printed; None stays None."""
        if text is None or (isinstance(text, float) and math.isnan(text)):
            return None
        return self._cut(_payload(self.redactor, text if isinstance(text, str) else json.dumps(text)))

    def text(self, text: object) -> str | None:
        """Free text (an error name) redacted; a cause that is JSON is pretty-printed like a payload."""
        if not isinstance(text, str) or not text:
            return None
        if text.lstrip()[:1] in ("{", "["):
            return self.payload(text)
        return self._cut(_text(self.redactor, text))

    def details(self, details: Mapping[str, Any]) -> str:
        """An event's details object as pretty JSON, its JSON-text fields shown as structure, redacted."""
        text = orjson.dumps(details if type(details) is dict else dict(details), default=str,
                            option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
        return self._cut(_details(self.redactor, text))


@lru_cache(maxsize=8192)
def _payload(redactor: Redactor | None, text: str) -> str:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return _text(redactor, text)
    if isinstance(parsed, str):
        return _text(redactor, parsed)
    value = redactor.value(parsed) if redactor is not None else parsed
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    return hide_local_paths(pretty) if redactor is not None and redactor.hide_paths else pretty


@lru_cache(maxsize=8192)
def _text(redactor: Redactor | None, text: str) -> str:
    return redactor.text(text, cut=False) if redactor is not None else text


@lru_cache(maxsize=8192)
def _details(redactor: Redactor | None, text: str) -> str:
    details: dict[str, Any] = json.loads(text)
    for key in PAYLOAD_FIELDS:
        value = details.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError, RecursionError):  # not JSON: shown as the text it is
                details[key] = json.loads(value)
    value = redactor.value(details) if redactor is not None else details
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    return hide_local_paths(pretty) if redactor is not None and redactor.hide_paths else pretty


def iso(seconds: float | None) -> str | None:
    """Epoch seconds → ISO-8601 UTC text with milliseconds (``...T12:00:00.250Z``); None when unknown.

    Example:
        >>> iso(1700000000.25)
        '2023-11-14T22:13:20.250Z'
    """
    if seconds is None or math.isnan(seconds):
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_all(seconds: np.ndarray) -> list[str | None]:
    """:func:`iso` for a whole column at once (a live view formats every event's time on each redraw).

    Example:
        >>> iso_all(np.array([1700000000.25, np.nan]))
        ['2023-11-14T22:13:20.250Z', None]
    """
    micros = np.round(np.asarray(seconds, dtype=np.float64) * 1e6)
    known = ~np.isnan(micros)
    out: list[str | None] = [None] * len(micros)
    if known.any():
        text = np.datetime_as_string(micros[known].astype(np.int64).astype("datetime64[us]"), unit="ms")
        for i, t in zip(np.flatnonzero(known).tolist(), text.tolist(), strict=True):
            out[i] = t + "Z"
    return out


def ms(value: float | None) -> float | None:
    """A duration in ms for JSON: rounded to the microsecond, None when unknown or negative."""
    if value is None or math.isnan(value) or value < 0:
        return None
    return round(float(value), 3)
