"""A template's parameters: each a small JSON Schema (type, constraints, default, description).

Values a plan gives are checked with the ``jsonschema`` library (draft 2020-12), so a constraint means what
JSON Schema says it means; every problem names the parameter and the constraint it broke.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import regex
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError, ValidationError
from pydantic import BaseModel, ConfigDict, Field, model_validator

ParameterType = Literal["string", "integer", "number", "boolean", "array", "object"]
_NOT_GIVEN: Any = object()
#: A plan's value may meet a template's pattern that backtracks for ever ("^(a+)+$"): matching is cut off here.
PATTERN_SECONDS = 0.2
#: Deeper parameter schemas are refused (jsonschema checks them recursively).
MAX_SCHEMA_DEPTH = 32


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """JSON Schema ``pattern`` with a time limit (the ``regex`` module), so no value can hang a selection."""
    if not validator.is_type(instance, "string"):
        return
    try:
        found = regex.search(pattern, instance, timeout=PATTERN_SECONDS)
    except TimeoutError:
        yield ValidationError(f"matching {pattern!r} took over {PATTERN_SECONDS:g} s; the template's pattern "
                              "backtracks too much: simplify it (no nested repeats like (a+)+)")
        return
    if found is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


class ParameterSpec(BaseModel):
    """One parameter: a JSON-Schema type with its constraints, a default and what it is for.

    Example (YAML): ``probe_concurrency: {type: integer, minimum: 1, maximum: 20, default: 5}``

    Example:
        >>> spec = ParameterSpec.model_validate({"type": "integer", "minimum": 1, "default": 5})
        >>> spec.problems("p", 0)
        ["parameter 'p': 0 is less than the minimum of 1 (constraint minimum)"]
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: ParameterType
    description: str | None = None
    default: Any = Field(default=_NOT_GIVEN, description="Used when a plan does not give the parameter.")
    enum: list[Any] | None = Field(default=None, min_length=1)
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = Field(default=None, alias="exclusiveMinimum")
    exclusive_maximum: int | float | None = Field(default=None, alias="exclusiveMaximum")
    multiple_of: int | float | None = Field(default=None, alias="multipleOf", gt=0)
    min_length: int | None = Field(default=None, alias="minLength", ge=0)
    max_length: int | None = Field(default=None, alias="maxLength", ge=0)
    pattern: str | None = None
    items: dict[str, Any] | None = Field(default=None, description="JSON Schema of each item (arrays).")
    min_items: int | None = Field(default=None, alias="minItems", ge=0)
    max_items: int | None = Field(default=None, alias="maxItems", ge=0)
    unique_items: bool | None = Field(default=None, alias="uniqueItems")
    properties: dict[str, Any] | None = None
    required: list[str] | None = None

    @model_validator(mode="after")
    def _schema_is_valid(self) -> ParameterSpec:
        if _depth(self.schema_()) > MAX_SCHEMA_DEPTH:
            raise ValueError(f"the schema nests deeper than {MAX_SCHEMA_DEPTH} levels: flatten it")
        linked = _references(self.schema_())
        if linked:
            raise ValueError(f"'{linked}' is not allowed in a parameter: write the schema inline (a template is "
                             "reviewed as one file, and nothing is fetched)")
        try:
            Draft202012Validator.check_schema(self.schema_())
        except SchemaError as exc:
            raise ValueError(f"not a valid JSON Schema: {exc.message}") from None
        if self.has_default:
            problems = self.problems("default", self.default)
            if problems:
                raise ValueError(f"the default does not fit: {problems[0].split(': ', 1)[1]}")
        return self

    @property
    def has_default(self) -> bool:
        return self.default is not _NOT_GIVEN

    def schema_(self) -> dict[str, Any]:
        """This parameter as a JSON Schema document (what the plan schema and the checks use)."""
        data = self.model_dump(by_alias=True, exclude_none=True, exclude={"default"})
        if self.has_default:
            data["default"] = self.default
        return data

    def problems(self, name: str, value: Any) -> list[str]:
        """Why ``value`` does not fit, one sentence per broken constraint (empty when it fits)."""
        schema = self.schema_()
        schema.pop("default", None)
        out = []
        for err in sorted(_Validator(schema).iter_errors(value), key=lambda e: list(e.path)):
            where = "".join(f"[{p}]" for p in err.path)
            out.append(f"parameter '{name}{where}': {_short(err.message)} (constraint {err.validator})")
        return out


_LINKS = frozenset({"$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor", "$schema"})


def _references(schema: Any) -> str | None:
    """The first keyword that would point outside the parameter's own schema, if any."""
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found = next((k for k in item if k in _LINKS), None)
            if found:
                return str(found)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _not_finite(value: Any) -> bool:
    """True when a value holds NaN or an infinity anywhere (JSON has neither; Step Functions refuses them)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def resolve(specs: Mapping[str, ParameterSpec], given: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Defaults applied to the given values, and every problem (unknown, missing, not fitting), one line each.

    Example:
        >>> specs = {"n": ParameterSpec(type="integer", default=2), "s": ParameterSpec(type="string")}
        >>> resolve(specs, {"s": "x"})
        ({'n': 2, 's': 'x'}, [])
        >>> resolve(specs, {"m": 1})[1]
        ["parameter 'm' is not a parameter of this template; it takes: n, s", "parameter 's' is required \
(it has no default)"]
    """
    given = dict(given or {})
    problems: list[str] = []
    for name in given:
        if name not in specs:
            close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; it takes: {', '.join(specs) or 'none'}"
            problems.append(f"parameter '{name}' is not a parameter of this template{hint}")
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name in given:
            values[name] = given[name]
            if _not_finite(given[name]):
                problems.append(f"parameter '{name}': NaN and infinities are not JSON numbers (constraint finite)")
                continue
            problems += spec.problems(name, given[name])
        elif spec.has_default:
            values[name] = spec.default
        else:
            problems.append(f"parameter '{name}' is required (it has no default)")
    return values, problems


def parameters_hash(values: Mapping[str, Any]) -> str:
    """A short, stable hash of resolved parameter values (8 hex digits of sha256 over canonical JSON).

    Example:
        >>> parameters_hash({"b": 1, "a": "x"}) == parameters_hash({"a": "x", "b": 1})
        True
    """
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
