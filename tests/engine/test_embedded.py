"""The embedded engine: tools as Python functions, API fixes, unsupported operations, logging, remote tools."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.engine.embedded_support import ROLE, finish, run, start, task, unique
from workbench.engine.embedded import (
    EmbeddedEngine,
    ToolError,
    function_name_of,
    register_remote_tools,
    shared_engine,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return shared_engine(time_warp=True)


# ---------------------------------------------------------------- tools


@pytest.mark.parametrize("reference", [
    "{name}",
    "{name}:prod",
    "arn:aws:lambda:us-east-1:123456789012:function:{name}",
    "arn:aws:lambda:us-east-1:123456789012:function:{name}:7",
    "123456789012:function:{name}",
])
def test_lambda_invoke_calls_the_registered_tool_whatever_the_function_reference(
        engine: EmbeddedEngine, reference: str) -> None:
    name = unique("add")
    engine.register_tool(name, lambda event, ctx: {"sum": event["a"] + event["b"]})
    result = run(engine, {"StartAt": "T", "States": {"T": task(reference.format(name=name), End=True)}},
                 {"a": 2, "b": 3})
    assert result.status == "SUCCEEDED", result.describe
    assert result.output["Payload"] == {"sum": 5}
    assert result.output["StatusCode"] == 200  # wrapped like AWS's lambda:invoke result


def test_plain_lambda_arn_task_returns_the_payload(engine: EmbeddedEngine) -> None:
    name = unique("echo")
    engine.register_tool(name, lambda event, ctx: {"got": event})
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    result = run(engine, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}}, [1])
    assert result.status == "SUCCEEDED"
    assert result.output == {"got": [1]}
    assert "LambdaFunctionSucceeded" in result.types


def test_tool_context_names_function_execution_state_and_attempt(engine: EmbeddedEngine) -> None:
    name, seen = unique("flaky"), []

    def flaky(event: Any, ctx: Any) -> str:
        seen.append(ctx)
        if ctx.attempt < 3:
            raise ValueError("not yet")
        return "ok"

    engine.register_tool(name, flaky)
    retry = [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 1, "MaxAttempts": 3}]
    result = run(engine, {"StartAt": "Fetch", "States": {"Fetch": task(name, Retry=retry, End=True)}})
    assert result.status == "SUCCEEDED"
    assert [c.attempt for c in seen] == [1, 2, 3]
    assert {(c.function_name, c.state_name, c.execution_arn) for c in seen} == {(name, "Fetch", result.arn)}


def test_a_raised_exception_is_a_task_failure_shaped_like_aws(engine: EmbeddedEngine) -> None:
    name = unique("bad")

    def bad(event: Any, ctx: Any) -> None:
        raise ValueError("x")

    engine.register_tool(name, bad)
    result = run(engine, {"StartAt": "T", "States": {"T": task(name, End=True)}})
    assert result.status == "FAILED"
    failed = result.details("TaskFailed")
    assert failed["error"] == "ValueError"
    cause = json.loads(failed["cause"])
    assert cause["errorMessage"] == "x" and cause["errorType"] == "ValueError"
    assert any("raise ValueError" in line for line in cause["stackTrace"])


def test_retry_and_catch_match_the_exception_class_name(engine: EmbeddedEngine) -> None:
    name = unique("bad")
    engine.register_tool(name, lambda event, ctx: (_ for _ in ()).throw(KeyError("k")))
    definition = {"StartAt": "T", "States": {
        "T": task(name, Retry=[{"ErrorEquals": ["KeyError"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                  Catch=[{"ErrorEquals": ["KeyError"], "Next": "Handled"}], End=True),
        "Handled": {"Type": "Pass", "End": True}}}
    result = run(engine, definition)
    assert result.status == "SUCCEEDED"
    assert result.types.count("TaskFailed") == 2
    assert result.output["Error"] == "KeyError"


@pytest.mark.parametrize("legacy", [False, True])
def test_a_client_error_is_a_lambda_service_error(engine: EmbeddedEngine, legacy: bool) -> None:
    name, calls = unique("throttled"), []

    def throttled(event: Any, ctx: Any) -> str:
        calls.append(ctx.attempt)
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}, "Invoke")
        return "done"

    engine.register_tool(name, throttled)
    state = ({"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{name}"}
             if legacy else task(name))
    state["Retry"] = [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1}]
    result = run(engine, {"StartAt": "T", "States": {"T": {**state, "End": True}}})
    assert result.status == "SUCCEEDED"
    failed = result.details("LambdaFunctionFailed" if legacy else "TaskFailed")
    assert failed["error"] == "Lambda.TooManyRequestsException"
    assert "Status Code: 429" in failed["cause"]


def test_an_unknown_function_fails_naming_it(engine: EmbeddedEngine) -> None:
    missing = unique("nowhere")
    result = run(engine, {"StartAt": "T", "States": {"T": task(missing, End=True)}})
    failed = result.details("TaskFailed")
    assert failed["error"] == "Lambda.ResourceNotFoundException"
    assert missing in failed["cause"] and "register_tool" in failed["cause"]


def test_a_result_that_is_not_json_fails_like_the_lambda_runtime(engine: EmbeddedEngine) -> None:
    name = unique("set")
    engine.register_tool(name, lambda event, ctx: {1, 2})
    result = run(engine, {"StartAt": "T", "States": {"T": task(name, End=True)}})
    assert result.details("TaskFailed")["error"] == "Runtime.MarshalError"


def test_tools_are_looked_up_at_invoke_time(engine: EmbeddedEngine) -> None:
    name = unique("swap")
    definition = {"StartAt": "T", "States": {"T": task(name, OutputPath="$.Payload", End=True)}}
    engine.register_tool(name, lambda event, ctx: "first")
    assert run(engine, definition).output == "first"
    engine.register_tool(name, lambda event, ctx: "wrapped")
    assert run(engine, definition).output == "wrapped"
    engine.unregister_tool(name)
    assert run(engine, definition).status == "FAILED"


def test_function_names_and_tool_names_are_validated() -> None:
    assert function_name_of("arn:aws:lambda:eu-west-1:1:function:f:alias") == "f"
    with pytest.raises(ToolError, match="not a valid Lambda function name"):
        EmbeddedEngine().register_tool("has space", lambda e, c: None)


# ---------------------------------------------------------------- engines and bindings


def test_each_engine_serves_its_own_tools_and_time_warp() -> None:
    a, b = EmbeddedEngine(time_warp=True).start(), EmbeddedEngine().start()
    try:
        name, only_b = unique("who"), unique("only-b")
        a.register_tool(name, lambda event, ctx: "A")
        b.register_tool(name, lambda event, ctx: "B")
        b.register_tool(only_b, lambda event, ctx: "from B")
        definition = {"StartAt": "T", "States": {"T": task(name, OutputPath="$.Payload", End=True)}}
        assert run(a, definition).output == "A"
        assert run(b, definition).output == "B"
        fallback = {"StartAt": "T", "States": {"T": task(only_b, OutputPath="$.Payload", End=True)}}
        assert run(a, fallback).output == "from B"  # shared backends: other engines' tools are visible
        wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}
        assert run(a, wait).seconds < 1.0 <= run(b, wait).seconds
        a.time_warp = False  # switching affects executions started afterwards
        assert run(a, wait).seconds >= 1.0
    finally:
        a.stop()
        b.stop()


def test_engine_is_idempotent_and_reports_a_busy_port() -> None:
    from workbench.engine.embedded import EngineError

    engine = EmbeddedEngine().start()
    try:
        assert engine.start() is engine and engine.endpoint_url.startswith("http://127.0.0.1:")
        with pytest.raises(EngineError, match="cannot start the embedded engine"):
            EmbeddedEngine(port=engine.port).start()
    finally:
        engine.stop()
    assert not engine.running


# ---------------------------------------------------------------- API fixes and gaps


def test_describe_execution_output_is_json_encoded(engine: EmbeddedEngine) -> None:
    result = run(engine, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "hello", "End": True}}})
    assert result.describe["output"] == '"hello"'


def test_execution_history_honours_max_results_next_token_and_reverse_order(engine: EmbeddedEngine) -> None:
    result = run(engine, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                     "B": {"Type": "Pass", "End": True}}})
    sfn = engine.client()
    page = sfn.get_execution_history(executionArn=result.arn, maxResults=2)
    assert [e["type"] for e in page["events"]] == ["ExecutionStarted", "PassStateEntered"]
    rest = sfn.get_execution_history(executionArn=result.arn, maxResults=100, nextToken=page["nextToken"])
    assert len(page["events"]) + len(rest["events"]) == len(result.events) and "nextToken" not in rest
    reverse = sfn.get_execution_history(executionArn=result.arn, reverseOrder=True, maxResults=1)
    assert reverse["events"][0]["type"] == "ExecutionSucceeded"


def test_context_object_has_redrive_count(engine: EmbeddedEngine) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
        "count.$": "$$.Execution.RedriveCount"}, "End": True}}}
    assert run(engine, definition).output == {"count": 0}


def test_an_unnamed_execution_gets_a_uuid_name(engine: EmbeddedEngine) -> None:
    arn = start(engine, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert not arn.endswith(":None")
    assert len(arn.rsplit(":", 1)[1]) == 36


def test_interpreter_error_logs_are_silenced(engine: EmbeddedEngine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = run(engine, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom"}}})
    assert result.status == "FAILED"
    noisy = [r for r in caplog.records if r.name.startswith("moto.stepfunctions.parser") and r.levelno >= logging.ERROR]
    assert noisy == []
    assert logging.getLogger("moto.stepfunctions.parser").level == logging.CRITICAL


def test_send_task_success_ignores_executions_still_starting(engine: EmbeddedEngine) -> None:
    from moto.stepfunctions.parser.api import InvalidToken
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    run(engine, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    backend = stepfunctions_parser_backends["123456789012"]["us-east-1"]
    starting = types.SimpleNamespace(exec_worker=types.SimpleNamespace(env=None), status="RUNNING")
    machine = backend.state_machines[-1]
    machine.executions.append(starting)
    try:
        with pytest.raises(InvalidToken):
            backend.send_task_success("no-such-token", "{}")
    finally:
        machine.executions.remove(starting)


# ---------------------------------------------------------------- tools of a separately started engine


def test_tools_register_by_module_path_over_http_only_when_the_owner_allows_it() -> None:
    name = unique("double")
    with EmbeddedEngine(time_warp=True, allow_remote_tools=True) as owner:
        registered = register_remote_tools(owner.endpoint_url, {name: "tests.engine.embedded_tools:double"},
                                           owner.credentials)
        assert registered == [name]
        definition = {"StartAt": "T", "States": {"T": task(name, OutputPath="$.Payload", End=True)}}
        assert run(owner, definition, 21).output == 42
        with pytest.raises(ToolError, match="cannot import module"):
            register_remote_tools(owner.endpoint_url, {"x": "tests.engine.no_such_module:f"}, owner.credentials)
        with pytest.raises(ToolError, match="not of the form"):
            register_remote_tools(owner.endpoint_url, {"x": "__import__('os')"}, owner.credentials)
    with EmbeddedEngine() as closed, pytest.raises(ToolError, match="--allow-remote-tools"):
        register_remote_tools(closed.endpoint_url, {name: "tests.engine.embedded_tools:double"}, closed.credentials)
    assert name not in closed.tools


@pytest.mark.slow
def test_serve_runs_a_standalone_engine_with_module_tools(tmp_path: Path) -> None:
    from workbench.engine.connect.endpoint_env import endpoint_settings

    env_file = tmp_path / "engine.env"
    code = ("from workbench.engine.embedded import serve; "
            f"serve(0, time_warp=True, allow_remote_tools=True, env_file={str(env_file)!r}, "
            "tool_modules=['tests.engine.embedded_tools:triple'])")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("export AWS_ENDPOINT_URL_SFN=")  # once listening
        settings = endpoint_settings(env_file)
        assert settings.credentials is not None
        kwargs = settings.credentials.boto3_kwargs()
        remote = types.SimpleNamespace(client=lambda service="stepfunctions": boto3.client(
            service, endpoint_url=settings.url, **kwargs, config=Config(inject_host_prefix=False)))
        register_remote_tools(settings.url, {"double": "tests.engine.embedded_tools:double"}, settings.credentials)
        definition = {"StartAt": "A", "States": {
            "A": task("triple", ResultSelector={"v.$": "$.Payload"}, OutputPath="$.v", Next="B"),
            "B": task("double", OutputPath="$.Payload", End=True)}}
        arn = start(remote, definition, 7, name="remote")
        assert finish(remote, arn).output == 42
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_concurrent_parses_do_not_share_query_language_scopes(engine: EmbeddedEngine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    assert Preprocessor()._query_language_per_scope is not Preprocessor()._query_language_per_scope
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% 1 %}",
                                                                          "End": True}}}
    jsonpath = {"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": "$.x", "End": True}}}
    sfn = engine.client()

    def create(i: int) -> str:
        return str(sfn.create_state_machine(name=unique(f"c{i}"), roleArn=ROLE, definition=json.dumps(
            jsonata if i % 2 else jsonpath))["stateMachineArn"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        arns = list(pool.map(create, range(40)))
    assert len(set(arns)) == 40


def test_a_rejected_definition_does_not_poison_the_next_parse(engine: EmbeddedEngine) -> None:
    sfn = engine.client()
    bad = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a": 1},
                                                                      "End": True}}}
    with pytest.raises(ClientError):
        sfn.create_state_machine(name=unique("bad"), roleArn=ROLE, definition=json.dumps(bad))
    good = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"a": 1}, "End": True}}}
    assert run(engine, good).output == {"a": 1}
