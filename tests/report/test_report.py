"""Run reports: self-contained, escaped, redacted, deterministic; the report command's exit codes and files."""

from __future__ import annotations

import html as html_lib
import io
import json
import os
import re
import warnings
from pathlib import Path

import pytest

from tests.history.hand_histories import exec_arn, fanout, ten_states
from tests.report.report_histories import (
    API_KEY,
    ATTR,
    BIG,
    BOLD,
    CLOSER,
    FLAG,
    SCRIPT,
    SECRET,
    hostile_doc,
    hostile_history,
    synthetic,
)
from workbench.history import frames, load_history
from workbench.report import Redactor, Report, ReportError, build
from workbench.report.page.html import script_json
from workbench.report.run.command import report_command

JSON_BLOCK = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)
INSPECT_BLOCK = re.compile(r'<script type="application/json" class="wb-inspect-data" id="([^"]+)">(.*?)</script>', re.S)


def _outside_scripts(html: str) -> str:
    """The document without the contents of its <script> elements (what the browser parses as markup)."""
    return re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S)


@pytest.fixture(scope="module")
def hostile() -> Report:
    return build(hostile_history(), target="aws us-east-1")


@pytest.fixture(scope="module")
def many() -> Report:
    return build(synthetic(25), title="Nightly mission")


# ------------------------------------------------------------------------------ self-contained page


def test_report_is_one_self_contained_page_with_every_section(many: Report) -> None:
    html = many.html
    assert html.startswith("<!doctype html>")
    assert html.count("* plotly.js v") == 1  # the library is embedded once, not per figure
    markup = _outside_scripts(html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)  # nothing fetched from a host
    assert "<link rel=\"stylesheet\"" not in markup and "@import" not in markup and "@font-face" not in markup
    policy = html_lib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1])
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy and "'unsafe-inline'" not in \
        policy.split("script-src")[1].split(";")[0]
    assert many.sections == ("summary", "graph", "timeline", "latency", "retries", "failures", "failed-data", "cost")
    figures = JSON_BLOCK.findall(html)
    assert [fid for fid, _ in figures] == ["wb-plotly-config"] + [f"wb-fig-{i}-data" for i in range(1, len(figures))]
    assert html.count('class="wb-figure"') == len(figures) - 1 >= 7
    for _, payload in figures:
        spec = json.loads(payload)
        assert isinstance(spec, dict)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'class="workbench-graph"' in html
    assert "Nightly mission" in html and "25 executions" in html
    assert many.size < 10_000_000


def test_script_json_cannot_close_its_script_element() -> None:
    text = json.dumps({"a": CLOSER, "b": "<!-- x -->", "c": "\u2028"})
    safe = script_json(text)
    assert "<" not in safe and ">" not in safe and "\u2028" not in safe
    assert json.loads(safe) == json.loads(text)


# --------------------------------------------------------------------------------------------- safety


def test_values_from_the_execution_are_escaped_everywhere(hostile: Report) -> None:
    html = hostile.html
    markup = _outside_scripts(html)
    for raw in (SCRIPT, ATTR, FLAG, BOLD, CLOSER):
        assert raw not in markup, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;b&gt;Bold&lt;/b&gt;" in markup  # the state name, shown as text
    assert not re.search(r"<[a-zA-Z][^>]*\son\w+\s*=", markup)  # no element carries an event handler
    inspectors = INSPECT_BLOCK.findall(html)
    assert [fid for fid, _ in inspectors] == ["wb-inspect-1-data"]
    for fid, payload in JSON_BLOCK.findall(html) + inspectors:
        assert "<" not in payload and ">" not in payload, fid
    assert json.loads(inspectors[0][1])["states"][BOLD]["type"] == "Pass"  # the same name, once parsed
    # our data blocks; plotly.js and its bootstrap; the inspector and its start, each once
    assert markup.count("<script") == len(JSON_BLOCK.findall(html)) + len(inspectors) + 4
    assert html.count("globalThis.WorkbenchInspector =") == 1


