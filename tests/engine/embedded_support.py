"""Helpers for the embedded-engine tests: run a definition to the end and read its history."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/workbench-test"


@dataclass
class Run:
    arn: str
    status: str
    events: list[dict[str, Any]]
    describe: dict[str, Any]
    seconds: float

    @property
    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    def first(self, kind: str) -> dict[str, Any]:
        return next(event for event in self.events if event["type"] == kind)

    def details(self, kind: str) -> dict[str, Any]:
        event = self.first(kind)
        return dict(next(v for k, v in event.items() if k.endswith("EventDetails")))

    @property
    def output(self) -> Any:
        return json.loads(self.details("ExecutionSucceeded")["output"])


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
    return [event for page in pages for event in page["events"]]


def start(engine: Any, definition: dict[str, Any], payload: Any = None, *, name: str | None = None) -> str:
    sfn = engine.client()
    machine = sfn.create_state_machine(name=unique("m"), definition=json.dumps(definition),
                                       roleArn=ROLE)["stateMachineArn"]
    kwargs = {"name": name} if name else {}
    return str(sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload or {}), **kwargs)[
        "executionArn"])


def finish(engine: Any, arn: str, timeout: float = 30.0, started: float | None = None) -> Run:
    sfn = engine.client()
    begun = started or time.monotonic()
    while True:
        describe = sfn.describe_execution(executionArn=arn)
        if describe["status"] != "RUNNING" or time.monotonic() - begun > timeout:
            break
        time.sleep(0.01)
    return Run(arn, str(describe["status"]), history(sfn, arn), describe, time.monotonic() - begun)


def run(engine: Any, definition: dict[str, Any], payload: Any = None, timeout: float = 30.0) -> Run:
    """Create, start (named), wait for the end; the returned history is complete."""
    begun = time.monotonic()
    arn = start(engine, definition, payload, name=unique("e"))
    return finish(engine, arn, timeout, begun)


def task(function: str, **extra: Any) -> dict[str, Any]:
    """A ``lambda:invoke`` Task state calling ``function`` with the state input."""
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": function, "Payload.$": "$"}, **extra}
