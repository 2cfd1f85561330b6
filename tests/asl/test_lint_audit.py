"""Rules audited against the States Language spec, asl-validator's JSONata checks and AWS's own behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.asl.lint import lint

BAD = "{% 10 + * 2 %}"
_PROCESSOR = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
              "States": {"P": {"Type": "Pass", "End": True}}}


def _codes(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d.code, d.location) for d in lint(definition) if d.is_error]


def test_every_jsonata_string_of_a_distributed_map_is_parsed() -> None:
    """asl-validator parses every ``{% %}`` string of a JSONata state; reader and writer settings too."""
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": _PROCESSOR, "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "b", "Key": "k"},
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": BAD}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "b"},
                         "WriterConfig": {"OutputType": BAD, "Transformation": "NONE"}}}}}
    assert _codes(definition) == [("ASL320", "States.M.ItemReader.ReaderConfig.CSVHeaders"),
                                  ("ASL320", "States.M.ResultWriter.WriterConfig.OutputType")]


def test_the_legacy_iterator_may_say_how_it_runs() -> None:
    """AWS runs an Iterator with a ProcessorConfig (recorded: test_map_state_legacy_config_distributed)."""
    definition: dict[str, Any] = {"StartAt": "M", "States": {"M": {"Type": "Map", "Iterator": _PROCESSOR,
                                                                   "End": True}}}
    assert _codes(definition) == []
    definition["States"]["M"]["Iterator"] = {**_PROCESSOR, "ProcessorConfig": {"Mode": "SIDEWAYS"}}
    assert _codes(definition) == [("ASL205", "States.M.Iterator.ProcessorConfig.Mode")]


@pytest.mark.parametrize("assign", [
    {"x.$": "States.MathAdd($counter, 1)"}, {"x.$": "$$.Execution.Id"}, {"x.$": "$items[0]"},
    {"x": 1, "list": [1, {"nested-key.$": "$.a"}], "naïve": "text"},
])
def test_valid_jsonpath_assignments_pass(assign: dict[str, Any]) -> None:
    assert _codes({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": assign, "End": True}}}) == []


def test_inner_scopes_read_outer_variables_and_siblings_reuse_names() -> None:
    """Variable scope as AWS runs it: each Parallel branch (and Map iteration) assigns in a scope of its own,
    so sibling branches may assign the same names, and they read the variables of the enclosing scope
    (recorded: test_assign_base__test_base_parallel_cases__BASE_SCOPE_PARALLEL)."""
    inner = {"Type": "Pass", "Assign": {"innerX.$": "$x", "value.$": "$"}, "End": True}
    branch: dict[str, Any] = {"StartAt": "B", "States": {"B": inner}}
    definition = {"StartAt": "S0", "States": {
        "S0": {"Type": "Pass", "Assign": {"x": 42}, "Next": "S1"},
        "S1": {"Type": "Parallel", "End": True, "Assign": {"x.$": "$[0]"},
               "Branches": [branch, {"StartAt": "C", "States": {"C": {**branch["States"]["B"]}}}]}}}
    assert _codes(definition) == []


@pytest.mark.parametrize(("name", "why"), [("top-level", "contain only"), ("states", "reserved"), ("1st", "start")])
def test_invalid_variable_names_are_errors(name: str, why: str) -> None:
    [error] = [d for d in lint({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {name: 1}, "End": True}}})
               if d.is_error]
    assert error.code == "ASL215" and why in error.message


def test_wait_alternatives_are_named_like_the_other_pairs() -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}}}
    [error] = [d for d in lint(definition) if d.is_error]
    assert 'may have only one of ["Seconds", "SecondsPath"]' in error.message
