"""Imported real-world state machines run locally, unedited: placeholders bound to local tools.

Each sample below is an AWS sample definition from the corpus whose ``${...}`` placeholders name Lambda
functions. Binding them with ``local_tools`` substitutes a local Lambda ARN and serves a Python function
under that name on the embedded engine; the Mission goes through import → YAML → load → run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.asl.importer import import_asl
from workbench.cli import app
from workbench.engine.run.mission import run_mission
from workbench.mission import loads_mission
from workbench.widgets import MissionComposer

OK = "missions.tools.generic:ok"
SAMPLES = {
    "call-http-api__statemachine.asl.json": ["CallToAPIFunctionName"],
    "explicit-failure-with-parallel-states__statemachine.asl.json": ["getQuickFailFunctionArn",
                                                                     "getSuccessFunctionArn"],
    "retry-with-exponential-backoff-sam__statemachine.asl.json": ["generateRandomResponsesLambda"],
    "selective-checkpointing__statemachineChild.asl.json": ["UpdateDatabaseLambdaFunction"],
    "background-cropper__img-cropper-sfn.asl.json": ["CropImgArn", "DetectLabelsArn"],
}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_imported_sample_runs_to_completion(corpus: Path, sample: str) -> None:
    definition = json.loads((corpus / "asl" / sample).read_text())
    mission = loads_mission(import_asl(definition, name="imported").to_yaml())  # through the YAML a user edits
    run = run_mission(mission, {}, time_warp=True, progress=False, timeout=60,
                      local_tools={name: OK for name in SAMPLES[sample]})
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    resources = json.dumps(run.history(), default=str)
    assert "${" not in resources  # every placeholder was substituted before deploy
    assert any(f"function:{name}" in resources for name in SAMPLES[sample])


def test_cli_runs_an_asl_file_with_a_tool_bound_to_its_placeholder(corpus: Path) -> None:
    sample = corpus / "asl" / "retry-with-exponential-backoff-sam__statemachine.asl.json"
    result = CliRunner().invoke(app, ["run", str(sample), "--time-warp", "--json", "--input", "{}",
                                      "--tool", f"generateRandomResponsesLambda={OK}"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "SUCCEEDED"


def test_an_unbound_placeholder_is_named_before_anything_runs(corpus: Path) -> None:
    sample = corpus / "asl" / "call-http-api__statemachine.asl.json"
    result = CliRunner().invoke(app, ["run", str(sample), "--time-warp", "--input", "{}"])
    assert result.exit_code != 0
    assert "CallToAPIFunctionName" in result.stderr


def test_an_imported_definition_opens_in_the_composer_and_draws(corpus: Path) -> None:
    path = corpus / "asl" / "explicit-failure-with-parallel-states__statemachine.asl.json"
    composer = MissionComposer(path)
    assert composer.mission is not None
    assert composer.definition == json.loads(path.read_text())  # the round trip is lossless
    assert composer.preview.graph.value.startswith("<svg") and "data-state" in composer.preview.graph.value
