"""Run a Mission: compile, make its tools reachable (with faults), deploy, launch, and wait.

One path shared by ``workbench run``, ``make demo``, the Launcher and the notebooks, so the embedded
engine, a ``workbench engine serve`` endpoint and AWS are driven by the same boto3 calls; only the
target differs. The embedded engine runs the tools' local functions (wrapped with fault injection),
a workbench endpoint is asked to import them, and AWS calls the real Lambda functions.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.asl.compiler import compile_mission
from workbench.asl.substitutions import find_placeholders
from workbench.engine.connect.targets import EmbeddedTarget, EndpointTarget, Target
from workbench.engine.deploy.state_machines import Deployment, StateMachineType, deploy
from workbench.engine.errors import TargetError, WaitTimeoutError
from workbench.engine.run.launch import Execution, launch
from workbench.engine.tools.bindings import BoundTools, ToolBinding
from workbench.engine.tools.faults import FaultPlan
from workbench.engine.tools.mocks import MockConfig, check_test_case, load_mock_config
from workbench.engine.tools.serving import EndpointInfo, check_tools_served, endpoint_info, tools_to_serve
from workbench.mission.loader import load_mission
from workbench.mission.model import Mission


class EngineNoteWarning(UserWarning):
    """Something a target does differently from AWS for this run (shown once, in plain words)."""


# Function name -> runs using it. Tools live in the engine's registry (looked up at call time), so a run
# must not unbind a function another run of the same tools still calls.
_in_use: dict[str, int] = {}
_in_use_lock = threading.Lock()
# A mock config is loaded into the engine only while its execution starts (the execution keeps the test
# case); one run at a time, so two runs' configs with the same test case names cannot cross.
_mock_start_lock = threading.Lock()
MockSource = MockConfig | str | Path | Mapping[str, Any]


def _hold(bound: BoundTools) -> None:
    with _in_use_lock:
        for name in bound.function_names.values():
            _in_use[name] = _in_use.get(name, 0) + 1


def _let_go(bound: BoundTools) -> None:
    with _in_use_lock:
        free = {}
        for tool, name in bound.function_names.items():
            _in_use[name] = _in_use.get(name, 1) - 1
            if _in_use[name] <= 0:
                _in_use.pop(name, None)
                free[tool] = name
        bound.function_names = free
    bound.unbind()


@dataclass
class MissionRun:
    """A started run: the execution, the deployment it runs, and the tools bound for it (embedded).

    The execution carries what ran: its Mission, definition and tools (memory, architecture), so
    ``workbench.frames(run.execution)`` and ``workbench.build_report(run.execution)`` need nothing passed
    again. Unnamed runs get a unique name: the state machine (the Mission's name), the UTC time and a short random id.
    """

    execution: Execution
    deployment: Deployment
    bound: BoundTools | None = None
    remote_tools: tuple[str, ...] = ()

    def release(self) -> None:
        """Unbind the local tools once the execution has ended (the engine keeps the history)."""
        if self.bound is not None:
            _let_go(self.bound)
            self.bound = None


def mission_fault_plan(mission: Mission, seed: int | None = None) -> FaultPlan | None:
    """The faults declared in the Mission's ``local:`` section (None when it declares none)."""
    if not mission.local.faults:
        return None
    return FaultPlan.from_local(mission.local.faults, seed if seed is not None else mission.local.seed)


def tool_bindings(mission: Mission) -> list[ToolBinding]:
    """Every tool of the Mission as a binding (Lambda name + local function)."""
    return [ToolBinding.from_spec(name, spec) for name, spec in mission.tools.items()]


def workbench_engine_tools(target: EndpointTarget | str, timeout: float = 3.0) -> list[str] | None:
    """The tools a ``workbench engine serve`` endpoint serves, or None when the URL is another engine.

    The request is signed with the target's credentials (``--env-file`` or the environment); a URL alone
    is signed with the environment's. Example:
        >>> workbench_engine_tools(Target.parse("http://127.0.0.1:4599"))  # doctest: +SKIP
        ['triage-fetch-alert']
    """
    endpoint = target if isinstance(target, EndpointTarget) else EndpointTarget(target)
    try:
        info = endpoint_info(endpoint, timeout=timeout)
    except TargetError:
        return None
    return list(info.tools) if info is not None else None


def _serve_remotely(target: EndpointTarget, mission: Mission, info: EndpointInfo | None,
                    extra: Mapping[str, str]) -> tuple[str, ...]:
    """Make a workbench engine serve the Mission's local tools (other endpoints: nothing to do).

    Tools the server already serves (its ``--tool`` options) are used as they are; the rest are registered
    over HTTP when the server allows it (``--allow-remote-tools``). :func:`check_tools_served` has already
    refused a run whose tools cannot be served.
    """
    if info is None:
        return ()
    from workbench.engine.embedded import register_remote_tools

    local = tools_to_serve(mission, extra, workbench_engine=True)
    wanted = {fn: spec for fn, spec in local.items() if fn not in info.tools}
    registered = register_remote_tools(target.endpoint_url, wanted, target.credentials) \
        if wanted and info.allow_remote_tools else []
    return tuple(sorted({*registered, *(fn for fn in local if fn in info.tools)}))


#: The longest ``workbench run`` waits by default (a Mission without TimeoutSeconds may run for a year).
MAX_DEFAULT_WAIT_SECONDS = 3600
#: Waiting a little past the Mission's timeout lets the engine record TIMED_OUT before we give up.
TIMEOUT_GRACE_SECONDS = 5


def default_wait(mission: Mission) -> float:
    """How long to wait for a run by default: the Mission's TimeoutSeconds (and a grace), at most an hour.

    Example:
        >>> default_wait(Mission.model_validate({"mission": "m", "timeout": "2m", "steps": [{"id": "a", "pass": 1}]}))
        125
    """
    if mission.timeout is None:
        return MAX_DEFAULT_WAIT_SECONDS
    return min(mission.timeout + TIMEOUT_GRACE_SECONDS, MAX_DEFAULT_WAIT_SECONDS)


LOCAL_ACCOUNT = "123456789012"


def bind_placeholders(definition: dict[str, Any], local_tools: Mapping[str, str], substitutions: Mapping[str, str],
                      region: str) -> dict[str, str]:
    """Substitutions for placeholders that name a local tool: ``${ValidateFn}`` → a local Lambda ARN.

    A ``local_tools`` key that is also a placeholder left unset by ``substitutions`` becomes the ARN of
    a Lambda function of that name, so an imported state machine runs locally without editing it.

    Example:
        >>> bind_placeholders({"Resource": "${CheckFn}"}, {"CheckFn": "tools:check"}, {}, "us-east-1")
        {'CheckFn': 'arn:aws:lambda:us-east-1:123456789012:function:CheckFn'}
    """
    out = dict(substitutions)
    for name in find_placeholders(definition) & set(local_tools):
        out.setdefault(name, f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{name}")
    return out


def _bound_elsewhere(binding: ToolBinding, local_tools: Mapping[str, str]) -> bool:
    """A tool with no local code whose Lambda is a placeholder or is served by ``local_tools`` (imported ASL)."""
    return bool(find_placeholders({"f": binding.lambda_function})) or binding.function_name in local_tools


def _checked_mocks(mock_config: MockSource | None, test_case: str | None, state_machine: str,
                   definition: dict[str, Any], target: Target) -> MockConfig | None:
    """The mock config to load for this run, checked against the state machine before anything is deployed."""
    if mock_config is None and test_case is None:
        return None
    if target.kind == "aws":
        raise TargetError("Mocked responses (mock_config / test_case) run on local targets only (the embedded "
                          "engine, `workbench engine serve`, Step Functions Local); AWS calls the real services.")
    if mock_config is None:
        return None  # the engine already has the config (engine.load_mock_config, SFN_MOCK_CONFIG)
    config = mock_config if isinstance(mock_config, MockConfig) else load_mock_config(mock_config)
    if test_case is None:
        cases = ", ".join(sorted(config.test_cases.get(state_machine, {}))) or "none"
        raise TargetError(f"{config.source}: choose a test case to run (test_case=... / --test-case); the "
                          f"file defines for '{state_machine}': {cases}")
    check_test_case(config.test_case(state_machine, test_case), definition)
    return config


def _launch_mocked(target: Target, deployment: Deployment, input: Any, name: str | None,
                   config: MockConfig | None, test_case: str | None, info: EndpointInfo | None) -> Execution:
    """Start with ``#TestCase``, making the config known to the engine that runs the execution."""
    if config is None:
        return launch(target, deployment, input, name=name, test_case=test_case)
    if isinstance(target, EndpointTarget):
        if info is not None:  # a workbench engine: other endpoints were given the config when they started
            from workbench.engine.embedded.interpreter.mocking import register_remote_mock_config

            register_remote_mock_config(target.endpoint_url, config, target.credentials)
        return launch(target, deployment, input, name=name, test_case=test_case)
    from workbench.engine.embedded import EmbeddedEngine

    engine = target.engine if isinstance(target, EmbeddedTarget) else None
    if not isinstance(engine, EmbeddedEngine):
        raise TargetError(f"the {target.kind} target cannot load a mock config; use the embedded engine")
    with _mock_start_lock:
        engine.load_mock_config(config, replace=False)
        try:
            return launch(target, deployment, input, name=name, test_case=test_case)
        finally:
            engine.unload_mock_config(config)


def start_mission(mission: Mission, definition: dict[str, Any] | None, target: Target, input: Any = None, *,
                  faults: FaultPlan | None = None, name: str | None = None,
                  substitutions: dict[str, str] | None = None,
                  local_tools: Mapping[str, str] | None = None,
                  mock_config: MockSource | None = None, test_case: str | None = None,
                  type: StateMachineType = "STANDARD") -> MissionRun:
    """Deploy the Mission's state machine, make its tools reachable and start it (does not wait).

    ``definition`` defaults to the compiled Mission. ``local_tools`` adds tools by Lambda function (or
    placeholder) name → ``module:function``, for imported state machines whose Tasks are not Mission tools.
    ``mock_config`` + ``test_case``: answer the Tasks the test case names from the mock config (AWS Step
    Functions Local format) instead of calling their tools; see ``docs/mocked-responses.md``.

    Example:
        >>> run = start_mission(mission, None, Target.parse("embedded"), {"n": 1})  # doctest: +SKIP
        >>> run.execution.wait(progress=False).status                                # doctest: +SKIP
        'SUCCEEDED'
    """
    definition = definition or compile_mission(mission)
    mocks = _checked_mocks(mock_config, test_case, mission.name, definition, target)
    extra = dict(local_tools or {})
    if extra:
        substitutions = bind_placeholders(definition, extra, substitutions or {}, target.region or "us-east-1")
    info: EndpointInfo | None = None
    if isinstance(target, EndpointTarget):  # refuse before anything is deployed (mocked Tasks call no tool)
        info = endpoint_info(target) if test_case else check_tools_served(target, mission, extra)
    if isinstance(target, EmbeddedTarget):  # what the embedded engine will refuse, said before it does
        from workbench.asl.lint import engine_notes

        for line in engine_notes(definition):
            warnings.warn(line, EngineNoteWarning, stacklevel=2)
    deployment = deploy(target, mission.name, definition, substitutions=substitutions, type=type)
    for note in deployment.notes:
        warnings.warn(note, EngineNoteWarning, stacklevel=2)
    bindings = [b for b in tool_bindings(mission) if b.local or not _bound_elsewhere(b, extra)]
    bindings += [ToolBinding(name=n, lambda_function=n, local=spec) for n, spec in extra.items()]
    bound: BoundTools | None = None
    remote: tuple[str, ...] = ()
    if isinstance(target, EmbeddedTarget):
        bound = target.bind_tools(bindings, faults)
        _hold(bound)
    elif isinstance(target, EndpointTarget):
        remote = _serve_remotely(target, mission, info, extra)
    try:
        execution = _launch_mocked(target, deployment, input, name, mocks, test_case, info)
    except BaseException:
        if bound is not None:
            _let_go(bound)
        raise
    execution.mission, execution.definition, execution.tools = mission, definition, dict(mission.tools)
    return MissionRun(execution=execution, deployment=deployment, bound=bound, remote_tools=remote)


def run_mission(
    mission: Mission | str | Path,
    input: Any = None,
    *,
    target: str | Target = "embedded",
    name: str | None = None,
    faults: FaultPlan | None = None,
    inject_faults: bool = True,
    seed: int | None = None,
    time_warp: bool | None = None,
    substitutions: dict[str, str] | None = None,
    local_tools: Mapping[str, str] | None = None,
    mock_config: MockSource | None = None,
    test_case: str | None = None,
    type: StateMachineType = "STANDARD",
    wait: bool = True,
    progress: bool = True,
    timeout: float | None = None,
    still_running_ok: bool = False,
    **target_options: Any,
) -> Execution:
    """Run a Mission and (by default) wait for it; returns the :class:`Execution` handle.

    ``input`` defaults to the Mission's ``local.input``; ``faults`` to its ``local.faults`` (on the
    embedded engine only; ``inject_faults=False`` turns them off); ``time_warp`` to ``local.time_warp``.
    ``target_options`` (``profile``, ``region``, ``role_arn``) go to :meth:`Target.parse`.
    ``local_tools`` (function or placeholder name → ``module:function``) serves extra tools on a local
    target, e.g. for an imported state machine: ``local_tools={"ValidateFn": "mytools:validate"}``.
    ``mock_config`` (file, mapping or :class:`MockConfig`) and ``test_case`` mock Task results per
    execution in the AWS Step Functions Local format (local targets only).
    ``timeout`` bounds the wait: then :class:`WaitTimeoutError`, or with ``still_running_ok`` the execution
    as DescribeExecution reports it (RUNNING), as ``workbench run --wait`` does.

    Example:
        >>> from workbench.engine.run.mission import run_mission
        >>> execution = run_mission("missions/incident_triage.yaml", time_warp=True)  # doctest: +SKIP
        >>> execution.status  # doctest: +SKIP
        'SUCCEEDED'
        >>> run_mission(path, mock_config="mocks.json", test_case="HappyPath")  # doctest: +SKIP
    """
    if not isinstance(mission, Mission):
        mission = load_mission(mission)
    plan = faults if faults is not None else (mission_fault_plan(mission, seed) if inject_faults else None)
    if not isinstance(target, Target):
        warp = time_warp if time_warp is not None else mission.local.time_warp
        target = Target.parse(target, time_warp=warp, faults=plan, **target_options)
    run = start_mission(mission, None, target, mission.local.input if input is None else input, faults=plan,
                        name=name, substitutions=substitutions, local_tools=local_tools,
                        mock_config=mock_config, test_case=test_case, type=type)
    if wait:
        try:
            run.execution.wait(timeout=timeout, progress=progress)
        except WaitTimeoutError:
            if not still_running_ok:
                raise
        finally:
            if run.execution.done:
                run.release()
    return run.execution
