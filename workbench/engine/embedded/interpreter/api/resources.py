"""What the other operations answer for unknown, malformed or wrong resources, as AWS does (real-client trial).

Truth: each operation's error list in botocore's service model and the AWS API reference of the operation.
moto 5.2.5 answered several of these with a crash (HTTP 500) or with an error the operation does not have:

* Describe/Update/DeleteStateMachineAlias split the alias ARN by hand (``IndexError`` for ``garbage``) and answered
  an unknown machine with StateMachineDoesNotExist, not in their error lists: ``InvalidArn`` / ``ResourceNotFound``;
* UpdateStateMachine called ``update`` on a version (``AttributeError``); it updates a state machine only, a
  version or alias ARN is ``InvalidArn`` (as PublishStateMachineVersion, ``versions._base_machine``); a malformed
  ``roleArn`` was stored (CreateStateMachine already answered ``InvalidArn``);
* StartSyncExecution built an express ARN from an unchecked name (``ArnError``): ``InvalidName``;
* CreateStateMachineAlias re-pointed an existing alias; AWS: "an idempotent API ... based on the stateMachineArn,
  description, name, and routingConfiguration" - the same values answer the alias, others ``ConflictException``;
  a route to a missing version answered StateMachineDoesNotExist, not in its error list: ``ResourceNotFound``;
* ListStateMachineAliases with a version ARN: "If you specify a state machine version ARN, this API returns a list
  of aliases for that version" (moto: StateMachineDoesNotExist);
* ListExecutions: a version or alias ARN lists the executions started through it (moto did not know alias ARNs);
  "This API action is not supported by EXPRESS state machines": ``StateMachineTypeNotSupported`` (moto: ``[]``);
* DescribeStateMachineForExecution: unknown execution ``ExecutionDoesNotExist``, malformed ``InvalidArn`` (moto:
  ResourceNotFound, not in its error list); the answer describes the machine the execution ran (``updateDate``
  is required by the output shape; moto left it out); "If a Map Run dispatched the execution, this action returns
  the Map Run ARN in the response. The state machine returned is the state machine associated with the Map Run"
  (with its ``label``);
* Create/UpdateStateMachine: a logging level other than OFF needs a destination, and a destination must be a
  CloudWatch Logs log-group ARN (``InvalidLoggingConfiguration``); ``CUSTOMER_MANAGED_KMS_KEY`` needs a
  ``kmsKeyId`` (``InvalidEncryptionConfiguration``, as moto's CreateActivity answers).
"""

from __future__ import annotations

from typing import Any

from workbench.core.arn import Arn, ArnKind
from workbench.engine.embedded.interpreter.api import versions
from workbench.engine.embedded.interpreter.api.errors import aws_error
from workbench.engine.embedded.interpreter.api.validation import check_arn, check_name

_LOGGING_LEVELS = ("ALL", "ERROR", "FATAL")
_FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
_MAX_MAP_DEPTH = 1000


