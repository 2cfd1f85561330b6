"""The parts of a what-if that need no replay: which states an edit changed, exact per-execution prices,
outcome words, and the summary's counts, percentiles and cost deltas (against the cost module's own figures)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from workbench.asl.compiler import compile_mission
from workbench.core.diagnostics import DiagnosticError
from workbench.history.cost import express_cost, load_prices, standard_cost
from workbench.history.whatif import MACHINE, WhatIf, WhatIfRow, WhatIfSummary, changed_states, outcome
from workbench.history.whatif.changes import state_fields
from workbench.history.whatif.costs import express_usd, priced_region, standard_usd
from workbench.history.whatif.inputs import WhatIfError, mission_parts, portable, portable_items
from workbench.mission import Mission, load_mission

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "missions" / "deploy_check.yaml"


def _row(i: int, status: str, replayed: str, kind: str, *, t: tuple[int, int] = (5, 6),
         ms: tuple[float | None, float | None] = (1000.0, 1500.0), invented: int = 0) -> WhatIfRow:
    prices = load_prices()
    return WhatIfRow(i, f"run-{i}", f"arn:aws:states:us-east-1:1:execution:M:run-{i}", status, replayed, kind,
                     t[0], t[1], ms[0], ms[1], standard_usd(t[0], "us-east-1", prices),
                     standard_usd(t[1], "us-east-1", prices), express_usd(ms[0], "us-east-1", prices),
                     express_usd(ms[1], "us-east-1", prices), invented)


def test_a_changed_retry_is_the_one_state_named_with_its_field() -> None:
    mission = load_mission(DEPLOY)
    recorded = compile_mission(mission)
    edited = json.loads(json.dumps(recorded))
    edited["States"]["check_status"].setdefault("Retry", []).insert(
        0, {"ErrorEquals": ["DeployApi.Unavailable"], "IntervalSeconds": 5, "MaxAttempts": 3})
    changes = changed_states(recorded, edited)
    assert [(c.path, c.kind, c.fields) for c in changes] == [("check_status", "changed", ("Retry",))]
    assert changed_states(recorded, recorded) == []
    assert changed_states(None, edited) == []


def test_nested_states_are_keyed_by_graph_paths_and_added_removed_machine_fields_are_named() -> None:
    old = {"StartAt": "P", "TimeoutSeconds": 60, "States": {"P": {"Type": "Parallel", "Next": "Done", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": True}}}]},
        "Done": {"Type": "Succeed"}}}
    new = json.loads(json.dumps(old))
    new["TimeoutSeconds"] = 120
    new["States"]["P"]["Branches"][1]["States"]["B"]["Seconds"] = 5
    new["States"]["P"]["Branches"][0]["States"]["A"]["Next"] = "A2"
    del new["States"]["P"]["Branches"][0]["States"]["A"]["End"]
    new["States"]["P"]["Branches"][0]["States"]["A2"] = {"Type": "Pass", "End": True}
    del new["States"]["Done"]
    new["States"]["P"]["Next"] = "Fin"
    new["States"]["Fin"] = {"Type": "Succeed"}
    described = [c.describe() for c in changed_states(old, new)]
    assert described == [f"{MACHINE}: TimeoutSeconds changed", "P: Next changed", "P/branch[0]/A: End, Next changed",
                         "P/branch[0]/A2: added", "P/branch[1]/B: Seconds changed", "Fin: added", "Done: removed"]
    assert "P/iterator/X" in state_fields({"StartAt": "P", "States": {"P": {"Type": "Map", "End": True,
        "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}}}})


@pytest.mark.parametrize("transitions", [0, 1, 7, 12, 999, 40_001])
def test_standard_price_is_the_cost_modules_to_the_last_digit(transitions: int) -> None:
    exact = standard_usd(transitions, "us-east-1", load_prices())
    assert exact == Decimal(str(standard_cost(transitions)))


@pytest.mark.parametrize("duration", [0.0, 1.0, 99.9, 100.0, 1230.0, 61_234.5, 299_999.0])
def test_express_price_matches_the_cost_module_and_is_exact(duration: float) -> None:
    exact = express_usd(duration, "us-east-1", load_prices())
    assert exact is not None
    assert float(exact) == pytest.approx(express_cost(duration).usd, rel=1e-12)
    assert express_usd(float("nan"), "us-east-1", load_prices()) is None


def test_a_thousand_prices_add_up_exactly_where_floats_drift() -> None:
    table = load_prices()
    one = standard_usd(7, "us-east-1", table)
    assert sum([one] * 1000, Decimal(0)) == one * 1000 == Decimal("0.175")
    assert sum([standard_cost(7)] * 1000) != 0.175  # the float sum is off in its last digits


def test_regions_without_an_express_price_are_priced_like_us_east_1_and_say_so() -> None:
    region, table, assumed = priced_region("arn:aws:states:eu-west-3:1:execution:M:r", load_prices())
    assert (region, assumed) == ("eu-west-3", True)
    assert standard_usd(1000, region, table) == Decimal("0.0297")  # its own Standard price is kept
    assert priced_region("arn:aws:states:us-east-1:1:execution:M:r", load_prices())[2] is False


@pytest.mark.parametrize(("recorded", "replayed", "extra", "word"), [
    ("FAILED", "SUCCEEDED", {}, "recovered"),
    ("TIMED_OUT", "SUCCEEDED", {}, "recovered"),
    ("SUCCEEDED", "FAILED", {}, "newly_failed"),
    ("SUCCEEDED", "SUCCEEDED", {"recorded_output": '{"a": 1}', "replayed_output": {"a": 1}}, "unchanged_ok"),
    ("SUCCEEDED", "SUCCEEDED", {"recorded_output": '{"a": 1}', "replayed_output": '{"a": 2}'}, "changed"),
    ("FAILED", "FAILED", {"recorded_error": "Boom", "replayed_error": "Boom"}, "unchanged_failed"),
    ("FAILED", "FAILED", {"recorded_error": "Boom", "replayed_error": "Other"}, "changed"),
    ("FAILED", "TIMED_OUT", {}, "changed"),
    ("FAILED", "NOT_REPLAYED", {}, "not_replayed"),
])
def test_outcome_words(recorded: str, replayed: str, extra: dict[str, str], word: str) -> None:
    assert outcome(recorded, replayed, **extra) == word


def test_summary_counts_percentiles_and_cost_per_thousand_deltas() -> None:
    rows = [_row(0, "FAILED", "SUCCEEDED", "recovered", t=(4, 7), ms=(1000.0, 9000.0), invented=2),
            _row(1, "SUCCEEDED", "SUCCEEDED", "unchanged_ok", t=(6, 6), ms=(2000.0, 2000.0)),
            _row(2, "SUCCEEDED", "FAILED", "newly_failed", t=(6, 3), ms=(3000.0, 500.0)),
            _row(3, "FAILED", "FAILED", "unchanged_failed", t=(4, 4), ms=(None, None))]
    s = WhatIfSummary.of(rows)
    assert (s.executions, s.recovered, s.newly_failed, s.unchanged, s.changed) == (4, 1, 1, 2, 0)
    assert (s.invented, s.with_invented) == (2, 1)
    assert (s.p50_ms_recorded, s.p50_ms_replayed, s.p50_ms_delta) == (2000.0, 2000.0, 0.0)
    assert s.p95_ms_recorded == pytest.approx(2900.0) and s.p95_ms_replayed == pytest.approx(8300.0)
    # 20 → 20 transitions over 4 executions: $0.025 per 1,000 transitions × 5 per execution × 1,000 executions
    assert s.standard_per_1000_recorded == s.standard_per_1000_replayed == Decimal("0.125")
    assert s.standard_per_1000_delta == 0
    prices = load_prices()
    expected = sum((express_usd(d, "us-east-1", prices) or Decimal(0) for d in (9000.0, 2000.0, 500.0)),
                   Decimal(0)) * 1000 / 3
    assert s.express_per_1000_replayed == expected
    assert Decimal(s.to_dict()["standard_per_1000_delta"]) == 0 and s.to_dict()["recovered"] == 1
    assert "1 recovered, 1 newly failed, 2 unchanged" in str(s)


def test_frame_has_one_row_per_execution_with_float_costs_in_input_order() -> None:
    rows = [_row(0, "FAILED", "SUCCEEDED", "recovered"), _row(1, "SUCCEEDED", "SUCCEEDED", "unchanged_ok")]
    frame = WhatIf(rows=rows, prices=load_prices().citation).frame
    assert frame["execution"].tolist() == ["run-0", "run-1"]
    assert frame["outcome"].tolist() == ["recovered", "unchanged_ok"]
    assert frame["standard_usd_recorded"].tolist() == [float(rows[0].standard_usd_recorded or 0)] * 2
    assert frame["transitions_replayed"].tolist() == [6, 6]
    assert frame.attrs["prices"].startswith("AWS list prices as of")
    assert rows[0].to_dict()["standard_usd_recorded"] == "0.000125"


def test_inputs_are_checked_before_any_replay(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(WhatIfError, match="no such file or folder"):
        portable_items([tmp_path / "missing.json"])
    with pytest.raises(WhatIfError, match="holds no history"):
        portable_items([tmp_path])
    with pytest.raises(WhatIfError, match="needs the edited Mission"):
        mission_parts(None)
    with pytest.raises(WhatIfError, match="no such Mission file"):
        mission_parts(tmp_path / "edited.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("mission: m\nsteps:\n  - id: a\n    tool: nope\n", encoding="utf-8")
    with pytest.raises(DiagnosticError, match=re.escape(f"{broken}:4")):
        mission_parts(broken)
    sent, name, definition = mission_parts(DEPLOY)
    assert isinstance(sent, Mission) and name == "deploy_check" and definition["StartAt"] == "start_deploy"
    folder = corpus / "histories"
    items = portable_items([folder])
    assert len(items) == len([p for p in folder.glob("*.json") if p.name != "INDEX.json"])


def test_the_unrecorded_policies_are_the_replays_and_asl_files_are_definitions(tmp_path: Path) -> None:
    from workbench.history.replay import POLICIES
    from workbench.history.whatif import UNRECORDED

    assert UNRECORDED == POLICIES
    asl = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    yaml_text = "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n"
    for name, text in (("m.asl.json", json.dumps(asl)), ("m.asl.yaml", yaml_text)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert mission_parts(tmp_path / name) == (asl, None, asl)


def test_loaded_histories_travel_to_workers_as_picklable_copies(corpus: Path) -> None:
    import pickle

    from workbench.history import load_history

    history = load_history(corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json")
    with pytest.raises(TypeError):
        pickle.dumps(history)
    copy = pickle.loads(pickle.dumps(portable(history)))
    assert (copy.execution_arn, copy.status, len(copy), copy.definition) == (
        history.execution_arn, history.status, len(history), history.definition)


def test_the_notebook_view_redacts_errors_and_escapes_them() -> None:
    row = WhatIfRow(0, "run-0", "", "FAILED", "FAILED", "unchanged_failed", 3, 3, None, None, None, None, None, None,
                    recorded_error="<b>Auth</b> Authorization: Bearer abcdefghijklmnop1234")
    html = WhatIf(rows=[row])._repr_html_()
    assert "abcdefghijklmnop1234" not in html and "[redacted]" in html and "<b>Auth" not in html
    assert "1 execution: 0 recovered" in html and "run-0" in html
