"""Find and read Mission tests: ``NAME.tests.yaml`` beside ``NAME.yaml``, or ``tests:`` inside the Mission.

Every problem is a :class:`MissionTestError` whose diagnostics name the file and line (as Mission errors
do, through :mod:`workbench.mission.positions`): bad YAML, an unknown field (with the closest valid one),
an unknown tool in ``mocks`` or state in ``states``/``next``/``state``, a duplicate case name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.asl.compiler import compile_mission
from workbench.asl.states import StateRef
from workbench.core.diagnostics import Diagnostic, DiagnosticError
from workbench.core.yaml_load import InputError, read_text
from workbench.history.mission_tests.definition import TESTSTATE_TYPES, JsonObject, states_by_name
from workbench.history.mission_tests.model import Case, Expect, Outcome, RunCase, StateCase, StateExpect, TestFile
from workbench.mission.loader import mission_from_document
from workbench.mission.model import Mission
from workbench.mission.positions import PathKey, PositionedDocument, error, read_document, render_path
from workbench.mission.template import TemplateError, is_template, template_from_document

__all__ = ["TEST_SUFFIXES", "MissionSuite", "MissionTestError", "discover", "is_test_file", "load_suite",
           "load_suites", "tests_file_for"]

TEST_SUFFIXES = (".tests.yaml", ".tests.yml", ".tests.json")
MISSION_SUFFIXES = (".yaml", ".yml", ".json")
_TESTS_KEY = re.compile(r"^tests\s*:", re.MULTILINE)
_MISSION_KEY = re.compile(r"^[\"']?mission[\"']?\s*:", re.MULTILINE)
_FIELDS = sorted({*RunCase.model_fields, *StateCase.model_fields, *Expect.model_fields, *StateExpect.model_fields,
                  *Outcome.model_fields, *TestFile.model_fields})


class MissionTestError(DiagnosticError):
    """A test file (or its Mission) cannot be used; each diagnostic names the file and line."""


@dataclass
class MissionSuite:
    """One Mission and its test cases, ready to run.

    ``source`` is the file that holds the cases (the tests file, or the Mission itself with ``tests:``);
    ``case_lines`` the line each case starts on there.
    """

    mission: Mission
    mission_path: Path
    source: Path
    definition: JsonObject
    cases: list[RunCase | StateCase]
    case_lines: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.mission.name

    def case(self, name: str) -> RunCase | StateCase:
        """The case called ``name`` (``KeyError`` lists the cases)."""
        for case in self.cases:
            if case.name == name:
                return case
        raise KeyError(f"{self.source}: no case '{name}' (cases: {', '.join(c.name for c in self.cases)})")

    def where(self, case: str) -> str:
        """``file:line`` of a case, for messages."""
        line = self.case_lines.get(case)
        return f"{self.source}:{line}" if line else str(self.source)


def is_test_file(path: str | Path) -> bool:
    """Whether a file holds Mission tests by its name (``*.tests.yaml``), so it is never taken for a Mission.

    Example:
        >>> is_test_file("missions/deploy_check.tests.yaml"), is_test_file("missions/deploy_check.yaml")
        (True, False)
    """
    return Path(path).name.lower().endswith(TEST_SUFFIXES)


def tests_file_for(mission_path: str | Path) -> Path | None:
    """The ``NAME.tests.yaml`` (``.yml``, ``.json``) beside a Mission file, when there is one.

    Example:
        >>> tests_file_for("missions/deploy_check.yaml")  # doctest: +SKIP
        PosixPath('missions/deploy_check.tests.yaml')
    """
    path = Path(mission_path)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    for suffix in TEST_SUFFIXES:
        candidate = path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def _mission_for(tests_path: Path, declared: str | None) -> Path:
    if declared:
        return (tests_path.parent / declared).resolve() if not Path(declared).is_absolute() else Path(declared)
    stem = next(tests_path.name[: -len(s)] for s in TEST_SUFFIXES if tests_path.name.lower().endswith(s))
    for suffix in MISSION_SUFFIXES:
        candidate = tests_path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return tests_path.with_name(stem + ".yaml")


def _read(path: Path) -> PositionedDocument:
    return read_document(path, MissionTestError, "MTEST001")


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """The files to load suites from (test files, and Missions with ``tests:``), and Missions without tests.

    A folder contributes its test files, its Missions with ``tests:`` inside and (second list) its
    Missions that have neither; a Mission file given by name must have tests (else exit 2 later).

    Example:
        >>> suites, untested = discover(["missions/"])  # doctest: +SKIP
    """
    sources: list[Path] = []
    untested: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            sources.append(path)
            continue
        for child in sorted(p for p in path.iterdir() if p.is_file()):
            name = child.name.lower()
            if is_test_file(child):
                sources.append(child)
            elif name.endswith(MISSION_SUFFIXES) and ".asl." not in name and tests_file_for(child) is None:
                head = _head(child)
                if _TESTS_KEY.search(head):
                    sources.append(child)
                elif _MISSION_KEY.search(head):
                    untested.append(child)
    unique: dict[Path, Path] = {}
    for source in sources:
        unique.setdefault(source.resolve(), source)
    return list(unique.values()), untested


def _head(path: Path) -> str:
    try:
        return read_text(path)
    except (OSError, InputError):
        return ""


def load_suite(path: str | Path) -> MissionSuite:
    """Read a Mission's tests, from the tests file or from the Mission file (beside it, or ``tests:`` inside).

    Raises :class:`MissionTestError` (file:line diagnostics), or the Mission's own load/compile errors.

    Example:
        >>> suite = load_suite("missions/deploy_check.yaml")
        >>> suite.name, suite.source.name
        ('deploy_check', 'deploy_check.tests.yaml')
    """
    given = Path(path)
    if is_test_file(given):
        doc = _read(given)
        declared = doc.data.get("mission") if isinstance(doc.data, dict) else None
        mission_path = _mission_for(given, declared if isinstance(declared, str) else None)
        if not mission_path.is_file():
            where = ("mission",) if declared else ()
            raise MissionTestError([error(
                "MTEST002", f"the Mission this file tests is not there: {mission_path}", str(given),
                doc.position(where) if where else (1, 1),
                hint="name it NAME.tests.yaml beside NAME.yaml, or set `mission: path/to/mission.yaml`")])
        given_parameters = doc.data.get("parameters") if isinstance(doc.data, dict) else None
        mission = _load_mission(mission_path, given_parameters, doc)
        return _suite(mission, mission_path, doc, ())
    mission_doc = _read(given)
    data = mission_doc.data
    if isinstance(data, dict) and "tests" in data:
        tests = data["tests"]
        rest = {k: v for k, v in data.items() if k != "tests"}
        mission = mission_from_document(PositionedDocument(rest, mission_doc.positions, mission_doc.file))
        inner = PositionedDocument(tests, mission_doc.positions, mission_doc.file)
        return _suite(mission, given, inner, ("tests",))
    beside = tests_file_for(given)
    if beside is None:
        stem = given.name[: -len(given.suffix)] if given.suffix else given.name
        raise MissionTestError([error(
            "MTEST003", f"'{given}' has no tests", str(given), None,
            hint=f"write {given.with_name(stem + '.tests.yaml')} (see docs/mission-tests.md), or add `tests:`")])
    return load_suite(beside)


def load_suites(paths: Iterable[str | Path]) -> tuple[list[MissionSuite], list[Path]]:
    """Every suite under ``paths`` (files or folders) and the Missions found without tests.

    All problems of all files are raised together, as one :class:`MissionTestError`.
    """
    sources, untested = discover(paths)
    suites: list[MissionSuite] = []
    problems: list[Diagnostic] = []
    for source in sources:
        try:
            suites.append(load_suite(source))
        except DiagnosticError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise MissionTestError(problems)
    return suites, untested


def _load_mission(path: Path, parameters: Any, tests: PositionedDocument) -> Mission:  # Any: YAML as written
    """The Mission under test; a template is bound with the tests file's ``parameters:`` (else its defaults)."""
    doc = _read(path)
    if isinstance(doc.data, dict) and "tests" in doc.data:
        raise MissionTestError([error("MTEST005", "this Mission has `tests:` inside and a tests file beside it",
                                      str(path), doc.position(("tests",)),
                                      hint="keep the cases in one place: move them into the tests file")])
    if is_template(doc.data):
        if parameters is not None and not isinstance(parameters, dict):
            raise MissionTestError([error("MTEST006", "`parameters:` is a mapping of parameter name to value",
                                          tests.file, tests.position(("parameters",)))])
        try:
            return template_from_document(doc).bind(parameters, naming="version").mission
        except TemplateError as exc:  # a value given here is wrong: point at it here, not at the template
            raise MissionTestError([_given_here(d, tests) for d in exc.diagnostics]) from None
    if parameters is not None:
        raise MissionTestError([error("MTEST006", f"`parameters:` binds a Mission template, but {path.name} is not "
                                                  "one (it has no `parameters:` block)", tests.file,
                                      tests.position(("parameters",)), hint="remove `parameters:` here")])
    return mission_from_document(doc)


