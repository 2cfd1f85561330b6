"""ResultWriter as AWS runs it: export the child executions' results to S3, or reshape them (WriterConfig).

AWS (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html): with ``Resource``
``arn:aws:states:::s3:putObject`` and ``Parameters`` ``{Bucket, Prefix}``, the Map Run writes, under
``Prefix/MAP_RUN_ID/``, one result file per status (``SUCCEEDED_0.json``, ``FAILED_0.json``; aborted and timed
out children count as failed) and ``manifest.json`` (``DestinationBucket``, ``MapRunArn``, ``ResultFiles``
``{FAILED, PENDING, SUCCEEDED}`` with each file's ``Key`` and ``Size``), and the Map state's result is
``{"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ..., "Key": <manifest key>}}``. ``WriterConfig`` chooses
the shape of each result: ``NONE`` (the default when exporting) is the child's execution record
(``ExecutionArn``, ``Input``, ``InputDetails``, ``Name``, ``Output``, ``OutputDetails``, ``Redrive*``,
``StartDate``, ``StateMachineArn``, ``Status``, ``StopDate``; ``Error``/``Cause`` for a failed one), ``COMPACT``
its output only, ``FLATTEN`` its output with an array output spread into the results; a failed child is always
written as its ``NONE`` record. ``OutputType`` ``JSON`` writes a file as one JSON array, ``JSONL`` as JSON Lines
(file suffix ``.jsonl`` here: the documentation names no suffix for it). A ``WriterConfig`` without ``Resource``
previews: the state's result is the transformed list, nothing is written. A write S3 refuses fails the Map Run
with ``States.ResultWriterFailed``.

moto 5.2.5 writes only a manifest with empty ``ResultFiles`` (its ``put_object`` handler discards the
results), resolves ``Parameters`` paths against the results instead of the state's input, and its grammar has
no ``WriterConfig`` (``definition.py`` takes a literal one out). :func:`finish` runs inside the Map Run, before
``MapRunSucceeded``; ``ResultWriter._eval_body`` is then a no-op for a Distributed Map we parsed.
"""

from __future__ import annotations

import datetime
from typing import Any, Final

from workbench.asl.json_text import dumps_json
from workbench.core.arn import Arn
from workbench.engine.embedded.interpreter.distributed_map.definition import MapSpec, spec_of

_FAILED: Final = frozenset({"FAILED", "ABORTED", "TIMED_OUT"})


