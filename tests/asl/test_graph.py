"""The state-machine graph of real-world and hand-written ASL definitions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.asl.choice_text import rule_text, strip_jsonata
from workbench.asl.graph import END, MISSING, START, Graph, graph_of
from workbench.core.diagnostics import AslError


def corpus_definitions(corpus: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every drawable definition: all asl/ samples, valid statelint records, all histories."""
    for path in sorted((corpus / "asl").glob("*.json")):
        if path.name != "INDEX.json":
            yield f"asl/{path.name}", json.loads(path.read_text())
    for path in sorted((corpus / "statelint").glob("*.json")):
        if path.name == "INDEX.json":
            continue
        record = json.loads(path.read_text())
        if record.get("valid") is True and isinstance(record.get("definition"), dict):
            yield f"statelint/{path.name}", record["definition"]
    for path in sorted((corpus / "histories").glob("*.json")):
        if path.name == "INDEX.json":
            continue
        record = json.loads(path.read_text())
        if isinstance(record.get("definition"), dict):
            yield f"histories/{path.name}", record["definition"]


def expected_levels(definition: dict[str, Any]) -> dict[str, set[str]]:
    """Container id ('' for the top) → ids of its states, computed straight from the JSON."""
    levels: dict[str, set[str]] = {}
    todo: list[tuple[str, Any]] = [("", definition)]
    while todo:
        gid, body = todo.pop()
        prefix = f"{gid}/" if gid else ""
        level = levels.setdefault(gid, set())
        for name, state in body["States"].items():
            if not isinstance(state, dict):
                continue
            level.add(prefix + name)
            for i, branch in enumerate(state.get("Branches") or []):
                todo.append((f"{prefix}{name}/branch[{i}]", branch))
            processor = state.get("ItemProcessor", state.get("Iterator"))
            if state.get("Type") == "Map" and isinstance(processor, dict):
                todo.append((f"{prefix}{name}/iterator", processor))
    return levels


