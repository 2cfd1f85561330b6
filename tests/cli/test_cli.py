"""The ``workbench`` command's contracts: exit codes, JSON shapes, files written atomically.

Commands run in-process through typer's runner, except ``engine serve``, which is a real separate
process on 127.0.0.1 that a second target then uses (the same boto3 path as AWS).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_compile_prints_asl_and_writes_with_o(tmp_path: Path) -> None:
    code, out, _ = invoke("compile", str(REPO / "missions/incident_triage.yaml"))
    assert code == 0 and json.loads(out)["StartAt"] == "fetch_alert"
    target = tmp_path / "out" / "triage.asl.json"
    code, out, _err = invoke("compile", str(REPO / "missions/incident_triage.yaml"), "-o", str(target))
    assert code == 0 and out == "" and json.loads(target.read_text())["QueryLanguage"] == "JSONata"


def test_compile_of_a_bad_mission_exits_1_with_diagnostics_on_stderr(tmp_path: Path) -> None:
    bad = write(tmp_path, "m.yaml", "mission: m\nsteps:\n  - {id: a, pass: 1, then: nowhere}\n")
    code, out, err = invoke("compile", str(bad))
    assert code == 1 and out == ""
    assert f"{bad}:3:" in err and "nowhere" in err and "step 'a'" in err


@pytest.mark.parametrize(
    ("text", "code", "needle"),
    [
        ("mission: m\nsteps:\n  - id: a\n    pass: {x: 1\n", 2, "MIS001"),  # YAML syntax error
        ("mission: m\nsteps:\n  - {id: a, pass: 1, retyr: []}\n", 1, "did you mean 'retry'"),  # unknown key
        ("mission: m\nsteps:\n  - {id: a, wait: 5x}\n", 1, "invalid duration"),
        ("mission: m\nsteps:\n  - {id: a, pass: 1}\n  - {id: a, pass: 2}\n", 1, "MIS201"),  # duplicate id
        ("mission: m\nsteps:\n  - {id: a, tool: nope}\n", 1, "unknown tool 'nope'"),
        ("mission: m\nsteps:\n  - {id: a, choose: [{when: '{% $x = %}', goto: b}], otherwise: b}\n"
         "  - {id: b, succeed: true}\n", 1, "JSONata"),
    ],
)
def test_validate_exit_codes_and_json(tmp_path: Path, text: str, code: int, needle: str) -> None:
    path = write(tmp_path, "m.yaml", text)
    got, out, err = invoke("validate", str(path))
    assert got == code, err
    assert needle in err
    got, out, _ = invoke("validate", str(path), "--format", "json")
    assert got == code
    diagnostics = json.loads(out)
    assert diagnostics and all({"code", "severity", "message", "file", "line", "location"} <= d.keys()
                               for d in diagnostics)
    assert all(d["file"] == str(path) and isinstance(d["line"], int) for d in diagnostics)


def test_validate_all_examples_is_clean() -> None:
    code, _out, err = invoke("validate", *[str(p) for p in sorted((REPO / "missions").glob("*.yaml"))
                                           if not p.name.endswith(".tests.yaml")])
    assert code == 0, err


def test_lint_dangling_next_names_file_line_and_state(tmp_path: Path) -> None:
    asl = write(tmp_path, "sm.asl.json",
                '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Next": "B"}\n  }\n}\n')
    code, out, err = invoke("lint", str(asl), "--format", "json")
    assert code == 1
    (problem,) = [d for d in json.loads(out) if d["location"] == "States.A.Next"]
    assert problem["line"] == 4 and problem["location"] == "States.A.Next" and "B" in problem["message"]
    code, _, err = invoke("lint", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err


def test_schema_is_json_schema() -> None:
    code, out, _ = invoke("schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "Mission" and "steps" in schema["properties"]


def test_import_then_compile_round_trips(tmp_path: Path, corpus: Path) -> None:
    source = corpus / "asl" / "data-processing__sam__statemachine__statemachine.asl.json"
    mission = tmp_path / "imported.yaml"
    assert invoke("import", str(source), "-o", str(mission))[0] == 0
    code, out, err = invoke("compile", str(mission))
    assert code == 0, err
    assert json.loads(out) == json.loads(source.read_text())
    assert invoke("import", str(tmp_path / "nope.json"))[0] == 2


def test_run_json_contract_and_exit_codes() -> None:
    code, out, err = invoke("run", str(REPO / "missions/change_window.yaml"), "--json", "--time-warp")
    assert code == 0, err
    result = json.loads(out)
    assert {"executionArn", "status", "output", "error", "cause", "startDate", "stopDate", "events", "history"} <= set(
        result)
    assert result["status"] == "SUCCEEDED" and result["events"] == len(result["history"]) > 2
    code, _, err = invoke("run", str(REPO / "missions/change_window.yaml"), "--input", "{not json")
    assert code == 2 and "not valid JSON" in err
    code, out, _ = invoke("run", str(REPO / "missions/change_window.yaml"), "--json", "--time-warp",
                          "--input", '{"freeze": true, "window_opens_in_seconds": 1}')
    assert code == 1 and json.loads(out)["status"] == "FAILED"


def test_analyze_json_has_the_documented_rows(corpus: Path) -> None:
    history = corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json"
    code, out, err = invoke("analyze", str(history), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [e["status"] for e in data["executions"]] == ["SUCCEEDED"]
    task = next(s for s in data["states"] if s["state"] == "InvokeLambdaWithRetry")
    assert task["type"] == "Task" and task["attempts"] == 4 and task["retries"] == 3
    assert task["duration_ms"] is None  # the corpus has placeholder timestamps
    code, out, _ = invoke("analyze", str(history), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("execution,state,type")


def test_analyze_bad_input_is_an_error_not_a_number(tmp_path: Path) -> None:
    bad = write(tmp_path, "x.json", '{"x": 1}')
    code, _, err = invoke("analyze", str(bad))
    assert code == 2 and "not an execution history" in err
    truncated = write(tmp_path, "t.json", '{"events": [{"id": 1, "type": "ExecutionStarted"')
    code, _, err = invoke("analyze", str(truncated))
    assert code == 2 and "truncated" in err


def test_report_writes_a_file_or_nothing(tmp_path: Path, corpus: Path) -> None:
    out_file = tmp_path / "r" / "report.html"
    history = corpus / "histories" / "test_base_scenarios__test_lambda_invoke_with_retry_base.json"
    code, _, err = invoke("report", str(history), "-o", str(out_file))
    assert code == 0, err
    assert out_file.read_text().lower().startswith("<!doctype html>")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = invoke("report", str(empty), "-o", str(tmp_path / "none.html"))
    assert code == 1 and not (tmp_path / "none.html").exists() and "nothing to report" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A real ``workbench engine serve`` process; yields its URL and the environment its --env-file sets."""
    from workbench.engine.connect.endpoint_env import read_env_file

    port = _free_port()
    env_file = tmp_path_factory.mktemp("engine") / "engine.env"
    exe = shutil.which("workbench", path=str(Path(sys.executable).parent)) or "workbench"
    proc = subprocess.Popen([exe, "engine", "serve", "--port", str(port), "--time-warp", "--allow-remote-tools",
                             "--env-file", str(env_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None
    seen = ""
    for line in proc.stdout:  # the export lines come once the engine listens and the env file is written
        seen += line
        if line.startswith("export AWS_ENDPOINT_URL_SFN="):
            break
    else:
        pytest.fail(f"engine serve did not start: {seen}")
    yield f"http://127.0.0.1:{port}", read_env_file(env_file)
    proc.terminate()
    proc.wait(timeout=20)


def test_run_on_a_served_engine_then_fetch_and_analyze(served_engine: tuple[str, dict[str, str]],
                                                        tmp_path: Path) -> None:
    url, env = served_engine
    result = runner.invoke(app, ["run", str(REPO / "missions/incident_triage.yaml"), "--target", url,
                                 "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    arn = json.loads(result.stdout)["executionArn"]
    cache = tmp_path / "cache"
    result = runner.invoke(app, ["history", "fetch", "--execution", arn, "--target", url,
                                 "-o", str(cache)], env=env)
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["analyze", arn, "--cache", str(cache), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    states = json.loads(result.stdout)["states"]
    assert {s["state"] for s in states} >= {"fetch_alert", "gather_evidence", "summarize"}
    assert all(s["duration_ms"] is not None for s in states)


def test_demo_validates_compiles_runs_with_a_retry_and_writes_a_report(tmp_path: Path) -> None:
    report = tmp_path / "demo.html"
    code, out, err = invoke("demo", "--report", str(report))
    assert code == 0, err
    assert '"StartAt": "fetch_alert"' in out  # the compiled Mission is printed
    assert "status: SUCCEEDED" in out
    retried = out.split("retries fired in:")[1].splitlines()[0]
    assert retried.strip() not in ("", "none")  # the injected fault was retried
    assert report.stat().st_size > 100_000 and "incident_triage" in report.read_text()


def test_graph_draws_a_mission_or_an_asl_file(tmp_path: Path, corpus: Path) -> None:
    svg = tmp_path / "triage.svg"
    code, _, err = invoke("graph", str(REPO / "missions/incident_triage.yaml"), "-o", str(svg))
    assert code == 0, err
    assert svg.read_text().startswith("<svg") and 'data-state="fetch_alert"' in svg.read_text()
    page = tmp_path / "sample.html"
    sample = corpus / "asl" / "data-processing__sam__statemachine__statemachine.asl.json"
    assert invoke("graph", str(sample), "-o", str(page))[0] == 0
    assert "<svg" in page.read_text()
    bad = write(tmp_path, "bad.yaml", "mission: m\nsteps:\n  - {id: a, tool: nope}\n")
    assert invoke("graph", str(bad), "-o", str(tmp_path / "no.svg"))[0] == 1
    assert not (tmp_path / "no.svg").exists()
