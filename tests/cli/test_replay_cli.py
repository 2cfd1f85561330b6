"""``workbench replay``: the table, the JSON, the exit codes (0 reproduced or --mission, 1 diverged, 2 bad input)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.engine.run.mission import run_mission

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "missions" / "deploy_check.yaml"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["replay", *args])
    return result.exit_code, result.stdout, result.stderr


def record(folder: Path, name: str, mission: Any, inputs: Any = None) -> Path:
    run = run_mission(mission, inputs, time_warp=True, progress=False)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"executionArn": run.arn, "definition": run.definition, "events": run.history()},
                               default=str))
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recorded")
    runs = {"a": record(folder, "a", DEPLOY), "b": record(folder, "b", DEPLOY, {"service": "x", "version": "v1"})}
    secret = folder.parent / "secret.yaml"
    secret.write_text("mission: secret_pass\nsteps:\n  - {id: echo, pass: '{% $states.input %}'}\n")
    runs["secret"] = record(folder.parent, "secret", secret, {"user": "ann", "password": "hunter2"})
    doc = json.loads(runs["a"].read_text())
    for event in doc["events"]:  # the first status check answered SUCCEEDED: the rest no longer follows
        details = event.get("taskSucceededEventDetails")
        if details and '"healthy_targets"' in details["output"]:
            output = json.loads(details["output"])
            output["Payload"]["status"] = "SUCCEEDED"
            details["output"] = json.dumps(output)
            break
    runs["tampered"] = folder.parent / "tampered.json"
    runs["tampered"].write_text(json.dumps(doc))
    runs["folder"] = folder
    return runs


def test_reproduced_replays_exit_0_with_a_table(recorded: dict[str, Path]) -> None:
    code, out, err = invoke(str(recorded["folder"]))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["execution", "recorded", "replayed", "path", "output", "error", "invented"]
    assert [line.split()[1:5] for line in lines[1:3]] == [["SUCCEEDED", "SUCCEEDED", "same", "same"]] * 2
    assert lines[-1] == ("2 replayed against the recorded definitions (--unrecorded repeat): 2 reproduced status "
                         "and path, 0 recovered, 0 newly failed; 0 outcome(s) invented")


def test_a_diverging_unchanged_replay_exits_1_and_says_why(recorded: dict[str, Path]) -> None:
    code, out, _ = invoke(str(recorded["tampered"]))
    assert code == 1
    assert "    - State path differs at the top level at entry 5: recorded wait_for_rollout, replayed deployed" in out
    assert "recorded call(s) were not made by the replay" in out


def test_with_a_mission_the_replay_answers_a_what_if_and_exits_0(recorded: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    edited = tmp_path / "edited.yaml"
    edited.write_text(DEPLOY.read_text().replace("goto: deployed", "goto: double_check").replace(
        "  - id: deployed\n",
        "  - id: double_check\n    tool: check_deploy\n"
        "    args: '{% {\"deploy\": $deploy, \"attempt\": $attempt} %}'\n\n  - id: deployed\n"))
    code, out, _ = invoke(str(recorded["a"]), "--mission", str(edited), "--unrecorded", "fail")
    assert code == 0
    assert "invented: double_check (visit 1, attempt 1): fail → Replay.Unrecorded" in out
    code, out, _ = invoke(str(recorded["a"]), "--mission", str(edited), "--json")
    data = json.loads(out)
    assert code == 0 and data["summary"]["invented"] == 1 and data["summary"]["unrecorded"] == "repeat"
    (result,) = data["replays"]
    assert (result["replayed_status"], result["invented"], result["edited"]) == ("SUCCEEDED", 1, True)
    assert result["invented_calls"][0]["state"] == "double_check"


def test_json_output_is_redacted(recorded: dict[str, Path]) -> None:
    code, out, _ = invoke(str(recorded["secret"]), "--json")
    assert code == 0 and "hunter2" not in out
    (result,) = json.loads(out)["replays"]
    assert result["replayed_output"] == {"user": "ann", "password": "[redacted]"} and result["reproduced"]


@pytest.mark.parametrize(("args", "needle"), [
    (["nope.json"], "nope.json: no such file"),
    (["--execution", "not-an-arn"], "--execution 'not-an-arn' is not an execution ARN"),
    (["--unrecorded", "sometimes", "x.json"], "sometimes"),
    ([], "give history files, folders of them, or --execution ARN"),
])
def test_unusable_options_exit_2_in_one_line(args: list[str], needle: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1


def test_unusable_files_exit_2_naming_them(recorded: dict[str, Path], tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"events": json.loads(recorded["a"].read_text())["events"]}))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("<html>not a history</html>")
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, needle in (([str(bare)], f"{bare}: the history holds no definition"),
                         ([str(garbage)], str(garbage)), ([str(empty)], f"{empty}: no history files"),
                         ([str(recorded["a"]), "--mission", str(tmp_path / "m.yaml")], "no such Mission file")):
        code, out, err = invoke(*args)
        assert code == 2 and out == "", args
        assert needle in err and len(err.strip().splitlines()) == 1, err


def test_execution_arns_are_fetched_with_their_distributed_map_children(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """--execution reads through the history cache from an endpoint (here the embedded engine's own), and
    brings the executions its Distributed Map started, so their calls are served too."""
    from workbench.engine.embedded import shared_engine

    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    env_file = tmp_path / "engine.env"
    env_file.write_text(shared_engine(time_warp=True).env_lines() + "\n")
    run = run_mission(REPO / "missions" / "data_backfill.yaml", time_warp=True, progress=False)
    code, out, err = invoke("--execution", run.arn, "--target", "endpoint", "--env-file", str(env_file), "--json")
    assert code == 0, err
    (result,) = json.loads(out)["replays"]
    assert (result["recorded_arn"], result["reproduced"], result["invented"]) == (run.arn, True, 0)
    assert result["output_match"] and result["served"] > 2  # the children's calls, beside the parent's two
    assert any((tmp_path / "cache").rglob("*.json"))  # fetched through the cache
