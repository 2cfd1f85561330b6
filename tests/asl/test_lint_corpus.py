"""The linter against real data: validator fixtures with expectations (statelint/), AWS samples (asl/) and
the definitions of executions recorded on AWS (histories/).

Every validator fixture gets exactly the errors listed in ``lint_fixtures.EXPECTED_ERRORS`` (code and
message fragment, in order; none for the others), and that count and those messages must agree with what
each fixture's own test suite expects (``expectations`` in the record), except the few ``DISPUTED`` ones,
each with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.asl.lint_fixtures import DISPUTED, EXPECTED_ERRORS, FRAGMENTS
from tests.conftest import CORPUS
from workbench.asl.lint import lint, load_asl, parse_asl, parse_location
from workbench.core.diagnostics import Diagnostic

ASL_EXCEPTIONS: dict[str, str] = {
    "shared-fallback-state-jsonata__statemachine.asl.json": (
        "the sample puts \"QueryLanguage\": \"JSONata\" inside States (a string where a state object must be), "
        "so its states run as JSONPath and their Output/Arguments are refused; Step Functions rejects it"),
}
_INDEX = CORPUS / "statelint" / "INDEX.json"
FIXTURES = sorted(entry["file"] for entry in json.loads(_INDEX.read_text())) if _INDEX.is_file() else []
# A taro-kayo problem names where it is: "... at State Machine.States.p.Catch[0]" / "State Machine.States.m is ..."
_TARO_WHERE = re.compile(r'State Machine\.(.*?)(?=\s(?:is|may|should)\s|"|$)')


def _record(name: str) -> dict[str, Any]:
    return dict(json.loads((CORPUS / "statelint" / name).read_text()))


def _errors(name: str, record: dict[str, Any]) -> list[Diagnostic]:
    doc = parse_asl(str(record["raw_text"]), file=name, yaml_format=record["format"] == "yaml")
    return [d for d in lint(doc) if d.is_error]


def _applies(name: str, expectation: dict[str, Any]) -> bool:
    """Expectations for our default behaviour: not disputed, and no validator option we do not have."""
    config = expectation.get("config") or {}
    if set(config) - {"cli_flag", "evaluate_jsonata"}:
        return False  # asl-validator run with checkPaths/checkArn switched off
    disputed = DISPUTED.get(name)
    return not (disputed and disputed[0] == expectation["repo"] and "evaluate_jsonata" not in config)


def _within(inner: tuple[Any, ...], outer: tuple[Any, ...]) -> bool:
    """``inner``'s segments appear in ``outer`` in order (taro-kayo leaves out Parameters & co.)."""
    rest = iter(outer)
    return all(any(segment == other for other in rest) for segment in inner)


@pytest.mark.parametrize("name", FIXTURES)
def test_statelint_fixture(name: str) -> None:
    record = _record(name)
    errors = _errors(name, record)
    want = EXPECTED_ERRORS.get(name, ())
    assert [d.code for d in errors] == [code for code, _ in want], "\n".join(d.render() for d in errors)
    for diagnostic, (code, fragment) in zip(errors, want, strict=True):
        assert fragment in diagnostic.message, f"{code}: {fragment!r} not in {diagnostic.message!r}"
    for expectation in filter(lambda e: _applies(name, e), record["expectations"]):
        repo, count = expectation["repo"], len(errors)
        if expectation.get("problem_count") is not None:
            assert count == expectation["problem_count"], f"{repo} expects {expectation['problem_count']}"
        assert count >= (expectation.get("min_problem_count") or 0), f"{repo} expects at least one problem"
        for check in expectation.get("problem_substrings") or []:
            fragment = FRAGMENTS.get(check["includes"], check["includes"])
            assert fragment in errors[check["index"]].message, f"{repo}: {check['includes']!r}"
        for problem in expectation.get("problems") or []:
            where = parse_location(_TARO_WHERE.search(problem).group(1))  # type: ignore[union-attr]
            assert any(_within(where, parse_location(d.location)) for d in errors), f"{repo}: {problem}"


