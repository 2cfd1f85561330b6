"""ASL004: numbers the local engine cannot read are flagged, and the engine really refuses each one."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.asl.moto_support import moto_parse
from workbench.asl.lint import lint, parse_asl


def _machine(percentage_text: str, result_text: str = "1") -> str:
    return ('{"StartAt": "Fan", "States": {\n'
            '  "Fan": {"Type": "Map", "Next": "Keep",\n'
            '          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},\n'
            '                            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},\n'
            f'          "ToleratedFailurePercentage": {percentage_text}}},\n'
            f'  "Keep": {{"Type": "Pass", "Result": {{"n": {result_text}, "s": "1e-06"}}, "End": true}}}}}}')


def _asl004(text: str) -> list[Any]:
    return [d for d in lint(parse_asl(text, file="m.json")) if d.code == "ASL004"]


@pytest.mark.parametrize(("percentage", "result"), [("1e-06", "1"), ("5.0", "2.5E-07"), ("5", "1")])
def test_what_the_engine_refuses_is_flagged_and_the_suggestion_parses(percentage: str, result: str) -> None:
    text = _machine(percentage, result)
    with pytest.raises(Exception):  # noqa: B017 - moto raises its own parser exceptions
        moto_parse(text)
    [diag] = _asl004(text)
    assert not diag.is_error and diag.line is not None
    suggestion = re.search(r"write (?:it as )?(\S+)", diag.message).group(1)  # type: ignore[union-attr]
    fixed = text.replace(f": {percentage}}}", f": {suggestion}}}") if percentage != "5.0" else \
        text.replace(f'"n": {result}', f'"n": {suggestion}')
    assert _asl004(fixed) == []
    moto_parse(fixed)


def test_the_diagnostic_points_at_the_number() -> None:
    text = _machine("1e-06")
    [diag] = _asl004(text)
    assert (diag.line, diag.column) == (5, 41)
    assert text.splitlines()[4][40:45] == "1e-06"
    assert "0.000001" in diag.message


def test_plain_forms_strings_and_expressions_are_not_flagged() -> None:
    for percentage in ("0.000001", "1e-6", "12.5", '"{% 5 %}"'):
        assert _asl004(_machine(percentage)) == []


def test_an_integer_percentage_is_flagged_in_plain_dicts_too() -> None:
    definition = json.loads(_machine("100"))
    [diag] = [d for d in lint(definition) if d.code == "ASL004"]
    assert diag.location == "States.Fan.ToleratedFailurePercentage" and "100.0" in diag.message


def test_many_padded_numbers_are_listed_once_each_up_to_a_cap() -> None:
    numbers = ", ".join(["1e-07"] * 30)
    text = _machine("5.0", f"[{numbers}]")
    found = _asl004(text)
    assert len(found) == 20 and "10 more" in found[-1].message
