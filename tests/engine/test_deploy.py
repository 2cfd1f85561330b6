"""Deploy: idempotence (counted in versions), updates, aliases, substitutions and clear refusals."""

from __future__ import annotations

import copy
import json

import pytest

from tests.engine.run_support import PASS_WAIT_CHOICE, aws_env, moto_server_url, unique
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.state_machines import (
    canonical_json,
    definition_hash,
    deploy,
    find_placeholders,
    list_versions,
    prepare_definition,
    substitute,
)
from workbench.engine.errors import DeployError, InvalidDefinitionError

ROLE = "arn:aws:iam::123456789012:role/workbench-tests"


@pytest.fixture(scope="module")
def target() -> Target:
    return Target.parse("embedded")


def test_hash_ignores_key_order_and_spacing() -> None:
    a = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    b = {"States": {"A": {"Type": "Succeed"}}, "StartAt": "A"}
    assert canonical_json(a) == canonical_json(b)
    assert definition_hash(a) == definition_hash(b)
    assert definition_hash(a) != definition_hash({**a, "Comment": "x"})


def test_redeploy_of_same_definition_creates_nothing(target: Target) -> None:
    name = unique("idem")
    first = deploy(target, name, PASS_WAIT_CHOICE)
    assert (first.created, first.updated, first.published) == (True, False, True)
    assert list_versions(target, first.state_machine_arn) == [first.version_arn]

    # Same content, different key order and a fresh copy: still the same definition.
    again = deploy(target, name, dict(reversed(list(copy.deepcopy(PASS_WAIT_CHOICE).items()))))
    assert (again.created, again.updated, again.published) == (False, False, False)
    assert again.version_arn == first.version_arn
    assert again.definition_hash == first.definition_hash
    assert len(list_versions(target, first.state_machine_arn)) == 1

    changed = copy.deepcopy(PASS_WAIT_CHOICE)
    changed["States"]["Pause"]["Seconds"] = 1
    update = deploy(target, name, changed)
    assert (update.created, update.updated, update.published) == (False, True, True)
    assert update.definition_hash != first.definition_hash
    versions = list_versions(target, first.state_machine_arn)
    assert versions == [update.version_arn, first.version_arn]
    described = target.call("describe_state_machine", stateMachineArn=str(update.version_arn))
    assert described["description"] == f"workbench sha256:{update.definition_hash}"
    assert deploy(target, name, changed).version_arn == update.version_arn
    assert len(list_versions(target, first.state_machine_arn)) == 2


def test_alias_follows_the_deployed_version(target: Target) -> None:
    name = unique("alias")
    first = deploy(target, name, PASS_WAIT_CHOICE, alias="live")
    assert first.alias_arn == f"{first.state_machine_arn}:live"
    routing = target.call("describe_state_machine_alias", stateMachineAliasArn=first.alias_arn)
    assert routing["routingConfiguration"] == [{"stateMachineVersionArn": first.version_arn, "weight": 100}]
    changed = {**PASS_WAIT_CHOICE, "Comment": "v2"}
    second = deploy(target, name, changed, alias="live")
    routing = target.call("describe_state_machine_alias", stateMachineAliasArn=str(second.alias_arn))
    assert routing["routingConfiguration"][0]["stateMachineVersionArn"] == second.version_arn != first.version_arn
    aliases = target.call("list_state_machine_aliases", stateMachineArn=first.state_machine_arn)
    assert len(aliases["stateMachineAliases"]) == 1
    assert any("version or alias" in note for note in second.notes)  # moto cannot start an alias ARN


def test_role_change_is_an_update(target: Target) -> None:
    name = unique("role")
    deploy(target, name, PASS_WAIT_CHOICE)
    moved = deploy(target, name, PASS_WAIT_CHOICE, role_arn="arn:aws:iam::123456789012:role/other")
    assert moved.updated
    assert target.call("describe_state_machine", stateMachineArn=moved.state_machine_arn)["roleArn"].endswith("other")


