"""``workbench run`` and ``workbench engine serve``."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from workbench.cli.output import fail
from workbench.core.diagnostics import DiagnosticError, WorkbenchError
from workbench.core.redact import redact_text

#: ``workbench run``'s exit code when the execution is still running once ``--wait`` is over.
STILL_RUNNING_EXIT = 3
MAX_INPUT_FILE_BYTES = 8 * 1024 * 1024  # Step Functions takes 256 KiB of input; anything near this is a mistake


def parse_input(text: str | None) -> Any:
    """``--input`` as JSON text or ``@file``; None when not given (the Mission's example input is used).

    Exit 2 with one line naming the file (or ``--input``) when it cannot be read, is not UTF-8, or is not
    JSON that Step Functions accepts (NaN, Infinity, numbers beyond a double are refused).

    Example:
        >>> parse_input('{"n": 1.5}'), parse_input(None)
        ({'n': 1.5}, None)
    """
    if text is None:
        return None
    source = "--input"
    if text.startswith("@"):
        source = text[1:]
        text = _read_input_file(source)
    try:
        return json.loads(text, parse_constant=_not_a_number, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise fail(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:  # NaN/Infinity, a float beyond a double, an integer of thousands of digits
        found = re.search(r"value has (\d+) digits", str(exc))
        problem = f"a number has {found.group(1)} digits" if found else str(exc)
        raise fail(f"{source} is not JSON that Step Functions accepts: {problem}; write such values as "
                   "strings") from None
    except RecursionError:
        raise fail(f"{source} nests too deeply to read; flatten the input") from None


def _read_input_file(source: str) -> str:
    if not source:
        raise fail("--input @ needs a file name, e.g. --input @input.json")
    try:
        with open(source, "rb") as handle:
            raw = handle.read(MAX_INPUT_FILE_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read input file {source}: {exc.strerror or exc}; check the path after @") from None
    if len(raw) > MAX_INPUT_FILE_BYTES:
        raise fail(f"input file {source} is larger than {MAX_INPUT_FILE_BYTES // 2**20} MiB; Step Functions "
                   "accepts 256 KiB of input: pass a reference (an S3 key) instead") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"input file {source} is not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON") from None


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:30]} is too large for a number")
    return value


def load_run_source(path: Path) -> Any:
    """A Mission file, or an ASL definition file (imported as a Mission so it runs the same way)."""
    from workbench.asl.import_file import import_file
    from workbench.mission.loader import load_mission

    if path.name.endswith((".asl.json", ".asl.yaml", ".asl.yml")) or _is_asl_json(path):
        mission, _ = import_file(path)
        return mission
    return load_mission(path)


def _is_asl_json(path: Path) -> bool:
    if path.suffix != ".json":
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "States" in data and "StartAt" in data


def load_substitutions(path: Path | None) -> dict[str, str]:
    """``--subs FILE``: a JSON or YAML mapping of placeholder → value.

    Read within the input budgets: binary or over-budget files raise
    :class:`~workbench.core.yaml_load.InputError` (one diagnostic line, exit 2 in ``run``).

    Example:
        >>> load_substitutions(None)
        {}
    """
    if path is None:
        return {}
    import yaml

    from workbench.core.yaml_load import load_yaml, read_text, yaml_problem

    try:
        data = load_yaml(read_text(path), file=str(path))
    except OSError as exc:
        raise fail(f"cannot read substitutions file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        problem, line, _ = yaml_problem(exc)
        where = f"{path}:{line}" if line else str(path)
        raise fail(f"{where}: the substitutions file is not valid YAML/JSON: {problem}") from None
    if not isinstance(data, dict):
        raise fail(f"{path}: substitutions must be a mapping of Name: value")
    return {str(k): str(v) for k, v in data.items()}


def _state_machine_type(text: str) -> Literal["STANDARD", "EXPRESS"]:
    value = text.upper()
    if value == "STANDARD":
        return "STANDARD"
    if value == "EXPRESS":
        return "EXPRESS"
    raise fail(f"--type '{text}' is not STANDARD or EXPRESS")


def _usage_error(exc: WorkbenchError) -> typer.Exit:
    """Exit 2 with the error's diagnostics (file, line, step) or its one-line message."""
    if isinstance(exc, DiagnosticError):
        for d in exc.diagnostics:
            typer.echo(d.render(), err=True)
        return typer.Exit(2)
    return fail(str(exc))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def run_cmd(
    mission: Annotated[Path, typer.Argument(help="Mission file.")],
    input: Annotated[str | None, typer.Option("--input", "-i", help="JSON text or @file.json.")] = None,
    target: Annotated[str, typer.Option(
        help="embedded, aws, a Step Functions endpoint URL, or endpoint (the URL in --env-file).")] = "embedded",
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Endpoint and credentials written by `workbench engine serve --env-file`.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile (aws target).")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region.")] = None,
    role_arn: Annotated[str | None, typer.Option(help="IAM role for the state machine (aws target).")] = None,
    name: Annotated[str | None, typer.Option(help="Execution name (default: mission, time, suffix).")] = None,
    time_warp: Annotated[bool | None, typer.Option("--time-warp/--real-time",
                                                   help="Waits and back-offs on a virtual clock.")] = None,
    faults: Annotated[Path | None, typer.Option(help="Fault plan (YAML/JSON) for local runs.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for injected faults.")] = None,
    sub: Annotated[list[str] | None, typer.Option("--sub", help="Deployment substitution Name=value.")] = None,
    subs: Annotated[Path | None, typer.Option("--subs", help="Substitutions file (JSON/YAML mapping).")] = None,
    tool: Annotated[list[str] | None, typer.Option(
        "--tool", help="Local tool for a Lambda or ${Placeholder}: Name=package.module:function.")] = None,
    mock_config: Annotated[Path | None, typer.Option(
        "--mock-config", help="Mocked responses (AWS Step Functions Local MockConfigFile JSON/YAML).")] = None,
    test_case: Annotated[str | None, typer.Option(
        "--test-case", help="Test case of --mock-config to run (mocked Tasks do not call their tools).")] = None,
    sm_type: Annotated[str, typer.Option("--type", help="STANDARD or EXPRESS (state machine type).")] = "STANDARD",
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Start and return at once.")] = False,
    wait: Annotated[float | None, typer.Option(
        "--wait", min=0, help="Wait at most SECONDS, then report the status (exit 3 if still running). "
        "Default: the Mission's TimeoutSeconds, at most an hour.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with the result.")] = False,
) -> None:
    """Deploy a Mission (or an ASL file), start it and wait with live progress.

    The status is what the target's DescribeExecution says, never a guess from the history.

    A URL target is first asked whether it can run the Mission's local tools; if not, nothing is deployed.

    Exit codes: 0 succeeded; 1 failed, timed out or aborted; 2 usage or input error, or refused before deploying.

    Exit 3: still running when --wait ran out (the status is printed; the run goes on). 130: interrupted.
    """
    from workbench.asl.substitutions import parse_substitutions
    from workbench.engine.tools.faults import load_fault_plan

    payload = parse_input(input)
    endpoint_options: dict[str, Any] = {} if env_file is None else {"env_file": env_file}
    if env_file is not None and target == "embedded":
        target = "endpoint"  # --env-file names the endpoint to run on
    try:  # the small input files first: a bad one is reported before the engine is even imported
        plan = load_fault_plan(faults) if faults else None
        if plan is not None and seed is not None:
            plan = plan.model_copy(update={"seed": seed})
        substitutions = {**load_substitutions(subs), **parse_substitutions(sub or [])}
        local_tools = parse_substitutions(tool or [])
        loaded = load_run_source(mission)
        from workbench.engine.tools.mocks import load_mock_config

        mocks = load_mock_config(mock_config) if mock_config else None
    except WorkbenchError as exc:
        raise _usage_error(exc) from None
    from workbench.engine.errors import WaitInterrupted
    from workbench.engine.run.mission import default_wait, run_mission
    from workbench.engine.run.watch import TERMINAL_STATUSES

    limit = default_wait(loaded) if wait is None else wait
    try:
        execution = run_mission(loaded, payload, target=target, name=name, faults=plan, seed=seed,
                                time_warp=time_warp, substitutions=substitutions, local_tools=local_tools,
                                mock_config=mocks, test_case=test_case, type=_state_machine_type(sm_type),
                                wait=not no_wait, timeout=limit, still_running_ok=True,
                                progress=not as_json, profile=profile, region=region, role_arn=role_arn,
                                **endpoint_options)
    except WaitInterrupted as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(130) from None
    except WorkbenchError as exc:
        raise _usage_error(exc) from None
    described = execution.describe()  # one answer for everything printed: the status cannot change in between
    status = str(described.get("status"))
    if as_json:
        history = execution.history()
        result = {
            "executionArn": execution.arn,
            "status": status,
            "output": execution.output if execution.done else None,
            "error": execution.error,
            "cause": execution.cause,
            "startDate": _iso(described.get("startDate")),
            "stopDate": _iso(described.get("stopDate")),
            "events": len(history),
            "history": history,
        }
        typer.echo(json.dumps(result, default=_iso, ensure_ascii=False))
    else:
        typer.echo(f"{execution.arn}\nstatus: {status}")
        if execution.done and status == "SUCCEEDED":
            typer.echo("output: " + redact_text(json.dumps(execution.output, ensure_ascii=False))[:2000])
        elif execution.error or execution.cause:
            typer.echo(redact_text(f"error: {execution.error}\ncause: {execution.cause}"))
    if no_wait:
        raise typer.Exit(0)
    if status not in TERMINAL_STATUSES:
        typer.echo(_still_running(status, limit), err=True)
        raise typer.Exit(STILL_RUNNING_EXIT)
    if status != "SUCCEEDED":
        typer.echo(_ended(status, execution.error), err=True)
    raise typer.Exit(0 if status == "SUCCEEDED" else 1)