def expected_edges(definition: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(source, target-name, kind) for every transition written in the top level."""
    out: set[tuple[str, str, str]] = set()
    for name, state in definition["States"].items():
        if not isinstance(state, dict):
            continue
        for rule in state.get("Choices") or []:
            if "Next" in rule:
                out.add((name, rule["Next"], "choice"))
        if "Default" in state:
            out.add((name, state["Default"], "default"))
        if "Next" in state and state.get("Type") != "Choice":
            out.add((name, state["Next"], "next"))
        for catcher in state.get("Catch") or []:
            out.add((name, catcher["Next"], "catch"))
        if state.get("End") is True or state.get("Type") in ("Succeed", "Fail"):
            out.add((name, "@end", "end"))
    return out


def test_every_corpus_definition_gives_the_states_and_transitions_it_declares(corpus: Path) -> None:
    seen = 0
    for name, definition in corpus_definitions(corpus):
        graph = graph_of(definition)
        levels = {g.id: {n.id for n in g.nodes if n.is_state} for g in graph.graphs()}
        assert levels == expected_levels(definition), name
        got = {(e.source, graph.node(e.target).label if e.kind != "end" else "@end", e.kind)
               for e in graph.edges if e.kind != "start"}
        assert got == expected_edges(definition), name
        assert [e.target for e in graph.edges if e.kind == "start"] == [definition["StartAt"]], name
        seen += 1
    assert seen > 300  # 147 samples + valid statelint records + histories


def test_nested_paths_and_containers() -> None:
    graph = graph_of({"StartAt": "Gather", "States": {
        "Gather": {"Type": "Parallel", "Next": "Fan", "Branches": [
            {"StartAt": "Pull", "States": {"Pull": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True}}},
            {"StartAt": "Pull", "States": {"Pull": {"Type": "Pass", "End": True}}}]},
        "Fan": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "Each", "States": {"Each": {"Type": "Succeed"}}}},
    }})
    gather = graph.containers["Gather"]
    assert [c.id for c in gather] == ["Gather/branch[0]", "Gather/branch[1]"]
    assert [c.kind for c in gather] == ["branch", "branch"]
    first = gather[0].graph
    assert [n.id for n in first.nodes] == ["Gather/branch[0]/@start", "Gather/branch[0]/Pull", "Gather/branch[0]/@end"]
    assert first.node("Gather/branch[0]/Pull").scope == "Gather/branch[0]"
    assert first.node("Gather/branch[0]/Pull").detail == "lambda:invoke"
    (fan,) = graph.containers["Fan"]
    assert (fan.id, fan.kind, fan.title) == ("Fan/iterator", "iterator", "Item processor (distributed)")
    assert graph.find("Fan/iterator/Each") is not None
    assert sorted(n.id for n in graph.states()) == [
        "Fan", "Fan/iterator/Each", "Gather", "Gather/branch[0]/Pull", "Gather/branch[1]/Pull"]
    assert (graph.nodes[0].type, graph.nodes[-1].type) == (START, END)


def test_choice_rule_labels_jsonpath_and_jsonata() -> None:
    graph = graph_of({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "D", "Choices": [
            {"Variable": "$.x", "StringEquals": "a", "Next": "D"},
            {"Variable": "$.n", "NumericGreaterThan": 3, "Next": "D"},
            {"Variable": "$.n", "NumericLessThanEqualsPath": "$.max", "Next": "D"},
            {"And": [{"Variable": "$.ok", "BooleanEquals": True}, {"Not": {"Variable": "$.y", "IsPresent": True}}],
             "Next": "D"},
            {"Or": [{"Variable": "$.s", "StringMatches": "log-*"}, {"Variable": "$.z", "IsNull": False}], "Next": "D"},
            {"Condition": "{% $states.input.count > 10 %}", "Next": "D"},
        ]},
        "D": {"Type": "Succeed"}}})
    labels = [e.label for e in graph.edges if e.source == "C"]
    assert labels == [
        '$.x == "a"', "$.n > 3", "$.n <= $.max", "And($.ok == true, Not($.y is present))",
        'Or($.s matches "log-*", $.z is not null)', "$states.input.count > 10", "default"]
    assert rule_text({"Variable": "$.t", "TimestampGreaterThanEquals": "2024-01-01T00:00:00Z"}) == (
        '$.t >= "2024-01-01T00:00:00Z"')
    assert rule_text({"Variable": "$.v", "IsNumeric": False}) == "$.v is not numeric"
    assert rule_text("nonsense") == "?"
    assert strip_jsonata("  {%  $a  %} ") == "$a"


def test_catch_edges_carry_error_names_and_missing_targets_become_nodes() -> None:
    graph = graph_of({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "Next": "Nowhere",
              "Catch": [{"ErrorEquals": ["States.Timeout", "Custom.Err"], "Next": "Oops"}]},
        "Oops": {"Type": "Fail", "Error": "Boom"}}})
    catch = [e for e in graph.edges if e.kind == "catch"]
    assert [(e.source, e.target, e.label) for e in catch] == [("T", "Oops", "States.Timeout, Custom.Err")]
    missing = [n for n in graph.nodes if n.type == MISSING]
    assert [n.label for n in missing] == ["Nowhere"]
    assert any(e.target == missing[0].id and e.kind == "next" for e in graph.edges)
    assert graph.node("T").detail == "lambda Work"
    assert graph.node("Oops").detail == "Boom"


def test_reachability_and_adjacency() -> None:
    graph = graph_of({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "r", "Next": "B", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}]},
        "B": {"Type": "Pass", "End": True},
        "H": {"Type": "Fail"},
        "Orphan": {"Type": "Pass", "End": True}}})
    reach = graph.reachable()
    assert "Orphan" not in reach
    assert {"A", "B", "H", graph.end} <= set(reach)
    assert "H" not in graph.reachable(include_catch=False)
    assert graph.adjacency()["A"] == ["B", "H"]
    assert graph.adjacency(include_catch=False)["A"] == ["B"]


def _chain(n: int) -> dict[str, Any]:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n - 1)}
    states[f"S{n - 1}"] = {"Type": "Succeed"}
    return {"StartAt": "S0", "States": states}


def test_long_chains_and_deep_nesting_need_no_recursion_per_state() -> None:
    graph = graph_of(_chain(5000))  # far past Python's recursion limit if we recursed per state
    assert len(graph.reachable()) == 5000 + 2
    nested: dict[str, Any] = _chain(2)
    for depth in range(30):
        nested = {"StartAt": f"P{depth}", "States": {f"P{depth}": {"Type": "Parallel", "End": True,
                                                                     "Branches": [nested]}}}
    deep = graph_of(nested)
    assert max(len(g.id.split("/")) for g in deep.graphs()) == 60


@pytest.mark.parametrize(("definition", "where"), [
    ([1, 2], ""),
    ({"StartAt": "A", "States": ["A"]}, "States"),
    ({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": ["x"]}}},
     "States.P.Branches[0]"),
])
def test_undrawable_shapes_raise_asl_error_naming_the_place(definition: Any, where: str) -> None:
    with pytest.raises(AslError) as info:
        graph_of(definition)
    diag = info.value.diagnostics[0]
    assert diag.location == where
    assert diag.hint


def test_small_defects_are_warnings_not_errors() -> None:
    graph = graph_of({"StartAt": "A", "States": {"QueryLanguage": "JSONata", "A": {"Type": "Pass", "End": True},
                                                 "P": {"Type": "Parallel", "End": True, "Branches": {}}}})
    assert [w.location for w in graph.warnings] == ["States.QueryLanguage", "States.P.Branches"]
    assert isinstance(graph, Graph) and graph.find("A") is not None
