"""Every request checked against botocore's Step Functions model, as AWS's front end checks it.

botocore validates client-side only required members, types and minimums, and the AWS CLI or a client with
``parameter_validation=False`` sends anything; AWS answers ``ValidationException`` for a value outside the model's
range, length, list size, enum or pattern and for a missing required member, listing every violation, and
``SerializationException`` for a member of the wrong JSON type:
``1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value
less than or equal to 1000``. moto checks none of these (an alias named ``bad name``, a state machine of type
``WEIRD``, a 300-character error). Patterns the model writes for Java (``\\p{ASCII}``) that Python cannot
compile are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from workbench.engine.embedded.interpreter.api.errors import aws_error


def check_request(operation: Any, params: dict[str, Any]) -> None:
    """ValidationException naming every member of ``params`` that breaks ``operation``'s input shape.

    Example:
        >>> import botocore.session
        >>> model = botocore.session.get_session().get_service_model("stepfunctions")
        >>> try:
        ...     check_request(model.operation_model("ListStateMachines"), {"maxResults": 1001})
        ... except Exception as error:
        ...     print(error.description[:103])  # type: ignore[attr-defined]
        {"__type": "ValidationException", "message": "1 validation error detected: Value '1001' at 'maxResults'
    """
    shape = operation.input_shape
    mismatch = next(_type_mismatches(shape, params, ""), None) if shape is not None else None
    if mismatch is not None:
        raise aws_error("SerializationException", mismatch)
    problems = list(_problems(shape, params, "")) if shape is not None else []
    if problems:
        count = len(problems)
        raise aws_error("ValidationException", f"{count} validation error{'s' if count > 1 else ''} detected: "
                                               + "; ".join(problems))


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "blob": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
    "float": (int, float), "double": (int, float), "timestamp": (int, float, str), "list": (list,),
    "structure": (dict,), "map": (dict,),
}


def _type_mismatches(shape: Any, value: Any, path: str) -> Iterator[str]:
    """Members whose JSON type is not the model's (AWS cannot deserialise them: SerializationException)."""
    if value is None:
        return
    wanted = _JSON_TYPES.get(shape.type_name)
    is_bool = isinstance(value, bool)
    if wanted is not None and (not isinstance(value, wanted) or (is_bool and bool not in wanted)):
        where = f" at '{path}'" if path else ""
        yield f"Expected {shape.type_name}{where}, got a JSON {type(value).__name__}"
        return
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield from _type_mismatches(member, value.get(name), f"{path}.{name}" if path else name)
    elif shape.type_name == "list":
        for i, item in enumerate(value, start=1):
            yield from _type_mismatches(shape.member, item, f"{path}.{i}.member")


def _problems(shape: Any, value: Any, path: str) -> Iterator[str]:
    kind = shape.type_name
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if kind == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                yield f"Value null at '{path}.{name}' failed to satisfy constraint: Member must not be null" \
                    if path else f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                yield from _problems(member, value[name], f"{path}.{name}" if path else name)
    elif kind == "list" and isinstance(value, list):
        yield from _size(value, path, low, high, "length")
        for i, item in enumerate(value, start=1):
            yield from _problems(shape.member, item, f"{path}.{i}.member")
    elif kind == "map" and isinstance(value, dict):
        yield from _size(value, path, low, high, "length")
    elif kind == "string" and isinstance(value, str):
        yield from _size(value, path, low, high, "length")
        enum = shape.enum
        if enum and value not in enum:
            yield _violation(value, path, f"satisfy enum value set: [{', '.join(enum)}]")
        pattern = shape.metadata.get("pattern")
        compiled = _compiled(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            yield _violation(value, path, f"satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long", "float", "double") and isinstance(value, int | float) \
            and not isinstance(value, bool):
        if high is not None and value > high:
            yield _violation(value, path, f"have value less than or equal to {high}")
        elif low is not None and value < low:
            yield _violation(value, path, f"have value greater than or equal to {low}")


def _size(value: Any, path: str, low: int | None, high: int | None, what: str) -> Iterator[str]:
    if high is not None and len(value) > high:
        yield _violation(value, path, f"have {what} less than or equal to {high}")
    elif low is not None and len(value) < low:
        yield _violation(value, path, f"have {what} greater than or equal to {low}")


def _violation(value: Any, path: str, rule: str) -> str:
    shown = value if isinstance(value, str | int | float) else "[...]"
    text = str(shown)
    text = text if len(text) <= 64 else text[:61] + "..."
    return f"Value '{text}' at '{path}' failed to satisfy constraint: Member must {rule}"


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None