def _date(value: Any) -> Any:
    if not isinstance(value, datetime.datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def execution_record(execution: Any) -> dict[str, Any]:
    """A child execution as a ``NONE`` result: its DescribeExecution members, capitalised."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    from workbench.engine.embedded.interpreter.api.redrive import redrive_fields

    status = str(execution.status)
    record: dict[str, Any] = {"ExecutionArn": execution.exec_arn,
                              "Input": to_json_str(execution.input_data, separators=(",", ":")),
                              "InputDetails": {"Included": True}, "Name": execution.name}
    if status == "SUCCEEDED":
        record["Output"] = to_json_str(execution.output, separators=(",", ":"))
        record["OutputDetails"] = {"Included": True}
    else:
        if execution.error is not None:
            record["Error"] = execution.error
        if execution.cause is not None:
            record["Cause"] = execution.cause
    record.update({name[0].upper() + name[1:]: value for name, value in redrive_fields(execution).items()})
    record.update(StartDate=_date(execution.start_date), StateMachineArn=execution.state_machine.arn,
                  Status=status)
    if execution.stop_date is not None:
        record["StopDate"] = _date(execution.stop_date)
    return record


def results(children: list[Any], transformation: str) -> list[Any]:
    """The children's results (start order) as ``transformation`` shapes them; failed ones as ``NONE``."""
    out: list[Any] = []
    for execution in children:
        if transformation == "NONE" or str(execution.status) != "SUCCEEDED":
            out.append(execution_record(execution))
        elif transformation == "FLATTEN" and isinstance(execution.output, list):
            out.extend(execution.output)
        else:
            out.append(execution.output)
    return out


def file_body(values: list[Any], output_type: str) -> bytes:
    """A result file's bytes: one JSON array, or one JSON value a line.

    Example:
        >>> file_body([{"a": 1}, 2], "JSONL")
        b'{"a":1}\\n2\\n'
    """
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    if output_type == "JSONL":
        return "".join(to_json_str(value, separators=(",", ":")) + "\n" for value in values).encode()
    return to_json_str(values, separators=(",", ":")).encode()


def _cause(exc: Exception) -> str:
    """An S3 failure as the Java SDK words it: message, then service, status and error code."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return str(exc)
    error = response.get("Error") or {}
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return (f"{error.get('Message', str(exc))} (Service: S3, Status Code: {status}, "
            f"Error Code: {error.get('Code')})")


def _parameters(spec: MapSpec, env: Any, map_input: Any) -> dict[str, Any]:
    """The ResultWriter's Parameters, evaluated against the Map state's input (moto: against the results)."""
    writer = spec.writer_component
    if writer is None or writer.parargs is None:
        return {}
    env.stack.append(map_input)
    try:
        writer.parargs.eval(env=env)
        value = env.stack.pop()
    finally:
        env.stack.pop()
    return dict(value) if isinstance(value, dict) else {}


def _s3(spec: MapSpec, env: Any) -> Any:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
    from moto.stepfunctions.parser.asl.utils import boto_client

    spec.writer_component.resource_eval.resource.eval(env=env)
    runtime = env.stack.pop()
    return boto_client.boto_client_for(region=runtime.region, service="s3",
                                       state_credentials=StateCredentials(role_arn=env.aws_execution_details.role_arn))


def finish(env: Any, spec: MapSpec, map_run_arn: str, children: list[Any], map_input: Any) -> Any:
    """The Map state's result when it has a ResultWriter: written to S3, or (WriterConfig only) reshaped."""
    config = spec.writer_config or {}
    output_type = str(config.get("OutputType", "JSON"))
    if not spec.exports:
        return results(children, str(config.get("Transformation", "COMPACT")))
    parameters = _parameters(spec, env, map_input)
    bucket = parameters.get("Bucket")
    prefix = str(parameters.get("Prefix") or "")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    folder = f"{prefix}{Arn.parse(map_run_arn).execution_id}/"
    succeeded = [c for c in children if str(c.status) == "SUCCEEDED"]
    failed = [c for c in children if str(c.status) in _FAILED]
    suffix = "jsonl" if output_type == "JSONL" else "json"
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    try:
        s3 = _s3(spec, env)
        for status, group, transformation in (("SUCCEEDED", succeeded, str(config.get("Transformation", "NONE"))),
                                              ("FAILED", failed, "NONE")):
            if not group:
                continue
            key = f"{folder}{status}_0.{suffix}"
            body = file_body(results(group, transformation), output_type)
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            files[status].append({"Key": key, "Size": len(body)})
        manifest_key = f"{folder}manifest.json"
        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
        s3.put_object(Bucket=bucket, Key=manifest_key, Body=dumps_json(manifest).encode())
    except Exception as exc:  # botocore's ClientError and ParamValidationError alike: the run cannot write
        from workbench.engine.embedded.interpreter.distributed_map.map_run import map_run_failure

        raise map_run_failure(env, "StatesResultWriterFailed", _cause(exc)) from exc
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def install() -> None:
    """Make ``ResultWriter._eval_body`` a no-op for a Distributed Map we parsed (:func:`finish` wrote it)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.result_writer_decl import (
        ResultWriter,
    )

    original = ResultWriter._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        if spec_of(self) is None:
            original(self, env)

    ResultWriter._eval_body = _eval_body  # type: ignore[method-assign]
