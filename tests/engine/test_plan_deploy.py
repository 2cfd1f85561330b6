"""Plans deployed on the embedded engine: idempotent per parameter set, new versions on change, literal values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.asl.plan import prepare_plan
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.plans import deploy_plan
from workbench.engine.errors import DeployError
from workbench.engine.run.mission import run_mission
from workbench.mission.catalog import load_catalog, load_plan
from workbench.mission.template import loads_template

REPO = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(REPO / "missions" / "catalog")
PLANS = REPO / "missions" / "plans"


@pytest.fixture(scope="module")
def target() -> Target:
    return Target.parse("embedded", time_warp=True)


def prepared(name: str, naming: str = "parameters", **parameters: Any) -> Any:
    plan = load_plan(PLANS / f"{name}.plan.json")
    plan.parameters.update(parameters)
    return prepare_plan(plan, CATALOG, naming=naming)  # type: ignore[arg-type]


def test_the_same_parameters_deploy_once(target: Target) -> None:
    first = deploy_plan(prepared("backfill_orders"), target).deployment
    again = deploy_plan(prepared("backfill_orders"), target).deployment
    assert first.created and first.published
    assert (again.state_machine_arn, again.version_arn) == (first.state_machine_arn, first.version_arn)
    assert not (again.created or again.updated or again.published)


def test_a_changed_parameter_gets_its_own_machine_by_default(target: Target) -> None:
    base = deploy_plan(prepared("backfill_orders"), target).deployment
    other = deploy_plan(prepared("backfill_orders", batch_size=6), target).deployment
    assert other.state_machine_arn != base.state_machine_arn and other.created


def test_with_version_naming_a_changed_parameter_publishes_a_new_version(target: Target) -> None:
    one = deploy_plan(prepared("triage_payments", naming="version"), target)
    same = deploy_plan(prepared("triage_payments", naming="version"), target)
    two = deploy_plan(prepared("triage_payments", naming="version", probe_concurrency=12), target)
    arn = one.deployment.state_machine_arn
    assert arn.endswith(":stateMachine:incident_triage-v2_0")
    assert same.deployment.version_arn == one.deployment.version_arn and not same.deployment.published
    assert two.deployment.state_machine_arn == arn and two.deployment.updated and two.deployment.published
    assert int(two.version or 0) == int(one.version or 0) + 1
    described = target.call("describe_state_machine", stateMachineArn=arn)
    assert '"MaxConcurrency": 12' in described["definition"]


def test_start_runs_the_plan_input_to_success(target: Target) -> None:
    done = deploy_plan(prepared("triage_payments"), target, start=True)
    assert done.execution is not None and done.execution.status == "SUCCEEDED"
    assert done.execution.output["alert_id"] == "ALR-88213"  # the plan's input
    assert "payments-api" in done.execution.output["summary"]  # the plan's parameter


def test_a_plan_that_is_not_ready_deploys_nothing(target: Target) -> None:
    not_ready = prepare_plan(load_plan(PLANS / "weekly_digest.plan.json"), CATALOG)
    with pytest.raises(DeployError, match="nothing deployed: no template fits plan kind 'weekly_digest'"):
        deploy_plan(not_ready, target)


@pytest.mark.parametrize("value", ['"} , \\"Type\\": \\"Fail"', '{% $eval("1 + 1") %}', "{% $states.input %}",
                                   "50%} {%", "$.secret"])
@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_a_value_holding_code_reaches_the_run_as_the_same_literal_string(target: Target, value: str,
                                                                          language: str) -> None:
    template = loads_template(f"""\
mission: literal
version: "1"
query_language: {language}
catalog: {{kinds: [probe]}}
parameters: {{note: {{type: string}}}}
steps:
  - {{id: echo, pass: {{note: "{{{{ note }}}}", n: 1}}, end: true}}
""")
    execution = run_mission(template.bind({"note": value}).mission, {"secret": "s3cr3t"}, target=target,
                            progress=False)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"note": value, "n": 1}


def test_an_alias_follows_the_version_a_changed_parameter_publishes(target: Target) -> None:
    one = deploy_plan(prepared("triage_payments", naming="version", probe_timeout="20s"), target, alias="live")
    two = deploy_plan(prepared("triage_payments", naming="version", probe_timeout="25s"), target, alias="live")
    assert one.deployment.alias_arn == two.deployment.alias_arn == f"{one.deployment.state_machine_arn}:live"
    routing = target.call("describe_state_machine_alias", stateMachineAliasArn=two.deployment.alias_arn)
    assert [r["stateMachineVersionArn"] for r in routing["routingConfiguration"]] == [two.deployment.version_arn]
    assert two.deployment.version_arn != one.deployment.version_arn


def test_a_bad_alias_is_refused_before_anything_is_deployed(target: Target) -> None:
    plan = prepared("backfill_orders", batch_size=9)
    with pytest.raises(DeployError, match="Alias 'not ok!' is invalid"):
        deploy_plan(plan, target, alias="not ok!")
    names = [m["name"] for m in target.call("list_state_machines")["stateMachines"]]
    assert plan.state_machine_name not in names
