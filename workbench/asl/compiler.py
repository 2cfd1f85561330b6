"""Mission → Amazon States Language.

Deterministic (the same Mission gives byte-identical JSON), readable (state names are step ids,
``Comment``s come from step comments) and explicit (Mission defaults are written into every state
they apply to). Recursion only follows Parallel/Map nesting, never the number of steps.

Data-flow conventions, chosen to match what Workflow Studio writes:
- JSONata tool steps send ``args`` (default ``{% $states.input %}``) as the Lambda ``Payload`` and
  output the tool's return value (``{% $states.result.Payload %}``); ``save_as: x`` also assigns it to ``$x``.
- JSONPath tool steps output ``$.Payload`` (``OutputPath``); ``save_as: x`` instead keeps the input and
  puts the whole invoke result at ``$.x`` (read the value as ``$.x.Payload``). ``output: $.path`` is
  the ``OutputPath`` of any JSONPath step.
- A step's query language is inherited from its parallel/map step, else from the Mission. Every state
  whose language differs from the state machine's says so itself (``"QueryLanguage"``), nested ones
  too, so readers that inherit from the top level and readers that inherit from the enclosing state
  agree. ASL cannot go from JSONata back to JSONPath, so a JSONata Mission with a JSONPath step
  compiles to a JSONPath state machine whose JSONata states say ``"QueryLanguage": "JSONata"``.
"""

from __future__ import annotations

from typing import Any

from workbench.asl.json_text import dumps_json
from workbench.core.diagnostics import CompileError, Diagnostic, Severity, has_errors
from workbench.mission.checks import check_mission
from workbench.mission.model import Mission
from workbench.mission.policies import CatchPolicy, RetryPolicy
from workbench.mission.steps import (
    ChooseStep,
    FailStep,
    MapStep,
    ParallelStep,
    PassStep,
    QueryLanguage,
    StepBase,
    SucceedStep,
    TaskStep,
    ToolStep,
    WaitStep,
)

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
RESULT_PAYLOAD = "{% $states.result.Payload %}"


def compile_mission(mission: Mission, *, check: bool = True) -> dict[str, Any]:
    """Compile a Mission to an ASL definition (a dict; :func:`dumps_asl` writes it as text).

    Raises :class:`CompileError` with step-named diagnostics when the Mission checks fail.

    Example:
        >>> from workbench.mission import loads_mission
        >>> m = loads_mission("mission: hi\\nsteps:\\n  - {id: greet, pass: {msg: hello}}\\n")
        >>> compile_mission(m)["States"]["greet"]
        {'Type': 'Pass', 'Output': {'msg': 'hello'}, 'End': True}
    """
    if check:
        problems = check_mission(mission)
        if has_errors(problems):
            raise CompileError([d for d in problems if d.is_error])
    top: dict[str, Any] = {}
    if mission.description:
        top["Comment"] = mission.description
    scope: QueryLanguage = mission.query_language
    if scope == "JSONata" and any(at.language == "JSONPath" for at in mission.located()):
        scope = "JSONPath"
    top["QueryLanguage"] = scope
    if mission.timeout is not None:
        top["TimeoutSeconds"] = mission.timeout
    top.update(_Compiler(mission, scope).graph(mission.steps, mission.query_language))
    return _merge(top, mission.asl)


def dumps_asl(definition: dict[str, Any]) -> str:
    """Canonical text of a definition: 2-space indent, UTF-8, trailing newline (stable for diffs and hashes).

    Numbers are written so every ASL reader accepts them (see :mod:`workbench.asl.json_text`): integers
    as integers, floats in plain decimal notation with a fraction (``1e-06`` is written ``0.000001``).

    Example:
        >>> dumps_asl({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}).splitlines()[1]
        '  "StartAt": "A",'
        >>> dumps_asl({"ToleratedFailurePercentage": 1e-06, "MaxConcurrency": 5}).split()[2:5]
        ['0.000001,', '"MaxConcurrency":', '5']
    """
    return dumps_json(definition, indent=2) + "\n"


def compile_to_json(mission: Mission) -> str:
    """Compile and serialise in one call (what ``workbench compile`` prints).

    Example:
        >>> from workbench.mission import load_mission
        >>> print(compile_to_json(load_mission("missions/incident_triage.yaml")))  # doctest: +SKIP
    """
    return dumps_asl(compile_mission(mission))


