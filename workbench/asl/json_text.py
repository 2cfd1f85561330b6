"""JSON text that every ASL reader accepts: numbers in plain decimal notation, never in exponent form.

Python writes some floats in exponent form (``json.dumps(0.000001)`` is ``1e-06``). JSON allows that,
but the ANTLR grammar of moto's Step Functions interpreter (our local engine) reads an exponent only
without leading zeros, so ``1e-06`` makes the whole definition unparsable. Plain decimals
(``0.000001``) mean the same number to every reader, AWS included.

The rules, applied to every number of a value:

- integers are written as integers (``3``), never ``3.0`` (``TimeoutSeconds``, ``MaxAttempts``, ... want one);
- floats are written in plain decimal notation with their shortest round-tripping digits (Python's
  ``repr``, so ``0.1`` stays ``0.1``) and always with a fractional part (``5.0``), so they read back
  as floats. ``ToleratedFailurePercentage`` needs that: the engine's grammar rejects ``5`` there;
- ``-0.0`` is written ``0.0`` (the same JSON number; some readers refuse the sign in a 0-100 field);
- NaN and infinities are not JSON numbers: :class:`ValueError`, as ``json.dumps(..., allow_nan=False)``.

Everything else is written exactly as :func:`json.dumps` would, so output without exponent-form floats
is byte-identical to ``json.dumps`` with the same options.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any


def json_number(value: int | float) -> str:
    """JSON text of a number in plain decimal notation: integers as integers, floats with a fraction.

    Raises :class:`ValueError` for NaN and infinities, :class:`TypeError` for anything not a number
    (booleans included).

    Example:
        >>> json_number(1e-06), json_number(5.0), json_number(3), json_number(1e16), json_number(-0.0)
        ('0.000001', '5.0', '3', '10000000000000000.0', '0.0')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a JSON number: {value!r}")
    if isinstance(value, int):
        return int.__repr__(value)
    if not math.isfinite(value):
        raise ValueError(f"{float.__repr__(value)} is not a JSON number (JSON has no NaN or Infinity)")
    if value == 0:
        return "0.0"
    text = format(Decimal(float.__repr__(value)), "f")
    return text if "." in text else text + ".0"


def dumps_json(value: Any, *, indent: int | str | None = None, separators: tuple[str, str] | None = None,
               sort_keys: bool = False, ensure_ascii: bool = False,
               default: Callable[[Any], Any] | None = None) -> str:
    """Like :func:`json.dumps` (same options, same layout), with every number written by :func:`json_number`.

    ``ensure_ascii`` defaults to False (ASL is UTF-8). Objects it cannot write go through ``default``
    (else :class:`TypeError`). Nesting is handled with an explicit stack, not recursion, so deep data
    cannot exhaust Python's recursion limit; unlike ``json.dumps`` circular references are not detected.

    Example:
        >>> dumps_json({"ToleratedFailurePercentage": 1e-06, "MaxConcurrency": 10, "Items": []})
        '{"ToleratedFailurePercentage": 0.000001, "MaxConcurrency": 10, "Items": []}'
        >>> print(dumps_json({"Retry": [{"BackoffRate": 2.0}]}, indent=2))
        {
          "Retry": [
            {
              "BackoffRate": 2.0
            }
          ]
        }
    """
    if separators is not None:
        item_sep, key_sep = separators
    else:
        item_sep, key_sep = ("," if indent is not None else ", "), ": "
    unit = (" " * indent if isinstance(indent, int) else indent) if indent is not None else None
    quote = encode_basestring_ascii if ensure_ascii else encode_basestring
    out: list[str] = []
    # one frame per open container: its remaining children, and whether one has been written yet
    stack: list[list[Any]] = []

    def key_text(key: Any) -> str:
        if isinstance(key, str):
            return quote(key)
        if key is None or isinstance(key, bool):
            return quote(_CONSTANTS[key])
        if isinstance(key, int | float):
            return quote(json_number(key))
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")

    def items(container: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> Iterator[tuple[str | None, Any]]:
        if isinstance(container, dict):
            pairs = sorted(container.items()) if sort_keys else container.items()
            return ((key_text(k), v) for k, v in pairs)
        return ((None, v) for v in container)

    def write(item: Any) -> None:
        """Write a scalar, an empty container, or open a container (push a frame)."""
        for _ in range(100):  # ``default`` may return something it must be called on again, but not forever
            if isinstance(item, str):
                out.append(quote(item))
            elif item is None or isinstance(item, bool):
                out.append(_CONSTANTS[item])
            elif isinstance(item, int | float):
                out.append(json_number(item))
            elif isinstance(item, dict | list | tuple):
                is_object = isinstance(item, dict)
                if not item:
                    out.append("{}" if is_object else "[]")
                else:
                    out.append("{" if is_object else "[")
                    stack.append([items(item), False, "}" if is_object else "]"])
            elif default is not None:
                item = default(item)
                continue
            else:
                raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")
            return
        raise ValueError("default() keeps returning values that are not JSON")

    write(value)
    while stack:
        frame = stack[-1]
        newline = "\n" + unit * len(stack) if unit is not None else ""
        try:
            key, item = next(frame[0])
        except StopIteration:
            stack.pop()
            if unit is not None:
                out.append("\n" + unit * len(stack))
            out.append(frame[2])
            continue
        out.append((item_sep if frame[1] else "") + newline)
        frame[1] = True
        if key is not None:
            out.append(key + key_sep)
        write(item)
    return "".join(out)


_CONSTANTS: dict[Any, str] = {None: "null", True: "true", False: "false"}
