"""One object per distinct state machine definition, however many histories carry a copy.

Each fetch-cache file holds its own copy of the definition the execution ran with; a fleet of a
hundred thousand executions of a few state machines reads a hundred thousand equal dicts. Interning
them makes equal ones the same object, so whatever is derived from a definition (the frames' definition
index) is derived once and found again by identity.
"""

from __future__ import annotations

from typing import Any

import orjson

from workbench.history._types import JsonDict

_KEY = b'"definition":'
#: Bytes of a definition's text that :meth:`DefinitionInterner.parse` looks it up by (shorter ones: parsed).
_PREFIX = 96


class DefinitionInterner:
    """Equal definitions → the first one seen (a few versions kept per state machine, start state and number
    of states).

    Equality is checked on the source text when there is one: a file written by orjson (our fetch cache)
    holds the definition as compact JSON text, and identical text parses to an equal object, so a byte
    comparison (memcmp) settles it; otherwise the parsed objects are compared with ``==``.

    Example:
        >>> interner = DefinitionInterner()
        >>> a = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> b = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> interner.intern(b, "sm") is interner.intern(a, "sm") is b
        True
        >>> blob = b'{"definition":' + orjson.dumps(a) + b',"events":[]}'
        >>> interner.intern(orjson.loads(blob)["definition"], "sm", blob) is b
        True
    """

    KEEP = 8  #: definitions kept per key

    def __init__(self) -> None:
        self._by_key: dict[tuple[str | None, str, int], list[tuple[JsonDict, bytes]]] = {}
        self._by_text: dict[bytes, list[tuple[bytes, JsonDict]]] = {}  # by the text's first bytes

    def parse(self, source: bytes) -> tuple[Any, JsonDict | None]:  # Any: JSON
        """``source`` parsed; when its top-level definition is the text of one seen before, that definition is
        not parsed again (a fifth of a small history's parse): it is read as ``null`` and returned apart.

        Example:
            >>> interner = DefinitionInterner()
            >>> blob = b'{"definition":{"StartAt":"A","States":{"A":{"Type":"Pass","Comment":"a state machine with' \\
            ...        b' a definition long enough"}}},"events":[]}'
            >>> first = interner.intern(orjson.loads(blob)["definition"], "sm", blob)
            >>> doc, known = interner.parse(blob)
            >>> doc, known is first
            ({'definition': None, 'events': []}, True)
        """
        at = _value_at(source) if self._by_text else -1
        if at >= 0:
            for text, known in self._by_text.get(source[at:at + _PREFIX], ()):
                if source.startswith(text, at):
                    return orjson.loads(source[:at] + b"null" + source[at + len(text):]), known
        return orjson.loads(source), None

    def intern(self, definition: Any, machine: str | None, source: bytes | None = None) -> Any:  # Any: JSON
        """``definition``, or an equal definition seen before; ``source``: the JSON text it was parsed from."""
        if type(definition) is not dict:
            return definition
        states = definition.get("States")
        key = (machine, str(definition.get("StartAt")), len(states) if type(states) is dict else -1)
        seen = self._by_key.get(key)
        at = _value_at(source) if source is not None else -1
        if seen is None:
            seen = self._by_key[key] = []
        else:
            for known, text in seen:
                if at >= 0 and source.startswith(text, at):  # type: ignore[union-attr]
                    self._remember(source, at, text, known)
                    return known
                if known == definition:
                    self._remember(source, at, text, known)
                    return known
        text = orjson.dumps(definition)
        seen.append((definition, text))
        if len(seen) > self.KEEP:
            del seen[0]
        self._remember(source, at, text, definition)
        return definition

    def _remember(self, source: bytes | None, at: int, text: bytes, definition: JsonDict) -> None:
        """Let :meth:`parse` skip this definition's text (when ``source`` holds it at ``at``)."""
        if at < 0 or source is None or len(text) < _PREFIX or not source.startswith(text, at):
            return
        texts = self._by_text.setdefault(text[:_PREFIX], [])
        texts.append((text, definition))
        if len(texts) > 4 * self.KEEP:
            del texts[0]


def _value_at(source: bytes) -> int:
    """Where the top-level ``"definition"`` value starts in compact JSON text, or -1 when that is not certain.

    The first ``"definition":`` is the top-level key when nothing before it opens an object or an array
    (besides the document's own ``{``): inside a string, a quote is escaped, so the key cannot match there.

    Example:
        >>> _value_at(b'{"executionArn":"a","definition":{}}'), _value_at(b'{"events":[],"definition":{}}')
        (33, -1)
    """
    at = source.find(_KEY)
    if at < 0 or source.count(b"{", 0, at) != 1 or source.count(b"[", 0, at) != 0:
        return -1
    return at + len(_KEY)
