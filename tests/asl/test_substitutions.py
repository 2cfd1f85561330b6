"""Deployment placeholders: finding ``${Name}`` and filling it in, purely, with strict errors that name the place."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from workbench.asl.substitutions import find_placeholders, parse_substitutions, substitute
from workbench.mission import AslError

DEFINITION = {
    "Comment": "uses ${Env}",
    "StartAt": "Call",
    "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "${FetchArn}", "Payload.$": "$"}, "Next": "Put"},
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "${Table}", "Item": {"id": {"S.$": "$.id"}},
                               "Region": "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/x"},
                "End": True},
    },
}


def test_find_placeholders() -> None:
    assert find_placeholders(DEFINITION) == {"Env", "FetchArn", "Table", "AWS::Region", "AWS::AccountId"}
    assert find_placeholders({"a": ["$.x", "{% $states.input %}", "$${notone", 3, None]}) == set()


def test_substitute_is_pure_and_replaces_every_use() -> None:
    before = copy.deepcopy(DEFINITION)
    out = substitute(DEFINITION, {"FetchArn": "arn:aws:lambda:eu-west-1:1:function:fetch", "Table": "t",
                                  "AWS::Region": "eu-west-1"})
    assert before == DEFINITION
    call = out["States"]["Call"]["Parameters"]
    assert call["FunctionName"] == "arn:aws:lambda:eu-west-1:1:function:fetch"
    assert out["States"]["Put"]["Parameters"]["Region"] == "arn:aws:dynamodb:eu-west-1:${AWS::AccountId}:table/x"
    assert find_placeholders(out) == {"Env", "AWS::AccountId"}  # unknown ones stay, when not strict


def test_strict_substitution_names_unknown_placeholders_and_where() -> None:
    with pytest.raises(AslError) as info:
        substitute(DEFINITION, {"FetchArn": "f", "Table": "t"}, strict=True)
    found = {(d.code, d.message.split("$")[-1], d.location) for d in info.value.diagnostics}
    assert found == {("SUB001", "{AWS::AccountId}", "States.Put.Parameters.Region"),
                     ("SUB001", "{AWS::Region}", "States.Put.Parameters.Region"),
                     ("SUB001", "{Env}", "Comment")}
    assert "--sub Env=VALUE" in str(info.value)


def test_parse_substitutions() -> None:
    assert parse_substitutions(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(AslError, match="NAME=value"):
        parse_substitutions(["nothing"])


def test_corpus_placeholders_match_the_index(corpus: Path) -> None:
    """INDEX.json says which samples have placeholders; find_placeholders must agree with it."""
    index = json.loads((corpus / "asl" / "INDEX.json").read_text(encoding="utf-8"))
    disagreements = []
    for entry in index:
        definition = json.loads((corpus / "asl" / entry["file"]).read_text(encoding="utf-8"))
        names = find_placeholders(definition)
        if bool(names) != entry["has_placeholders"]:
            disagreements.append(entry["file"])
        assert not find_placeholders(substitute(definition, {n: "v" for n in names}, strict=True))
    # INDEX.json marks this one, but its text has no "${": the template's placeholders were outside it
    assert disagreements == ["scatter-gather__out.StateMachine2E01A3A5.asl.json"]