def test_statelint_corpus_is_whole_and_every_listed_fixture_exists() -> None:
    assert len(FIXTURES) == 157
    assert set(EXPECTED_ERRORS) | set(DISPUTED) <= set(FIXTURES)
    verdicts = {name: bool(_record(name)["valid"]) for name in FIXTURES}
    assert all(not verdicts[name] or name in DISPUTED for name in EXPECTED_ERRORS), "a valid fixture with errors"
    assert all(verdicts[name] or name in EXPECTED_ERRORS or name in DISPUTED for name in FIXTURES)


def _agrees(count: int, expectation: dict[str, Any]) -> bool:
    if expectation.get("problem_count") is not None:
        return bool(count == expectation["problem_count"])
    return count >= (expectation.get("min_problem_count") or 0)


def test_disputed_fixtures_still_disagree() -> None:
    """A dispute that no longer holds (we now give what that suite expects) must be removed."""
    for name, (repo, _) in DISPUTED.items():
        record = _record(name)
        count = len(_errors(name, record))
        wanted = [e for e in record["expectations"] if e["repo"] == repo and not e.get("config")]
        assert wanted, f"{name}: {repo} has no expectation to dispute"
        assert not any(_agrees(count, e) for e in wanted), f"{name} now agrees with {repo}: drop the dispute"


_TBD = re.compile(r"^_+(tbd|tbc|TBD)_+$|^%[A-Z_]+%$")


def _runnable(definition: Any) -> Any:
    """A recorded definition with the recorder's stand-ins filled in, as the test that ran it did."""
    if isinstance(definition, list):
        return [_runnable(item) for item in definition]
    if not isinstance(definition, dict):
        return definition
    out = {key: _runnable(value) for key, value in definition.items()}
    if isinstance(out.get("Resource"), str) and _TBD.match(out["Resource"]):
        out["Resource"] = "arn:aws:lambda:us-east-1:123456789012:function:recorded"
    if out.get("Variable") == "%CONTEXT_OBJECT_LITERAL_PLACEHOLDER%":
        out["Variable"] = "$$.Execution.Input.input-value"
    return out


def test_definitions_that_ran_on_aws_have_no_errors(corpus: Path) -> None:
    """Every recorded history ran on AWS, so its definition is valid: no lint error may say otherwise."""
    bad = []
    for path in sorted((corpus / "histories").glob("test_*.json")):
        definition = json.loads(path.read_text())["definition"]
        if definition is not None:
            bad += [f"{path.name}: {d.render()}" for d in lint(_runnable(definition)) if d.is_error]
    assert not bad, "\n".join(bad)


def test_aws_samples_have_no_errors(corpus: Path) -> None:
    files = sorted(p for p in (corpus / "asl").glob("*.json") if p.name != "INDEX.json")
    assert len(files) > 100, "the asl corpus looks truncated"
    bad = []
    raw = 0
    for path in files:
        errors = [d for d in lint(load_asl(path)) if d.is_error]
        raw += bool(errors)
        if errors and path.name not in ASL_EXCEPTIONS:
            bad.append("\n".join(d.render() for d in errors[:3]))
    print(f"\nAWS samples: files with errors {raw}/{len(files)}; after the {len(ASL_EXCEPTIONS)} listed "
          f"exceptions: {len(bad)}")
    assert not bad, "AWS samples with errors:\n" + "\n\n".join(bad)


@pytest.mark.parametrize("name", sorted(ASL_EXCEPTIONS))
def test_aws_sample_exceptions_still_fail(corpus: Path, name: str) -> None:
    assert any(d.is_error for d in lint(load_asl(corpus / "asl" / name))), f"{name}: drop the exception"


def test_our_compiled_missions_lint_clean() -> None:
    """Whatever the compiler emits for the bundled Missions must pass the linter untouched."""
    from workbench.asl import compile_mission
    from workbench.mission import load_mission

    missions = sorted(p for p in (Path(__file__).resolve().parents[2] / "missions").glob("*.yaml")
                      if not p.name.endswith(".tests.yaml"))  # NAME.tests.yaml: Mission tests, not Missions
    assert missions, "no bundled missions found"
    for path in missions:
        definition = compile_mission(load_mission(path))
        problems = [d.render() for d in lint(definition, file=path.name)]
        assert problems == [], "\n".join(problems)
