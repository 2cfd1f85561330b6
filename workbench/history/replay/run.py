"""Replay recorded executions on the embedded engine: one (:func:`replay_one`) or many (:func:`replay`).

A replay is planned (:func:`plan_replay`: the recording, its calls, the definition to run, the input), then
executed (:func:`execute`): an execution of its own on the engine (on the engine's state machine for that
definition), its Lambda calls answered by a :class:`~workbench.history.replay.serve.ReplaySession` bound to
that execution only, its history read back and compared with the recording. Replays are independent, so many
run at once on one engine; a worker process calls :func:`replay_one` with paths or dicts and gets its own engine.

The default engine is this process's *replay engine*: an embedded engine with time warp of its own, so the
dispatchers a replay registers never replace the tools of a Mission run on the shared engine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from workbench.core.arn import Arn
from workbench.core.diagnostics import WorkbenchError
from workbench.core.lambda_names import function_name
from workbench.engine.connect.targets import LOCAL_ROLE_ARN, EmbeddedTarget
from workbench.engine.errors import StateMachineNotFoundError
from workbench.engine.tools.bindings import ToolBinding, resolve_local, task_timeout_lookup
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import load_history
from workbench.history.replay.machines import (
    forget_machine,
    history_events,
    replay_engine,
    state_machine,
    wait_for_end,
)
from workbench.history.replay.model import ReplayResult
from workbench.history.replay.recorded import RecordedCalls, canonical, is_lambda_invoke, recorded_calls
from workbench.history.replay.result import result_of
from workbench.history.replay.serve import POLICIES, Policy, ReplaySession, Tool, host_for
from workbench.history.replay.sources import (
    HistoryInput,
    MissionInput,
    ReplayInputError,
    expand,
    fetch_children,
    is_execution_arn,
    load_recording,
    load_subject,
    with_children,
)
from workbench.mission.model import Mission

#: Real seconds a replay may take before it is stopped (time warp makes waits and back-offs free).
DEFAULT_DEADLINE = 120.0


@dataclass(frozen=True)
class ReplayPlan:
    """Everything one replay needs: the recording and its calls, the definition and input to run.

    ``function_names`` are the Lambda functions served (the definition's, the recording's, the Mission's);
    ``stop_after_events`` stops the replay where a recording stopped from outside (ABORTED) was stopped.
    A caller may adjust a plan with :func:`dataclasses.replace` (e.g. another input) before :func:`execute`.

    Example:
        >>> plan = plan_replay("run.json", "missions/deploy_check.yaml")          # doctest: +SKIP
        >>> execute(dataclasses.replace(plan, input='{"service": "billing-api", "version": "v9"}'))  # doctest: +SKIP
    """

    history: ExecutionHistory
    recorded: RecordedCalls
    definition: dict[str, Any]  # Any: ASL
    input: str
    unrecorded: Policy = "repeat"
    mission: Mission | None = None
    subject: str = "the recorded definition"
    edited: bool = False
    function_names: frozenset[str] = frozenset()
    stop_after_events: int | None = None
    notes: tuple[str, ...] = ()
    role_arn: str = LOCAL_ROLE_ARN


def check_policy(unrecorded: str) -> Policy:
    """``unrecorded`` as a policy, or a one-line :class:`ReplayInputError` listing the choices.

    Example:
        >>> check_policy("last-success")
        'last-success'
    """
    for policy in POLICIES:
        if unrecorded == policy:
            return policy
    raise ReplayInputError(f"--unrecorded '{unrecorded}' is not one of {', '.join(POLICIES)}")


def plan_replay(history: HistoryInput, mission_or_definition: MissionInput = None, *, unrecorded: str = "repeat",
                children: Iterable[HistoryInput] = ()) -> ReplayPlan:
    """Plan the replay of one recording against a Mission, an ASL definition, or (None) its own definition.

    ``children`` are the recorded histories of the executions its Distributed Maps started: their calls are
    served to the replay's Map Run children (an execution ARN brings them itself).

    Example:
        >>> plan = plan_replay("../shared/corpus/histories/test_base__test_state_fail.json")
        >>> plan.edited, plan.subject, plan.input
        (False, 'the recorded definition', '{}')
    """
    loaded = load_recording(history)
    kids = [load_recording(child) for child in children]
    if not kids and is_execution_arn(history):
        kids = fetch_children(loaded)
    return _plan(loaded, load_subject(mission_or_definition), check_policy(unrecorded), kids)


def _plan(loaded: ExecutionHistory, subject: tuple[Mission | None, dict[str, Any] | None], policy: Policy,
          children: list[ExecutionHistory] | None = None) -> ReplayPlan:  # Any: ASL
    mission, definition = subject
    name = loaded.source or loaded.execution_arn
    if definition is None:
        if loaded.definition is None:
            raise ReplayInputError(f"{name}: the history holds no definition: replay it against a Mission "
                                   "(--mission), or fetch it with its definition (workbench history fetch)")
        definition = loaded.definition
    edited = loaded.definition is None or canonical(definition) != canonical(loaded.definition)
    notes: list[str] = []
    started = loaded.events[0].details if len(loaded) and loaded.events[0].type == "ExecutionStarted" else {}
    raw = started.get("input")
    if not isinstance(raw, str):
        raw = "{}"
        notes.append("the recording holds no input (fetched without execution data): the replay started with {}")
    calls = recorded_calls(loaded)
    if children:
        merged = [*calls, *(call for child in children for call in recorded_calls(child))]
        calls = RecordedCalls(calls.execution, tuple(dataclasses.replace(c, order=i) for i, c in enumerate(merged)))
    names = set(lambda_functions(definition)) | set(calls.tools)
    if mission is not None:
        names |= {spec.lambda_ for spec in mission.tools.values()}
    subject_name = "the recorded definition" if mission is None and not edited else (
        f"Mission {mission.name}" if mission is not None else "the given definition")
    stop = len(loaded) - 1 if loaded.status == "ABORTED" and not edited else None
    return ReplayPlan(loaded, calls, definition, raw, policy, mission, subject_name, edited, frozenset(names), stop,
                      tuple(notes))


def lambda_functions(definition: dict[str, Any]) -> list[str]:  # Any: ASL
    """The Lambda functions a definition names literally (Lambda ARN resources, ``lambda:invoke`` FunctionName).

    Example:
        >>> lambda_functions({"States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        ...                                    "Arguments": {"FunctionName": "check"}}}})
        ['check']
    """
    found: list[str] = []
    stack: list[Any] = [definition]  # Any: ASL nodes
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        resource = node.get("Resource")
        arn = Arn.try_parse(resource) if node.get("Type") == "Task" else None
        if arn is not None:
            if arn.service == "lambda" and arn.resource_type == "function":
                found.append(str(resource))
            elif is_lambda_invoke(resource):
                args = node.get("Arguments") or node.get("Parameters") or {}
                target = args.get("FunctionName") if isinstance(args, dict) else None
                if isinstance(target, str) and "{%" not in target:
                    found.append(target)
        stack.extend(v for k, v in node.items() if k != "Resource")
    names = []
    for text in found:
        try:
            names.append(function_name(text))
        except ValueError:
            continue
    return sorted(set(names))


def _local_tools(mission: Mission | None) -> dict[str, Tool]:
    """Lambda function name -> the Mission's local implementation (for ``--unrecorded local``)."""
    out: dict[str, Tool] = {}
    for name, spec in (mission.tools.items() if mission is not None else ()):
        if spec.local:
            binding = ToolBinding.from_spec(name, spec)
            try:
                out[binding.function_name] = resolve_local(spec.local)
            except WorkbenchError as exc:
                raise ReplayInputError(f"tool {name}: {exc}") from None
    return out


def execute(plan: ReplayPlan, engine: Any = None, *, deadline: float = DEFAULT_DEADLINE,
            name: str | None = None) -> ReplayResult:  # Any: an EmbeddedEngine or EmbeddedTarget
    """Run a planned replay on ``engine`` (an EmbeddedEngine or EmbeddedTarget; default: the replay engine).

    ``name`` names the replay's execution and a state machine of its own (unique on the engine); by default
    the execution gets ``replay-`` and a random id, on the engine's one state machine for that definition.

    Example:
        >>> execute(plan_replay("run.json", "missions/deploy_check.yaml")).replayed_status  # doctest: +SKIP
        'SUCCEEDED'
    """
    if isinstance(engine, EmbeddedTarget):
        engine = engine.engine
    engine = engine if engine is not None else replay_engine()
    warped = bool(getattr(engine, "time_warp", False))
    target = EmbeddedTarget(engine, time_warp=warped)
    local = _local_tools(plan.mission) if plan.unrecorded == "local" else {}
    session = ReplaySession(plan.recorded, plan.unrecorded, local, timeout_of=task_timeout_lookup(engine),
                            warped=warped)
    try:
        machine, owned = state_machine(target, plan.definition, plan.role_arn, name)
    except WorkbenchError as exc:
        raise ReplayInputError(f"{plan.history.source or plan.history.execution_arn}: the engine refused the "
                               f"definition: {' '.join(str(exc).split())}") from None
    name = name or f"replay-{uuid.uuid4().hex[:16]}"
    arn = str(Arn.parse(machine).execution(name))
    host = host_for(engine)
    bound = host.bind(arn, session, plan.function_names)
    stopped = False
    try:
        try:
            target.call("start_execution", stateMachineArn=machine, name=name, input=plan.input)
        except StateMachineNotFoundError:
            if owned:
                raise
            forget_machine(target, plan.definition, plan.role_arn)  # deleted behind our back: make it again
            machine, _ = state_machine(target, plan.definition, plan.role_arn)
            target.call("start_execution", stateMachineArn=machine, name=name, input=plan.input)
        status, stopped = wait_for_end(target, arn, deadline, plan.stop_after_events)
        events = list(history_events(target, arn))
    finally:
        session.close()
        host.unbind(arn, bound)
        if owned:
            with contextlib.suppress(WorkbenchError):
                target.call("delete_state_machine", stateMachineArn=machine)
    return result_of(plan, arn, status, events, session, stopped_at_deadline=stopped, deadline=deadline)


# ------------------------------------------------------------------------------------------ public
def replay_one(history: HistoryInput, mission_or_definition: MissionInput = None, *, unrecorded: str = "repeat",
               engine: Any = None, deadline: float = DEFAULT_DEADLINE) -> ReplayResult:  # Any: engine
    """Replay one recorded execution: serve each Lambda call its recorded outcome and compare with the recording.

    Why: with no Mission it checks that the engine reproduces the recording (status, state path, output,
    error and cause); with an edited Mission it says what that edit would have done to this execution.
    ``history`` is a file, dict, :class:`ExecutionHistory` or execution ARN; ``mission_or_definition`` a
    Mission (file, object or data) or an ASL dict; ``unrecorded`` one of :data:`POLICIES`. Only picklable
    arguments are needed, so a worker process can call it (it then starts its own engine).

    Example:
        >>> r = replay_one("../shared/corpus/histories/test_base__test_state_fail.json")  # doctest: +SKIP
        >>> r.reproduced, r.replayed_status, r.invented                                   # doctest: +SKIP
        (True, 'FAILED', 0)
    """
    return execute(plan_replay(history, mission_or_definition, unrecorded=unrecorded), engine, deadline=deadline)


def plan_replays(histories: HistoryInput | Iterable[HistoryInput], mission: MissionInput = None, *,
                 unrecorded: str = "repeat", client: Any = None) -> list[ReplayPlan]:  # Any: boto3 client
    """Plan a replay per recording (folders expanded, ARNs fetched with ``client``): every input read first.

    Example:
        >>> len(plan_replays(["../shared/corpus/histories/test_base__test_state_fail.json"]))
        1
    """
    policy = check_policy(unrecorded)
    subject = load_subject(mission)
    loaded: list[ExecutionHistory] = []
    for item in expand(histories):
        history = load_recording(item, client=client)
        loaded.append(history)
        if is_execution_arn(item):
            loaded.extend(fetch_children(history, client=client))
    return [_plan(parent, subject, policy, children) for parent, children in with_children(loaded)]


def run_plans(plans: list[ReplayPlan], engine: Any = None, *, workers: int = 4,
              deadline: float = DEFAULT_DEADLINE) -> list[ReplayResult]:  # Any: an EmbeddedEngine
    """Execute planned replays on one engine, ``workers`` at a time; results in the plans' order.

    Example:
        >>> results = run_plans(plan_replays("runs/", "edited.yaml"), workers=8)  # doctest: +SKIP
    """
    if not plans:
        return []
    engine = engine if engine is not None else replay_engine()
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(plans)))) as pool:
        return list(pool.map(lambda plan: execute(plan, engine, deadline=deadline), plans))


