"""Histories for the report tests: hostile payloads (XSS, secrets, huge values) and realistic synthetic runs."""

from __future__ import annotations

import json
import warnings
from typing import Any

from tests.history.hand_histories import Builder, exec_arn, fn_arn
from tests.history.synthetic import DEFINITION, STATE_MACHINE_ARN, simulate_execution
from workbench.history import ExecutionHistory, load_history

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
FLAG = '<img src=x onerror="window.__xss=1">'
CLOSER = "</script><script>window.__xss=1</script><!--"
BOLD = "<b>Bold</b>"
SECRET = "hunter2-very-secret"
API_KEY = "sk-live-0123456789"
BIG = "B" * 20_000

HOSTILE_DEFINITION: dict[str, Any] = {
    "Comment": f"definition with hostile names {SCRIPT}",
    "StartAt": BOLD,
    "States": {
        BOLD: {"Type": "Pass", "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": fn_arn("charge"), "End": True,
                   "Retry": [{"ErrorEquals": ["Card.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]},
    },
}

HOSTILE_INPUT: dict[str, Any] = {
    "note": SCRIPT, "attr": ATTR, "flag": FLAG, "closer": CLOSER,
    "password": SECRET, "db": {"Authorization": f"Bearer {SECRET}", "user": "ann"},
    "nested": json.dumps({"api_key": API_KEY, "ok": True}),
    "big": BIG,
}
HOSTILE_CAUSE = f"{SCRIPT} {ATTR} {FLAG} password={SECRET}"


def hostile_doc() -> dict[str, Any]:
    """A run whose state name, input, error and cause carry markup, secrets and a 20 KB value.

    Timeline (ms): <b>Bold</b> 0-5; Charge 5-: try 1 times out (Card.Timeout), 1 s back-off, try 2 fails
    with the hostile error/cause; the execution fails.
    """
    b = Builder(HOSTILE_DEFINITION)
    payload = json.dumps(HOSTILE_INPUT)
    e = b.ev(0, -1, "ExecutionStarted", executionStartedEventDetails={"input": payload, "roleArn": "arn:aws:iam::1:r"})
    e = b.ev(0, e, "PassStateEntered", stateEnteredEventDetails={"name": BOLD, "input": payload})
    e = b.ev(5, e, "PassStateExited", stateExitedEventDetails={"name": BOLD, "output": payload})
    e = b.ev(5, e, "TaskStateEntered", stateEnteredEventDetails={"name": "Charge", "input": payload})
    tries: list[Try] = [(0.0, 10.0, 200.0, "Card.Timeout", "took too long"), (1000.0, 10.0, 300.0, FLAG, HOSTILE_CAUSE)]
    e, now = _attempts(b, e, 5.0, tries)
    b.failed(now + 1, e, FLAG, HOSTILE_CAUSE)
    return b.doc()


Try = tuple[float, float, float, str, str]


def _attempts(b: Builder, prev: int, now: float, tries: list[Try]) -> tuple[int, float]:
    for pause, queue, run, error, cause in tries:
        now += pause
        prev = b.ev(now, prev, "LambdaFunctionScheduled", lambdaFunctionScheduledEventDetails={
            "resource": fn_arn("charge"), "input": json.dumps(HOSTILE_INPUT)})
        now += queue
        prev = b.ev(now, prev, "LambdaFunctionStarted")
        now += run
        prev = b.ev(now, prev, "LambdaFunctionFailed",
                    lambdaFunctionFailedEventDetails={"error": error, "cause": cause})
    return prev, now


def hostile_history() -> ExecutionHistory:
    return load_history(hostile_doc(), execution_arn=exec_arn("Hostile", "run-xss"))


def synthetic(n: int, fail_scale: float = 3.0, start: int = 0) -> list[ExecutionHistory]:
    """``n`` simulated executions of the synthetic mission (retries, Parallel, Map), with its definition."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(start, start + n):
            sim = simulate_execution(i, fail_scale=fail_scale)
            out.append(load_history(sim.response, execution_arn=sim.arn, definition=DEFINITION,
                                    state_machine_arn=STATE_MACHINE_ARN))
    return out