def test_substitutions_fill_placeholders(target: Target) -> None:
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Pass", "Result": {"fn": "${FetchArn}", "env": "${Stage}-x"}, "End": True}},
    }
    assert find_placeholders(definition) == {"FetchArn", "Stage"}
    filled = substitute(definition, {"FetchArn": "arn:aws:lambda:us-east-1:1:function:fetch", "Stage": "prod"})
    assert filled["States"]["Call"]["Result"] == {"fn": "arn:aws:lambda:us-east-1:1:function:fetch", "env": "prod-x"}
    assert definition["States"]["Call"]["Result"]["fn"] == "${FetchArn}"  # the input is not modified
    deployment = deploy(target, unique("subs"), definition, substitutions={"FetchArn": "f", "Stage": "dev"})
    body = target.call("describe_state_machine", stateMachineArn=deployment.state_machine_arn)["definition"]
    assert "${" not in body and '"dev-x"' in body


def test_unknown_placeholders_are_named_with_their_place() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${Missing}", "End": True}}}
    with pytest.raises(DeployError) as info:
        prepare_definition(definition, {"Other": "x"})
    assert "${Missing} at States.A.Result" in str(info.value) and "substitutions=" in str(info.value)


def test_bad_names_and_type_changes_are_refused(target: Target) -> None:
    with pytest.raises(DeployError, match="'bad name!' is invalid"):
        deploy(target, "bad name!", PASS_WAIT_CHOICE)
    name = unique("typed")
    deploy(target, name, PASS_WAIT_CHOICE)
    with pytest.raises(DeployError, match=r"exists as STANDARD.*cannot change to EXPRESS"):
        deploy(target, name, PASS_WAIT_CHOICE, type="EXPRESS")


def test_invalid_definition_is_translated(target: Target) -> None:
    with pytest.raises(InvalidDefinitionError, match="rejected the definition"):
        deploy(target, unique("invalid"), {"StartAt": "Nowhere", "States": {"A": {"Type": "Bogus"}}})


def test_string_definitions_are_accepted_and_checked(target: Target) -> None:
    import json

    deployment = deploy(target, unique("text"), json.dumps(PASS_WAIT_CHOICE))
    assert deployment.definition_hash == definition_hash(PASS_WAIT_CHOICE)
    with pytest.raises(DeployError, match="not valid JSON"):
        deploy(target, unique("text"), "{not json")


def test_idempotent_on_the_aws_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """The aws path (publish/list versions APIs) falls back cleanly where the server lacks them."""
    aws_env(monkeypatch, moto_server_url())
    target = Target.parse("aws", role_arn=ROLE)
    name = unique("aws-idem")
    first = deploy(target, name, PASS_WAIT_CHOICE, alias="prod")
    again = deploy(target, name, PASS_WAIT_CHOICE, alias="prod")
    assert (again.created, again.updated, again.published) == (False, False, False)
    assert again.version_arn == first.version_arn and again.alias_arn == first.alias_arn
    assert list_versions(target, first.state_machine_arn) == [first.version_arn]
    assert target.supports("publish_state_machine_version") is False  # learned from moto's answer


@pytest.mark.parametrize("percentage", [1e-06, 2.5e-07, 99.99999, 5.0])
def test_deploy_writes_numbers_the_engine_accepts(target: Target, percentage: float) -> None:
    """``json.dumps`` writes 1e-06, which the ASL grammar (and AWS) refuse; deploy writes plain decimals."""
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ToleratedFailurePercentage": percentage, "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    deployed = deploy(target, unique("numbers"), definition)
    described = target.client().describe_state_machine(stateMachineArn=deployed.state_machine_arn)
    assert "e-" not in described["definition"]
    written = json.loads(described["definition"])["States"]["M"]["ToleratedFailurePercentage"]
    assert written == percentage