def _merge(state: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """Apply the ``asl:`` escape hatch: its fields win; a ``null`` there removes a compiled field.

    A ``null`` on a field the compiler did not write is written as a JSON null (``ResultPath: null``
    discards a JSONPath result), so imported ASL keeps its nulls.
    """
    if extra:
        for key, value in extra.items():
            if value is None and key in state:
                state.pop(key)
            else:
                state[key] = value
    return state


def _put(state: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        state[key] = value


class _Compiler:
    def __init__(self, mission: Mission, scope: QueryLanguage) -> None:
        self.mission = mission
        self.scope = scope  # the state machine's QueryLanguage: what every state without its own assumes

    def graph(self, steps: list[Any], inherited: QueryLanguage) -> dict[str, Any]:
        """``inherited``: the query language the Mission gives these steps (their parent's)."""
        if not steps:
            raise CompileError([Diagnostic(code="MIS300", severity=Severity.ERROR,
                                           message="a list of steps is empty", hint="give it at least one step")])
        states: dict[str, Any] = {}
        for i, step in enumerate(steps):
            following = steps[i + 1].id if i + 1 < len(steps) else None
            states[step.id] = self.state(step, inherited, following)
        return {"StartAt": steps[0].id, "States": states}

    def state(self, step: StepBase, inherited: QueryLanguage, following: str | None) -> dict[str, Any]:
        ql: QueryLanguage = step.query_language or inherited
        state: dict[str, Any] = {"Type": _TYPE[type(step)]}
        _put(state, "Comment", step.comment)
        if ql != self.scope:
            state["QueryLanguage"] = ql
        body = getattr(self, f"_{step.kind}")(step, ql)
        state.update(body)
        if step.assign:
            state["Assign"] = {**step.assign, **state.get("Assign", {})}
        self._errors(step, state, ql)
        if not step.terminal:
            if step.then:
                state["Next"] = step.then
            elif step.end or following is None:
                state["End"] = True
            else:
                state["Next"] = following
        return _merge(state, step.asl)

    # --- one method per step kind --------------------------------------------------------------
    def _tool(self, step: ToolStep, ql: QueryLanguage) -> dict[str, Any]:
        tool = self.mission.tools.get(step.tool)
        function = tool.lambda_ if tool else step.tool
        out: dict[str, Any] = {"Resource": LAMBDA_INVOKE}
        if ql == "JSONata":
            payload = step.args if step.args is not None else "{% $states.input %}"
            out["Arguments"] = {"FunctionName": function, "Payload": payload}
            out["Output"] = step.output if step.output is not None else RESULT_PAYLOAD
            if step.save_as:
                out["Assign"] = {step.save_as: RESULT_PAYLOAD}
        else:
            params: dict[str, Any] = {"FunctionName": function}
            if step.args is None:
                params["Payload.$"] = "$"
            elif isinstance(step.args, str) and step.args.startswith("$"):
                params["Payload.$"] = step.args
            else:
                params["Payload"] = step.args
            out["Parameters"] = params
            _put(out, "ResultSelector", step.result)
            if step.save_as:
                out["ResultPath"] = f"$.{step.save_as}"
            if step.output is not None:
                out["OutputPath"] = step.output
            elif step.result is None and not step.save_as:
                out["OutputPath"] = "$.Payload"
        defaults = self.mission.defaults
        _put(out, "TimeoutSeconds", step.timeout if step.timeout is not None else defaults.timeout)
        _put(out, "HeartbeatSeconds", step.heartbeat if step.heartbeat is not None else defaults.heartbeat)
        return out

    def _task(self, step: TaskStep, ql: QueryLanguage) -> dict[str, Any]:
        out: dict[str, Any] = {"Resource": step.task}
        self._result(step, out, ql)
        _put(out, "TimeoutSeconds", step.timeout)
        _put(out, "HeartbeatSeconds", step.heartbeat)
        return out

    def _choose(self, step: ChooseStep, ql: QueryLanguage) -> dict[str, Any]:
        choices = []
        for rule in step.choose:
            if ql == "JSONata":
                choice: dict[str, Any] = {"Condition": rule.when}
            else:
                choice = dict(rule.when) if isinstance(rule.when, dict) else {"Condition": rule.when}
            _put(choice, "Comment", rule.comment)
            choice["Next"] = rule.goto
            _put(choice, "Assign", rule.assign)
            _put(choice, "Output", rule.output)
            choices.append(choice)
        out: dict[str, Any] = {"Choices": choices}
        _put(out, "Default", step.otherwise)
        _put(out, "Output" if ql == "JSONata" else "OutputPath", step.output)
        return out

    def _parallel(self, step: ParallelStep, ql: QueryLanguage) -> dict[str, Any]:
        branches = [{"Comment": name, **self.graph(steps, ql)} if step.branch_comments
                    else self.graph(steps, ql) for name, steps in step.parallel.items()]
        out: dict[str, Any] = {}
        if step.args is not None:
            out["Arguments" if ql == "JSONata" else "Parameters"] = step.args
        out["Branches"] = branches
        self._result(step, out, ql)
        return out

    def _map(self, step: MapStep, ql: QueryLanguage) -> dict[str, Any]:
        spec = step.map
        out: dict[str, Any] = {}
        _put(out, "Items" if ql == "JSONata" else "ItemsPath", spec.items)  # none: the whole input
        _put(out, "ItemSelector", spec.item_selector)
        _put(out, "MaxConcurrency", spec.max_concurrency)
        _put(out, "ToleratedFailureCount", spec.tolerated_failures)
        _put(out, "ToleratedFailurePercentage", spec.tolerated_failure_percentage)
        _put(out, "Label", spec.label)
        config: dict[str, Any] = {"Mode": spec.mode.upper()}
        if spec.mode == "distributed":
            config["ExecutionType"] = spec.execution_type or "STANDARD"
        graph = self.graph(spec.steps, ql)
        # legacy: spellings kept from imported ASL (Iterator; no ProcessorConfig for inline maps)
        processor = graph if spec.mode == "inline" and spec.legacy else {"ProcessorConfig": config, **graph}
        out["Iterator" if spec.legacy == "iterator" else "ItemProcessor"] = processor
        self._result(step, out, ql)
        return out

    def _wait(self, step: WaitStep, ql: QueryLanguage) -> dict[str, Any]:
        seconds, until = step.wait.seconds, step.wait.until
        if seconds is not None:
            path = ql == "JSONPath" and isinstance(seconds, str)
            return {"SecondsPath" if path else "Seconds": seconds}
        path = ql == "JSONPath" and isinstance(until, str) and until.startswith("$")
        return {"TimestampPath" if path else "Timestamp": until}

    def _pass(self, step: PassStep, ql: QueryLanguage) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if ql == "JSONata":
            _put(out, "Output", step.pass_ if step.output is None else step.output)
            if step.save_as:
                value = step.pass_ if step.pass_ is not None else "{% $states.input %}"
                out["Assign"] = {step.save_as: value}
        else:
            _put(out, "Result", step.pass_)
            if step.save_as:
                out["ResultPath"] = f"$.{step.save_as}"
            _put(out, "OutputPath", step.output)
        return out

    def _succeed(self, step: SucceedStep, ql: QueryLanguage) -> dict[str, Any]:
        return {}

    def _fail(self, step: FailStep, ql: QueryLanguage) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, value in (("Error", step.fail.error), ("Cause", step.fail.cause)):
            if value is None:
                continue
            path = ql == "JSONPath" and value.startswith("$")
            out[f"{field}Path" if path else field] = value
        return out

    # --- shared pieces -------------------------------------------------------------------------
    def _result(self, step: Any, out: dict[str, Any], ql: QueryLanguage) -> None:
        """save_as / output for task, parallel and map steps."""
        if ql == "JSONata":
            _put(out, "Output", step.output)
            if step.save_as:
                out["Assign"] = {step.save_as: "{% $states.result %}"}
        else:
            if step.save_as:
                out["ResultPath"] = f"$.{step.save_as}"
            _put(out, "OutputPath", step.output)

    def _errors(self, step: StepBase, state: dict[str, Any], ql: QueryLanguage) -> None:
        if not isinstance(step, ToolStep | TaskStep | ParallelStep | MapStep):
            return
        retry = step.retry
        if retry is None and isinstance(step, ToolStep):
            retry = self.mission.defaults.retry
        if retry:
            state["Retry"] = [_retry(r) for r in retry]
        if step.catch:
            state["Catch"] = [_catch(c, ql) for c in step.catch]


def _retry(policy: RetryPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {"ErrorEquals": list(policy.errors)}
    _put(out, "Comment", policy.comment)
    out.update(IntervalSeconds=policy.interval, MaxAttempts=policy.max_attempts, BackoffRate=policy.backoff)
    _put(out, "MaxDelaySeconds", policy.max_delay)
    _put(out, "JitterStrategy", policy.jitter)
    return out


def _catch(policy: CatchPolicy, ql: QueryLanguage) -> dict[str, Any]:
    out: dict[str, Any] = {"ErrorEquals": list(policy.errors)}
    _put(out, "Comment", policy.comment)
    out["Next"] = policy.goto
    assign = dict(policy.assign or {})
    if ql == "JSONata":
        if policy.save_as:
            assign[policy.save_as] = "{% $states.errorOutput %}"
        _put(out, "Output", policy.output)
    else:
        path = policy.result_path or (f"$.{policy.save_as}" if policy.save_as else None)
        _put(out, "ResultPath", path)
    if assign:
        out["Assign"] = assign
    return out


_TYPE: dict[type[StepBase], str] = {
    ToolStep: "Task",
    TaskStep: "Task",
    ChooseStep: "Choice",
    ParallelStep: "Parallel",
    MapStep: "Map",
    WaitStep: "Wait",
    PassStep: "Pass",
    SucceedStep: "Succeed",
    FailStep: "Fail",
}
