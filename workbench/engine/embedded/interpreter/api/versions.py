"""State machine versions and aliases as AWS serves them (``concepts-state-machine-version`` / ``-alias``).

moto 5.2.5 keeps versions (``StateMachine.versions``) and aliases (``StateMachine.aliases``) but has no
PublishStateMachineVersion, ListStateMachineVersions or DeleteStateMachineVersion (HTTP 500), no revision
ids, and cannot start a version (AttributeError) or an alias (StateMachineDoesNotExist). Here:

* every change of definition, role, logging, tracing or encryption makes a new revision (``revisionId``;
  a machine never updated has none, which AWS calls ``INITIAL``); publishing is idempotent per revision;
* a version shares its machine's execution list, so execution names stay unique per machine as on AWS;
* StartExecution on an alias routes by the alias's weights with a per-engine :class:`random.Random`, seeded
  with 0 when the engine serves its first alias start; :func:`seed_routing` reseeds it, so the sequence of
  routing choices is reproducible run after run;
* DescribeExecution and ListExecutions report ``stateMachineVersionArn`` / ``stateMachineAliasArn``.
"""

from __future__ import annotations

import random
import threading
import uuid
from typing import Any

from workbench.core.arn import STATE_MACHINE_KINDS, Arn
from workbench.engine.embedded.interpreter import bindings
from workbench.engine.embedded.interpreter.api.errors import aws_error
from workbench.engine.embedded.interpreter.api.validation import check_arn

_REVISION = "_workbench_revision"
_ALIAS = "_workbench_alias_arn"
_INITIAL = "INITIAL"
_lock = threading.RLock()
_routers: dict[str, random.Random] = {}
_TRACKED = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration", "encryptionConfiguration")


def seed_routing(engine: Any, seed: int) -> None:
    """Reseed the RNG that picks a version for StartExecution on an alias, for one engine.

    ``engine`` is an :class:`EmbeddedEngine` (or its state); both carry the engine's credentials.

    Example:
        >>> seed_routing(shared_engine(), 7)      # doctest: +SKIP
    """
    with _lock:
        _routers[engine.credentials.access_key_id] = random.Random(seed)


def _router() -> random.Random:
    state = bindings.serving_engine()
    key = state.credentials.access_key_id if state is not None else ""
    with _lock:
        return _routers.setdefault(key, random.Random(0))


def revision_of(machine: Any) -> str | None:
    """A machine's (or version's) revision id; None before its first update (AWS: ``INITIAL``)."""
    return getattr(machine, _REVISION, None)


def split_qualified(arn: str) -> tuple[str, str | None]:
    """``(state machine ARN, qualifier)`` of a state machine, version or alias ARN.

    Example:
        >>> split_qualified("arn:aws:states:us-east-1:123456789012:stateMachine:m:prod")
        ('arn:aws:states:us-east-1:123456789012:stateMachine:m', 'prod')
    """
    parsed = Arn.try_parse(arn, *STATE_MACHINE_KINDS)
    if parsed is None or parsed.qualifier is None:
        return arn, None
    return str(parsed.state_machine), parsed.qualifier


def install() -> None:
    """Apply the version and alias adaptations (called once by ``api.install``)."""
    _install_revisions()
    _install_publish()
    _install_operations()
    _install_start()
    _install_execution_fields()


def _install_revisions() -> None:
    """Wrap ``models.StateMachine.update``: a change of configuration is a new revision (AWS revisionId)."""
    from moto.stepfunctions.models import StateMachine

    original_update = StateMachine.update

    def update(self: Any, **kwargs: Any) -> None:
        changed = any(kwargs.get(key) is not None and kwargs[key] != getattr(self, key, None) for key in _TRACKED)
        original_update(self, **kwargs)
        if changed:
            setattr(self, _REVISION, str(uuid.uuid4()))

    StateMachine.update = update  # type: ignore[method-assign]


