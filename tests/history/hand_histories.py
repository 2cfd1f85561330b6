"""Histories built by hand, in the corpus format, with real timestamps the tests can reason about.

The recorded corpus has placeholder timestamps, so latency, back-off and critical-path figures need
histories whose times we chose. Events are emitted with times in ms from the start and a causal
predecessor; :meth:`Builder.doc` sorts them by time, numbers them and links ``previousEventId`` as
``get_execution_history`` does (interleaved Parallel branches and Map iterations included).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
REGION = "us-east-1"
ACCOUNT = "123456789012"


def fn_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def exec_arn(machine: str, run: str, express: bool = False) -> str:
    kind = "express" if express else "execution"
    return f"arn:aws:states:{REGION}:{ACCOUNT}:{kind}:{machine}:{run}"


class Builder:
    """Emit events at chosen times; ``doc()`` returns the corpus-format document."""

    def __init__(self, definition: dict[str, Any], start: datetime = T0) -> None:
        self.definition = definition
        self.start = start
        self.raw: list[tuple[float, int, int, str, dict[str, Any]]] = []  # (t, seq, prev_seq, type, fields)

    def ev(self, t: float, prev: int, etype: str, **fields: Any) -> int:
        seq = len(self.raw)
        self.raw.append((t, seq, prev, etype, fields))
        return seq

    # -- building blocks ---------------------------------------------------------------------------
    def execution_started(self) -> int:
        return self.ev(0, -1, "ExecutionStarted",
                       executionStartedEventDetails={"input": "{}", "roleArn": "arn:aws:iam::1:role/r"})

    def simple(self, stype: str, name: str, t: float, dur: float, prev: int) -> int:
        """A Pass/Choice/Wait/Succeed state entered at ``t`` for ``dur`` ms; returns the exit event."""
        e = self.ev(t, prev, f"{stype}StateEntered", stateEnteredEventDetails={"name": name, "input": "{}"})
        return self.ev(t + dur, e, f"{stype}StateExited", stateExitedEventDetails={"name": name, "output": "{}"})

    def fail_state(self, name: str, t: float, prev: int) -> int:
        return self.ev(t, prev, "FailStateEntered", stateEnteredEventDetails={"name": name, "input": "{}"})

    def lambda_task(self, name: str, function: str, t: float, prev: int,
                    tries: list[tuple[float, float, float, str | None, str | None]],
                    exit_after: float | None = 5, legacy: bool = True) -> tuple[int, float]:
        """A Task calling a Lambda. Each try: (pause before scheduling, queue ms, run ms, error, cause).

        ``error=None`` means the try succeeded. Returns (last event, time of last event). With
        ``exit_after=None`` the state does not exit (it failed and nothing caught it).
        """
        last = self.ev(t, prev, "TaskStateEntered", stateEnteredEventDetails={"name": name, "input": "{}"})
        now = t
        for pause, queue, run, error, cause in tries:
            now += pause
            if legacy:
                last = self.ev(now, last, "LambdaFunctionScheduled", lambdaFunctionScheduledEventDetails={
                    "resource": fn_arn(function), "input": "{}"})
                now += queue
                last = self.ev(now, last, "LambdaFunctionStarted")
                now += run
                if error is None:
                    last = self.ev(now, last, "LambdaFunctionSucceeded",
                                   lambdaFunctionSucceededEventDetails={"output": "{}"})
                else:
                    last = self.ev(now, last, "LambdaFunctionFailed",
                                   lambdaFunctionFailedEventDetails={"error": error, "cause": cause or ""})
            else:
                common = {"resource": "invoke", "resourceType": "lambda"}
                params = json.dumps({"FunctionName": fn_arn(function), "Payload": {}})
                last = self.ev(now, last, "TaskScheduled", taskScheduledEventDetails={
                    **common, "region": REGION, "parameters": params})
                now += queue
                last = self.ev(now, last, "TaskStarted", taskStartedEventDetails=common)
                now += run
                if error is None:
                    last = self.ev(now, last, "TaskSucceeded", taskSucceededEventDetails={**common, "output": "{}"})
                else:
                    last = self.ev(now, last, "TaskFailed", taskFailedEventDetails={
                        **common, "error": error, "cause": cause or ""})
        if exit_after is not None:
            now += exit_after
            last = self.ev(now, last, "TaskStateExited", stateExitedEventDetails={"name": name, "output": "{}"})
        return last, now

    def succeeded(self, t: float, prev: int) -> int:
        return self.ev(t, prev, "ExecutionSucceeded", executionSucceededEventDetails={"output": "{}"})

    def failed(self, t: float, prev: int, error: str, cause: str) -> int:
        return self.ev(t, prev, "ExecutionFailed", executionFailedEventDetails={"error": error, "cause": cause})

    # -- output ------------------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        ordered = sorted(self.raw, key=lambda r: (r[0], r[1]))
        ids = {seq: i + 1 for i, (_, seq, *_rest) in enumerate(ordered)}
        out = []
        for t, seq, prev, etype, fields in ordered:
            stamp = (self.start + timedelta(milliseconds=t)).isoformat(timespec="milliseconds")
            out.append({"id": ids[seq], "previousEventId": ids.get(prev, 0), "timestamp": stamp, "type": etype,
                        **fields})
        return out

    def doc(self) -> dict[str, Any]:
        return {"source": {"hand_built": True}, "definition": self.definition, "history": self.events(),
                "notes": "hand-built for tests; times chosen so results can be checked by hand"}


# ------------------------------------------------------------------------------------------ scenarios

TEN_STATES: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Fetch"},
        "Fetch": {"Type": "Task", "Resource": fn_arn("fetch"), "Next": "Route",
                  "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                             "BackoffRate": 2.0, "MaxAttempts": 3}]},
        "Route": {"Type": "Choice", "Default": "Settle",
                  "Choices": [{"Variable": "$.skip", "BooleanEquals": True, "Next": "Shape"}]},
        "Settle": {"Type": "Wait", "Seconds": 2, "Next": "Shape"},
        "Shape": {"Type": "Pass", "Next": "Enrich"},
        "Enrich": {"Type": "Pass", "Next": "Tag"},
        "Tag": {"Type": "Pass", "Next": "Store"},
        "Store": {"Type": "Task", "Resource": fn_arn("store"), "Next": "Audit"},
        "Audit": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
THROTTLED = "Rate exceeded for request 5f0e7b2c-1d2e-4f5a-9b8c-1234567890ab"


def ten_states(scale: float = 1.0, start: datetime = T0, *, throttles: int = 2,
               backoffs: tuple[float, float] = (1000, 2000), settle_ms: float = 2000,
               definition: dict[str, Any] | None = None) -> dict[str, Any]:
    """10 states entered, Fetch throttled ``throttles`` times then retried (back-offs as configured).

    Default timeline (ms): Prepare 0-10; Fetch 10-5580 (tries: 10 ms pause, then queue 50 + run 800
    each: failed, back-off 1000, failed, back-off 2000, succeeded; exit +10); Route 5580-5585;
    Settle 5585-7585; Shape 7585-7590; Enrich 7590-7595; Tag 7595-7600; Store 7600-8015 (queue 10 +
    run 400, exit +5); Audit 8015-8020; Done 8020-8021; ExecutionSucceeded 8025. ``scale`` multiplies
    Fetch's run time; ``settle_ms`` is the Wait state's duration.
    """
    b = Builder(definition or TEN_STATES, start)
    e = b.execution_started()
    e = b.simple("Pass", "Prepare", 0, 10, e)
    run = 800 * scale
    pauses = (10, *backoffs)[: throttles + 1]
    tries: list[tuple[float, float, float, str | None, str | None]] = [
        (pause, 50, run, "Lambda.TooManyRequestsException", THROTTLED) for pause in pauses[:-1]]
    tries.append((pauses[-1], 50, run, None, None))
    e, now = b.lambda_task("Fetch", "fetch", 10, e, tries, exit_after=10)
    e = b.simple("Choice", "Route", now, 5, e)
    e = b.simple("Wait", "Settle", now + 5, settle_ms, e)
    t = now + 5 + settle_ms
    for name in ("Shape", "Enrich", "Tag"):
        e = b.simple("Pass", name, t, 5, e)
        t += 5
    e, t = b.lambda_task("Store", "store", t, e, [(0, 10, 400, None, None)], exit_after=5)
    e = b.simple("Pass", "Audit", t, 5, e)
    e = b.simple("Succeed", "Done", t + 5, 1, e)
    b.succeeded(t + 10, e)
    return b.doc()


FANOUT: dict[str, Any] = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Next": "Gather"},
        "Gather": {"Type": "Parallel", "Next": "PerHost", "Branches": [
            {"StartAt": "Pull", "States": {"Pull": {"Type": "Task", "Resource": fn_arn("pull"), "End": True}}},
            {"StartAt": "Index", "States": {"Index": {"Type": "Pass", "Next": "Settle"},
                                            "Settle": {"Type": "Wait", "Seconds": 1, "End": True}}},
        ]},
        "PerHost": {"Type": "Map", "Next": "Done", "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Probe",
            "States": {"Probe": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                 "Parameters": {"FunctionName": fn_arn("probe"), "Payload.$": "$"}, "End": True}}}},
        "Done": {"Type": "Succeed"},
    },
}


def fanout(probe_runs: tuple[float, float, float] = (500, 2000, 1000)) -> dict[str, Any]:
    """Parallel (Pull 3 s vs Index+Settle 1 s) then a Map of three Probes running concurrently.

    Timeline (ms): Start 0-5; Gather 5-3012 (started 6; branch 0 Pull 6-3006: scheduled 7,
    started 8, ends 3000 → exit 3006; branch 1 Index 6-10, Settle 10-1010; succeeded 3010);
    PerHost 3012-5018 (started 3013; iterations start 3014; Probe i: scheduled 3014, started 3014,
    runs probe_runs[i], exits at end; iteration done +1; map succeeded 5016); Done 5018-5019;
    ExecutionSucceeded 5020. With the default runs, iteration 1 (2000 ms) ends last.
    """
    b = Builder(FANOUT)
    e = b.execution_started()
    e = b.simple("Pass", "Start", 0, 5, e)
    g = b.ev(5, e, "ParallelStateEntered", stateEnteredEventDetails={"name": "Gather", "input": "{}"})
    gs = b.ev(6, g, "ParallelStateStarted")
    pull, _ = b.lambda_task("Pull", "pull", 6, gs, [(1, 1, 2992, None, None)], exit_after=6)
    idx = b.simple("Pass", "Index", 6, 4, gs)
    settle = b.simple("Wait", "Settle", 10, 1000, idx)
    done = b.ev(3010, pull, "ParallelStateSucceeded")
    e = b.ev(3012, done, "ParallelStateExited", stateExitedEventDetails={"name": "Gather", "output": "[]"})
    del settle
    m = b.ev(3012, e, "MapStateEntered", stateEnteredEventDetails={"name": "PerHost", "input": "[]"})
    ms = b.ev(3013, m, "MapStateStarted", mapStateStartedEventDetails={"length": 3})
    ends = []
    for i, run in enumerate(probe_runs):
        it = b.ev(3014, ms, "MapIterationStarted", mapIterationStartedEventDetails={"name": "PerHost", "index": i})
        last, now = b.lambda_task("Probe", "probe", 3014, it, [(0, 0, run, None, None)], exit_after=0, legacy=False)
        ends.append((now + 1, b.ev(now + 1, last, "MapIterationSucceeded",
                                   mapIterationSucceededEventDetails={"name": "PerHost", "index": i})))
    t_end, last_iter = max(ends)
    ok = b.ev(t_end + 1, last_iter, "MapStateSucceeded")
    e = b.ev(t_end + 3, ok, "MapStateExited", stateExitedEventDetails={"name": "PerHost", "output": "[]"})
    e = b.simple("Succeed", "Done", t_end + 3, 1, e)
    b.succeeded(t_end + 5, e)
    return b.doc()


def payment(card: str, order: str, caught: bool) -> dict[str, Any]:
    """Charge fails with Payment.Declined; v2 (``caught``) catches it into Refund, v1 fails the run.

    Timeline (ms): Charge 0-300 (scheduled 0, started 20, fails at 300); caught: exit 301, Refund
    301-306, ExecutionSucceeded 307; not caught: ExecutionFailed 301.
    """
    charge: dict[str, Any] = {"Type": "Task", "Resource": fn_arn("charge"), "End": True}
    states: dict[str, Any] = {"Charge": charge}
    if caught:
        charge["Catch"] = [{"ErrorEquals": ["Payment.Declined"], "Next": "Refund"}]
        states["Refund"] = {"Type": "Pass", "End": True}
    b = Builder({"StartAt": "Charge", "States": states})
    e = b.execution_started()
    cause = json.dumps({"errorMessage": f"card {card} declined for order {order}", "errorType": "Declined",
                        "requestId": "0b1c2d3e-4f50-4617-8899-aabbccddeeff"})
    e, now = b.lambda_task("Charge", "charge", 0, e, [(0, 20, 280, "Payment.Declined", cause)],
                           exit_after=1 if caught else None)
    if caught:
        e = b.simple("Pass", "Refund", now, 5, e)
        b.succeeded(now + 6, e)
    else:
        b.failed(now + 1, e, "Payment.Declined", cause)
    return b.doc()


def frames_of(*runs: tuple[str, dict[str, Any]], payloads: bool = False) -> Any:
    """History frames of hand-built documents, each given with the execution ARN to file it under."""
    from workbench.history.frames import frames
    from workbench.history.load import load_history

    return frames([load_history(doc, execution_arn=arn) for arn, doc in runs], payloads=payloads)


def redriven() -> dict[str, Any]:
    """Charge fails the run (0-300, ExecutionFailed 301); redriven at 60 s, Charge runs again and succeeds.

    Timeline (ms): Charge 0-300 (queue 20, run 280, Payment.Declined); ExecutionFailed 301;
    ExecutionRedriven 60000; Charge 60000-60301 (queue 20, run 280, exit +1); ExecutionSucceeded 60302.
    """
    b = Builder({"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": fn_arn("charge"),
                                                            "End": True}}})
    e = b.execution_started()
    e, now = b.lambda_task("Charge", "charge", 0, e, [(0, 20, 280, "Payment.Declined", "card 1 declined")],
                           exit_after=None)
    e = b.failed(now + 1, e, "Payment.Declined", "card 1 declined")
    e = b.ev(60_000, e, "ExecutionRedriven", executionRedrivenEventDetails={"redriveCount": 1})
    e, now = b.lambda_task("Charge", "charge", 60_000, e, [(0, 20, 280, None, None)], exit_after=1)
    b.succeeded(now + 1, e)
    return b.doc()


def tolerant_map() -> dict[str, Any]:
    """A Map with ToleratedFailureCount 1: iteration 1 hits a Fail state, the Map still succeeds.

    Timeline (ms): Items 0-30 (started 1; iteration 0: Ok 2-7, done 8; iteration 1: Bad 2, failed 3;
    map succeeded 28, exited 30); ExecutionSucceeded 31.
    """
    b = Builder({"StartAt": "Items", "States": {"Items": {
        "Type": "Map", "End": True, "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Check", "States": {
            "Check": {"Type": "Choice", "Default": "Ok", "Choices": [
                {"Variable": "$.bad", "BooleanEquals": True, "Next": "Bad"}]},
            "Ok": {"Type": "Pass", "End": True},
            "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "item 17 is bad"}}}}}})
    e = b.execution_started()
    m = b.ev(0, e, "MapStateEntered", stateEnteredEventDetails={"name": "Items", "input": "[]"})
    ms = b.ev(1, m, "MapStateStarted", mapStateStartedEventDetails={"length": 2})
    it0 = b.ev(2, ms, "MapIterationStarted", mapIterationStartedEventDetails={"name": "Items", "index": 0})
    ok = b.simple("Pass", "Ok", 2, 5, it0)
    done0 = b.ev(8, ok, "MapIterationSucceeded", mapIterationSucceededEventDetails={"name": "Items", "index": 0})
    it1 = b.ev(2, ms, "MapIterationStarted", mapIterationStartedEventDetails={"name": "Items", "index": 1})
    bad = b.fail_state("Bad", 2, it1)
    b.ev(3, bad, "MapIterationFailed", mapIterationFailedEventDetails={"name": "Items", "index": 1})
    ok_map = b.ev(28, done0, "MapStateSucceeded")
    e = b.ev(30, ok_map, "MapStateExited", stateExitedEventDetails={"name": "Items", "output": "[]"})
    b.succeeded(31, e)
    return b.doc()
