"""A run case's tool mocks as the embedded engine's mocked responses (the Step Functions Local mechanism).

The engine answers a mocked Task from the execution's test case instead of calling its Lambda function
(:mod:`workbench.engine.embedded.interpreter.mocking`): ``Return`` is the task result, ``Throw`` fails the
Task with exactly that Error and Cause (what Retry and Catch match, and what a test expects). A test case
mocks *tools*: every Task state that calls a mocked tool takes its answers from one shared sequence,
consumed call by call across those states, Retries, loops and Map iterations; the last answer repeats.
Each answer's ``latency`` moves the calling flow's virtual clock first, so a Task ``timeout`` shorter than
it fails the attempt with ``States.Timeout`` as on AWS.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from workbench.engine.embedded.interpreter.virtual_timeouts import sleep_in_flow
from workbench.engine.tools.mocks import MockConfig, MockedEntry, MockedResponse, MockThrow
from workbench.history.mission_tests.model import Outcome, RunCase

__all__ = ["TEST_CASE", "ToolAnswers", "lambda_result", "mock_config"]

#: The name of the (only) test case of each generated mock config: ``stateMachineArn#wb-test``.
TEST_CASE = "wb-test"


def lambda_result(payload: Any) -> dict[str, Any]:  # Any: the tool's JSON result
    """What ``lambda:invoke`` returns for a tool that returned ``payload`` (the Mission reads ``Payload``).

    Example:
        >>> lambda_result({"ok": True})
        {'StatusCode': 200, 'ExecutedVersion': '$LATEST', 'Payload': {'ok': True}}
    """
    return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": payload}


class _Calls:
    """A thread-safe call counter (Map iterations and Parallel branches call at the same time)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def take(self) -> int:
        with self._lock:
            taken = self.count
            self.count += 1
            return taken


@dataclass(frozen=True)
class ToolAnswers(MockedResponse):
    """The answers of one mocked tool: the ``n``-th call (over all its Task states) gets outcome ``n``,
    and calls past the last outcome get the last one again.

    Example:
        >>> answers = ToolAnswers("fetch", (), (Outcome(result=1), Outcome(error="Boom", cause="why")))
        >>> [answers.at(0).result, answers.at(0).throw.error, answers.at(0).throw.error, answers.calls.count]
        [{'StatusCode': 200, 'ExecutedVersion': '$LATEST', 'Payload': 1}, 'Boom', 'Boom', 3]
    """

    outcomes: tuple[Outcome, ...] = ()
    calls: _Calls = field(default_factory=_Calls, compare=False)

    def at(self, invocation: int) -> MockedEntry | None:
        """The next answer of the tool (``invocation`` counts per state, so it is not used)."""
        n = self.calls.take()
        outcome = self.outcomes[min(n, len(self.outcomes) - 1)]
        if outcome.latency > 0:
            sleep_in_flow(outcome.latency)  # a warped flow's timer: raises the Task's timeout when it crosses it
        if outcome.error is not None:
            return MockedEntry(n, n, throw=MockThrow(outcome.error, outcome.cause))
        return MockedEntry(n, n, result=lambda_result(outcome.result))

    @property
    def keys(self) -> str:
        return f"{len(self.outcomes)} outcome(s), the last repeating"


def mock_config(state_machine: str, case: RunCase, tool_states: dict[str, str], source: str) -> MockConfig:
    """A mock config with one test case (:data:`TEST_CASE`): every Task state calling a mocked tool → its answers.

    Example:
        >>> case = RunCase.model_validate({"name": "a", "mocks": {"fetch": {"result": 1}},
        ...                                "expect": {"status": "SUCCEEDED"}})
        >>> config = mock_config("m", case, {"get_it": "fetch", "other": "store"}, "m.tests.yaml")
        >>> dict(config.test_cases["m"][TEST_CASE])
        {'get_it': 'fetch'}
    """
    answers = {tool: ToolAnswers(tool, (), tuple(outcomes)) for tool, outcomes in case.mocks.items()}
    mocked = {state: tool for state, tool in tool_states.items() if tool in answers}
    return MockConfig({state_machine: {TEST_CASE: mocked}}, answers, source)
