"""The Map Run API over child executions: Describe/ListExecutions(mapRunArn), Describe/Update/ListMapRuns.

moto finds executions through their state machine (``describe_execution`` splits the ARN and looks the
machine up by name), so a child ARN (``execution:MACHINE/LABEL:UUID``) was unknown, and
``ListExecutions(mapRunArn=...)`` called ``describe_state_machine(None)`` (HTTP 500). moto finds a Map Run
only in top-level executions' environments, so one started by a child (a nested Distributed Map) was not
found. Each wrapper below answers from ``map_run.py``'s registry first and defers to moto otherwise.

Express children (``ProcessorConfig.ExecutionType`` ``EXPRESS``) are listed and described like STANDARD ones, with
their express ARNs: AWS's DescribeExecution reference says "Executions of an EXPRESS state machine aren't supported
by DescribeExecution unless a Map Run dispatched them"
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html), and ListExecutions
"Lists all executions of a state machine or a Map Run" (its "not supported by EXPRESS state machines" is about
``stateMachineArn``: ``api/sync.py`` answers that one). GetExecutionHistory has no such exception: an Express
child has no history, ``api/sync.py`` refuses its ARN with ``InvalidArn``.
"""

from __future__ import annotations

from typing import Any

from workbench.core.arn import Arn, ArnKind
from workbench.engine.embedded.interpreter.api.errors import aws_error
from workbench.engine.embedded.interpreter.distributed_map import map_run


def _run_of(map_run_arn: str | None) -> map_run.MapRun:
    """The Map Run with this ARN: InvalidArn for no Map Run ARN, ResourceNotFound for an unknown one (AWS's
    DescribeMapRun/UpdateMapRun/ListExecutions errors; moto raised ``ResourceNotFound()`` without its argument)."""
    run = map_run.map_run(map_run_arn)
    if run is not None:
        return run
    if Arn.try_parse(map_run_arn, ArnKind.MAP_RUN) is None:
        raise aws_error("InvalidArn", f"Invalid Arn: '{map_run_arn}'")
    raise aws_error("ResourceNotFound", f"Resource not found: '{map_run_arn}'")


def _list_children(self: Any) -> Any:
    """ListExecutions(mapRunArn=...): the Map Run's children, newest first, paginated like moto's."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import InvalidToken

    run = _run_of(self._get_param("mapRunArn"))
    status = self._get_param("statusFilter")
    max_results = self._get_int_param("maxResults") or 100
    token = self._get_param("nextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise InvalidToken(f"'{token}'") from None
    with run.cond:
        children = list(run.children)
    children = [c for c in reversed(children) if status is None or c.status == status]
    page = children[start:start + max_results]
    items = []
    for execution in page:
        item = {"executionArn": execution.exec_arn, "name": execution.name, "startDate": execution.start_date,
                "stateMachineArn": execution.state_machine.arn, "status": execution.status,
                "mapRunArn": execution.map_run_arn, "itemCount": execution.item_count}
        if execution.status != "RUNNING" and execution.stop_date is not None:
            item["stopDate"] = execution.stop_date
        items.append(item)
    response: dict[str, Any] = {"executions": items}
    if start + max_results < len(children):
        response["nextToken"] = str(start + max_results)
    return ActionResult(response)


def install() -> None:
    """Wrap ``StepFunctionsParserBackend.describe_execution`` and ``StepFunctionResponse.list_executions``/
    ``describe_execution``; replace ``StepFunctionsParserBackend.describe_map_run``/``update_map_run``."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    original_describe = StepFunctionsParserBackend.describe_execution

    def describe_execution(self: Any, execution_arn: str) -> Any:
        found = map_run.child(execution_arn)
        return found if found is not None else original_describe(self, execution_arn)

    StepFunctionsParserBackend.describe_execution = describe_execution  # type: ignore[method-assign]

    def describe_map_run(self: Any, map_run_arn: str) -> Any:
        return _run_of(map_run_arn).record.describe()  # every Map Run is in map_run.py's registry

    StepFunctionsParserBackend.describe_map_run = describe_map_run  # type: ignore[method-assign]

    def update_map_run(self: Any, map_run_arn: str, max_concurrency: Any, tolerated_failure_count: Any,
                       tolerated_failure_percentage: Any) -> None:
        run = _run_of(map_run_arn)
        record = run.record
        with run.cond:
            # A threshold set through UpdateMapRun counts as declared (see map_run._exceeded).
            if tolerated_failure_count is not None:
                record._workbench_count_set = True
            if tolerated_failure_percentage is not None:
                record._workbench_percentage_set = True
            record.update(max_concurrency=None if max_concurrency is None else int(max_concurrency),
                          tolerated_failure_count=None if tolerated_failure_count is None
                          else int(tolerated_failure_count),
                          tolerated_failure_percentage=None if tolerated_failure_percentage is None
                          else float(tolerated_failure_percentage))
        map_run.wake(map_run_arn)

    StepFunctionsParserBackend.update_map_run = update_map_run  # type: ignore[method-assign]

    original_list = StepFunctionResponse.list_executions

    def list_executions(self: Any) -> Any:
        # AWS: "You can specify either a mapRunArn or a stateMachineArn, but not both" (and one of them).
        if bool(self._get_param("mapRunArn")) == bool(self._get_param("stateMachineArn")):
            raise aws_error("ValidationException", "You must specify either a stateMachineArn or a mapRunArn, "
                                                   "but not both")
        if self._get_param("mapRunArn"):
            return _list_children(self)
        return original_list(self)

    StepFunctionResponse.list_executions = list_executions  # type: ignore[method-assign]

    original_response = StepFunctionResponse.describe_execution

    def describe_child(self: Any) -> Any:
        """DescribeExecution of a child also names its Map Run (``mapRunArn``), as on AWS; Express ones too."""
        arn = self._get_param("executionArn")
        found = map_run.child(arn)
        if found is None:
            return original_response(self)
        result = original_response(self)  # api/sync.py lets a Map Run's Express children through
        response: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
        response["executionArn"] = arn
        response["mapRunArn"] = found.map_run_arn
        return ActionResult(response)

    StepFunctionResponse.describe_execution = describe_child  # type: ignore[method-assign]
