"""Service limits: 1 MiB definitions, 256 KiB literal payloads, 80-character names, Map labels."""

from __future__ import annotations

from typing import Any

from workbench.asl.lint import lint


def codes(definition: dict[str, Any]) -> dict[str, str]:
    return {d.code: d.location for d in lint(definition)}


def pass_with_result(size: int) -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Result": {"blob": "x" * size}}}}


def test_small_definition_has_no_limit_findings() -> None:
    assert codes(pass_with_result(10_000)) == {}


def test_payload_near_and_over_256_kib() -> None:
    assert codes(pass_with_result(240 * 1024)) == {"ASL403": "States.P.Result"}
    assert codes(pass_with_result(300 * 1024)) == {"ASL402": "States.P.Result"}


def test_definition_near_and_over_one_mib() -> None:
    states = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}", "Result": "y" * 100_000} for i in range(10)}
    states["P10"] = {"Type": "Succeed"}
    assert codes({"StartAt": "P0", "States": states}) == {"ASL401": ""}
    states = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}", "Result": "y" * 200_000} for i in range(10)}
    states["P10"] = {"Type": "Succeed"}
    diags = lint({"StartAt": "P0", "States": states})
    assert [(d.code, d.is_error) for d in diags] == [("ASL400", True)]
    assert "1 MiB" in diags[0].message


def test_state_name_length() -> None:
    long_name, near_name = "N" * 81, "N" * 75
    assert codes({"StartAt": long_name, "States": {long_name: {"Type": "Succeed"}}}) == {
        "ASL404": f"States.{long_name}"}
    found = lint({"StartAt": near_name, "States": {near_name: {"Type": "Succeed"}}})
    assert [(d.code, d.is_error) for d in found] == [("ASL405", False)]


def test_map_label() -> None:
    proc = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}},
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
    base = {"Type": "Map", "End": True, "ItemProcessor": proc}
    assert codes({"StartAt": "M", "States": {"M": {**base, "Label": "ok_label"}}}) == {}
    assert codes({"StartAt": "M", "States": {"M": {**base, "Label": "has space"}}}) == {"ASL406": "States.M.Label"}
    assert codes({"StartAt": "M", "States": {"M": {**base, "Label": "L" * 41}}}) == {"ASL406": "States.M.Label"}
