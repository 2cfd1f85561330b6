"""Reading ASL files: JSON/YAML, positions, duplicate keys, errors naming file/line/column; limits."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.asl.lint import AslDocument, lint, load_asl, parse_asl, parse_location, render_location
from workbench.asl.lint.diagnostics.codes import CODES
from workbench.core.diagnostics import AslError

JSON_TEXT = """{
  "StartAt": "Fetch",
  "States": {
    "Fetch": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Retry": [
        {"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}
      ],
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}
"""

YAML_TEXT = """StartAt: Fetch
States:
  Fetch:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Next: Missing
  Wait:
    Type: Wait
    Timestamp: 2016-03-14T01:59:00Z
    End: true
"""


def test_load_json_positions(tmp_path: Path) -> None:
    path = tmp_path / "m.asl.json"
    path.write_text(JSON_TEXT)
    doc = load_asl(path)
    assert isinstance(doc, AslDocument) and doc.file == str(path) and doc.text == JSON_TEXT
    assert doc.definition["States"]["Done"] == {"Type": "Succeed"}
    line8 = JSON_TEXT.splitlines()[7]
    backoff = (8, line8.index('"BackoffRate"') + 1)
    assert doc.position("States.Fetch.Retry[0].BackoffRate") == backoff
    assert doc.position(("States", "Fetch", "Retry", 0)) == (8, line8.index("{") + 1)
    assert doc.position("States.Fetch.NotThere") == (4, 5)  # falls back to the deepest existing parent
    assert doc.position("") == (1, 1)
    [diag] = lint(doc)
    assert (diag.code, diag.file, (diag.line, diag.column)) == ("ASL202", str(path), backoff)


def test_load_yaml_keeps_positions_and_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "m.asl.yaml"
    path.write_text(YAML_TEXT)
    doc = load_asl(path)
    assert doc.is_yaml and doc.definition["States"]["Wait"]["Timestamp"] == "2016-03-14T01:59:00Z"
    found = {(d.code, d.location, d.line) for d in lint(doc)}
    assert ("ASL105", "States.Fetch.Next", 6) in found
    assert ("ASL107", "States.Wait", 7) in found


def test_yaml_cloudformation_tags_are_placeholders() -> None:
    text = ("StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: !GetAtt Fn.Arn\n"
            "    TimeoutSeconds: !Ref Timeout\n    Parameters: {Name: !Sub '${AWS::StackName}-x'}\n    End: true\n")
    doc = parse_asl(text, file="t.asl.yaml")
    assert doc.definition["States"]["A"]["Resource"] == {"Fn::GetAtt": "Fn.Arn"}
    assert lint(doc) == []


def test_json_parse_error_names_file_line_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "StartAt": "A",\n  "States": {,}\n}')
    with pytest.raises(AslError) as info:
        load_asl(path)
    [diag] = info.value.diagnostics
    assert (diag.code, diag.file, diag.line, diag.column) == ("ASL002", str(path), 3, 14)
    assert str(path) in str(info.value)


def test_yaml_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("StartAt: A\nStates:\n  A: {Type: Pass\n")
    with pytest.raises(AslError) as info:
        load_asl(path)
    assert info.value.diagnostics[0].code == "ASL002" and info.value.diagnostics[0].line is not None


def test_unreadable_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(AslError) as info:
        load_asl(tmp_path / "missing.json")
    assert info.value.diagnostics[0].code == "ASL001"
    binary = tmp_path / "bin.json"
    binary.write_bytes(b'{"a":\n "\xff"}')
    with pytest.raises(AslError) as info:
        load_asl(binary)
    assert (info.value.diagnostics[0].code, info.value.diagnostics[0].line) == ("ASL001", 2)


def test_duplicate_keys_json_and_yaml() -> None:
    text = '{"StartAt": "A",\n "States": {\n  "A": {"Type": "Pass", "End": true},\n  "A": {"Type": "Succeed"}}}'
    dup = [d for d in lint(parse_asl(text, file="d.json")) if d.code == "ASL003"]
    assert [(d.location, d.line, d.column) for d in dup] == [("States.A", 4, 3)]
    nested = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Comment": "x", "Comment": "y"}}}'
    assert [d.location for d in lint(parse_asl(nested)) if d.code == "ASL003"] == ["States.A.Comment"]
    yaml_text = "StartAt: A\nStates:\n  A: {Type: Succeed}\n  A: {Type: Pass, End: true}\n"
    assert [(d.location, d.line) for d in lint(parse_asl(yaml_text, file="d.yaml")) if d.code == "ASL003"] == [
        ("States.A", 4)]


def test_lint_accepts_plain_dicts_and_file_name() -> None:
    definition = json.loads(JSON_TEXT)
    [diag] = lint(definition, file="given.json")
    assert (diag.file, diag.line, diag.location) == ("given.json", None, "States.Fetch.Retry[0].BackoffRate")


def test_every_code_has_a_meaning_and_emitted_codes_are_known() -> None:
    assert all(info.meaning for info in CODES.values())
    assert all(re.fullmatch(r"ASL\d{3}|W-ENGINE\d{3}", code) for code in CODES)


@given(st.lists(st.one_of(st.text(min_size=1, max_size=8), st.integers(0, 99)), max_size=6))
def test_location_round_trip(segments: list[str | int]) -> None:
    loc = ("States", *segments)
    assert parse_location(render_location(loc)) == loc


_FIELDS = ["Type", "Next", "End", "StartAt", "States", "Choices", "Branches", "ItemProcessor", "Retry", "Catch",
           "ErrorEquals", "Parameters", "Arguments", "Output", "Assign", "ResultPath", "Variable", "And",
           "QueryLanguage", "Resource", "TimeoutSeconds", "Seconds", "Items", "Credentials", "x.$", "Default"]
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False),
                     st.sampled_from(["Task", "Pass", "Choice", "Map", "Parallel", "Wait", "Fail", "Succeed",
                                      "JSONata", "$.a", "{% 1 + %}", "States.Format('{}', $.a)", "A", "B",
                                      "States.ALL", "${X}", "arn:aws:states:::lambda:invoke"]))
_JSON = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_FIELDS), inner, max_size=5)), max_leaves=30)


@given(st.dictionaries(st.sampled_from(["A", "B", 1]), st.dictionaries(st.sampled_from(_FIELDS), _JSON,
                                                                      max_size=6), max_size=3),
       st.sampled_from(["A", "B", 5]), st.sampled_from([None, "JSONata", "JSONPath", 3]))
def test_lint_never_crashes_on_odd_documents(states: dict[Any, Any], start: Any, ql: Any) -> None:
    definition: dict[str, Any] = {"StartAt": start, "States": states}
    if ql is not None:
        definition["QueryLanguage"] = ql
    before = copy.deepcopy(definition)
    for diag in lint(definition):
        assert diag.code in CODES and diag.message
    assert definition == before  # lint is pure


def test_every_code_in_the_source_is_in_the_table() -> None:
    source = Path(__file__).resolve().parents[2] / "workbench" / "asl" / "lint"
    used = {m for p in source.rglob("*.py") if p.name != "codes.py"
            for m in re.findall(r'"(ASL\d{3}|W-ENGINE\d{3})"', p.read_text())}
    assert used and used <= set(CODES), sorted(used - set(CODES))
    assert set(CODES) <= used, f"codes never emitted: {sorted(set(CODES) - used)}"