def test_secret_fields_are_redacted_and_large_values_cut(hostile: Report) -> None:
    html = hostile.html
    assert SECRET not in html and API_KEY not in html
    assert '&quot;password&quot;: &quot;[redacted]&quot;' in html
    assert "&quot;Authorization&quot;: &quot;[redacted]&quot;" in html
    assert "password=[redacted]" in html  # inside the free-text cause
    assert BIG not in html and "[truncated: " in html
    assert hostile.size < 5_500_000


def test_redaction_rules_are_configurable() -> None:
    r = Redactor(keys=("ssn",), max_bytes=64)
    assert json.loads(r.payload('{"ssn": "123-45-6789", "password": "p"}')) == {"ssn": "[redacted]", "password": "p"}
    nested = Redactor().payload(json.dumps({"body": json.dumps({"x-api-key": "k1", "list": [{"token": "t"}]})}))
    assert json.loads(json.loads(nested)["body"]) == {"x-api-key": "[redacted]", "list": [{"token": "[redacted]"}]}
    assert Redactor().text("Authorization: Bearer abcdefghijkl and AKIAABCDEFGHIJKLMNOP") == \
        "Authorization: [redacted] and [redacted]"
    assert Redactor(max_bytes=16).truncate("é" * 20).endswith("[truncated: 40 bytes, first 16 shown]")
    report = build(hostile_history(), secret_keys=("note",), max_payload_bytes=256)
    assert SECRET in report.html  # 'password' is no longer in the list
    assert "&quot;note&quot;: &quot;[redacted]&quot;" in report.html
    assert "[truncated: " in report.html


def test_no_local_paths_or_profile_names(tmp_path: Path) -> None:
    doc = hostile_doc()
    local = os.path.join(os.getcwd(), "missions", "tools", "charge.py")
    for ev in doc["history"]:
        details = ev.get("lambdaFunctionFailedEventDetails")
        if details:
            details["cause"] = f"Traceback: File {local}, line 3"
    path = tmp_path / "secret-folder" / "run.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    html = build([path]).html
    assert str(tmp_path) not in html and "secret-folder" not in html
    assert os.getcwd() not in html and "File ./missions/tools/charge.py" in html
    assert os.getcwd() in build([path], show_paths=True).html


# ------------------------------------------------------------------------------------ reproducibility


def test_same_input_gives_the_same_bytes() -> None:
    first = build(synthetic(6)).html
    assert build(synthetic(6)).html == first
    f = frames(synthetic(6))
    assert build(f).html == build(f).html
    assert "Generated " not in first and "Generated " in build(synthetic(1), stamp=True).html


# ---------------------------------------------------------------------------------------- contents


def test_single_execution_report_shows_its_overlay_timeline_and_cost() -> None:
    report = build(load_history(fanout(), execution_arn=exec_arn("Fan", "run-7")), target="embedded us-east-1")
    html = report.html
    assert 'data-status="succeeded"' in html and "×3" in html  # graph overlay with Map iterations
    assert "run-7: the only execution" in html
    assert "embedded us-east-1" in html and "Run report: run-7" in html
    assert "No failures." in html and "No failed states." in html
    assert "<td>probe</td>" in html and "<td>pull</td>" in html  # tools named by function, also for lambda:invoke


def test_many_executions_report_shows_heat_failures_and_retries(many: Report) -> None:
    html = many.html
    assert "Heat over 25 executions" in html and 'class="badge badge-failures"' in html
    assert "Lambda.TooManyRequestsException" in html
    assert "the slowest execution that did not succeed" in html
    assert "priced like us-east-1" in html  # eu-west-1 is not in the bundled price table: an explicit assumption
    assert "Executions: 25 of" not in html  # all 25 listed


def test_timeline_execution_option_and_unknown_options() -> None:
    runs = [load_history(ten_states(), execution_arn=exec_arn("Ten", "a")),
            load_history(ten_states(2.0), execution_arn=exec_arn("Ten", "b"))]
    assert "a: as requested" in build(runs, timeline_execution="a").html
    with pytest.raises(ReportError, match=r"unknown report option.*colour"):
        build(runs, colour="red")


