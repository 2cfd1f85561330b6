"""Graph rules: StartAt, transitions, reachability, terminals, End/Next, nesting scopes, duplicate names."""

from __future__ import annotations

import json
from typing import Any

from workbench.asl.lint import lint, parse_asl


def found(definition: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d.code, d.location) for d in lint(definition)}


def errors(definition: dict[str, Any]) -> list[str]:
    return [d.code for d in lint(definition) if d.is_error]


def machine(**states: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def test_minimal_valid_machine_is_clean() -> None:
    assert lint(machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Succeed"})) == []


def test_dangling_next_has_code_location_and_line() -> None:
    text = json.dumps(machine(Fetch={"Type": "Pass", "Next": "Nowhere"}, Done={"Type": "Succeed"}), indent=2)
    doc = parse_asl(text, file="m.asl.json")
    diag = next(d for d in lint(doc) if d.code == "ASL105")
    assert diag.location == "States.Fetch.Next"
    assert diag.file == "m.asl.json"
    line_of_next = next(i for i, line in enumerate(text.splitlines(), 1) if '"Next": "Nowhere"' in line)
    assert diag.line == line_of_next
    assert diag.column == text.splitlines()[line_of_next - 1].index('"Next"') + 1
    assert "Nowhere" in diag.message
    assert diag.render().startswith(f"m.asl.json:{line_of_next}:")


def test_dangling_targets_of_every_kind() -> None:
    got = found(machine(
        C={"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "X1"}], "Default": "X2"},
        T={"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
           "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X3"}]},
    ))
    assert {("ASL105", "States.C.Choices[0].Next"), ("ASL105", "States.C.Default"),
            ("ASL105", "States.T.Catch[0].Next")} <= got


def test_spelling_suggestion_for_dangling_target() -> None:
    diag = next(d for d in lint(machine(A={"Type": "Pass", "Next": "Fetchh"}, Fetch={"Type": "Succeed"}))
                if d.code == "ASL105")
    assert "did you mean 'Fetch'" in diag.message


def test_start_at_missing_or_unknown() -> None:
    assert ("ASL101", "") in found({"States": {"A": {"Type": "Succeed"}}})
    assert ("ASL102", "StartAt") in found({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}})
    assert ("ASL100", "") in found([1, 2])  # type: ignore[arg-type]


def test_unreachable_state() -> None:
    got = found(machine(A={"Type": "Succeed"}, Orphan={"Type": "Pass", "End": True}))
    assert ("ASL107", "States.Orphan") in got


def test_no_terminal_state_and_trapped_loop() -> None:
    loop = machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Pass", "Next": "A"})
    assert ("ASL108", "States") in found(loop)
    trapped = machine(
        C={"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Done"}],
           "Default": "L1"},
        L1={"Type": "Wait", "Seconds": 5, "Next": "L2"},
        L2={"Type": "Pass", "Next": "L1"},
        Done={"Type": "Succeed"},
    )
    diags = [d for d in lint(trapped) if d.code == "ASL109"]
    assert len(diags) == 1 and not diags[0].is_error and "'L1', 'L2'" in diags[0].message


def test_end_and_next() -> None:
    got = found(machine(A={"Type": "Pass", "End": True, "Next": "B"}, B={"Type": "Pass"}))
    assert ("ASL110", "States.A") in got and ("ASL110", "States.B") in got
    assert ("ASL201", "States.A.End") in found(machine(A={"Type": "Pass", "End": "yes"}))


def test_choice_cannot_end_and_needs_choices() -> None:
    got = found(machine(C={"Type": "Choice", "End": True, "Choices": []}))
    assert ("ASL200", "States.C.End") in got
    assert ("ASL113", "States.C.Choices") in got
    assert ("ASL113", "States.C") in found(machine(C={"Type": "Choice", "Default": "C"}))


def test_unknown_and_missing_type() -> None:
    got = found(machine(A={"Type": "Tsk", "End": True}, B={"End": True}))
    assert ("ASL112", "States.A.Type") in got and ("ASL112", "States.B") in got
    assert "did you mean 'Task'" in next(d.message for d in lint(machine(A={"Type": "Tsk"})) if d.code == "ASL112")


def test_unknown_top_level_field_and_bad_states() -> None:
    assert ("ASL103", "Startat") in found({"StartAt": "A", "Startat": "A", "States": {"A": {"Type": "Succeed"}}})
    assert ("ASL104", "States") in found({"StartAt": "A", "States": {}})
    assert ("ASL104", "States.A") in found({"StartAt": "A", "States": {"A": "Succeed"}})


def test_nested_graphs_have_nested_locations_and_their_own_scope() -> None:
    definition = machine(
        Gather={"Type": "Parallel", "Next": "PerHost", "Branches": [
            {"StartAt": "Pull", "States": {"Pull": {"Type": "Pass", "Next": "PerHost"}}}]},
        PerHost={"Type": "Map", "End": True, "ItemProcessor": {
            "StartAt": "Probe", "States": {"Probe": {"Type": "Pass", "Next": "Missing"}}}},
    )
    got = found(definition)
    assert ("ASL106", "States.Gather.Branches[0].States.Pull.Next") in got  # leaves its branch
    assert ("ASL105", "States.PerHost.ItemProcessor.States.Probe.Next") in got
    assert ("ASL108", "States.Gather.Branches[0].States") in got


def test_state_names_are_global() -> None:
    definition = machine(
        M={"Type": "Map", "Next": "Final", "ItemProcessor": {
            "StartAt": "Final", "States": {"Final": {"Type": "Succeed"}}}},
        Final={"Type": "Succeed"},
    )
    assert ("ASL111", "States.M.ItemProcessor.States.Final") in found(definition)


def test_long_chains_and_deep_nesting_do_not_recurse() -> None:
    n = 20_000
    chain = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n)}
    chain[f"S{n}"] = {"Type": "Succeed"}
    assert lint({"StartAt": "S0", "States": chain}) == []
    inner: dict[str, Any] = {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Succeed"}}}
    for depth in range(1500):  # deeper than Python's default recursion limit
        inner = {"StartAt": f"P{depth}", "States": {f"P{depth}": {"Type": "Parallel", "End": True,
                                                                   "Branches": [inner]}}}
    diags = lint(inner)
    assert [d.code for d in diags if d.is_error] == []
