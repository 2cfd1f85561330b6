"""Start executions and follow them through an :class:`Execution` handle.

Executions are always named (moto gives an unnamed one the ARN ``...:None``); a repeated name with the
same input returns the existing execution instead of failing. The status always comes from
DescribeExecution: an endpoint may make a history up (moto without its interpreter shows every run
SUCCEEDED while it stays RUNNING). Outputs are read from the final history event when it agrees with
that status (moto's DescribeExecution mangles them), else from DescribeExecution.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tqdm.auto import tqdm

from workbench.core.arn import STATE_MACHINE_KINDS, Arn, ArnKind, find_arns, looks_like_arn, short_name
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.state_machines import Deployment, find_state_machine
from workbench.engine.errors import (
    AwsError,
    DeployError,
    ExecutionInputError,
    ExecutionNameConflictError,
    StateMachineNotFoundError,
    WaitInterrupted,
)
from workbench.engine.run.watch import TERMINAL_EVENTS, TERMINAL_STATUSES, fetch_events, still_running, watch

MAX_INPUT_BYTES = 256 * 1024
_NAME_OK = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_STATUS_OF_EVENT = {
    "ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
    "ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT",
}
_STATUS_COLOUR = {"SUCCEEDED": "#1a7f37", "FAILED": "#cf222e", "TIMED_OUT": "#cf222e", "ABORTED": "#9a6700"}


def encode_input(value: Any) -> str:
    """The execution input as JSON text, checked to be valid JSON of at most 256 KiB.

    A ``str`` is taken as JSON text (as in the AWS API); anything else is serialised.

    Example:
        >>> encode_input({"ticket": 42})
        '{"ticket": 42}'
    """
    if value is None:
        text = "{}"
    elif isinstance(value, str | bytes):
        try:
            text = value.decode("utf-8") if isinstance(value, bytes) else value
            json.loads(text)
        except UnicodeDecodeError as exc:
            raise ExecutionInputError(f"The execution input bytes are not UTF-8 text: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise ExecutionInputError(
                f"The execution input is not valid JSON ({exc}). Pass a dict/list, or JSON text; for a plain "
                f"string use json.dumps({text[:20]!r})."
            ) from exc
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ExecutionInputError(
                f"The execution input cannot be sent as JSON: {exc}. Convert such values first "
                "(e.g. datetimes to ISO strings, sets to lists, NaN to null)."
            ) from exc
    size = len(text.encode("utf-8"))
    if size > MAX_INPUT_BYTES:
        raise ExecutionInputError(
            f"The execution input is {size:,} bytes ({size / 1024:.1f} KiB); Step Functions accepts at most "
            f"{MAX_INPUT_BYTES:,} bytes (256 KiB). Store large data elsewhere (e.g. S3) and pass a reference."
        )
    return text


def execution_name(base: str, *, now: datetime | None = None) -> str:
    """A unique execution name: ``<base>-<UTC time>-<random>``, at most 80 characters.

    Example:
        >>> execution_name("triage", now=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))[:23]
        'triage-20250102T030405Z'
    """
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-")[:52] or "run"
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{clean}-{stamp}-{secrets.token_hex(3)}"


class Execution:
    """A handle on one execution: status, output, wait with progress, stop, history.

    Example:
        >>> run = launch(target, deployment, {"ticket": 42})  # doctest: +SKIP
        >>> run.wait().status, run.output  # doctest: +SKIP
        ('SUCCEEDED', {'ticket': 42, 'ok': True})
    """

    def __init__(
        self,
        target: Target,
        arn: str,
        *,
        state_machine_arn: str | None = None,
        reused: bool = False,
    ) -> None:
        self._target = target
        self._arn = arn
        self.name = short_name(arn)
        self.state_machine_arn = state_machine_arn
        self.reused = reused  # True when launch() found an existing execution with this name and input
        self._status: str | None = None
        self._final: dict[str, Any] | None = None
        self._described: dict[str, Any] = {}  # the last DescribeExecution answer
        self._events: list[dict[str, Any]] = []  # seen by wait(), in order, ids 1..n
        # What ran, set by run_mission/start_mission (None after a bare launch); load_history(), frames() and
        # report() use them, so nothing has to be passed twice.
        self.mission: Any = None
        self.definition: dict[str, Any] | None = None
        self.tools: Mapping[str, Any] | None = None  # the Mission's tools: Lambda memory and architecture

    @property
    def target(self) -> Target:
        return self._target

    @property
    def arn(self) -> str:
        return self._arn

    # -- state -------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """Raw ``DescribeExecution``, the source of :attr:`status` (on moto its ``output`` is unreliable; use
        :attr:`output`)."""
        described = self._target.call("describe_execution", executionArn=self._arn)
        self._status = str(described.get("status"))
        self._described = described
        return described

    @property
    def status(self) -> str:
        """RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED (asks the target until it is final)."""
        if self._status not in TERMINAL_STATUSES:
            self.describe()
        return str(self._status)

    @property
    def done(self) -> bool:
        """True once the execution has finished, whatever the outcome."""
        return self.status in TERMINAL_STATUSES

    def _final_event(self) -> dict[str, Any] | None:
        """The history's terminal event when it agrees with DescribeExecution's status (else None)."""
        if self._final is None and self.done:
            ended = bool(self._events) and self._events[-1].get("type") in TERMINAL_EVENTS
            events = self._events if ended else fetch_events(self._target, self._arn, include_execution_data=True,
                                                             reverse=True, max_pages=1)
            finals = [e for e in events if _STATUS_OF_EVENT.get(str(e.get("type"))) == self._status]
            self._final = max(finals, key=lambda e: int(e.get("id", 0))) if finals else None
        return self._final

    def _final_detail(self, field: str) -> str | None:
        event = self._final_event()
        if event is None:  # no history event shows the end DescribeExecution reports: take its own fields
            value = self._described.get(field)
            return str(value) if value else None
        for key, details in event.items():
            if key.endswith("EventDetails") and isinstance(details, dict) and details.get(field):
                return str(details[field])
        return None

    @property
    def output(self) -> Any:
        """The parsed JSON output once SUCCEEDED, else None."""
        if self.status != "SUCCEEDED":
            return None
        text = self._final_detail("output")
        return json.loads(text) if text is not None else None

    @property
    def error(self) -> str | None:
        """The error name of a FAILED/TIMED_OUT/ABORTED execution (e.g. ``States.TaskFailed``)."""
        return self._final_detail("error") if self.done else None

    @property
    def cause(self) -> str | None:
        """The cause text that came with :attr:`error`."""
        return self._final_detail("cause") if self.done else None

    def history(self, include_execution_data: bool = True) -> list[dict[str, Any]]:
        """Every raw history event, in order (all pages; reused from wait() once the run has ended).

        Example:
            >>> [e["type"] for e in run.history()][:2]  # doctest: +SKIP
            ['ExecutionStarted', 'PassStateEntered']
        """
        if include_execution_data and self._events and self._events[-1].get("type") in TERMINAL_EVENTS:
            return list(self._events)
        return fetch_events(self._target, self._arn, include_execution_data=include_execution_data)

    # -- actions -----------------------------------------------------------------------------
    def wait(self, timeout: float | None = None, progress: bool = True, *, poll_interval: float = 0.2) -> Execution:
        """Block until DescribeExecution says the execution ended, with a progress bar of states entered.

        Returns self. Without ``progress`` only the status is polled and the history is read once at the end.
        The history only draws the progress: an end it shows is believed once DescribeExecution reports it.
        After ``timeout`` seconds raises :class:`WaitTimeoutError` (the execution goes on).
        Ctrl-C (or Jupyter's stop button) stops *waiting*; the execution keeps running.

        Example:
            >>> launch(target, deployment, {"n": 1}).wait(timeout=60).status  # doctest: +SKIP
            'SUCCEEDED'
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            if progress:
                self._follow(timeout, poll_interval)
            self._poll(deadline, timeout, poll_interval)  # DescribeExecution decides, whatever the history shows
        except KeyboardInterrupt:
            raise WaitInterrupted(
                f"Stopped waiting for execution '{self.name}'; it is still running on the {self._target.kind} "
                "target. Stop it with execution.stop(), or wait again with execution.wait()."
            ) from None
        return self

    def _follow(self, timeout: float | None, poll_interval: float) -> None:
        """Follow the history live (for the progress bar), keeping the events for :meth:`history`."""
        with tqdm(desc=self.name[:40], unit=" states", leave=True) as bar:
            after = int(self._events[-1]["id"]) if self._events else 0
            for event in watch(self, poll_interval=poll_interval, timeout=timeout, after_id=after):
                if int(event.get("id", 0)) == len(self._events) + 1:
                    self._events.append(event)
                kind = str(event.get("type", ""))
                if kind.endswith("StateEntered"):
                    bar.update(1)
                    bar.set_postfix_str(str((event.get("stateEnteredEventDetails") or {}).get("name", "")))
            bar.set_postfix_str(self.status)

    def _poll(self, deadline: float | None, timeout: float | None, poll_interval: float) -> None:
        """Poll DescribeExecution (cheap) until the end: every ``poll_interval`` for 5 s, then backing off to 2 s.

        The history is read once, at the end (unless following it already read it to the end).
        """
        started = time.monotonic()
        interval = poll_interval
        while self.status not in TERMINAL_STATUSES:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise still_running(self._arn, timeout)
            if now - started > 5:
                interval = min(max(2.0, poll_interval), interval * 1.6)
            time.sleep(interval if deadline is None else min(interval, max(deadline - now, 0.01)))
        if not self._events or self._events[-1].get("type") not in TERMINAL_EVENTS:
            self._events = fetch_events(self._target, self._arn, include_execution_data=True)
        self._final = None  # chosen from these events by _final_event, when they agree with the status

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """Stop a running execution (it ends ABORTED); harmless when it has already finished.

        Example:
            >>> run.stop(error="Operator.Cancelled", cause="wrong input").wait().status  # doctest: +SKIP
            'ABORTED'
        """
        if self.done:
            return self
        params = {k: v for k, v in {"error": error, "cause": cause}.items() if v is not None}
        self._target.call("stop_execution", executionArn=self._arn, **params)
        self._status = None
        self._final = None
        self._described = {}
        return self

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        try:
            status = self.status
            extra = f" error={self.error!r}" if status in {"FAILED", "TIMED_OUT"} else ""
        except Exception:  # a repr must not raise (e.g. offline); show what we last knew
            status, extra = self._status or "status unknown", ""
        return f"<Execution {self.name} {status}{extra} on {self._target.kind}>"

    def _repr_html_(self) -> str:
        status = self.status
        colour = _STATUS_COLOUR.get(status, "#0969da")
        rows = [("execution", self.name), ("status", status), ("target", self._target.kind), ("arn", self._arn)]
        if status in {"FAILED", "TIMED_OUT", "ABORTED"} and self.error:
            rows.append(("error", f"{self.error}: {self.cause or ''}"))
        cells = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        badge = f"<span style='color:white;background:{colour};padding:1px 6px;border-radius:3px'>{status}</span>"
        return f"<div><b>Execution</b> {badge}<table>{cells}</table></div>"


def _resolve(target: Target, deployment_or_arn: Deployment | str) -> tuple[str, str]:
    """(state machine ARN, ARN to start): alias when asked and the engine can, else the state machine."""
    if isinstance(deployment_or_arn, Deployment):
        sm_arn = deployment_or_arn.state_machine_arn
        alias = deployment_or_arn.alias_arn
        return sm_arn, alias if alias and target.capabilities.start_qualified else sm_arn
    text = str(deployment_or_arn)
    if not looks_like_arn(text):
        found = find_state_machine(target, text)
        if found is None:
            raise StateMachineNotFoundError(
                f"No state machine named '{text}' on the {target.kind} target; deploy it first.",
                operation="StartExecution",
            )
        return found, found
    machine = Arn.try_parse(text, *STATE_MACHINE_KINDS)
    if machine is None or machine.state_machine is None:
        raise DeployError(f"'{text}' is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME).")
    sm_arn = str(machine.state_machine)
    return sm_arn, text if target.capabilities.start_qualified else sm_arn


def launch(
    target: Target,
    deployment_or_arn: Deployment | str,
    input: Any = None,
    *,
    name: str | None = None,
    test_case: str | None = None,
) -> Execution:
    """Start an execution of a deployed state machine and return its :class:`Execution` handle.

    ``name`` defaults to ``<state machine>-<UTC time>-<random>``. Launching again with the same name
    and input returns the existing execution (``reused=True``); a different input is an error.
    ``test_case`` starts ``stateMachineArn#TestCase``: mocked responses, as Step Functions Local does.
    An EXPRESS machine is started with StartSyncExecution instead (see :mod:`workbench.engine.run.express`).

    Example:
        >>> run = launch(target, deployment, {"ticket": 42}, name="ticket-42")  # doctest: +SKIP
        >>> run.wait().output  # doctest: +SKIP
        {'ticket': 42, 'ok': True}
    """
    sm_arn, start_arn = _resolve(target, deployment_or_arn)
    body = encode_input(input)
    exec_name = name or execution_name(short_name(sm_arn))
    if not _NAME_OK.match(exec_name):
        raise ExecutionInputError(
            f"Execution name '{exec_name}' is invalid: use 1-80 letters, digits, '-' or '_'."
        )
    if test_case is None:
        from workbench.engine.run.express import ExpressExecution, machine_type  # express.py builds on Execution

        if machine_type(target, sm_arn) == "EXPRESS":
            return ExpressExecution.start(target, start_arn, sm_arn, exec_name, body)
    try:
        started = target.call("start_execution", stateMachineArn=start_arn + (f"#{test_case}" if test_case else ""),
                              name=exec_name, input=body)
    except AwsError as exc:
        if exc.code != "ExecutionAlreadyExists":
            raise
        return _existing(target, sm_arn, exec_name, body, str(exc))
    return Execution(target, str(started["executionArn"]), state_machine_arn=sm_arn)


def _existing(target: Target, sm_arn: str, exec_name: str, body: str, message: str) -> Execution:
    quoted = next((a for a in find_arns(message) if Arn.try_parse(a, ArnKind.EXECUTION)), None)
    arn = quoted or str(Arn.parse(sm_arn).execution(exec_name))
    described = target.call("describe_execution", executionArn=arn)
    if json.loads(described.get("input") or "{}") != json.loads(body):
        raise ExecutionNameConflictError(
            f"An execution named '{exec_name}' already exists on this state machine with a different input. "
            "Choose another name, or leave name out to get a fresh one."
        )
    execution = Execution(target, arn, state_machine_arn=sm_arn, reused=True)
    execution._status = str(described.get("status"))
    return execution
