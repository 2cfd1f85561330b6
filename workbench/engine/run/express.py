"""Express executions, as AWS runs them: no DescribeExecution, no GetExecutionHistory, no StopExecution.

An EXPRESS machine's execution is started with StartSyncExecution (on a worker thread, so :func:`launch`
still returns at once): its answer is the execution's status, output, error and cause, the only
authoritative result AWS gives for an Express run. Its events are the CloudWatch Logs records the machine's
``loggingConfiguration`` sends (level ALL, with execution data); ``deploy.express_logging`` is the
configuration the workbench gives an EXPRESS machine it deploys to the embedded engine, which writes those
records to its own CloudWatch Logs. On AWS, configure logging to get events; without it the run has a
status and output but no events.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from typing import Any

from workbench.core.arn import Arn, short_name
from workbench.engine.connect.targets import Target
from workbench.engine.errors import AwsError, TargetError
from workbench.engine.run.launch import Execution
from workbench.engine.run.watch import TERMINAL_EVENTS, TERMINAL_STATUSES


class ExpressExecution(Execution):
    """An Express execution: its result comes from StartSyncExecution, its events from CloudWatch Logs.

    Example:
        >>> run = launch(target, express_deployment, {"n": 1})  # doctest: +SKIP
        >>> run.wait().status, run.output  # doctest: +SKIP
        ('SUCCEEDED', {'n': 1})
    """

    def __init__(self, target: Target, arn: str, answer: Future[dict[str, Any]], *, state_machine_arn: str) -> None:
        super().__init__(target, arn, state_machine_arn=state_machine_arn)
        self._answer = answer

    @classmethod
    def start(cls, target: Target, start_arn: str, state_machine_arn: str, name: str, body: str) -> ExpressExecution:
        """StartSyncExecution on a worker thread; the handle's ARN is the one AWS forms for it."""
        answer: Future[dict[str, Any]] = Future()

        def call() -> None:
            try:
                answer.set_result(target.call("start_sync_execution", stateMachineArn=start_arn, name=name,
                                              input=body))
            except BaseException as exc:  # handed to whoever waits on the answer
                answer.set_exception(exc)

        threading.Thread(target=call, name=f"express-{name}", daemon=True).start()
        machine = Arn.parse(state_machine_arn)
        placeholder = f"arn:{machine.partition}:states:{machine.region}:{machine.account}:express:" \
                      f"{short_name(state_machine_arn)}:{name}"
        return cls(target, placeholder, answer, state_machine_arn=state_machine_arn)

    def describe(self) -> dict[str, Any]:
        """StartSyncExecution's answer once it came (``RUNNING`` before): Express has no DescribeExecution."""
        if not self._answer.done():
            self._status = "RUNNING"
            return {"status": "RUNNING", "executionArn": self._arn}
        answer = self._answer.result()  # raises the call's error, e.g. an InvalidExecutionInput
        self._arn = str(answer.get("executionArn") or self._arn)
        self._status = str(answer.get("status"))
        self._described = answer
        return answer

    def _final_event(self) -> dict[str, Any] | None:
        return None  # the sync answer holds output, error and cause itself

    def history(self, include_execution_data: bool = True) -> list[dict[str, Any]]:
        """The execution's CloudWatch Logs records, oldest first (empty when the machine logs nothing).

        Once the records end with the execution's own end they are kept: frames, reports and repeated calls
        read them from here instead of paging the log group again.
        """
        if self._events and self._events[-1].get("type") in TERMINAL_EVENTS:
            return list(self._events)
        if self.status not in TERMINAL_STATUSES:
            return []
        group = self._log_group()
        if group is None:
            return []
        logs = self._target.client("logs")
        records: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"logGroupName": group}
        while True:
            page = logs.filter_log_events(**kwargs)
            for event in page.get("events", []):
                record = json.loads(event["message"])
                if record.get("execution_arn") == self._arn:
                    records.append(record)
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        self._events = sorted(records, key=lambda r: int(r.get("id", 0)))
        return list(self._events)

    def _log_group(self) -> str | None:
        machine = self._target.call("describe_state_machine", stateMachineArn=str(self.state_machine_arn))
        for destination in (machine.get("loggingConfiguration") or {}).get("destinations") or []:
            group = Arn.try_parse((destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn"))
            if group is not None and group.log_group:
                return group.log_group
        return None

    def wait(self, timeout: float | None = None, progress: bool = True, *, poll_interval: float = 0.2) -> Execution:
        """Wait for StartSyncExecution's answer (Express runs last at most 5 minutes)."""
        from concurrent.futures import TimeoutError as FutureTimeout

        from workbench.engine.run.watch import still_running

        try:
            self._answer.exception(timeout=timeout)
        except FutureTimeout:
            raise still_running(self._arn, timeout) from None
        self.describe()
        return self

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """Express executions cannot be stopped (AWS: StopExecution is for Standard ones)."""
        if self.done:
            return self
        raise TargetError(f"'{self.name}' is an Express execution: Step Functions cannot stop those "
                          "(StopExecution is for Standard workflows); it ends by itself within 5 minutes")


def machine_type(target: Target, state_machine_arn: str) -> str:
    """STANDARD or EXPRESS, from DescribeStateMachine (STANDARD when the endpoint does not say)."""
    try:
        return str(target.call("describe_state_machine", stateMachineArn=state_machine_arn).get("type") or "STANDARD")
    except AwsError:
        return "STANDARD"
