"""Idempotent deploys: create or update a state machine, publish a version, move an alias.

The definition's identity is the sha256 of its canonical JSON, written into each version's
description (``workbench sha256:<hash>``), so re-deploying the same definition creates nothing,
and a version can be traced back to the definition that made it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from workbench.asl.json_text import dumps_json
from workbench.asl.substitutions import find_placeholders, first_use, substitute
from workbench.core.arn import short_name
from workbench.engine.connect.targets import Target
from workbench.engine.errors import DeployError, NotFoundError, TargetError, UnsupportedOperationError

StateMachineType = Literal["STANDARD", "EXPRESS"]

_NAME_OK = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ALIAS_OK = re.compile(r"^(?=.*[A-Za-z_-])[A-Za-z0-9_-]{1,80}$")
HASH_PREFIX = "workbench sha256:"


class Deployment(BaseModel):
    """The result of :func:`deploy`: what exists now, and whether this call changed anything."""

    state_machine_arn: str
    version_arn: str | None = None
    alias_arn: str | None = None
    definition_hash: str
    created: bool = False
    updated: bool = False
    published: bool = Field(default=False, description="A new version was published by this deploy.")
    notes: list[str] = Field(default_factory=list, description="Where the target could not do all that was asked.")

    @property
    def name(self) -> str:
        """The state machine's name (last part of its ARN)."""
        return short_name(self.state_machine_arn)


# -- pure helpers -------------------------------------------------------------------------------
def canonical_json(definition: Any) -> str:
    """The definition as canonical JSON (sorted keys, no spaces): equal definitions, equal text."""
    return json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def definition_hash(definition: Any) -> str:
    """sha256 hex digest of :func:`canonical_json`.

    Example:
        >>> definition_hash({"b": 1, "a": 2}) == definition_hash({"a": 2, "b": 1})
        True
    """
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