def replay(histories: HistoryInput | Iterable[HistoryInput], mission: MissionInput = None, *,
           unrecorded: str = "repeat", engine: Any = None, workers: int = 4,
           deadline: float = DEFAULT_DEADLINE) -> list[ReplayResult]:  # Any: engine
    """Replay recorded executions (files, folders, dicts, histories or execution ARNs), ``workers`` at a time.

    Why: "if I change this retry policy, which of last night's failed executions would have succeeded?"
    Each result says the recorded and replayed status, path, output, error, duration and transitions, and
    how many outcomes were invented. Every input is read before the first replay starts.

    Example:
        >>> results = workbench.replay("failed-runs/", "deploy_check.edited.yaml")          # doctest: +SKIP
        >>> sum(r.recovered for r in results), sum(r.invented for r in results)              # doctest: +SKIP
        (7, 0)
    """
    return run_plans(plan_replays(histories, mission, unrecorded=unrecorded), engine, workers=workers,
                     deadline=deadline)


def recorded_history(events: list[dict[str, Any]], *, execution_arn: str,
                     definition: dict[str, Any] | None = None) -> ExecutionHistory:  # Any: raw events, ASL
    """A history from raw GetExecutionHistory events (e.g. an execution just run), ready to replay.

    Example:
        >>> h = recorded_history(run.history(), execution_arn=run.arn, definition=run.definition)  # doctest: +SKIP
    """
    return load_history({"events": events}, execution_arn=execution_arn, definition=definition)
