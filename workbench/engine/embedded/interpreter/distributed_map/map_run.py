"""A Distributed Map's Map Run as AWS runs it: one child execution per item (or batch), failure tolerance.

moto's ``DistributedIterationComponent._map_run`` evaluates every item as an iteration inside the parent
(no executions, no ``ExecutionStarted`` history, tolerance never checked: a failed item is a ``null`` result).
On AWS (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html) each child
workflow is an execution of its own, ARN ``arn:aws:states:REGION:ACCOUNT:execution:MACHINE/LABEL:UUID``,
with its own history and status, listed by ``ListExecutions(mapRunArn=...)``; the Map Run fails with
``States.ExceedToleratedFailureThreshold`` once failed items exceed ``ToleratedFailureCount`` or
``ToleratedFailurePercentage`` (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html),
and ``UpdateMapRun`` changes MaxConcurrency and the thresholds of a running Map Run.

Children are moto ``Execution`` objects run synchronously on a thread per running child (at most
:data:`MAX_THREADS`, the engine's bound on AWS's 10,000), reusing the Map's parsed ItemProcessor program.
They share the parent's engine binding (tools, mocks) and start on a fork of its virtual clock.

``ProcessorConfig.ExecutionType`` ``EXPRESS`` (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)
makes every child an Express execution, ARN ``arn:aws:states:REGION:ACCOUNT:express:MACHINE/LABEL:NAME:ID``
(``Arn.express_execution``), run as ``StateMachineType.EXPRESS`` with an ``api.sync.ExpressLog`` session: its
events go to the loggingConfiguration of the machine that started the Map Run (and to ``sync.express_log``), as
for any Express execution. Counting, tolerance, batching and results are the same as for STANDARD children.
DescribeExecution and ListExecutions(mapRunArn) know Express children ("Executions of an EXPRESS state machine
aren't supported by DescribeExecution unless a Map Run dispatched them",
https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html); GetExecutionHistory
does not (an Express execution has no history; ``sync.py`` answers ``InvalidArn``). See ``api.py``.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from workbench.asl.json_text import dumps_json
from workbench.core.arn import Arn
from workbench.engine.embedded.interpreter import bindings, timewarp
from workbench.engine.embedded.interpreter.distributed_map import batching
from workbench.engine.embedded.interpreter.distributed_map.definition import MapSpec, spec_of
from workbench.engine.embedded.interpreter.fidelity import event_details

MAX_THREADS: Final = 100
THRESHOLD_CAUSE: Final = "The specified tolerated failure threshold was exceeded"


@dataclass(eq=False)
class MapRun:
    """The live state of one Map Run: its moto record, its children, and the lock their workers share."""

    record: Any  # moto MapRunRecord
    spec: MapSpec | None
    total_items: int = 0
    logging_config: dict[str, Any] | None = None  # of the machine that started the run (Express children log there)
    children: list[Any] = field(default_factory=list)  # ChildExecution, in start order
    cond: threading.Condition = field(default_factory=threading.Condition)
    running: int = 0
    failed_items: int = 0
    exceeded: bool = False


_lock = threading.Lock()
_runs: dict[str, MapRun] = {}
_children: dict[str, Any] = {}


def map_run(map_run_arn: str | None) -> MapRun | None:
    with _lock:
        return _runs.get(map_run_arn or "")


# A name for an Express child that is no express ARN: DescribeExecution passes it through the layers that refuse
# express ARNs (api/sync.py), since AWS describes the Express children of a Map Run (see api.py).
def child(execution_arn: str | None) -> Any:
    """The child execution with this ARN, a moto ``Execution``, or None."""
    with _lock:
        return _children.get(execution_arn or "")


def _classes() -> tuple[type, type]:
    """``ChildExecution`` and ``ChildWorker``, built on first use (moto is imported lazily)."""
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    class ChildWorker(ExecutionWorker):  # type: ignore[misc]
        program: Any = None

        def _get_evaluation_entrypoint(self) -> Any:
            return self.program  # the Map's parsed ItemProcessor: no parse per child

    class ChildExecution(Execution):  # type: ignore[misc]
        map_run_arn: str = ""
        item_count: int = 1
        program: Any = None
        express: bool = False  # an Express child (ProcessorConfig.ExecutionType EXPRESS)
        log_session: Any = None  # its api.sync.ExpressLog
        logging_config: dict[str, Any] | None = None  # the loggingConfiguration its Express descendants log to

        def _get_start_execution_worker(self) -> Any:
            worker = ChildWorker(
                evaluation_details=self._build_details(), exec_comm=self._get_start_execution_worker_comm(),
                cloud_watch_logging_session=self.log_session, activity_store=self._activity_store)
            worker.program = self.program
            return worker

        def _build_details(self) -> Any:
            from moto.stepfunctions.parser.asl.eval.evaluation_details import EvaluationDetails

            return EvaluationDetails(aws_execution_details=self._get_start_aws_execution_details(),
                                     execution_details=self.get_start_execution_details(),
                                     state_machine_details=self.get_start_state_machine_details())

        def to_execution_list_item(self) -> Any:
            item = super().to_execution_list_item()
            item["mapRunArn"] = self.map_run_arn
            item["itemCount"] = self.item_count
            return item

    _CLASSES = (ChildExecution, ChildWorker)
    return _CLASSES


_CLASSES: tuple[type, type] | None = None


def _selected(env: Any, eval_input: Any, items: list[Any], map_input: Any) -> list[Any]:
    """Each item after ItemSelector (or legacy Parameters), with ``$$.Map.Item`` set as AWS does."""
    selector = eval_input.item_selector or eval_input.parameters
    if selector is None:
        return items
    from moto.stepfunctions.parser.asl.eval.states import ItemData, MapData

    out = []
    for index, item in enumerate(items):
        frame = env.open_inner_frame()
        try:
            frame.states.context_object.context_object_data["Map"] = MapData(Item=ItemData(Index=index, Value=item))
            frame.states.reset(input_value=map_input)
            frame.stack.append(map_input)
            selector.eval(frame)
            out.append(frame.stack.pop())
        finally:
            env.close_frame(frame)
    return out


def map_run_failure(env: Any, error_type: str, cause: str) -> Exception:
    """A ``FailureEventException`` that fails the Map Run (``MapRunFailed`` with this error and cause).

    ``error_type`` names a ``StatesErrorNameType`` member, e.g. ``StatesItemReaderFailed``.
    """
    from moto.stepfunctions.parser.api import HistoryEventType, MapRunFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    error = StatesErrorName(typ=StatesErrorNameType[error_type])
    return FailureEventException(FailureEvent(
        env=env, error_name=error, event_type=HistoryEventType.MapRunFailed,
        event_details=event_details(mapRunFailedEventDetails=MapRunFailedEventDetails(
            error=error.error_name, cause=cause))))


def _exceeded(run: MapRun) -> bool:
    """AWS: the run fails when failed items exceed a declared threshold (any failure when none is declared)."""
    record, spec = run.record, run.spec
    has_count = bool(spec and spec.has_count) or getattr(record, "_workbench_count_set", False)
    has_percentage = bool(spec and spec.has_percentage) or getattr(record, "_workbench_percentage_set", False)
    if not has_count and not has_percentage:
        return run.failed_items > 0
    over_count = has_count and run.failed_items > int(record.tolerated_failure_count or 0)
    over_percentage = has_percentage and run.total_items > 0 and (
        run.failed_items * 100.0 / run.total_items > float(record.tolerated_failure_percentage or 0))
    return bool(over_count or over_percentage)


def _logging_config(env: Any) -> dict[str, Any] | None:
    """The loggingConfiguration of the machine running ``env`` (a child's: inherited from its parent)."""
    from moto.stepfunctions.responses import get_backend

    data = env.states.context_object.context_object_data
    parent = child(data["Execution"]["Id"])
    if parent is not None:
        return parent.logging_config  # type: ignore[no-any-return]
    details = env.aws_execution_details
    try:
        machine = get_backend(details.account, details.region).describe_state_machine(data["StateMachine"]["Id"])
    except Exception:  # a machine deleted while running: nothing to log to
        return None
    config = getattr(machine, "loggingConfiguration", None)
    return dict(config) if isinstance(config, dict) else None


def _new_child(env: Any, component: Any, run: MapRun, child_input: Any, items: int) -> Any:
    from moto.stepfunctions.parser.api import ExecutionStatus, StateMachineType
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
    from moto.stepfunctions.parser.backend.state_machine import StateMachineInstance

    from workbench.engine.embedded.interpreter.api.sync import ExpressLog

    execution_class, _ = _classes()
    record = run.record
    name = str(uuid.uuid4())
    express = bool(run.spec and run.spec.express)
    sm_type = StateMachineType.EXPRESS if express else StateMachineType.STANDARD
    map_machine = Arn.parse(record.map_state_machine_arn)
    exec_arn = str(map_machine.express_execution(name, str(uuid.uuid4())) if express else map_machine.execution(name))
    class ChildMachine(StateMachineInstance):  # type: ignore[misc]
        """The Map Run's state machine (``stateMachine:MACHINE/LABEL``): the ItemProcessor's definition."""

        def itemise(self) -> Any:
            return None

    machine = ChildMachine(
        name=map_machine.name, arn=record.map_state_machine_arn,
        definition=dumps_json(run.spec.processor if run.spec else {}), role_arn=env.aws_execution_details.role_arn,
        logging_config=run.logging_config or {}, sm_type=sm_type)  # type: ignore[arg-type]
    clock = timewarp.clock_of(env)
    session = ExpressLog(exec_arn, str(map_machine.name).split("/")[0], run.logging_config) if express else None
    execution = execution_class(
        name=name, sm_type=sm_type, role_arn=env.aws_execution_details.role_arn, exec_arn=exec_arn,
        account_id=env.aws_execution_details.account, region_name=env.aws_execution_details.region,
        state_machine=machine, start_date=clock.now() if clock else datetime.datetime.now(datetime.UTC),
        cloud_watch_logging_session=session, activity_store=env.activity_store,
        input_data=to_json_str(child_input, separators=(",", ":")))  # moto's: S3 listings hold datetimes
    execution.map_run_arn = record.map_run_arn
    execution.item_count = items
    execution.express = express
    execution.log_session = session
    execution.logging_config = run.logging_config
    execution.program = component._get_iteration_program()
    execution.exec_worker = execution._get_start_execution_worker()
    execution.exec_status = ExecutionStatus.RUNNING
    parent = bindings.binding_of(env.states.context_object.context_object_data["Execution"]["Id"])
    if parent is not None and parent.engine is not None:
        with bindings.serving(parent.engine):
            binding = bindings.bind_execution(execution.exec_arn, parent.mocks)
        if binding.clock is not None and clock is not None:
            binding.clock.join(clock)  # start where the parent's flow is
    with _lock:
        _children[execution.exec_arn] = execution
    return execution


def _run_child(run: MapRun, execution: Any, counters: Any) -> None:
    """Run one child to its end on this thread, then count it and check the thresholds."""
    from moto.stepfunctions.parser.api import ExecutionStatus

    try:
        execution.exec_worker._execution_logic()
    except Exception as exc:  # an interpreter bug must not hang the Map Run
        execution.exec_status = ExecutionStatus.FAILED
        execution.error, execution.cause = "States.Runtime", f"{type(exc).__name__}({exc})"
        execution.stop_date = datetime.datetime.now(datetime.UTC)
    status = execution.exec_status
    items, executions = counters
    with run.cond:
        run.running -= 1
        items.running.offset(-execution.item_count)
        executions.running.offset(-1)
        if status == ExecutionStatus.SUCCEEDED:
            items.succeeded.count(execution.item_count)
            executions.succeeded.count()
        else:
            kind = {ExecutionStatus.ABORTED: "aborted", ExecutionStatus.TIMED_OUT: "timed_out"}.get(status, "failed")
            getattr(items, kind).count(execution.item_count)
            getattr(executions, kind).count()
            run.failed_items += execution.item_count
            if not run.exceeded and _exceeded(run):
                run.exceeded = True
        run.cond.notify_all()


def _limit(run: MapRun, jobs: int) -> int:
    concurrency = int(run.record.max_concurrency or 0)
    return min(concurrency if concurrency > 0 else jobs, MAX_THREADS)


def _abort(children: list[Any], why: str) -> None:
    now = datetime.datetime.now(datetime.UTC)
    for execution in children:
        env = execution.exec_worker.env if execution.exec_worker is not None else None
        if execution.status == "RUNNING" and env is not None:
            env.set_stop(stop_date=now, cause=why, error=None)


def run_map(component: Any, env: Any, eval_input: Any) -> None:
    """Replacement body of ``DistributedIterationComponent._map_run`` (items on ``env.stack``)."""
    items: list[Any] = env.stack.pop()
    map_input = env.stack[-1] if env.stack else env.states.get_input()
    spec = spec_of(component)
    record = eval_input.map_run_record
    run = MapRun(record=record, spec=spec, total_items=len(items), logging_config=_logging_config(env))
    with _lock:
        _runs[record.map_run_arn] = run
    selected = _selected(env, eval_input, items, map_input)
    if spec is not None and spec.batcher_eval is not None:
        try:
            config = batching.evaluate(env, spec, map_input)
            inputs: list[Any] = batching.batches(selected, config)
        except ValueError as exc:
            raise map_run_failure(env, "StatesRuntime", str(exc)) from exc
        sizes = [len(batch["Items"]) for batch in inputs]
    else:
        inputs, sizes = selected, [1] * len(selected)
    counters = (record.item_counter, record.execution_counter)
    record.item_counter.total.count(len(items))
    record.item_counter.pending.count(len(items))
    record.execution_counter.total.count(len(inputs))
    record.execution_counter.pending.count(len(inputs))
    started: list[Any] = []
    with run.cond:
        while True:
            stopping = run.exceeded or not env.is_running()
            if stopping:
                _abort(started, THRESHOLD_CAUSE if run.exceeded else "The parent execution was stopped")
            while not stopping and len(started) < len(inputs) and run.running < _limit(run, len(inputs)):
                index = len(started)
                execution = _new_child(env, component, run, inputs[index], sizes[index])
                started.append(execution)
                with _lock:
                    run.children.append(execution)
                run.running += 1
                record.item_counter.pending.offset(-sizes[index])
                record.item_counter.running.count(sizes[index])
                record.execution_counter.pending.offset(-1)
                record.execution_counter.running.count()
                threading.Thread(target=_run_child, args=(run, execution, counters), daemon=True,
                                 name=f"map-run-child-{index}").start()
            if run.running == 0 and (stopping or len(started) == len(inputs)):
                break
            # Woken by each child's end and by UpdateMapRun; the timeout notices a stopped parent.
            run.cond.wait(timeout=0.2)
    if run.exceeded:
        raise map_run_failure(env, "StatesExceedToleratedFailureThreshold", THRESHOLD_CAUSE)
    for execution in started:  # results written: AWS counts the children whose result the run kept
        if execution.exec_status is not None and execution.status == "SUCCEEDED":
            record.item_counter.results_written.count(execution.item_count)
            record.execution_counter.results_written.count()
    if spec is not None and (spec.exports or spec.writer_config is not None):
        from workbench.engine.embedded.interpreter.distributed_map import result_writer

        env.stack.append(result_writer.finish(env, spec, record.map_run_arn, started, map_input))
        return
    env.stack.append([execution.output if execution.status == "SUCCEEDED" else None for execution in started])


def wake(map_run_arn: str) -> None:
    """Make a running Map Run re-read its record (after UpdateMapRun)."""
    run = map_run(map_run_arn)
    if run is not None:
        with run.cond:
            if not run.exceeded and run.failed_items and _exceeded(run):
                run.exceeded = True
            run.cond.notify_all()


def install() -> None:
    """Replace ``DistributedIterationComponent._map_run`` with :func:`run_map`."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
        DistributedIterationComponent,
    )

    def _map_run(self: Any, env: Any, eval_input: Any) -> None:
        run_map(self, env, eval_input)

    DistributedIterationComponent._map_run = _map_run  # type: ignore[method-assign]
