"""The engine side of a replay: the replay engine, one state machine per definition, waiting, the history.

Creating a state machine parses its definition (tens of milliseconds), so replays of the same definition
share one per engine (named ``replay-`` and a digest of the definition) and each starts its own execution
on it. A caller that names its replay gets a state machine of its own, deleted afterwards.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from workbench.engine.connect.targets import EmbeddedTarget
from workbench.engine.errors import AwsError
from workbench.history.replay.recorded import canonical

_engine: Any = None  # Any: the process's replay EmbeddedEngine (moto loads only when a replay runs)
_engine_lock = threading.Lock()
_machines: dict[tuple[int, str], tuple[Any, str]] = {}  # Any: engine; (engine id, digest) -> (engine, ARN)
_machines_lock = threading.Lock()


def replay_engine() -> Any:  # Any: an EmbeddedEngine
    """This process's replay engine: embedded, with time warp, separate from the shared one (started once).

    Its own engine means the dispatchers a replay registers never replace the tools of a Mission run on
    the shared engine. Example:
        >>> replay_engine().time_warp  # doctest: +SKIP
        True
    """
    global _engine
    with _engine_lock:
        if _engine is None:
            from workbench.engine.embedded import EmbeddedEngine

            _engine = EmbeddedEngine(time_warp=True)
        return _engine.start()


def state_machine(target: EmbeddedTarget, definition: dict[str, Any], role_arn: str,
                  name: str | None = None) -> tuple[str, bool]:  # Any: ASL
    """``(state machine ARN, owned)``: the engine's shared machine for ``definition``, or (``name`` given) a
    new one the caller owns and deletes. Raises the engine's error when it refuses the definition.

    Example:
        >>> state_machine(EmbeddedTarget(replay_engine()), definition, LOCAL_ROLE_ARN)  # doctest: +SKIP
        ('arn:aws:states:us-east-1:123456789012:stateMachine:replay-5d41402abc4b2a76b9719d91', False)
    """
    engine = target.engine
    body = json.dumps(definition)
    if name is not None:
        return str(target.call("create_state_machine", name=name, definition=body, roleArn=role_arn)[
            "stateMachineArn"]), True
    digest = hashlib.sha256((role_arn + canonical(definition)).encode()).hexdigest()[:24]
    key = (id(engine), digest)
    with _machines_lock:
        found = _machines.get(key)
        if found is not None and found[0] is engine:
            return found[1], False
        try:
            arn = str(target.call("create_state_machine", name=f"replay-{digest}", definition=body,
                                  roleArn=role_arn)["stateMachineArn"])
        except AwsError as exc:
            if exc.code != "StateMachineAlreadyExists":
                raise
            arn = next(m["stateMachineArn"] for page in target.pages("list_state_machines")
                       for m in page["stateMachines"] if m["name"] == f"replay-{digest}")
        _machines[key] = (engine, arn)
        return arn, False


def forget_machine(target: EmbeddedTarget, definition: dict[str, Any], role_arn: str) -> None:  # Any: ASL
    """Drop the cached machine of ``definition`` (someone deleted it): the next replay creates it again."""
    digest = hashlib.sha256((role_arn + canonical(definition)).encode()).hexdigest()[:24]
    with _machines_lock:
        _machines.pop((id(target.engine), digest), None)


def history_events(target: EmbeddedTarget, arn: str) -> Iterator[dict[str, Any]]:  # Any: raw history events
    """Every event of an execution, with its data, as GetExecutionHistory gives them.

    Example:
        >>> [e["type"] for e in history_events(target, arn)][:1]  # doctest: +SKIP
        ['ExecutionStarted']
    """
    for page in target.pages("get_execution_history", executionArn=arn, includeExecutionData=True):
        yield from page.get("events", [])


def wait_for_end(target: EmbeddedTarget, arn: str, deadline: float, stop_after: int | None) -> tuple[str, bool]:
    """Poll until the execution ends; ``(status, stopped at the deadline)``.

    ``stop_after``: stop the execution once its history has that many events (a recording stopped from
    outside). After ``deadline`` real seconds the execution is stopped with error ``Replay.Deadline``.

    Example:
        >>> wait_for_end(target, arn, 120.0, None)  # doctest: +SKIP
        ('SUCCEEDED', False)
    """
    end = time.monotonic() + deadline
    pause = 0.002
    while True:
        status = str(target.call("describe_execution", executionArn=arn)["status"])
        if status != "RUNNING":
            return status, False
        if stop_after is not None and sum(1 for _ in history_events(target, arn)) >= stop_after:
            target.call("stop_execution", executionArn=arn)
            stop_after = None
            continue
        if time.monotonic() > end:
            target.call("stop_execution", executionArn=arn, error="Replay.Deadline",
                        cause=f"the replay did not end within {deadline:g} s")
            return str(target.call("describe_execution", executionArn=arn)["status"]), True
        time.sleep(pause)  # a poll interval: nothing waits on its order
        pause = min(pause * 1.25, 0.02)