def _install_publish() -> None:
    """Replace ``models.StateMachine.publish``: one version per revision, startable like its machine.

    AWS: "PublishStateMachineVersion is an idempotent API. It doesn't create a duplicate state machine
    version if it already exists for the current revision" (also for CreateStateMachine/UpdateStateMachine
    with ``publish``). moto published a new version every time, and its versions lacked what
    StartExecution reads (``backend``, ``_handle_name_input_idempotency``, the execution list).
    """
    from moto.stepfunctions.models import StateMachine, StateMachineVersion

    version_class: Any = StateMachineVersion

    def publish(self: Any, description: str | None) -> Any:
        with _lock:
            revision = revision_of(self)
            version: Any = next((v for v in self.versions.values() if revision_of(v) == revision), None)
            if version is None:
                number = self.latest_version_number + 1
                version = version_class(source=self, version=number, description=description)
                setattr(version, _REVISION, revision)
                version.executions = self.executions  # one name space per machine, as on AWS
                version.backend = self.backend  # moto's start deep-copies the machine but shares its backend
                self.versions[number] = version
                self.latest_version_number = number
            self.latest_version = version
            return version

    StateMachine.publish = publish  # type: ignore[method-assign]
    StateMachineVersion._handle_name_input_idempotency = (  # type: ignore[attr-defined]
        StateMachine._handle_name_input_idempotency)