def check_logging(config: Any) -> None:
    """InvalidLoggingConfiguration for a level that logs without a destination, or a destination that is no log group.

    Example:
        >>> check_logging({"level": "OFF"})
        >>> check_logging({"level": "ALL"})
        Traceback (most recent call last):
        ...
        moto.core.exceptions.AWSError: 400 Bad Request: ...
    """
    if not isinstance(config, dict):
        return
    destinations = config.get("destinations") or []
    if str(config.get("level") or "OFF") in _LOGGING_LEVELS and not destinations:
        raise aws_error("InvalidLoggingConfiguration",
                        "Invalid Logging Configuration: Must specify exactly one Log Destination.")
    for destination in destinations:
        group = ((destination or {}).get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")
        parsed = Arn.try_parse(group)
        if parsed is None or parsed.log_group is None:
            raise aws_error("InvalidLoggingConfiguration",
                            f"Invalid Logging Configuration: Invalid Log Group ARN: '{group}'")


def check_encryption(config: Any) -> None:
    """InvalidEncryptionConfiguration for a customer-managed key without ``kmsKeyId`` (CreateActivity's message)."""
    if isinstance(config, dict) and config.get("type") == "CUSTOMER_MANAGED_KMS_KEY" and not config.get("kmsKeyId"):
        raise aws_error("InvalidEncryptionConfiguration", "Invalid Encryption Configuration: 'kmsKeyId' is required "
                                                          "when 'type' is 'CUSTOMER_MANAGED_KMS_KEY'")


def install() -> None:
    """Apply the fixes (called once by ``api.install``, after ``versions``, ``validation`` and ``sync``)."""
    _install_aliases()
    _install_machines()
    _install_executions()


def _machine(backend: Any, arn: Any) -> Any:
    """The (unqualified) state machine with this ARN, or None."""
    return next((sm for sm in backend.state_machines if sm.arn == str(arn)), None)


def _alias(backend: Any, arn: Any) -> tuple[Any, Any]:
    """``(machine, alias)`` an alias ARN names: InvalidArn when it is none, ResourceNotFound when unknown."""
    parsed = Arn.try_parse(arn, ArnKind.ALIAS)
    if parsed is None:
        raise aws_error("InvalidArn", f"Invalid Arn: '{arn}'")
    machine = _machine(backend, parsed.state_machine)
    alias = machine.aliases.get(parsed.qualifier) if machine is not None else None
    if alias is None:
        raise aws_error("ResourceNotFound", f"State Machine Alias Does Not Exist: '{arn}'")
    return machine, alias


def _version(backend: Any, arn: Any) -> tuple[Any, Any]:
    """``(machine, version)`` a version ARN names: InvalidArn when it is none, ResourceNotFound when unknown."""
    parsed = Arn.try_parse(arn, ArnKind.VERSION)
    if parsed is None or not str(parsed.qualifier).isdigit():
        raise aws_error("InvalidArn", f"Invalid Arn: '{arn}'")
    machine = _machine(backend, parsed.state_machine)
    version = machine.versions.get(int(str(parsed.qualifier))) if machine is not None else None
    if version is None:
        raise aws_error("ResourceNotFound", f"State Machine Version Does Not Exist: '{arn}'")
    return machine, version


def _routes(routing: Any) -> list[tuple[str, int]]:
    return sorted((str(r.get("stateMachineVersionArn")), int(r.get("weight", 0))) for r in routing or [])


def _install_aliases() -> None:
    """Replace ``StepFunctionBackend.create_state_machine_alias``, ``describe_state_machine_alias`` and
    ``delete_state_machine_alias`` (UpdateStateMachineAlias goes through describe)."""
    from moto.stepfunctions.models import StateMachineAlias, StepFunctionBackend

    alias_class: Any = StateMachineAlias  # a CloudFormationModel: mypy sees it as abstract

    def create_state_machine_alias(self: Any, name: str, routing_configuration: list[dict[str, Any]],
                                   description: str | None) -> Any:
        routes = list(routing_configuration or [])
        found = [_version(self, route.get("stateMachineVersionArn")) for route in routes]
        if not found:
            raise aws_error("ValidationException", "Routing configuration must contain 1 or 2 state machine versions.")
        machine = found[0][0]
        with versions._lock:
            existing = machine.aliases.get(name)
            if existing is not None:
                if (_routes(existing.routing_configuration) == _routes(routes)
                        and (existing.description or None) == (description or None)):
                    return existing  # AWS: idempotent for the same name, routing and description
                # AWS: ConflictException is HTTP 409 (API reference, Errors)
                raise aws_error("ConflictException", f"Failed to create alias because an alias with the same name "
                                                     f"'{name}' already exists: '{existing.arn}'", status=409)
            alias = alias_class(name, machine.arn, routes, description)
            machine.aliases[name] = alias
            return alias

    def describe_state_machine_alias(self: Any, arn: str) -> Any:
        return _alias(self, arn)[1]

    def delete_state_machine_alias(self: Any, arn: str) -> None:
        machine, alias = _alias(self, arn)
        with versions._lock:
            machine.aliases.pop(alias.name, None)

    StepFunctionBackend.create_state_machine_alias = create_state_machine_alias  # type: ignore[method-assign]
    StepFunctionBackend.describe_state_machine_alias = describe_state_machine_alias  # type: ignore[method-assign]
    StepFunctionBackend.delete_state_machine_alias = delete_state_machine_alias  # type: ignore[method-assign]


def _install_machines() -> None:
    """Wrap ``StepFunctionResponse.create_state_machine``/``update_state_machine``/``list_state_machine_aliases``."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    original_create = StepFunctionResponse.create_state_machine

    def create_state_machine(self: Any) -> Any:
        check_logging(self._get_param("loggingConfiguration"))
        check_encryption(self._get_param("encryptionConfiguration"))
        return original_create(self)

    original_update = StepFunctionResponse.update_state_machine

    def update_state_machine(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        check_arn(arn or "", "stateMachine")
        if versions.split_qualified(str(arn))[1] is not None:
            raise aws_error("InvalidArn", f"Invalid Arn: 'Unexpected version or alias ARN: {arn}'")
        role = self._get_param("roleArn")
        if role is not None:
            self.stepfunction_backend._validate_role_arn(role)  # InvalidArn, as CreateStateMachine
        check_logging(self._get_param("loggingConfiguration"))
        check_encryption(self._get_param("encryptionConfiguration"))
        return original_update(self)

    original_list_aliases = StepFunctionResponse.list_state_machine_aliases

    def list_state_machine_aliases(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        if Arn.try_parse(arn, ArnKind.VERSION) is None:
            return original_list_aliases(self)
        machine, _ = _version(self.stepfunction_backend, arn)
        with versions._lock:
            aliases = [a for a in machine.aliases.values()
                       if any(r.get("stateMachineVersionArn") == arn for r in a.routing_configuration)]
        aliases.sort(key=lambda a: a.creation_date)  # the order of moto's listing by machine
        page, token = versions._page(aliases, self._get_int_param("maxResults"), self._get_param("nextToken"))
        response: dict[str, Any] = {"stateMachineAliases": [
            {"stateMachineAliasArn": a.arn, "creationDate": a.creation_date} for a in page]}
        if token is not None:
            response["nextToken"] = token
        return ActionResult(response)

    StepFunctionResponse.create_state_machine = create_state_machine  # type: ignore[method-assign]
    StepFunctionResponse.update_state_machine = update_state_machine  # type: ignore[method-assign]
    StepFunctionResponse.list_state_machine_aliases = list_state_machine_aliases  # type: ignore[method-assign]


def _install_executions() -> None:
    """Wrap ``StepFunctionResponse.list_executions`` and ``start_sync_execution``; replace
    ``describe_state_machine_for_execution``."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    original_list = StepFunctionResponse.list_executions

    def list_executions(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        if not arn:
            return original_list(self)  # mapRunArn: distributed_map/api.py answers it
        backend = self.stepfunction_backend
        if Arn.try_parse(arn, ArnKind.ALIAS) is not None:
            machine, alias = _alias(backend, arn)
        else:
            machine, alias = backend.describe_state_machine(arn), None  # InvalidArn / StateMachineDoesNotExist
        if getattr(machine, "type", "STANDARD") == "EXPRESS":
            raise aws_error("StateMachineTypeNotSupported",
                            "This operation is not supported by this type of state machine")
        if alias is None:
            return original_list(self)
        return ActionResult(_alias_executions(self, machine, alias))

    original_sync = StepFunctionResponse.start_sync_execution  # type: ignore[attr-defined]

    def start_sync_execution(self: Any) -> Any:
        name = self._get_param("name")
        if name is not None:
            check_name(name)
        return original_sync(self)

    def describe_state_machine_for_execution(self: Any) -> Any:
        from workbench.engine.embedded.interpreter.distributed_map import map_run  # it builds on the api modules

        arn = self._get_param("executionArn")
        backend = self.stepfunction_backend
        found = map_run.child(arn)
        if found is not None:
            return ActionResult(_map_run_machine(backend, found))
        execution = backend.describe_execution(arn)  # InvalidArn / ExecutionDoesNotExist, as AWS
        machine = execution.state_machine  # the snapshot the execution runs
        response = {"stateMachineArn": getattr(machine, "source_arn", None) or machine.arn, "name": machine.name,
                    "definition": machine.definition, "roleArn": machine.roleArn, "updateDate": machine.update_date,
                    "loggingConfiguration": machine.loggingConfiguration,
                    "tracingConfiguration": machine.tracingConfiguration,
                    "encryptionConfiguration": machine.encryptionConfiguration,
                    "revisionId": versions.revision_of(machine)}
        return ActionResult({key: value for key, value in response.items() if value is not None})

    StepFunctionResponse.list_executions = list_executions  # type: ignore[method-assign]
    StepFunctionResponse.start_sync_execution = start_sync_execution  # type: ignore[attr-defined]
    StepFunctionResponse.describe_state_machine_for_execution = (  # type: ignore[method-assign]
        describe_state_machine_for_execution)


def _alias_executions(response: Any, machine: Any, alias: Any) -> dict[str, Any]:
    """ListExecutions of an alias ARN: the executions started through it, newest first, paginated."""
    status = response._get_param("statusFilter")
    executions = sorted(list(machine.executions), key=lambda e: e.start_date, reverse=True)
    chosen = [e for e in executions
              if getattr(e, versions._ALIAS, None) == alias.arn and (status is None or e.status == status)]
    page, token = versions._page(chosen, response._get_int_param("maxResults"), response._get_param("nextToken"))
    items = []
    for execution in page:
        item = {"executionArn": execution.execution_arn, "name": execution.name, "startDate": execution.start_date,
                "stateMachineArn": machine.arn, "status": execution.status, **versions._version_fields(execution)}
        if execution.status in _FINISHED and execution.stop_date is not None:
            item["stopDate"] = execution.stop_date
        items.append(item)
    result: dict[str, Any] = {"executions": items}
    if token is not None:
        result["nextToken"] = token
    return result


def _map_run_machine(backend: Any, child: Any) -> dict[str, Any]:
    """DescribeStateMachineForExecution of a Map Run's child: the Map Run's machine (``stateMachine:M/LABEL``)."""
    machine = child.state_machine
    response = {"stateMachineArn": machine.arn, "name": machine.name, "definition": machine.definition,
                "roleArn": child.role_arn, "updateDate": _top_update_date(backend, child) or machine.create_date,
                "loggingConfiguration": machine.logging_config or None, "mapRunArn": child.map_run_arn,
                "label": Arn.parse(child.map_run_arn).name}
    return {key: value for key, value in response.items() if value is not None}


def _top_update_date(backend: Any, child: Any) -> Any:
    """The update date of the machine whose execution started this child's Map Run (through nested Map Runs)."""
    from moto.core.exceptions import AWSError

    from workbench.engine.embedded.interpreter.distributed_map import map_run

    execution: Any = child
    for _ in range(_MAX_MAP_DEPTH):
        run = map_run.map_run(getattr(execution, "map_run_arn", None))
        if run is None:
            return None
        parent = run.record.execution_arn
        execution = map_run.child(parent)
        if execution is None:
            try:
                return getattr(backend.describe_execution(parent).state_machine, "update_date", None)
            except AWSError:
                return None
    return None
