"""Mocked responses in the AWS Step Functions Local ``MockConfigFile`` format (pure model and loader).

A mock config names, per state machine, *test cases*; a test case maps Task state names to a named
*mocked response*; a mocked response answers that state's successive invocations (``"0"``, ``"1-2"``, ...)
with ``Return`` (the task result) or ``Throw`` (fail the task with ``Error``/``Cause``)::

    {"StateMachines": {"incident_triage": {"TestCases": {"HappyPath": {"fetch_alert": "FixedAlert"}}}},
     "MockedResponses": {"FixedAlert": {"0": {"Return": {"StatusCode": 200, "Payload": {"severity": "low"}}}}}}

Invocations are counted per state and per execution, so a Retry, a loop back to the state and the
iterations of a Map all take the next key. Everything here is data → data; the embedded engine
(``workbench.engine.embedded.interpreter.mocking``) applies a selected test case to an execution.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.asl.states import walk_states
from workbench.core.arn import Arn, ArnKind
from workbench.core.diagnostics import Diagnostic, DiagnosticError, Severity
from workbench.core.yaml_load import load_yaml, loads_json, read_text, yaml_problem
from workbench.engine.tools.faults import line_of

__all__ = [
    "MockConfig", "MockRun", "MockTestCase", "MockThrow", "MockedEntry", "MockedResponse",
    "check_test_case", "load_mock_config", "parse_range", "task_states",
]

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
_HINT = ('shape: {"StateMachines": {NAME: {"TestCases": {CASE: {STATE: RESPONSE}}}}, '
         '"MockedResponses": {RESPONSE: {"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..., "Cause": ...}}}}}')


@dataclass(frozen=True)
class MockThrow:
    """Fail the task: ``Error`` is what Retry/Catch match, ``Cause`` the text beside it."""

    error: str
    cause: str | None = None


@dataclass(frozen=True)
class MockedEntry:
    """One key of a mocked response: invocations ``first``..``last`` (0-based) answer the same way."""

    first: int
    last: int
    result: Any = None
    throw: MockThrow | None = None


@dataclass(frozen=True)
class MockedResponse:
    """A named sequence of answers, one per invocation of the state using it."""

    name: str
    entries: tuple[MockedEntry, ...]

    def at(self, invocation: int) -> MockedEntry | None:
        """The answer for the ``invocation``-th call (0-based), or None past the last key."""
        return next((e for e in self.entries if e.first <= invocation <= e.last), None)

    @property
    def keys(self) -> str:
        """The keys as written, for messages: ``'0', '1-2'``."""
        return ", ".join(f"'{e.first}'" if e.first == e.last else f"'{e.first}-{e.last}'" for e in self.entries)


@dataclass(frozen=True)
class MockTestCase:
    """One test case of one state machine: Task state name -> its mocked response."""

    state_machine: str
    name: str
    states: Mapping[str, MockedResponse]
    source: str = "<mock config>"


@dataclass(frozen=True)
class MockConfig:
    """A whole mock config: test cases per state machine (state -> response name), and the responses.

    Example:
        >>> config = load_mock_config({"StateMachines": {"m": {"TestCases": {"Ok": {"Fetch": "R"}}}},
        ...                            "MockedResponses": {"R": {"0": {"Return": {"Payload": 1}}}}})
        >>> config.test_case("m", "Ok").states["Fetch"].at(0).result
        {'Payload': 1}
    """

    test_cases: Mapping[str, Mapping[str, Mapping[str, str]]]
    responses: Mapping[str, MockedResponse]
    source: str = "<mock config>"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has(self, state_machine: str, test_case: str) -> bool:
        return test_case in self.test_cases.get(state_machine, {})

    def test_case(self, state_machine: str, name: str) -> MockTestCase:
        """The test case ``name`` of ``state_machine``; an error lists the ones the file defines."""
        cases = self.test_cases.get(state_machine)
        if cases is None:
            known = ", ".join(sorted(self.test_cases)) or "none"
            raise _error("MOCK010", self.source, f"StateMachines.{state_machine}",
                         f"no state machine named '{state_machine}' (the file defines: {known})",
                         "the key under StateMachines is the state machine's name (a Mission's `mission:` name)")
        if name not in cases:
            known = ", ".join(sorted(cases)) or "none"
            raise _error("MOCK010", self.source, f"StateMachines.{state_machine}.TestCases.{name}",
                         f"state machine '{state_machine}' has no test case '{name}' (test cases: {known})")
        states = {state: self.responses[response] for state, response in cases[name].items()}
        return MockTestCase(state_machine, name, states, self.source)


class MockRun:
    """One execution's use of a test case: counts each state's invocations (thread-safe: Map, Parallel).

    Also what moto's interpreter reads as the execution's ``mock_test_case``: it asks
    ``state_name in run.state_mocked_responses`` to decide whether a Task is mocked.
    """

    def __init__(self, test_case: MockTestCase) -> None:
        self.test_case = test_case
        self.state_mocked_responses = test_case.states
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, state_name: str) -> tuple[int, MockedEntry | None]:
        """(invocation index, its answer) for the next call of ``state_name``; None past the last key."""
        with self._lock:
            index = self._counts.get(state_name, 0)
            self._counts[state_name] = index + 1
        return index, self.test_case.states[state_name].at(index)

    def exhausted(self, state_name: str, index: int) -> str:
        """The cause text for an invocation with no answer."""
        response = self.test_case.states[state_name]
        return (f"{self.test_case.source}: test case '{self.test_case.name}' mocks state '{state_name}' with "
                f"MockedResponse '{response.name}', which has no answer for invocation {index} (keys: "
                f"{response.keys}). Add a key such as '{index}' or widen a range, e.g. '0-{index}'.")


def parse_range(key: str) -> tuple[int, int]:
    """An invocation key: ``"0"`` -> (0, 0), ``"1-2"`` -> (1, 2). Raises ValueError with the reason.

    Example:
        >>> parse_range("1-2"), parse_range("3")
        ((1, 2), (3, 3))
    """
    match = _RANGE.match(key)
    if match is None:
        raise ValueError(f"'{key}' is not an invocation number ('0') or range ('1-2')")
    first = int(match[1])
    last = int(match[2]) if match[2] is not None else first
    if last < first:
        raise ValueError(f"range '{key}' ends before it starts; write '{last}-{first}'")
    return first, last


def task_states(definition: Mapping[str, Any]) -> dict[str, str]:
    """Every Task state of an ASL definition (nested Parallel and Map too): name -> Resource.

    Example:
        >>> task_states({"States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"},
        ...                         "B": {"Type": "Pass"}}})
        {'A': 'arn:aws:states:::lambda:invoke'}
    """
    found: dict[str, str] = {}
    for ref in walk_states(definition):
        if ref.state.get("Type") == "Task":
            found[ref.name] = str(ref.state.get("Resource", ""))
    return found


def check_test_case(test_case: MockTestCase, definition: Mapping[str, Any]) -> None:
    """Every state the test case mocks must be a Task of the definition, and not an Activity.

    Example:
        >>> case = MockTestCase("m", "Ok", {"Fetch": MockedResponse("R", ())})
        >>> check_test_case(case, {"States": {"Fetch": {"Type": "Task", "Resource": "arn:aws:lambda:::f"}}})
    """
    tasks = task_states(definition)
    problems = []
    for state, response in test_case.states.items():
        where = f"StateMachines.{test_case.state_machine}.TestCases.{test_case.name}.{state}"
        if state not in tasks:
            known = ", ".join(sorted(tasks)) or "none"
            problems.append(_diagnostic("MOCK011", test_case.source, where,
                                        f"test case '{test_case.name}' mocks '{state}' (with '{response.name}'), "
                                        f"which is not a Task state of '{test_case.state_machine}'",
                                        f"Task states: {known}"))
        elif Arn.try_parse(tasks[state], ArnKind.ACTIVITY) is not None:
            problems.append(_diagnostic("MOCK012", test_case.source, where,
                                        f"state '{state}' is an Activity task; activities are answered by their "
                                        "workers (send_task_success/failure) and cannot be mocked"))
    if problems:
        raise DiagnosticError(problems)


def load_mock_config(source: str | Path | Mapping[str, Any]) -> MockConfig:
    """Read and check a mock config (JSON or YAML file, or an already parsed mapping).

    Errors name the file, line and key (unknown MockedResponse, bad range, Return and Throw together...);
    a binary or over-budget file raises :class:`~workbench.core.yaml_load.InputError` (one line).

    Example:
        >>> load_mock_config("tests/MockConfigFile.json").test_case("incident_triage", "HappyPath")  # doctest: +SKIP
    """
    text = ""
    if isinstance(source, Mapping):
        data: Any = source
        name = "<mock config>"
    else:
        name = str(source)
        try:
            text = read_text(source, name=name)
        except OSError as exc:
            raise _error("MOCK001", name, "", f"cannot read mock config: {exc.strerror or exc}") from exc
        try:
            data = loads_json(text, name) if name.endswith(".json") else load_yaml(text, file=name)
        except json.JSONDecodeError as exc:
            raise DiagnosticError([Diagnostic(code="MOCK002", severity=Severity.ERROR, file=name, line=exc.lineno,
                                              column=exc.colno, message=f"not valid JSON: {exc.msg}")]) from exc
        except yaml.YAMLError as exc:
            problem, line, _ = yaml_problem(exc)
            raise DiagnosticError([Diagnostic(code="MOCK002", severity=Severity.ERROR, file=name, line=line,
                                              message=f"not valid YAML/JSON: {problem}")]) from exc
    problems: list[Diagnostic] = []
    config = _parse(data, name, problems)
    if problems:
        if text:
            problems = [d.model_copy(update={"line": line_of(text, tuple(d.location.split(".")))}) for d in problems]
        raise DiagnosticError(problems)
    return config


def _parse(data: Any, source: str, problems: list[Diagnostic]) -> MockConfig:
    def bad(code: str, where: str, message: str, hint: str | None = None) -> None:
        problems.append(_diagnostic(code, source, where, message, hint))

    if not isinstance(data, Mapping):
        bad("MOCK003", "", "a mock config must be a JSON object", _HINT)
        return MockConfig({}, {}, source)
    for key in set(data) - {"StateMachines", "MockedResponses"}:
        bad("MOCK003", str(key), f"unknown top-level key '{key}'", _HINT)
    responses: dict[str, MockedResponse] = {}
    raw_responses = data.get("MockedResponses") or {}
    if not isinstance(raw_responses, Mapping):
        bad("MOCK003", "MockedResponses", "MockedResponses must be an object of named responses", _HINT)
        raw_responses = {}
    for response_name, raw in raw_responses.items():
        responses[str(response_name)] = _parse_response(str(response_name), raw, bad)
    test_cases: dict[str, dict[str, dict[str, str]]] = {}
    machines = data.get("StateMachines") or {}
    if not isinstance(machines, Mapping):
        bad("MOCK003", "StateMachines", "StateMachines must be an object keyed by state machine name", _HINT)
        machines = {}
    for machine, body in machines.items():
        where = f"StateMachines.{machine}"
        cases = body.get("TestCases") if isinstance(body, Mapping) else None
        if not isinstance(cases, Mapping):
            bad("MOCK003", where, f"state machine '{machine}' needs a TestCases object", _HINT)
            continue
        test_cases[str(machine)] = {}
        for case, states in cases.items():
            if not isinstance(states, Mapping) or not all(isinstance(v, str) for v in states.values()):
                bad("MOCK003", f"{where}.TestCases.{case}",
                    f"test case '{case}' must map state names to MockedResponse names", _HINT)
                continue
            for state, response in states.items():
                if response not in raw_responses:
                    known = ", ".join(sorted(map(str, raw_responses))) or "none"
                    bad("MOCK006", f"{where}.TestCases.{case}.{state}",
                        f"test case '{case}' uses MockedResponse '{response}' for state '{state}', but "
                        f"MockedResponses has no '{response}'", f"defined responses: {known}")
            test_cases[str(machine)][str(case)] = {str(k): str(v) for k, v in states.items()}
    return MockConfig(test_cases, responses, source, raw=dict(data))


def _parse_response(name: str, raw: Any, bad: Any) -> MockedResponse:
    where = f"MockedResponses.{name}"
    if not isinstance(raw, Mapping) or not raw:
        bad("MOCK003", where, f"MockedResponse '{name}' must be a non-empty object keyed by invocation ('0', '1-2')")
        return MockedResponse(name, ())
    entries: list[MockedEntry] = []
    for key, body in raw.items():
        at = f"{where}.{key}"
        try:
            first, last = parse_range(str(key))
        except ValueError as exc:
            bad("MOCK004", at, f"MockedResponse '{name}': {exc}", "keys are invocation numbers counted from 0")
            continue
        if not isinstance(body, Mapping) or len(set(body) & {"Return", "Throw"}) != 1 or set(body) - {"Return",
                                                                                                     "Throw"}:
            bad("MOCK007", at, f"MockedResponse '{name}' key '{key}' must hold exactly one of Return or Throw")
            continue
        if "Return" in body:
            entries.append(MockedEntry(first, last, result=body["Return"]))
            continue
        throw = body["Throw"]
        if (not isinstance(throw, Mapping) or not isinstance(throw.get("Error"), str)
                or not isinstance(throw.get("Cause", ""), str) or set(throw) - {"Error", "Cause"}):
            bad("MOCK007", f"{at}.Throw", f"MockedResponse '{name}' key '{key}': Throw needs a string Error "
                "and may have a string Cause", 'e.g. {"Throw": {"Error": "Lambda.ServiceException", "Cause": "..."}}')
            continue
        entries.append(MockedEntry(first, last, throw=MockThrow(throw["Error"], throw.get("Cause"))))
    entries.sort(key=lambda e: e.first)
    expected = 0
    for entry in entries:
        if entry.first != expected:
            what = "overlaps the previous key" if entry.first < expected else f"leaves invocation {expected} unanswered"
            bad("MOCK005", where, f"MockedResponse '{name}': the keys must count up from 0 without gaps or overlaps; "
                f"'{entry.first}{'' if entry.first == entry.last else f'-{entry.last}'}' {what}")
            break
        expected = entry.last + 1
    return MockedResponse(name, tuple(entries))


def _diagnostic(code: str, source: str, where: str, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code=code, severity=Severity.ERROR, file=None if source.startswith("<") else source,
                      location=where, message=message, hint=hint)


def _error(code: str, source: str, where: str, message: str, hint: str | None = None) -> DiagnosticError:
    return DiagnosticError([_diagnostic(code, source, where, message, hint)])