def _install_operations() -> None:
    """PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion; revisionId in answers."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def publish_state_machine_version(self: Any) -> Any:
        machine = _base_machine(self.stepfunction_backend, self._get_param("stateMachineArn"))
        description = self._get_param("description")
        if description is not None and len(description) > 256:
            raise aws_error("ValidationException", "1 validation error detected: Value at 'description' failed to "
                                                   "satisfy constraint: Member must have length less than or equal "
                                                   "to 256")
        wanted, current = self._get_param("revisionId"), revision_of(machine) or _INITIAL
        if wanted is not None and wanted != current:
            raise aws_error("ConflictException", f"Failed to publish the State Machine version for revision "
                                                 f"'{wanted}': the current revision is '{current}'.")
        version = machine.publish(description)
        return ActionResult({"creationDate": version.creation_date, "stateMachineVersionArn": version.arn})

    def list_state_machine_versions(self: Any) -> Any:
        machine = _base_machine(self.stepfunction_backend, self._get_param("stateMachineArn"))
        versions = sorted(machine.versions.values(), key=lambda v: (v.creation_date, v.version), reverse=True)
        page, token = _page(versions, self._get_int_param("maxResults"), self._get_param("nextToken"))
        response: dict[str, Any] = {"stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page]}
        if token is not None:
            response["nextToken"] = token
        return ActionResult(response)

    def delete_state_machine_version(self: Any) -> Any:
        _delete_version(self.stepfunction_backend, self._get_param("stateMachineVersionArn"))
        return EmptyResult()

    original_describe = StepFunctionResponse._describe_state_machine

    def _describe_state_machine(self: Any, state_machine_arn: str) -> Any:
        result = original_describe(self, state_machine_arn)
        revision = revision_of(self.stepfunction_backend.describe_state_machine(state_machine_arn))
        return _with(result, revisionId=revision)

    original_update = StepFunctionResponse.update_state_machine

    def update_state_machine(self: Any) -> Any:
        result = original_update(self)
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        return _with(result, revisionId=revision_of(machine))

    StepFunctionResponse.publish_state_machine_version = publish_state_machine_version  # type: ignore[attr-defined]
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions  # type: ignore[attr-defined]
    StepFunctionResponse.delete_state_machine_version = delete_state_machine_version  # type: ignore[attr-defined]
    StepFunctionResponse._describe_state_machine = _describe_state_machine  # type: ignore[method-assign]
    StepFunctionResponse.update_state_machine = update_state_machine  # type: ignore[method-assign]


def _with(result: Any, **fields: Any) -> Any:
    from moto.core.responses import ActionResult

    response: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
    response.update({key: value for key, value in fields.items() if value is not None})
    return ActionResult(response)


def _base_machine(backend: Any, arn: str | None) -> Any:
    """The state machine an unqualified ARN names (InvalidArn for a version or alias ARN, as on AWS)."""
    check_arn(arn or "", "stateMachine")
    base, qualifier = split_qualified(str(arn))
    if qualifier is not None:
        raise aws_error("InvalidArn", f"Invalid Arn: 'Unexpected version or alias ARN: {arn}'")
    return backend.describe_state_machine(base)


def _page(items: list[Any], max_results: int | None, token: str | None) -> tuple[list[Any], str | None]:
    """One page of ``items`` (AWS: maxResults 0 or absent means 100) and the token of the next."""
    size = max_results or 100
    try:
        start = int(token) if token else 0
    except ValueError:
        raise aws_error("InvalidToken", f"Invalid Token: '{token}'") from None
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _delete_version(backend: Any, arn: str | None) -> None:
    """AWS: deleting a missing version succeeds; a version an alias routes to is a ConflictException."""
    check_arn(arn or "", "stateMachine")
    base, qualifier = split_qualified(str(arn))
    if qualifier is None or not qualifier.isdigit():
        raise aws_error("ValidationException", f"Invalid version ARN: '{arn}'")
    machine = next((sm for sm in backend.state_machines if sm.arn == base), None)
    if machine is None:
        return
    with _lock:
        users = [alias.arn for alias in machine.aliases.values()
                 if any(route["stateMachineVersionArn"] == arn for route in alias.routing_configuration)]
        if users:
            raise aws_error("ConflictException", f"Version to be deleted must not be referenced by an alias. "
                                                 f"Current list of aliases referencing this version: {users}")
        removed = machine.versions.pop(int(qualifier), None)
        if removed is not None and machine.latest_version is removed:
            machine.latest_version = None


def _install_start() -> None:
    """Wrap ``StepFunctionsParserBackend.start_execution``: a version ARN runs that version, an alias one of its.

    moto's start looked a version up but could not run it, and did not know alias ARNs. An alias picks a
    version by its routing weights (:func:`seed_routing`); the execution remembers the alias ARN.
    """
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_start: Any = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: str | None = None, execution_input: Any = None,
                        trace_header: Any = None) -> Any:
        arn, sep, test_case = state_machine_arn.partition("#")
        target, alias_arn = _route(self, arn)
        execution = original_start(self, target + sep + test_case, name, execution_input, trace_header)
        if alias_arn is not None and not hasattr(execution, _ALIAS):
            setattr(execution, _ALIAS, alias_arn)
        return execution

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]


def _route(backend: Any, arn: str) -> tuple[str, str | None]:
    """The ARN to run (the machine or a version) and the alias ARN it came through, if any."""
    base, qualifier = split_qualified(arn)
    if qualifier is None or qualifier.isdigit():
        return arn, None
    machine = next((sm for sm in backend.state_machines if sm.arn == base), None)
    alias = machine.aliases.get(qualifier) if machine is not None else None
    if alias is None:
        raise aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    routes = list(alias.routing_configuration)
    chosen = _router().choices([r["stateMachineVersionArn"] for r in routes],
                               weights=[float(r["weight"]) for r in routes], k=1)[0]
    return str(chosen), alias.arn


def _install_execution_fields() -> None:
    """DescribeExecution and ListExecutions name the version and alias an execution ran, as AWS does.

    moto's DescribeExecution gave the version ARN as ``stateMachineArn``; AWS gives the machine's ARN there
    and the version in ``stateMachineVersionArn`` (and the alias, when started through one, in
    ``stateMachineAliasArn``).
    """
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    original_describe = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        result = original_describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        return _with(result, **_version_fields(execution, include_machine=True))

    original_list = StepFunctionResponse.list_executions

    def list_executions(self: Any) -> Any:
        result = original_list(self)
        backend = self.stepfunction_backend
        response: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
        base, qualifier = split_qualified(self._get_param("stateMachineArn") or "")
        items = [{**item, "stateMachineArn": base, **_version_fields(backend.describe_execution(item["executionArn"]))}
                 for item in response.get("executions", [])]
        if qualifier is not None:  # AWS: a version ARN lists the executions of that version only
            items = [item for item in items if item.get("stateMachineVersionArn") == f"{base}:{qualifier}"]
        response["executions"] = items
        return ActionResult(response)

    StepFunctionResponse.describe_execution = describe_execution  # type: ignore[method-assign]
    StepFunctionResponse.list_executions = list_executions  # type: ignore[method-assign]


def _version_fields(execution: Any, include_machine: bool = False) -> dict[str, Any]:
    source = getattr(execution.state_machine, "source_arn", None)
    if source is None:
        return {}
    fields = {"stateMachineVersionArn": execution.state_machine.arn, "stateMachineAliasArn": getattr(
        execution, _ALIAS, None)}
    if include_machine:
        fields["stateMachineArn"] = source
    return {key: value for key, value in fields.items() if value is not None}
