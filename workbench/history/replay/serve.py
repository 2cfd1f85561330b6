"""Serve each Lambda call of a replayed execution what the recording says it answered.

One :class:`ReplaySession` per replayed execution chooses, for every call, the recorded outcome that stands
for it, in this order of evidence:

1. the same state, the same attempt and the same input (the call as it was recorded);
2. the same state and the same input at another visit or attempt: the same request, answered later in the
   recording (an extra retry attempt in an edited Mission takes what the loop's next call got);
3. the same state, visit (the state's n-th visit) and attempt with another input (the input holds a time or
   an id that differs from run to run, or the edit changed the arguments);

each recorded call being served at most once. A call none of them covers is *invented* by the
``unrecorded`` policy (:data:`POLICIES`) and counted, so nobody mistakes a guess for evidence.

A served outcome takes the recorded duration on the execution's virtual clock under time warp (the same
mechanism as injected latency, ``virtual_timeouts.sleep_in_flow``): a Task timeout shorter than it fires, as
it would have. A recorded timeout runs the clock to the Task's deadline.

:class:`ReplayHost` binds the sessions on one engine: one dispatcher per Lambda function name, routing each
call to the session of the execution that made it, so many replays of the same Mission can run at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from workbench.core.arn import Arn, ArnKind
from workbench.core.lambda_names import function_name
from workbench.engine.tools.bindings import ToolHost
from workbench.engine.tools.faults import InjectedTimeout, fault_error
from workbench.history.replay.recorded import RecordedCall, RecordedCalls, canonical, json_value

Policy = Literal["repeat", "last-success", "local", "fail"]
#: What a call with no recording gets: the last recorded outcome of that tool in that execution (``repeat``),
#: its last recorded success (``last-success``), the Mission's local implementation (``local``), or the
#: error :data:`UNRECORDED_ERROR` (``fail``).
POLICIES: tuple[Policy, ...] = ("repeat", "last-success", "local", "fail")
UNRECORDED_ERROR = "Replay.Unrecorded"
Tool = Callable[[Any, Any], Any]  # Any: a Lambda handler takes and returns any JSON value and a context

_HOLD_SECONDS = 60.0  # without time warp, a recorded timeout is held until the replay ends (at most this)
_OVERSIZE = "\u00fc" * 300_000  # more than 256 KiB of JSON: what a function that hit States.DataLimitExceeded sent


@dataclass(frozen=True)
class ServedCall:
    """One call of the replay and what answered it: a recording (``rule`` says which match) or an invention.

    ``visit`` counts the state's first attempts so far in this replay (1-based): the visit in words.
    """

    state: str
    visit: int
    attempt: int
    tool: str
    input_key: str
    invented: bool
    rule: str  # "as recorded" | "same input" | "same attempt" | the policy, for an invention
    recorded: RecordedCall | None  # the recording served, or the one an invention repeated
    outcome: str  # succeeded | failed | timed_out | local | Replay.Unrecorded (the policy had nothing to give)


def recorded_error(error: str | None, cause: str | None) -> Exception:
    """The exception that makes the engine record ``error`` and ``cause`` as a Lambda function's failure.

    ``Lambda.*`` errors are Lambda service errors (a ``ClientError``); others are a function's unhandled
    exception, whose type name is the error and whose message is the recorded ``errorMessage``.

    Example:
        >>> exc = recorded_error("DeployStatusUnavailable", '{"errorMessage": "try later", "errorType": "X"}')
        >>> type(exc).__name__, str(exc)
        ('DeployStatusUnavailable', 'try later')
    """
    name = error or "Exception"
    if name.startswith("Lambda."):
        message = cause if isinstance(cause, str) else json.dumps(cause)
        service_error: Exception = ClientError({"Error": {"Code": name.split(".", 1)[1], "Message": message}},
                                               "Invoke")
        return service_error
    document = json_value(cause)
    if not isinstance(document, dict):
        return fault_error(name, cause or "")
    error_type = document.get("errorType")
    if name.startswith("States.") and isinstance(error_type, str):
        name = error_type
    return fault_error(name, str(document.get("errorMessage", "")))


class _Oversize(Exception):
    """The recorded call answered more than Step Functions accepts (States.DataLimitExceeded)."""


class ReplaySession:
    """The Lambda calls of one replayed execution: picks each call's outcome and keeps the tally.

    ``local`` maps Lambda function names to the Mission's local implementations (for ``--unrecorded local``);
    ``timeout_of(context)`` gives the calling Task's TimeoutSeconds when it can be known; ``warped`` says
    whether the execution runs on a virtual clock (durations are then spent on it).

    Example:
        >>> from workbench.history.replay.recorded import recorded_calls
        >>> corpus = "../shared/corpus/histories/"
        >>> session = ReplaySession(recorded_calls(corpus + "test_lambda_task_service__test_invoke.json"), "fail")
        >>> class Ctx: state_name, attempt = "Start", 1
        >>> session("replay-fn", None, Ctx()), len(session.invented)
        ({}, 0)
    """

    def __init__(self, recorded: RecordedCalls, policy: Policy, local: Mapping[str, Tool] | None = None, *,
                 timeout_of: Callable[[Any], float | None] | None = None, warped: bool = False) -> None:
        self.recorded = recorded
        self.policy: Policy = policy
        self._local = dict(local or {})
        self._timeout_of = timeout_of
        self._warped = warped
        self._unserved: dict[str, list[RecordedCall]] = {}
        self._visit_of: dict[int, int] = {}  # id(call) -> the state's n-th visit it was made in (1-based)
        visits: dict[str, dict[tuple[str, int], int]] = {}
        for call in recorded:
            self._unserved.setdefault(call.state, []).append(call)
            seen = visits.setdefault(call.state, {})
            self._visit_of[id(call)] = seen.setdefault((call.execution, call.visit), len(seen) + 1)
        self._visits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.served: list[ServedCall] = []

    @property
    def invented(self) -> list[ServedCall]:
        """The calls no recording covered, in call order."""
        return [call for call in self.served if call.invented]

    def close(self) -> None:
        """The replay is over: release calls held for a recorded timeout (without time warp)."""
        self._closed.set()

    # -------------------------------------------------------------------------------- choosing
    def _choose(self, state: str, attempt: int, tool: str, key: str) -> ServedCall:
        with self._lock:
            if attempt == 1 or state not in self._visits:
                self._visits[state] = self._visits.get(state, 0) + 1
            visit = self._visits[state]
            pool = self._unserved.get(state, [])
            rules: tuple[tuple[str, Callable[[RecordedCall], bool]], ...] = (
                ("as recorded", lambda c: c.attempt == attempt and c.input_key == key),
                ("same input", lambda c: c.input_key == key),
                ("same attempt", lambda c: c.attempt == attempt and self._visit_of[id(c)] == visit),
            )
            for rule, fits in rules:
                found = next((c for c in pool if fits(c)), None)
                if found is not None:
                    pool.remove(found)
                    served = ServedCall(state, visit, attempt, tool, key, False, rule, found, found.outcome)
                    break
            else:
                served = self._invent(state, visit, attempt, tool, key)
            self.served.append(served)
            return served

    def _invent(self, state: str, visit: int, attempt: int, tool: str, key: str) -> ServedCall:
        base: RecordedCall | None = None
        if self.policy in ("repeat", "last-success"):
            success = self.policy == "last-success"
            base = self.recorded.last(tool=tool, succeeded=success) or self.recorded.last(state=state,
                                                                                           succeeded=success)
        outcome = base.outcome if base is not None else (
            "local" if self.policy == "local" and tool in self._local else UNRECORDED_ERROR)
        return ServedCall(state, visit, attempt, tool, key, True, self.policy, base, outcome)

    # -------------------------------------------------------------------------------- answering
    def __call__(self, tool_name: str, event: Any, context: Any) -> Any:  # Any: a Lambda event, context, result
        """Answer one call of function ``tool_name`` (the engine's tool signature, plus the name)."""
        state = str(getattr(context, "state_name", None) or "")
        attempt = int(getattr(context, "attempt", 1) or 1)
        served = self._choose(state, attempt, tool_name, canonical(event))
        try:
            if served.recorded is not None:
                return self._answer(served.recorded, context)
            if served.outcome == "local":
                return self._local[tool_name](event, context)
        except _Oversize:
            return _OVERSIZE
        policy = served.rule
        why = {"repeat": f"{tool_name} has no recorded outcome in this execution to repeat",
               "last-success": f"{tool_name} has no recorded success in this execution",
               "local": f"the Mission gives {tool_name} no local implementation"}.get(policy, "")
        raise fault_error(UNRECORDED_ERROR, f"no recorded outcome for state {state} (visit {served.visit}, attempt "
                                            f"{attempt}) and --unrecorded {policy}" + (f": {why}" if why else ""))

    def _answer(self, call: RecordedCall, context: Any) -> Any:  # Any: the recorded JSON result; a context
        if call.outcome == "timed_out":
            return self._time_out(call, context)
        self._spend(call.duration_ms / 1000.0)
        if call.outcome == "succeeded":
            return call.result
        if call.error == "States.DataLimitExceeded":
            raise _Oversize()
        raise recorded_error(call.error, call.cause)

    def _spend(self, seconds: float) -> None:
        """The recorded duration on the execution's virtual clock (raises when it outlasts the Task's timeout)."""
        if self._warped and seconds > 0:
            from workbench.engine.embedded.interpreter.virtual_timeouts import sleep_in_flow

            sleep_in_flow(seconds)

    def _time_out(self, call: RecordedCall, context: Any) -> None:  # Any: the engine's tool context
        """No answer before the Task's deadline: run the clock to it (time warp), else hold until the end."""
        if not self._warped:
            self._closed.wait(_HOLD_SECONDS)  # the engine's own timer fails the Task meanwhile
            return None
        limit = self._timeout_of(context) if self._timeout_of is not None else None
        self._spend(limit + 0.25 if limit else call.duration_ms / 1000.0)  # crossing the deadline raises
        raise InjectedTimeout(f"{call.tool or 'the function'} did not answer in the recording "
                              f"({call.describe()})")


class ReplayHost:
    """The replays running on one engine: a dispatcher per Lambda function name, a session per execution.

    Example:
        >>> host = host_for(engine)                                         # doctest: +SKIP
        >>> host.bind(execution_arn, session, ["deploy-check-status"])        # doctest: +SKIP
    """

    def __init__(self, engine: ToolHost) -> None:
        self.engine = engine
        self._sessions: dict[str, ReplaySession] = {}
        self._names: dict[str, int] = {}  # function name -> replays using it
        self._parents: dict[str, str] = {}  # Distributed Map child execution -> the replay that started it
        self._lock = threading.Lock()

    def bind(self, execution_arn: str, session: ReplaySession, function_names: Iterable[str]) -> list[str]:
        """Route the calls of ``execution_arn`` to ``session``; returns the function names now served."""
        names = sorted({_name(n) for n in function_names} - {""})
        bound = []
        with self._lock:
            self._sessions[execution_arn] = session
            for name in names:
                if self._names.get(name, 0) == 0:
                    try:
                        self.engine.register_tool(name, self._dispatcher(name))
                    except Exception:  # a placeholder such as <lambda_function_name>: no call can name it
                        continue
                self._names[name] = self._names.get(name, 0) + 1
                bound.append(name)
        return bound

    def unbind(self, execution_arn: str, function_names: Iterable[str]) -> None:
        """Forget an ended replay; a function no other replay uses is unregistered."""
        with self._lock:
            self._sessions.pop(execution_arn, None)
            self._parents = {child: parent for child, parent in self._parents.items() if parent != execution_arn}
            for name in function_names:
                left = self._names.get(name, 0) - 1
                if left > 0:
                    self._names[name] = left
                    continue
                self._names.pop(name, None)
                self.engine.unregister_tool(name)

    def session_of(self, execution_arn: str) -> ReplaySession | None:
        """The session of a replayed execution, or of the replay whose Distributed Map started it."""
        session = self._sessions.get(execution_arn)
        if session is not None or Arn.try_parse(execution_arn, ArnKind.EXECUTION) is None:
            return session
        parent = self._parents.get(execution_arn)
        client = getattr(self.engine, "client", None)
        if parent is None and callable(client):
            try:  # DescribeExecution names the child's Map Run; DescribeMapRun the execution that started it
                run = client().describe_execution(executionArn=execution_arn).get("mapRunArn")
                parent = client().describe_map_run(mapRunArn=run)["executionArn"] if run else None
            except Exception:  # not an execution of this engine: no session
                return None
            if parent:
                self._parents[execution_arn] = str(parent)
        return self._sessions.get(str(parent)) if parent else None

    def _dispatcher(self, name: str) -> Tool:
        def dispatch(event: Any, context: Any) -> Any:  # Any: a Lambda event, context and result
            arn = getattr(context, "execution_arn", None)
            session = self.session_of(str(arn))
            if session is None:
                raise fault_error(UNRECORDED_ERROR, f"no replay is bound to execution {arn} (function {name})")
            return session(name, event, context)

        dispatch.__name__ = f"replay_{name}"
        return dispatch


def _name(text: str) -> str:
    try:
        return function_name(text)
    except ValueError:
        return ""


_hosts: dict[int, tuple[ToolHost, ReplayHost]] = {}
_hosts_lock = threading.Lock()


def host_for(engine: ToolHost) -> ReplayHost:
    """The one :class:`ReplayHost` of ``engine`` (made on first use), so every replay on it shares the dispatchers.

    Example:
        >>> host_for(engine) is host_for(engine)  # doctest: +SKIP
        True
    """
    with _hosts_lock:
        found = _hosts.get(id(engine))
        if found is None or found[0] is not engine:
            found = _hosts[id(engine)] = (engine, ReplayHost(engine))
        return found[1]