def _given_here(found: Diagnostic, tests: PositionedDocument) -> Diagnostic:
    """A parameter problem (TPL010) moved to the tests file's ``parameters.NAME``, when the value is given there."""
    name = found.message.split("'")[1].split("[")[0] if found.code == "TPL010" and "'" in found.message else None
    given = tests.data.get("parameters") if isinstance(tests.data, dict) else None
    if name is None or not isinstance(given, dict) or name not in given:
        return found
    line, column = tests.position(("parameters", name)) or (None, None)
    return found.model_copy(update={"file": tests.file, "line": line, "column": column})


def _suite(mission: Mission, mission_path: Path, doc: PositionedDocument, base: PathKey) -> MissionSuite:
    file = doc.file or str(mission_path)
    data: Any = doc.data  # Any: YAML as written
    shape: PathKey = ()
    if isinstance(data, list):
        data, shape = {"cases": data}, ("cases",)
    elif not isinstance(data, dict):
        raise MissionTestError([error("MTEST004", "a test file is a list of cases, or a mapping with `cases:`",
                                      file, doc.position(base) or (1, 1),
                                      hint="start with `cases:` and a list of `- name: ...` entries")])
    elif base and "mission" in data:
        raise MissionTestError([error("MTEST004", "`tests:` inside a Mission cannot name another Mission", file,
                                      doc.position((*base, "mission")), hint="remove `mission:` here")])

    def doc_path(loc: tuple[Any, ...]) -> PathKey:  # Any: pydantic's error location parts
        parts = [p for i, p in enumerate(loc) if not (i == 2 and loc[0] == "cases" and p in ("run", "state"))]
        if shape and parts and parts[0] == "cases":
            parts = parts[1:]
        return (*base, *parts)

    try:
        parsed = TestFile.model_validate(data)
    except ValidationError as exc:
        raise MissionTestError([_diagnostic(err, doc, doc_path(tuple(err["loc"]))) for err in exc.errors()]) from None
    definition = compile_mission(mission)
    cases_at: PathKey = (*base, *(() if shape else ("cases",)))
    problems = _check(parsed.cases, mission, definition, doc, cases_at)
    if problems:
        raise MissionTestError(problems)
    lines = {c.name: (doc.position((*cases_at, i)) or (0, 0))[0] for i, c in enumerate(parsed.cases)}
    return MissionSuite(mission, mission_path, Path(file), definition, list(parsed.cases), lines)


