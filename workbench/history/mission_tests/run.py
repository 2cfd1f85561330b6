"""Run Mission test cases on a private embedded engine under the time warp, with tool mocks.

Why a private engine: the tools it serves and the mock configs it loads belong to the tests alone, so a
notebook's or another run's local tools never answer a case (and the cases never unbind theirs).

* A run case deploys the Mission (a copy whose ambiguous Choice rules carry a coverage marker, see
  :mod:`~workbench.history.mission_tests.choices`), starts it with ``#wb-test`` so the engine answers the
  mocked tools (:mod:`~workbench.history.mission_tests.mocks`), and waits, on the virtual clock, for the end.
  Tools the case does not mock run their ``local`` function, without the Mission's ``local.faults``; a tool
  with no local function fails its Task with ``UnmockedTool``.
* A state case calls the engine's TestState (boto3 ``test_state``), as AWS's TestState API runs one state:
  the same statuses (``SUCCEEDED``, ``FAILED``, ``CAUGHT_ERROR``, ``RETRIABLE``), the same ``nextState`` and
  Retry/Catch indices, the Task's mock as AWS's ``mock``. A one-state machine could not say which state
  comes next nor that a Retrier would retry.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.connect.targets import LOCAL_ROLE_ARN, EmbeddedTarget
from workbench.engine.deploy.state_machines import deploy
from workbench.engine.embedded import EmbeddedEngine
from workbench.engine.errors import ToolBindingError, WaitTimeoutError
from workbench.engine.run.launch import Execution, launch
from workbench.engine.tools.bindings import BoundTools, ToolBinding, bind_tools, resolve_local
from workbench.history.fetch.histories import fetch_map_run_histories
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import run_history
from workbench.history.mission_tests.choices import instrument
from workbench.history.mission_tests.coverage import Coverage
from workbench.history.mission_tests.definition import JsonObject, states_by_name, tool_states
from workbench.history.mission_tests.expect import Actual, check
from workbench.history.mission_tests.load import MissionSuite
from workbench.history.mission_tests.mocks import TEST_CASE, lambda_result, mock_config
from workbench.history.mission_tests.model import RunCase, StateCase
from workbench.history.mission_tests.results import CaseResult, SuiteResult
from workbench.history.mission_tests.trace import history_keys, map_runs, state_case_keys, top_level_path

__all__ = ["DEFAULT_TIMEOUT", "MissionTestRunner", "UnmockedTool"]

#: Real seconds a case may take before it is stopped (under the time warp a case takes well under one).
DEFAULT_TIMEOUT = 60.0


class UnmockedTool(Exception):
    """A tool the case does not mock and that has no local function was called."""


@dataclass
class _Prepared:
    """One suite on the engine: the deployed (instrumented) definition and the Task state → tool map."""

    state_machine_arn: str
    definition: JsonObject
    tool_states: dict[str, str]


def _stub(tool: str, why: str) -> Callable[[Any, Any], Any]:  # Any: a Lambda event and context
    def unmocked(event: Any, context: Any = None) -> Any:  # Any: a Lambda event and context
        raise UnmockedTool(f"tool '{tool}' was called but this case does not mock it, and {why}; add it under "
                           f"`mocks:` (see docs/mission-tests.md)")

    return unmocked


class MissionTestRunner:
    """Runs cases and suites; owns one embedded engine (time warp on) until :meth:`close`.

    Example:
        >>> from workbench.history.mission_tests.load import load_suite
        >>> with MissionTestRunner() as runner:                                # doctest: +SKIP
        ...     result = runner.run_suite(load_suite("missions/deploy_check.yaml"))
        >>> result.passed, round(result.coverage.percent())                    # doctest: +SKIP
        (True, 100)
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._engine: EmbeddedEngine | None = None
        self._target: EmbeddedTarget | None = None
        self._prepared: dict[int, _Prepared] = {}
        self._deployed: dict[str, int] = {}  # state machine name -> the suite whose definition it holds
        self._bound: tuple[int, BoundTools] | None = None
        self._lock = threading.Lock()

    # -- engine ----------------------------------------------------------------------------------
    @property
    def target(self) -> EmbeddedTarget:
        if self._target is None:
            self._engine = EmbeddedEngine(time_warp=True).start()
            self._target = EmbeddedTarget(self._engine, time_warp=True)
        return self._target

    def close(self) -> None:
        """Unbind the tools and stop the engine (state machines stay in moto's process-wide backends)."""
        if self._bound is not None:
            self._bound[1].unbind()
            self._bound = None
        if self._engine is not None:
            self._engine.stop()
        self._engine = self._target = None
        self._prepared.clear()
        self._deployed.clear()

    def __enter__(self) -> MissionTestRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare(self, suite: MissionSuite) -> _Prepared:
        """Deploy the suite's definition once, and serve its tools' local functions (or stubs)."""
        key = id(suite)
        if key not in self._prepared:
            definition, _marked = instrument(suite.definition)
            self._prepared[key] = _Prepared("", definition, tool_states(suite.mission))
        prepared = self._prepared[key]
        if self._deployed.get(suite.mission.name) != key:  # another suite's definition may hold the name now
            prepared.state_machine_arn = deploy(self.target, suite.mission.name, prepared.definition).state_machine_arn
            self._deployed[suite.mission.name] = key
        if self._bound is None or self._bound[0] != key:
            if self._bound is not None:
                self._bound[1].unbind()
                self._bound = None
            self._bound = (key, self._bind(suite))
        return prepared

    def _bind(self, suite: MissionSuite) -> BoundTools:
        bindings: list[ToolBinding] = []
        functions: dict[str, Callable[..., Any]] = {}  # Any: Lambda handlers
        for name, spec in suite.mission.tools.items():
            bindings.append(ToolBinding(name=name, lambda_function=spec.lambda_))
            if spec.local is None:
                functions[name] = _stub(name, "it has no `local:` function")
                continue
            try:
                functions[name] = resolve_local(spec.local)
            except ToolBindingError as exc:
                functions[name] = _stub(name, f"its local function cannot be used ({exc})")
        engine = self._engine
        assert engine is not None
        return bind_tools(engine, bindings, None, functions=functions)

    # -- cases -----------------------------------------------------------------------------------
    def run_case(self, suite: MissionSuite, case: RunCase | StateCase) -> CaseResult:
        """Run one case and check its expectations (never raises for what the case did).

        Example:
            >>> runner.run_case(suite, suite.case("rolls_out")).verdict  # doctest: +SKIP
            'passed'
        """
        started = time.monotonic()
        with self._lock:
            result = CaseResult(suite.name, case.name, case.kind, suite.where(case.name), Actual())
            try:
                prepared = self._prepare(suite)
                if isinstance(case, RunCase):
                    self._run(suite, case, prepared, result)
                else:
                    self._state(suite, case, prepared, result)
            except WorkbenchError as exc:
                result.problem = str(exc)
        if result.problem is None:
            result.mismatches = check(case.expect, result.actual)
        result.seconds = time.monotonic() - started
        return result

    def run_suite(self, suite: MissionSuite, cases: Iterable[str] | None = None) -> SuiteResult:
        """Run a Mission's cases (all, or those named) and gather their coverage.

        Example:
            >>> runner.run_suite(load_suite("missions/deploy_check.yaml")).coverage.summary()  # doctest: +SKIP
        """
        chosen = [suite.case(n) for n in cases] if cases is not None else list(suite.cases)
        results = [self.run_case(suite, case) for case in chosen]
        coverage = Coverage(suite.name, suite.definition)
        for r in results:
            coverage.add(r.keys)
        return SuiteResult(suite, results, coverage)

    def _run(self, suite: MissionSuite, case: RunCase, prepared: _Prepared, result: CaseResult) -> None:
        target = self.target
        engine = self._engine
        assert engine is not None
        payload = case.input if case.has_input else suite.mission.local.input
        name = f"{case.name[:40].replace('.', '-')}-{uuid.uuid4().hex[:12]}"
        config = mock_config(suite.mission.name, case, prepared.tool_states, result.where) if case.mocks else None
        if config is not None:
            engine.load_mock_config(config, replace=False)
        try:
            execution = launch(target, prepared.state_machine_arn, payload if payload is not None else {}, name=name,
                               test_case=TEST_CASE if config is not None else None)
        finally:
            if config is not None:
                engine.unload_mock_config(config)
        execution.mission, execution.definition = suite.mission, prepared.definition
        execution.tools = dict(suite.mission.tools)
        result.execution_arn = execution.arn
        try:
            execution.wait(timeout=self.timeout, progress=False, poll_interval=0.02)
        except WaitTimeoutError:
            execution.stop(error="Workbench.TestTimeout", cause="the case ran out of real time")
            result.problem = (f"the execution did not finish within {self.timeout:g} s of real time (is a Task "
                              "waiting for a callback or an activity worker?); it was stopped")
            return
        histories = self._histories(execution)
        actual = result.actual
        actual.status, actual.error, actual.cause = execution.status, execution.error, execution.cause
        actual.output = execution.output
        actual.states = top_level_path(histories[0][1])
        keys: Counter[str] = Counter()
        for prefix, history in histories:
            keys.update(history_keys(history, prepared.definition, prefix))
            actual.states_set.update(e.name for e in history.events if e.type.endswith("StateEntered") and e.name)
        result.keys = keys
        first, last = histories[0][1].events[0].ts, histories[0][1].events[-1].ts
        result.virtual_seconds = last - first

    def _histories(self, execution: Execution) -> list[tuple[str, ExecutionHistory]]:
        """The execution's history, then its Distributed Map children's, each with its place in the graph."""
        parent = run_history(execution)
        out: list[tuple[str, ExecutionHistory]] = [("", parent)]
        todo = [("", parent)]
        client = self.target.client()
        while todo:
            prefix, history = todo.pop()
            for arn, path in map_runs(history):
                for child in fetch_map_run_histories(client, arn, cache=False, progress=False):
                    entry = (f"{prefix}{path}/iterator/", child)
                    out.append(entry)
                    todo.append(entry)
        return out

    def _state(self, suite: MissionSuite, case: StateCase, prepared: _Prepared, result: CaseResult) -> None:
        ref = states_by_name(prepared.definition)[case.state]
        state = dict(ref.state)
        state.setdefault("QueryLanguage", ref.query_language)
        params: dict[str, Any] = {"definition": json.dumps(state), "roleArn": LOCAL_ROLE_ARN,  # Any: boto3 params
                                  "input": json.dumps(case.input if case.has_input else {}),
                                  "inspectionLevel": "DEBUG"}
        if case.variables is not None:
            params["variables"] = json.dumps(case.variables)
        if case.context is not None:
            params["context"] = json.dumps(case.context)
        if case.retry_count:
            params["stateConfiguration"] = {"retrierRetryCount": case.retry_count}
        if case.mock is not None and case.mock.error is not None:
            failure = {"error": case.mock.error, **({"cause": case.mock.cause} if case.mock.cause is not None else {})}
            params["mock"] = {"errorOutput": failure}
        elif case.mock is not None:
            params["mock"] = {"result": json.dumps(lambda_result(case.mock.result))}
        answer = self.target.call("test_state", **params)
        actual = result.actual
        actual.status, actual.error, actual.cause = answer.get("status"), answer.get("error"), answer.get("cause")
        actual.next = answer.get("nextState")
        if "output" in answer:
            actual.output = json.loads(answer["output"])
        actual.states, actual.states_set = [case.state], {case.state}
        result.keys = Counter(state_case_keys(ref, answer, case.variables))