def _still_running(status: str, waited: float) -> str:
    """The one stderr line of a run that had not ended when ``--wait`` ran out (exit 3).

    Example:
        >>> _still_running("RUNNING", 1)[:60]
        'error: the execution is still RUNNING after --wait 1 s (Desc'
    """
    return (f"error: the execution is still {status} after --wait {waited:g} s (DescribeExecution); it goes on: "
            "wait longer with --wait SECONDS, or look at it later with `workbench history fetch`")


def _ended(status: str, error: str | None) -> str:
    """The one stderr line of a run that did not succeed (exit 1), saying what to do next.

    Example:
        >>> _ended("ABORTED", None)
        'error: the execution ended ABORTED (it was stopped before it finished); start it again when ready'
    """
    if status == "ABORTED":
        return "error: the execution ended ABORTED (it was stopped before it finished); start it again when ready"
    why = f" with {redact_text(error)}" if error else ""
    return f"error: the execution ended {status}{why}; rerun with --json for its full history"


def serve_cmd(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 4599,
    time_warp: Annotated[bool, typer.Option("--time-warp/--real-time", help="Virtual clock.")] = False,
    tool: Annotated[list[str] | None, typer.Option("--tool", help="name=package.module:function")] = None,
    env_file: Annotated[Path | None, typer.Option(
        "--env-file", help="Also write the endpoint and this engine's credentials here (mode 0600), to `source`.")
    ] = None,
    allow_remote_tools: Annotated[bool, typer.Option(
        "--allow-remote-tools", help="Let signed requests register tools by module:function (off: only --tool).")
    ] = False,
) -> None:
    """Run the embedded engine on 127.0.0.1; every request must be signed with the credentials it prints.

    `source` the printed lines (or --env-file F) and plain `boto3.client("stepfunctions")`, `aws stepfunctions`
    and `workbench run --target endpoint` reach it.
    """
    from workbench.engine.embedded import EngineError, ToolError, serve

    if not 0 <= port <= 65535:
        raise fail(f"--port {port} is not a TCP port (0-65535; 0 picks a free one)")
    try:
        serve(port, time_warp=time_warp, tool_modules=tool or [], env_file=env_file,
              allow_remote_tools=allow_remote_tools)
    except (EngineError, ToolError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {env_file}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
    engine = typer.Typer(help="The embedded Step Functions engine.", no_args_is_help=True)
    engine.command("serve")(serve_cmd)
    app.add_typer(engine, name="engine")
