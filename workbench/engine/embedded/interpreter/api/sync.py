"""EXPRESS machines as AWS runs them: StartSyncExecution, express ARNs, and CloudWatch Logs instead of a history.

AWS (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html): an EXPRESS execution
has an ARN ``arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:ID``; DescribeExecution, GetExecutionHistory
and ListExecutions do not know it (``InvalidArn``: "Resource type not valid in this context: express"); its
events go to CloudWatch Logs when the machine has a ``loggingConfiguration``
(https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). StartSyncExecution runs one and answers
with the result; on a STANDARD machine it fails with ``StateMachineTypeNotSupported``.

moto 5.2.5 has no StartSyncExecution handler, runs EXPRESS machines as STANDARD (``StateMachine.sm_type`` is
always ``"STANDARD"``; the real type is ``StateMachine.type``), and never passes a logging session
(``CloudWatchLoggingSession.publish_history_log`` would also hand ``LogEvent`` objects where moto's logs backend
wants dicts). Here an EXPRESS execution (sync or async) runs moto's own ``SyncExecution`` / ``Execution`` with an
:class:`ExpressLog` session that writes AWS's log-level-ALL records (``id``, ``type``, ``details``,
``previous_event_id``, ``event_timestamp`` epoch-ms, ``execution_arn``, ``redrive_count``, all strings but
``details``):

* into moto's in-process CloudWatch Logs backend (group from ``destinations[0].cloudWatchLogsLogGroup``,
  created if missing; one stream per execution ``states/MACHINE/YYYY-MM-DD-HH-MM/ID``), filtered by the
  configured ``level`` and ``includeExecutionData``, so ``logs.filter_log_events`` on the engine returns them;
* always in memory, at level ALL with data (:func:`express_log`, the last 1,000 executions), for in-process readers.

``billingDetails`` follow AWS's Express pricing units: duration rounded up to 100 ms, memory 64 MB (we measure
no memory). ``includedData=METADATA_ONLY`` leaves ``input``/``output`` out, as on AWS.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
import threading
import uuid
from collections import OrderedDict
from typing import Any

from workbench.core.arn import STATE_MACHINE_KINDS, Arn, ArnKind, short_name
from workbench.engine.embedded.interpreter.api.errors import aws_error

_MAX_KEPT = 1000
_logs: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
_logs_lock = threading.Lock()
_running: dict[str, Any] = {}  # async EXPRESS executions (not in any listing), kept until they end
BILLED_MEMORY_MB = 64
_EXPRESS_CONTEXT = "Invalid Arn: 'Resource type not valid in this context: express'"


def express_log(execution_arn: str) -> list[dict[str, Any]]:
    """The log-level-ALL records (with data) of an EXPRESS execution this process ran, oldest first.

    Example:
        >>> express_log("arn:aws:states:us-east-1:123456789012:express:m:e:1")
        []
    """
    with _logs_lock:
        return copy.deepcopy(_logs.get(execution_arn, []))


def express_execution_arn(state_machine_arn: str, name: str) -> str:
    """AWS's express execution ARN: the machine ARN with ``express`` for ``stateMachine``, the name and an id.

    Example:
        >>> express_execution_arn("arn:aws:states:us-east-1:123456789012:stateMachine:m", "e").split(":")[5:8]
        ['express', 'm', 'e']
    """
    return str(Arn.parse(state_machine_arn, *STATE_MACHINE_KINDS).express_execution(name, str(uuid.uuid4())))


def is_express_arn(arn: str | None) -> bool:
    """True for an Express execution ARN (``...:express:MACHINE:NAME:ID``)."""
    parsed = Arn.try_parse(arn)
    return parsed is not None and parsed.kind is ArnKind.EXPRESS_EXECUTION


def _epoch_ms(timestamp: Any) -> int:
    if isinstance(timestamp, str):
        timestamp = _dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if isinstance(timestamp, _dt.datetime):
        return int(timestamp.timestamp() * 1000)
    return int(_dt.datetime.now(_dt.UTC).timestamp() * 1000)


class _Configuration:
    """What moto's ``EventManager`` reads of a session's configuration: keep the data, we filter ourselves."""

    include_execution_data = True


class ExpressLog:
    """A logging session for one EXPRESS execution (duck type of moto's ``CloudWatchLoggingSession``)."""

    def __init__(self, execution_arn: str, machine_name: str, logging_configuration: dict[str, Any] | None,
                 redrive_count: int = 0) -> None:
        from moto.stepfunctions.parser.asl.eval.event.logging import CloudWatchLoggingConfiguration

        self.execution_arn = execution_arn
        self.configuration = _Configuration()
        self.redrive_count = redrive_count
        config = dict(logging_configuration or {})
        self.level = str(config.get("level") or "OFF")
        self.include_data = bool(config.get("includeExecutionData", False))
        self.target = CloudWatchLoggingConfiguration.extract_log_arn_parts_from(config) if config else None  # type: ignore[arg-type]
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d-%H-%M")
        execution_id = Arn.parse(execution_arn).execution_id or short_name(execution_arn)
        self.stream = f"states/{machine_name}/{stamp}/{execution_id.replace('-', '')[:8]}"
        with _logs_lock:
            _logs[execution_arn] = []
            while len(_logs) > _MAX_KEPT:
                _logs.popitem(last=False)

    def log_level_filter(self, history_event_type: Any) -> bool:
        return True  # every event is kept in memory; the CloudWatch level is applied in publish_history_log

    def publish_history_log(self, history_log: dict[str, Any]) -> None:
        """Replaces ``CloudWatchLoggingSession.publish_history_log``: AWS's record shape, moto's logs backend."""
        event_type = history_log["type"]
        record: dict[str, Any] = {
            "id": str(history_log["id"]),
            "type": str(getattr(event_type, "value", event_type)),
            "details": copy.deepcopy(history_log.get("details") or {}),
            "previous_event_id": str(history_log.get("previous_event_id", "0")),
            "event_timestamp": str(_epoch_ms(history_log.get("event_timestamp"))),
            "execution_arn": self.execution_arn,
            "redrive_count": str(self.redrive_count),
        }
        with _logs_lock:
            kept = _logs.get(self.execution_arn)
            if kept is not None:
                kept.append(record)
        self._to_cloudwatch(record, event_type)

    def _to_cloudwatch(self, record: dict[str, Any], event_type: Any) -> None:
        from moto.logs.models import logs_backends
        from moto.stepfunctions.parser.asl.eval.event.logging import is_logging_enabled_for
        from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

        if self.target is None or not is_logging_enabled_for(self.level, event_type):  # type: ignore[arg-type]
            return
        if not self.include_data:
            record = {**record, "details": {k: v for k, v in record["details"].items()
                                            if k not in ("input", "inputDetails", "output", "outputDetails")}}
        account, region, group_name = self.target
        backend = logs_backends[account][region]
        with _logs_lock:  # moto's LogStream.put_log_events is not thread-safe
            group = backend.groups.get(group_name) or backend.create_log_group(group_name, tags={})
            if self.stream not in group.streams:
                group.create_log_stream(self.stream)
            # Straight into the stream: the group-level call drops events >2 h ahead (time warp runs ahead).
            group.streams[self.stream].put_log_events([{"timestamp": int(record["event_timestamp"]),
                                                        "message": to_json_str(record, separators=(",", ":"))}])


def _express_machine(backend: Any, state_machine_arn: str) -> Any:
    """The machine (or version) ``state_machine_arn`` names when it is EXPRESS, else None."""
    try:
        machine = backend.describe_state_machine(state_machine_arn)
    except Exception:  # aliases and errors: the standard path answers them
        return None
    return machine if getattr(machine, "type", "STANDARD") == "EXPRESS" else None


def _new_execution(backend: Any, machine: Any, name: str | None, execution_input: str | None,
                   trace_header: str | None, sync: bool) -> Any:
    """moto's ``Execution``/``SyncExecution`` for an EXPRESS machine (as ``StepFunctionsParserBackend.start_execution``
    builds it, without listing it under the machine)."""
    from moto.stepfunctions.parser.api import StateMachineType
    from moto.stepfunctions.parser.backend.execution import Execution, SyncExecution

    text = "{}" if execution_input is None else execution_input
    try:
        json.loads(text)
    except ValueError as exc:
        raise aws_error("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from None
    clone = copy.deepcopy(machine, {id(machine.executions): [], id(machine.backend): machine.backend})
    clone.sm_type = "EXPRESS"
    exec_name = name or str(uuid.uuid4())
    arn = express_execution_arn(getattr(machine, "source_arn", None) or machine.arn, exec_name)
    session = ExpressLog(arn, machine.name, getattr(machine, "loggingConfiguration", None))
    kind = SyncExecution if sync else Execution
    return kind(name=exec_name, sm_type=StateMachineType.EXPRESS, role_arn=clone.roleArn, exec_arn=arn,
                account_id=backend.account_id, region_name=backend.region_name, state_machine=clone,
                start_date=_dt.datetime.now(_dt.UTC), cloud_watch_logging_session=session,  # type: ignore[arg-type]
                input_data=text, trace_header=trace_header, activity_store={})


def billing_details(start: _dt.datetime, stop: _dt.datetime | None) -> dict[str, int]:
    """AWS's Express billing units: duration rounded up to 100 ms (at least 100), memory in 64-MB steps.

    Example:
        >>> t = _dt.datetime(2024, 1, 1, tzinfo=_dt.UTC)
        >>> billing_details(t, t + _dt.timedelta(milliseconds=230))
        {'billedMemoryUsedInMB': 64, 'billedDurationInMilliseconds': 300}
    """
    millis = max((stop - start).total_seconds() * 1000, 0.0) if stop else 0.0
    return {"billedMemoryUsedInMB": BILLED_MEMORY_MB,
            "billedDurationInMilliseconds": max(100, math.ceil(round(millis, 3) / 100.0) * 100)}


def install() -> None:
    """StartSyncExecution; EXPRESS StartExecution; express ARNs refused by DescribeExecution/GetExecutionHistory."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    def start_sync_execution(self: Any) -> Any:
        """New ``StepFunctionResponse.start_sync_execution`` (moto has none)."""
        backend = self.stepfunction_backend
        arn = self._get_param("stateMachineArn")
        machine = backend.describe_state_machine(arn)  # InvalidArn / StateMachineDoesNotExist as AWS
        if getattr(machine, "type", "STANDARD") != "EXPRESS":
            raise aws_error("StateMachineTypeNotSupported",
                            "This operation is not supported by this type of state machine")
        execution = _new_execution(backend, machine, self._get_param("name"), self._get_param("input"),
                                   self._get_param("traceHeader"), sync=True)
        execution.start()  # SyncExecutionWorker runs the program on this thread
        response = dict(execution.to_start_sync_execution_output())
        response["stateMachineArn"] = getattr(machine, "source_arn", None) or machine.arn
        response["billingDetails"] = billing_details(execution.start_date, execution.stop_date)
        if self._get_param("includedData") == "METADATA_ONLY":
            for key in ("input", "inputDetails", "output", "outputDetails"):
                response.pop(key, None)
        return ActionResult({k: v for k, v in response.items() if v is not None})

    StepFunctionResponse.start_sync_execution = start_sync_execution  # type: ignore[attr-defined]

    original_start = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: str | None = None, execution_input: Any = None,
                        trace_header: Any = None) -> Any:
        """Wraps ``StepFunctionsParserBackend.start_execution``: an EXPRESS machine starts an unlisted execution."""
        machine = _express_machine(self, state_machine_arn)
        if machine is None:
            return original_start(self, state_machine_arn, name,  # type: ignore[arg-type]
                                  execution_input, trace_header)
        execution = _new_execution(self, machine, name, execution_input, trace_header, sync=False)
        comm = execution._get_start_execution_worker_comm()
        original_terminated = comm.terminated

        def terminated() -> None:
            try:
                original_terminated()
            finally:
                _running.pop(execution.exec_arn, None)

        comm.terminated = terminated  # type: ignore[method-assign]
        execution._get_start_execution_worker_comm = lambda: comm
        _running[execution.exec_arn] = execution
        execution.start()
        return execution

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]

    for operation in ("describe_execution", "get_execution_history"):
        original = getattr(StepFunctionResponse, operation)

        def refuse_express(self: Any, _original: Any = original, _operation: str = operation) -> Any:
            """Wraps DescribeExecution/GetExecutionHistory: AWS keeps no record of EXPRESS executions there,
            except DescribeExecution of an Express child a Map Run dispatched (API reference, DescribeExecution)."""
            from workbench.engine.embedded.interpreter.distributed_map import map_run  # it builds on this module

            arn = self._get_param("executionArn")
            if is_express_arn(arn) and not (_operation == "describe_execution" and map_run.child(arn) is not None):
                raise aws_error("InvalidArn", _EXPRESS_CONTEXT)
            return _original(self)

        setattr(StepFunctionResponse, operation, refuse_express)