def test_mission_names_the_report_and_gives_the_graph(tmp_path: Path) -> None:
    mission = Path(__file__).resolve().parents[2] / "missions" / "incident_triage.yaml"
    report = build(synthetic(2), mission=mission)
    assert report.title == "incident_triage: run report" and "compiled from the mission" in report.html
    assert str(mission.parent) not in report.html


def test_notebook_display_is_a_sandboxed_iframe(hostile: Report) -> None:
    shown = hostile._repr_html_()
    assert shown.startswith("<iframe") and 'sandbox="allow-scripts"' in shown
    assert "<script" not in shown  # the whole page sits escaped inside srcdoc
    assert "Report(" in repr(hostile)


# ------------------------------------------------------------------------------- nothing to report


def test_nothing_to_report_raises(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="nothing to report"):
        build([])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="nothing to report"):
        build(tmp_path / "empty")
    with pytest.raises(ReportError, match="cannot build a report from int"):
        build(42)


def test_command_writes_the_file_atomically(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_text(json.dumps(ten_states()))
    out = tmp_path / "out" / "report.html"
    err = io.StringIO()
    assert report_command([str(run)], None, out, err=err, progress=False) == 0
    assert out.read_text().startswith("<!doctype html>") and "wrote " in err.getvalue()
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]  # no temp file left behind


def test_command_without_anything_to_report_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    for sources, code in (([], 1), ([str(tmp_path / "missing.json")], 2)):  # nothing given; an unreadable input
        err = io.StringIO()
        assert report_command(sources, None, out, err=err, progress=False) == code
        assert "error" in err.getvalue() and "error: error" not in err.getvalue() and not out.exists()
    (tmp_path / "none").mkdir()
    err = io.StringIO()
    assert report_command([str(tmp_path / "none")], None, out, err=err, progress=False) == 1
    assert "nothing to report" in err.getvalue() and not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "none"]


def test_command_fetches_executions_by_arn_from_a_target(tmp_path: Path) -> None:
    from workbench.engine.connect.targets import Target
    from workbench.engine.deploy.state_machines import deploy
    from workbench.engine.run.launch import launch

    target = Target.parse("embedded")
    definition = {"StartAt": "Greet", "States": {
        "Greet": {"Type": "Pass", "Next": "Boom"},
        "Boom": {"Type": "Fail", "Error": "Mission.Broken", "Cause": SCRIPT}}}
    deployed = deploy(target, f"report-{os.getpid()}", definition)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = launch(target, deployed, {"password": SECRET}).wait(progress=False)
    out = tmp_path / "by-arn.html"
    err = io.StringIO()
    assert report_command([], None, out, executions=[run.arn], target=target, err=err, progress=False) == 0, \
        err.getvalue()
    html = out.read_text()
    assert "Mission.Broken" in html and SECRET not in html and SCRIPT not in _outside_scripts(html)
    assert 'data-status="failed"' in html  # the definition came from the target: the graph is drawn
    by_machine = tmp_path / "by-machine.html"
    assert report_command([deployed.state_machine_arn], None, by_machine, target=target, err=err,
                          progress=False) == 0
    assert "1 execution" in by_machine.read_text()


def test_payloads_come_from_frames_with_payload_columns_and_version_arns_are_shown() -> None:
    doc = hostile_doc()
    version = "arn:aws:states:us-east-1:123456789012:stateMachine:Hostile:7"
    doc["history"][0]["executionStartedEventDetails"]["stateMachineVersionArn"] = version
    history = load_history(doc, execution_arn=exec_arn("Hostile", "v7"))
    with_payloads = build(frames(history, payloads=True), definition=doc["definition"]).html
    assert "&quot;password&quot;: &quot;[redacted]&quot;" in with_payloads and SECRET not in with_payloads
    without = build(frames(history)).html
    assert "frames built with frames(..., payloads=True)" in without
    assert version in build(history).html