def prepare_definition(definition: Any, substitutions: dict[str, str] | None = None) -> dict[str, Any]:
    """Substitute placeholders and check none is left; raise :class:`DeployError` naming them."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise DeployError(f"The definition is not valid JSON: {exc}") from exc
    if not isinstance(definition, dict):
        raise DeployError(f"A definition must be a JSON object, got {type(definition).__name__}.")
    result = substitute(definition, substitutions or {})
    left = sorted(find_placeholders(result))
    if left:
        listed = "; ".join(f"${{{name}}} at {first_use(result, name)}" for name in left)
        raise DeployError(
            f"Unresolved placeholders in the definition: {listed}. Pass them in substitutions="
            "{'Name': 'value'} (CLI: --sub Name=value)."
        )
    return dict(result)


def _check_name(name: str, what: str = "State machine name") -> None:
    if not _NAME_OK.match(name):
        raise DeployError(
            f"{what} '{name}' is invalid: use 1-80 letters, digits, '-' or '_' (no spaces or punctuation)."
        )


# -- versions -----------------------------------------------------------------------------------
def _probe_latest_version(target: Target, state_machine_arn: str) -> int:
    """Highest published version number found by probing ``arn:N`` (for engines without ListStateMachineVersions).

    Engines that lack the list call (moto) also cannot delete versions, so numbers are contiguous.
    """

    def exists(n: int) -> bool:
        try:
            target.call("describe_state_machine", stateMachineArn=f"{state_machine_arn}:{n}")
        except NotFoundError:
            return False
        return True

    if not exists(1):
        return 0
    low, high = 1, 2
    while exists(high):
        low, high = high, high * 2
    while high - low > 1:  # invariant: low exists, high does not
        mid = (low + high) // 2
        low, high = (mid, high) if exists(mid) else (low, mid)
    return low


def list_versions(target: Target, state_machine_arn: str) -> list[str]:
    """ARNs of every published version of a state machine, newest first.

    Example:
        >>> list_versions(target, deployment.state_machine_arn)  # doctest: +SKIP
        ['arn:aws:states:us-east-1:123456789012:stateMachine:hello:2', '...:hello:1']
    """
    if target.supports("list_state_machine_versions") is not False:
        try:
            return [
                item["stateMachineVersionArn"]
                for page in target.pages("list_state_machine_versions", stateMachineArn=state_machine_arn)
                for item in page.get("stateMachineVersions", [])
            ]
        except UnsupportedOperationError:
            pass  # remembered by the target; probe instead
    latest = _probe_latest_version(target, state_machine_arn)
    return [f"{state_machine_arn}:{n}" for n in range(latest, 0, -1)]


def _latest_version(target: Target, state_machine_arn: str) -> tuple[str, str] | None:
    """(version ARN, description) of the newest version, or None when none is published."""
    arns = list_versions(target, state_machine_arn)
    if not arns:
        return None
    described = target.call("describe_state_machine", stateMachineArn=arns[0])
    return arns[0], str(described.get("description") or "")


def _publish_current(target: Target, arn: str, body: str, description: str) -> tuple[str, bool]:
    """Make sure the current revision is published; (version ARN, whether a new version was made)."""
    digest = description.removeprefix(HASH_PREFIX)
    published = target.try_call("publish_state_machine_version", stateMachineArn=arn, description=description)
    if published is not None:  # AWS: idempotent per revision, returns the existing version if any
        return str(published["stateMachineVersionArn"]), False
    latest = _latest_version(target, arn)
    if latest is not None and digest in latest[1]:
        return latest[0], False
    updated = target.call(
        "update_state_machine", stateMachineArn=arn, definition=body, publish=True, versionDescription=description
    )
    return str(updated["stateMachineVersionArn"]), True


# -- aliases ------------------------------------------------------------------------------------
def check_alias(alias: str) -> None:
    """Raise :class:`DeployError` when Step Functions would refuse ``alias`` as an alias name.

    Example:
        >>> check_alias("prod")
    """
    if not _ALIAS_OK.match(alias):
        raise DeployError(f"Alias '{alias}' is invalid: use letters, digits, '-' or '_' (not only digits).")


def _point_alias(target: Target, state_machine_arn: str, alias: str, version_arn: str) -> str:
    check_alias(alias)
    alias_arn = f"{state_machine_arn}:{alias}"
    routing = [{"stateMachineVersionArn": version_arn, "weight": 100}]
    try:
        current = target.call("describe_state_machine_alias", stateMachineAliasArn=alias_arn)
    except NotFoundError:
        created = target.call("create_state_machine_alias", name=alias, routingConfiguration=routing)
        return str(created.get("stateMachineAliasArn", alias_arn))
    now = [(r.get("stateMachineVersionArn"), int(r.get("weight", 0))) for r in current.get("routingConfiguration", [])]
    if now != [(version_arn, 100)]:
        target.call("update_state_machine_alias", stateMachineAliasArn=alias_arn, routingConfiguration=routing)
    return alias_arn


# -- deploy -------------------------------------------------------------------------------------
def find_state_machine(target: Target, name: str) -> str | None:
    """The ARN of the state machine called ``name`` on this target, or None."""
    for page in target.pages("list_state_machines", maxResults=1000):
        for item in page.get("stateMachines", []):
            if item.get("name") == name:
                return str(item["stateMachineArn"])
    return None


def _covers(current: Any, wanted: Any) -> bool:
    """True when every field the user asked for already has that value (AWS adds defaults we ignore)."""
    if isinstance(wanted, dict) and isinstance(current, dict):
        return all(_covers(current.get(k), v) for k, v in wanted.items())
    return bool(current == wanted)


def _config_params(logging: dict[str, Any] | None, tracing: dict[str, Any] | bool | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if logging is not None:
        params["loggingConfiguration"] = logging
    if tracing is not None:
        params["tracingConfiguration"] = {"enabled": tracing} if isinstance(tracing, bool) else tracing
    return params


def express_logging(target: Target, machine_name: str) -> dict[str, Any]:
    """The loggingConfiguration that sends every event of an Express machine, with data, to CloudWatch Logs.

    Example:
        >>> express_logging(Target.parse("embedded"), "m")["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
        'arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/m:*'
    """
    region = getattr(target, "region", None) or "us-east-1"
    group = f"arn:aws:logs:{region}:123456789012:log-group:/aws/vendedlogs/states/{machine_name}:*"
    return {"level": "ALL", "includeExecutionData": True,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}]}


def deploy(
    target: Target,
    name: str,
    definition: dict[str, Any] | str,
    *,
    type: StateMachineType = "STANDARD",
    role_arn: str | None = None,
    logging: dict[str, Any] | None = None,
    tracing: dict[str, Any] | bool | None = None,
    alias: str | None = None,
    substitutions: dict[str, str] | None = None,
) -> Deployment:
    """Create or update the state machine ``name`` so it runs ``definition``; publish a version.

    Re-deploying an unchanged definition creates nothing (same version ARN, ``created`` and
    ``updated`` False). ``alias`` is created or moved to the deployed version.

    Example:
        >>> target = Target.parse("embedded")
        >>> hello = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
        >>> deploy(target, "hello", hello).created, deploy(target, "hello", hello).created  # doctest: +SKIP
        (True, False)
    """
    _check_name(name)
    if alias is not None:
        check_alias(alias)  # before anything is created
    if type not in ("STANDARD", "EXPRESS"):
        raise DeployError(f"type must be 'STANDARD' or 'EXPRESS', not '{type}'.")
    role = role_arn or target.role_arn
    if not role:
        raise TargetError(
            f"Deploying '{name}' to AWS needs an IAM role for the state machine: pass role_arn='arn:aws:iam::"
            "ACCOUNT:role/NAME' (CLI: --role-arn), or give it to Target.parse(..., role_arn=...)."
        )
    prepared = prepare_definition(definition, substitutions)
    digest = definition_hash(prepared)
    description = f"{HASH_PREFIX}{digest}"
    body = dumps_json(prepared, indent=2)  # plain decimals: moto and AWS reject 1e-06
    notes: list[str] = []
    if target.kind != "aws" and (logging is not None or tracing is not None) and target.kind != "embedded":
        notes.append(f"{target.kind} target: logging/tracing settings are recorded but may have no effect there.")
    if target.kind == "embedded" and type == "EXPRESS" and logging is None:
        logging = express_logging(target, name)
        notes.append("EXPRESS: like AWS, the embedded engine keeps no execution history for Express runs; their "
                     "result comes from StartSyncExecution and their events from the CloudWatch Logs group "
                     f"/aws/vendedlogs/states/{name} (logging level ALL), which the workbench configured")
    config = _config_params(logging, tracing)

    arn = find_state_machine(target, name)
    created = updated = published = False
    if arn is None:
        response = target.call(
            "create_state_machine", name=name, definition=body, roleArn=role, type=type,
            publish=True, versionDescription=description, **config,
        )
        arn = str(response["stateMachineArn"])
        version_arn = response.get("stateMachineVersionArn")
        created = published = True
        if version_arn is None:
            version_arn, _ = _publish_current(target, arn, body, description)
    else:
        current = target.call("describe_state_machine", stateMachineArn=arn)
        if current.get("type", "STANDARD") != type:
            raise DeployError(
                f"State machine '{name}' exists as {current.get('type')}; its type cannot change to {type}. "
                "Deploy under another name, or delete the old one first."
            )
        same_definition = definition_hash(json.loads(current.get("definition") or "null")) == digest
        same_config = current.get("roleArn") == role and all(_covers(current.get(k), v) for k, v in config.items())
        if same_definition and same_config:
            version_arn, published = _publish_current(target, arn, body, description)
        else:
            response = target.call(
                "update_state_machine", stateMachineArn=arn, definition=body, roleArn=role,
                publish=True, versionDescription=description, **config,
            )
            version_arn = response.get("stateMachineVersionArn")
            updated = published = True

    alias_arn = _point_alias(target, arn, alias, str(version_arn)) if alias and version_arn else None
    if not target.capabilities.start_qualified and alias_arn:
        notes.append(
            f"{target.kind} target cannot start executions through a version or alias ARN; launch() starts "
            "the state machine itself, whose latest revision is this definition."
        )
    return Deployment(
        state_machine_arn=arn, version_arn=version_arn, alias_arn=alias_arn, definition_hash=digest,
        created=created, updated=updated, published=published, notes=notes,
    )
