"""The Mission test file format as pydantic models: cases, tool mocks and expectations.

A test file (``NAME.tests.yaml`` beside ``NAME.yaml``, or ``tests:`` inside the Mission) holds a list of
cases. A *run case* starts the whole Mission with an input and answers its tools from ``mocks``; a
*state case* (it names a ``state:``) runs that one state the way AWS's TestState API does. The format
is documented in ``docs/mission-tests.md``; :mod:`~workbench.history.mission_tests.load` reads it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator

__all__ = ["Case", "Expect", "Outcome", "RunCase", "StateCase", "StateExpect", "TestFile", "parse_latency"]

_LATENCY = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
CASE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
RUN_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
STATE_STATUSES = ("SUCCEEDED", "FAILED", "CAUGHT_ERROR", "RETRIABLE")


def parse_latency(value: Any) -> float:  # Any: YAML scalar as written
    """A latency as written (``250ms``, ``2s``, ``1.5m``, ``1h`` or a number of seconds) → seconds.

    Example:
        >>> parse_latency("250ms"), parse_latency("2s"), parse_latency(1.5)
        (0.25, 2.0, 1.5)
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid latency {value!r}: write 250ms, 2s, 1m or a number of seconds")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (found := _LATENCY.match(value.strip().lower().replace(" ", ""))):
        seconds = float(found[1]) * _UNIT[found[2]]
    else:
        raise ValueError(f"invalid latency {value!r}: write 250ms, 2s, 1m or a number of seconds")
    if seconds < 0:
        raise ValueError(f"invalid latency {value!r}: a latency cannot be negative")
    return seconds


Latency = Annotated[float, BeforeValidator(parse_latency)]


class Outcome(BaseModel):
    """One answer of a mocked tool: a ``result`` (what the tool returns) or an ``error`` with its ``cause``.

    ``latency`` moves the execution's virtual clock before the answer (a Task ``timeout`` shorter than it
    fails the Task with ``States.Timeout``).

    Example:
        >>> Outcome.model_validate({"error": "Lambda.ServiceException", "cause": "outage", "latency": "2s"}).latency
        2.0
    """

    model_config = ConfigDict(extra="forbid")

    result: Any = None  # Any: the tool's JSON result, as written
    error: str | None = Field(default=None, min_length=1)
    cause: str | None = None
    latency: Latency = 0.0

    @model_validator(mode="after")
    def _one_answer(self) -> Outcome:
        has_result = "result" in self.model_fields_set
        if has_result == (self.error is not None):
            raise ValueError("an outcome has exactly one of `result` (what the tool returns) or `error` "
                             "(with an optional `cause`)")
        if self.cause is not None and self.error is None:
            raise ValueError("`cause` goes with `error`; a result has no cause")
        return self

    @property
    def is_error(self) -> bool:
        return self.error is not None


def _as_list(value: Any) -> Any:  # Any: YAML value as written
    """One outcome written as a mapping is a sequence of one."""
    return [value] if isinstance(value, dict) else value


Outcomes = Annotated[list[Outcome], BeforeValidator(_as_list), Field(min_length=1)]


class _Expectations(BaseModel):
    """What both kinds of case may expect of an output, error and cause."""

    model_config = ConfigDict(extra="forbid")

    output: Any = None  # Any: the exact JSON output expected
    output_contains: Any = None  # Any: a JSON subset of the output
    error: str | None = None
    cause: str | None = None

    @model_validator(mode="after")
    def _output_once(self) -> _Expectations:
        if {"output", "output_contains"} <= self.model_fields_set:
            raise ValueError("expect `output` (exact) or `output_contains` (a subset), not both")
        if not self.model_fields_set:
            raise ValueError("`expect` is empty: expect a status, output, states, error or cause")
        return self

    def expects(self, name: str) -> bool:
        """Whether the case wrote this expectation (``output: null`` expects a null output)."""
        return name in self.model_fields_set


class Expect(_Expectations):
    """Expectations of a run case: status, output (exact or subset), states in order or as a set, error, cause.

    Example:
        >>> Expect.model_validate({"status": "FAILED", "error": "DeployFailed"}).expects("output")
        False
    """

    status: Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] | None = None
    states: list[str] | None = None
    states_set: list[str] | None = None


class StateExpect(_Expectations):
    """Expectations of a state case: TestState's status, the output, error and cause, and the next state.

    Example:
        >>> StateExpect.model_validate({"status": "CAUGHT_ERROR", "next": "roll_back"}).next
        'roll_back'
    """

    status: Literal["SUCCEEDED", "FAILED", "CAUGHT_ERROR", "RETRIABLE"] | None = None
    next: str | None = None


class RunCase(BaseModel):
    """Run the whole Mission with ``input``; ``mocks`` answers tools by name (a sequence, consumed per call).

    Example:
        >>> case = RunCase.model_validate({"name": "ok", "mocks": {"fetch": {"result": {"id": 1}}},
        ...                                "expect": {"status": "SUCCEEDED"}})
        >>> len(case.mocks["fetch"]), case.has_input
        (1, False)
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=CASE_NAME, max_length=80)
    description: str | None = None
    input: Any = None  # Any: the execution input (default: the Mission's local.input)
    mocks: dict[str, Outcomes] = Field(default_factory=dict)
    expect: Expect

    @property
    def has_input(self) -> bool:
        return "input" in self.model_fields_set

    @property
    def kind(self) -> str:
        return "run"


class StateCase(BaseModel):
    """Run one state in isolation (TestState): ``input``, optional ``variables``/``context``, one ``mock``.

    Example:
        >>> case = StateCase.model_validate({"name": "t", "state": "check", "mock": {"error": "States.Timeout"},
        ...                                  "expect": {"status": "CAUGHT_ERROR"}})
        >>> case.mock.error, case.kind
        ('States.Timeout', 'state')
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=CASE_NAME, max_length=80)
    description: str | None = None
    state: str = Field(min_length=1)
    input: Any = None  # Any: the state's input (default: {})
    variables: dict[str, Any] | None = None  # Any: variable values, as JSON
    context: dict[str, Any] | None = None  # Any: merged into $$ / $states.context
    mock: Outcome | None = None
    retry_count: int = Field(default=0, ge=0, description="Retries already made (TestState retrierRetryCount).")
    expect: StateExpect

    @property
    def has_input(self) -> bool:
        return "input" in self.model_fields_set

    @property
    def kind(self) -> str:
        return "state"


def _case_tag(value: Any) -> str:  # Any: a case as written, or a model
    if isinstance(value, dict):
        return "state" if "state" in value else "run"
    return "state" if isinstance(value, StateCase) else "run"


Case = Annotated[Annotated[RunCase, Tag("run")] | Annotated[StateCase, Tag("state")], Discriminator(_case_tag)]


class TestFile(BaseModel):
    """A whole test file: the Mission it tests (default: ``NAME.yaml`` beside ``NAME.tests.yaml``) and its cases.

    Example:
        >>> TestFile.model_validate({"cases": [{"name": "a", "expect": {"status": "SUCCEEDED"}}]}).cases[0].name
        'a'
    """

    __test__ = False  # not a pytest test class
    model_config = ConfigDict(extra="forbid")

    mission: str | None = Field(default=None, min_length=1)
    parameters: dict[str, Any] | None = Field(
        default=None, description="Values that bind the Mission template under test (default: its defaults).")
    cases: list[Case] = Field(min_length=1)