def _diagnostic(err: Any, doc: PositionedDocument, path: PathKey) -> Diagnostic:  # Any: a pydantic error dict
    kind, message = str(err["type"]), str(err["msg"])
    hint = None
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        close = difflib.get_close_matches(key, _FIELDS, n=1, cutoff=0.6)
        message, hint = f"unknown field '{key}'", (f"did you mean '{close[0]}'?" if close else None)
    elif kind == "missing":
        message = f"missing required field '{path[-1]}'" if path else message
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif kind == "string_pattern_mismatch" and path and path[-1] == "name":
        message = f"case name {err.get('input')!r} has characters a test name cannot have"
        hint = "use letters, digits, '_', '.' and '-' (it names the test in pytest and JUnit)"
    elif not isinstance(err.get("input"), dict | list):
        message = f"{message} (got {err.get('input')!r})"
    field = str(path[-1]) if path else ""
    if field and kind not in ("extra_forbidden", "missing") and not message.startswith(field):
        message = f"{field}: {message}"
    return error("MTEST100", message, doc.file, doc.position(path), location=render_path(path), hint=hint)


def _unknown(code: str, what: str, name: str, known: Iterable[str], doc: PositionedDocument,
             path: PathKey) -> Diagnostic:
    options = sorted(known)
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(options) or 'none'}"
    return error(code, f"no {what} '{name}'", doc.file, doc.position(path), location=render_path(path), hint=hint)


