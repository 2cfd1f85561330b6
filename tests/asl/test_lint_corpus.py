"""The linter against real data: validator fixtures with verdicts (statelint/) and AWS samples (asl/).

Every valid fixture must lint without errors and every invalid one must get at least one, except for
the few listed below, each with the reason the fixture's verdict is disputed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.asl.lint import lint, load_asl, parse_asl

# file -> why our verdict differs from the fixture's (keep this list small and reasoned)
STATELINT_EXCEPTIONS: dict[str, str] = {
    "taro-kayo__invalid-issue-127.json": (
        "linters_disagree in substance: MaxConcurrency may be a JSONata expression in JSONata states "
        "(AWS docs; CDK's jsonataMaxConcurrency); taro-kayo's own evaluate_jsonata mode reports 0 problems"),
    "asl-validator__invalid-json-surround-syntax-extra-spaces.json": (
        "'{% \\n10 %}' is a well-formed JSONata expression; asl-validator only refuses it because its regex "
        "'{% .* %}' does not match across a newline"),
    "asl-validator__valid-map-with-item-batcher-jsonata.json": (
        "a JSONPath state inside a machine whose QueryLanguage is JSONata: the Step Functions docs say a "
        "JSONata machine cannot revert to JSONPath states (statemachine-structure: QueryLanguage), so we "
        "report ASL302"),
}
ASL_EXCEPTIONS: dict[str, str] = {
    "shared-fallback-state-jsonata__statemachine.asl.json": (
        "the sample puts \"QueryLanguage\": \"JSONata\" inside States (a string where a state object must be), "
        "so its states run as JSONPath and their Output/Arguments are refused; Step Functions rejects it"),
}


def _records(corpus: Path) -> list[tuple[dict[str, object], dict[str, object]]]:
    index = json.loads((corpus / "statelint" / "INDEX.json").read_text())
    return [(entry, json.loads((corpus / "statelint" / entry["file"]).read_text())) for entry in index]


def test_statelint_fixtures(corpus: Path) -> None:
    records = _records(corpus)
    assert len(records) > 100, "the statelint corpus looks truncated"
    false_errors: list[str] = []
    missed: list[str] = []
    n_valid = n_invalid = raw_false = raw_missed = 0
    for entry, record in records:
        name = str(entry["file"])
        doc = parse_asl(str(record["raw_text"]), file=name, yaml_format=record["format"] == "yaml")
        errors = [d for d in lint(doc) if d.is_error]
        if record["valid"]:
            n_valid += 1
            raw_false += bool(errors)
            if errors and name not in STATELINT_EXCEPTIONS:
                false_errors.append(f"{name}: {errors[0].render()}")
        else:
            n_invalid += 1
            raw_missed += not errors
            if not errors and name not in STATELINT_EXCEPTIONS:
                missed.append(name)
    print(f"\nstatelint corpus: valid files with false errors {raw_false}/{n_valid}, invalid files missed "
          f"{raw_missed}/{n_invalid}; after the {len(STATELINT_EXCEPTIONS)} listed exceptions: "
          f"{len(false_errors)} and {len(missed)}")
    assert not false_errors, "valid fixtures with errors:\n" + "\n".join(false_errors)
    assert not missed, "invalid fixtures without an error:\n" + "\n".join(missed)


def test_statelint_exceptions_still_disagree(corpus: Path) -> None:
    """An exception that no longer disagrees must be removed from the list."""
    by_name = {str(e["file"]): r for e, r in _records(corpus)}
    for name in STATELINT_EXCEPTIONS:
        record = by_name[name]
        has_errors = any(d.is_error for d in lint(parse_asl(str(record["raw_text"]), file=name)))
        assert has_errors == bool(record["valid"]), f"{name} now agrees with its fixture: drop the exception"


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

    missions = sorted((Path(__file__).resolve().parents[2] / "missions").glob("*.yaml"))
    assert missions, "no bundled missions found"
    for path in missions:
        definition = compile_mission(load_mission(path))
        problems = [d.render() for d in lint(definition, file=path.name)]
        assert problems == [], "\n".join(problems)