def _check(cases: list[Case], mission: Mission, definition: JsonObject, doc: PositionedDocument,
           at: PathKey) -> list[Diagnostic]:
    """What the model cannot know: case names, tools, states and TestState's limits."""
    states = states_by_name(definition)
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for i, case in enumerate(cases):
        here = (*at, i)
        if case.name in seen:
            out.append(error("MTEST010", f"two cases are called '{case.name}'", doc.file,
                             doc.position((*here, "name")), location=render_path((*here, "name")),
                             hint="give each case its own name (it names the test in pytest and JUnit)"))
        seen.add(case.name)
        if isinstance(case, RunCase):
            for tool, outcomes in case.mocks.items():
                if tool not in mission.tools:
                    out.append(_unknown("MTEST011", "tool", tool, mission.tools, doc, (*here, "mocks", tool)))
                for j, outcome in enumerate(outcomes):
                    listed: PathKey = (*here, "mocks", tool, j, "error")
                    single: PathKey = (*here, "mocks", tool, "error")
                    out.extend(_reserved(outcome.error, doc, listed if listed in doc.positions else single))
            for key in ("states", "states_set"):
                for j, name in enumerate(getattr(case.expect, key) or []):
                    if name not in states:
                        out.append(_unknown("MTEST012", "state", name, states, doc, (*here, "expect", key, j)))
        else:
            out.extend(_check_state_case(case, states, doc, here))
    return out


def _reserved(error_name: str | None, doc: PositionedDocument, path: PathKey) -> list[Diagnostic]:
    """A tool cannot fail with a ``States.`` error (Step Functions refuses such custom error names)."""
    if error_name is None or not error_name.startswith("States."):
        return []
    return [error("MTEST017", f"a tool cannot fail with '{error_name}': names starting with 'States.' are Step "
                  "Functions' own", doc.file, doc.position(path), location=render_path(path),
                  hint="for a timeout give the outcome a `latency:` longer than the Task's timeout (run cases); "
                       "else use the tool's own error name")]


def _check_state_case(case: StateCase, states: dict[str, StateRef], doc: PositionedDocument,
                      here: PathKey) -> list[Diagnostic]:
    ref = states.get(case.state)
    if ref is None:
        return [_unknown("MTEST013", "state", case.state, states, doc, (*here, "state"))]
    out: list[Diagnostic] = []
    if ref.type not in TESTSTATE_TYPES:
        out.append(error("MTEST014", f"state '{case.state}' is a {ref.type}; a state case runs Task, Pass, Wait, "
                         "Choice, Succeed and Fail states (as AWS's TestState does)", doc.file,
                         doc.position((*here, "state")), hint="test it with a run case (input, mocks, expect)"))
    if case.mock is not None and ref.type != "Task":
        out.append(error("MTEST015", f"state '{case.state}' is a {ref.type}: only a Task's call can be mocked",
                         doc.file, doc.position((*here, "mock")), hint="remove `mock:`"))
    if case.mock is not None and case.mock.latency:
        out.append(error("MTEST016", "a state case answers at once: `latency` has no effect here", doc.file,
                         doc.position((*here, "mock", "latency")),
                         hint="remove it; test timeouts with a run case, or mock `error: States.Timeout`"))
    if case.mock is not None:
        out.extend(_reserved(case.mock.error, doc, (*here, "mock", "error")))
    if case.expect.next is not None and case.expect.next not in states:
        out.append(_unknown("MTEST012", "state", case.expect.next, states, doc, (*here, "expect", "next")))
    return out
