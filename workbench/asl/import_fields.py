"""Per-state field mapping of the ASL importer: which fields of a state the Mission model has a word for.

Each function returns Mission fields as plain data (``model_validate`` input). A field is mapped only
when the compiler would write it back the same way; the importer then compiles the step and puts
whatever still differs into ``asl:`` verbatim, so these functions can stay conservative without
losing anything. Nested graphs (Parallel branches, Map processors) are imported by the caller.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from workbench.asl.compiler import LAMBDA_INVOKE, RESULT_PAYLOAD
from workbench.mission.policies import CatchPolicy, RetryPolicy
from workbench.mission.steps import QueryLanguage, is_expression

Fields = dict[str, Any]

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INPUT = "{% $states.input %}"
RESULT = "{% $states.result %}"
ERROR_OUTPUT = "{% $states.errorOutput %}"
_RETRY_KEYS = {"ErrorEquals": "errors", "IntervalSeconds": "interval", "MaxAttempts": "max_attempts",
               "BackoffRate": "backoff", "MaxDelaySeconds": "max_delay", "JitterStrategy": "jitter",
               "Comment": "comment"}


def whole(value: Any, minimum: int = 0) -> int | None:
    """``value`` when it is a whole number of at least ``minimum`` (booleans are not numbers)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
    return value if ok else None


def saved_name(result_path: Any) -> str | None:
    """``$.name`` → ``name``: the JSONPath spelling of ``save_as``."""
    if isinstance(result_path, str) and result_path.startswith("$.") and IDENT.match(result_path[2:]):
        return result_path[2:]
    return None


def split_assign(fields: Fields, assign: Any, marker: str) -> str | None:
    """Take the variable that ``Assign`` sets to ``marker`` out of ``fields['assign']`` (it is ``save_as``)."""
    if not isinstance(assign, dict):
        return None
    name = next((k for k, v in assign.items() if v == marker and IDENT.match(k)), None)
    if name is not None:
        rest = {k: v for k, v in assign.items() if k != name}
        if rest:
            fields["assign"] = rest
        else:
            fields.pop("assign", None)
    return name


def common(state: dict[str, Any]) -> Fields:
    """Fields every step has: comment, query language override, variables."""
    fields: Fields = {}
    if isinstance(state.get("Comment"), str):
        fields["comment"] = state["Comment"]
    if state.get("QueryLanguage") in ("JSONata", "JSONPath"):
        fields["query_language"] = state["QueryLanguage"]
    if isinstance(state.get("Assign"), dict) and state["Assign"]:
        fields["assign"] = dict(state["Assign"])
    return fields


def retries(value: Any) -> list[Fields] | None:
    """Retriers as RetryPolicy data, or None when any of them has no exact Mission spelling."""
    if not isinstance(value, list) or not value:
        return None
    out: list[Fields] = []
    for retrier in value:
        if not isinstance(retrier, dict):
            return None
        data = {_RETRY_KEYS[k]: v for k, v in retrier.items() if k in _RETRY_KEYS}
        try:
            RetryPolicy.model_validate(data)
        except ValidationError:
            return None
        out.append(data)
    return out


def catches(value: Any, ql: QueryLanguage) -> list[Fields]:
    """Catchers as CatchPolicy data; a catcher with no exact spelling keeps at least its errors and goto."""
    out: list[Fields] = []
    for catcher in value if isinstance(value, list) else []:
        if not isinstance(catcher, dict) or not isinstance(catcher.get("Next"), str):
            continue
        errors = catcher.get("ErrorEquals")
        if not (isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors)):
            errors = ["States.ALL"]
        minimal: Fields = {"errors": errors, "goto": catcher["Next"]}
        data: Fields = dict(minimal)
        if isinstance(catcher.get("Comment"), str):
            data["comment"] = catcher["Comment"]
        if isinstance(catcher.get("Assign"), dict) and catcher["Assign"]:
            data["assign"] = dict(catcher["Assign"])
        if ql == "JSONata":
            name = split_assign(data, catcher.get("Assign"), ERROR_OUTPUT)
            if name:
                data["save_as"] = name
            if catcher.get("Output") is not None:
                data["output"] = catcher["Output"]
        elif saved_name(catcher.get("ResultPath")):
            data["save_as"] = saved_name(catcher["ResultPath"])
        elif isinstance(catcher.get("ResultPath"), str):
            data["result_path"] = catcher["ResultPath"]
        try:
            CatchPolicy.model_validate(data)
        except ValidationError:
            data = minimal
        out.append(data)
    return out


def error_handling(fields: Fields, state: dict[str, Any], ql: QueryLanguage) -> None:
    """Retry and Catch of tool, task, parallel and map steps."""
    retry = retries(state.get("Retry"))
    if retry is not None:
        fields["retry"] = retry
    catch = catches(state.get("Catch"), ql)
    if catch:
        fields["catch"] = catch


def result(fields: Fields, state: dict[str, Any], ql: QueryLanguage) -> None:
    """``save_as``/``output`` of task, parallel and map steps (the compiler's ``_result``)."""
    if ql == "JSONata":
        if state.get("Output") is not None:
            fields["output"] = state["Output"]
        name = split_assign(fields, state.get("Assign"), RESULT)
        if name:
            fields["save_as"] = name
    else:
        if saved_name(state.get("ResultPath")):
            fields["save_as"] = saved_name(state["ResultPath"])
        output_path(fields, state)


def output_path(fields: Fields, state: dict[str, Any]) -> None:
    """JSONPath ``OutputPath`` is the ``output`` of a JSONPath step."""
    if isinstance(state.get("OutputPath"), str):
        fields["output"] = state["OutputPath"]


def _timeouts(fields: Fields, state: dict[str, Any]) -> None:
    for key, field in (("TimeoutSeconds", "timeout"), ("HeartbeatSeconds", "heartbeat")):
        seconds = whole(state.get(key), 1)
        if seconds is not None:
            fields[field] = seconds


def _static_name(value: Any) -> str | None:
    """A Lambda function given as a constant (name, ARN or ``${Placeholder}``), not an expression."""
    if isinstance(value, str) and value.strip() and not value.strip().startswith("{%"):
        return value
    return None


def tool_fields(state: dict[str, Any], ql: QueryLanguage) -> tuple[str, Fields] | None:
    """(function, fields) when the Task could be a tool step, before the exact-shape test; else None."""
    if state.get("Resource") != LAMBDA_INVOKE:
        return None
    fields: Fields = {}
    if ql == "JSONata":
        arguments = state.get("Arguments")
        function = _static_name(arguments.get("FunctionName")) if isinstance(arguments, dict) else None
        if function is None or not isinstance(arguments, dict):
            return None
        if arguments.get("Payload", INPUT) != INPUT:
            fields["args"] = arguments["Payload"]
        if state.get("Output") != RESULT_PAYLOAD and state.get("Output") is not None:
            fields["output"] = state["Output"]
        name = split_assign(fields, state.get("Assign"), RESULT_PAYLOAD)
        if name:
            fields["save_as"] = name
    else:
        params = state.get("Parameters")
        function = _static_name(params.get("FunctionName")) if isinstance(params, dict) else None
        if function is None or not isinstance(params, dict):
            return None
        if "Payload.$" in params and params["Payload.$"] != "$":
            fields["args"] = params["Payload.$"]
        elif "Payload" in params:
            fields["args"] = params["Payload"]
        if isinstance(state.get("ResultSelector"), dict):
            fields["result"] = state["ResultSelector"]
        if saved_name(state.get("ResultPath")):
            fields["save_as"] = saved_name(state["ResultPath"])
        plain = "result" not in fields and "save_as" not in fields
        if not (plain and state.get("OutputPath") == "$.Payload"):
            output_path(fields, state)
    _timeouts(fields, state)
    return function, fields


def task_fields(state: dict[str, Any], ql: QueryLanguage) -> Fields:
    """A generic Task: its Resource, timeouts and result; the rest (Parameters, Arguments...) stays ASL."""
    resource = state.get("Resource")
    fields: Fields = {"task": resource if isinstance(resource, str) else ""}
    _timeouts(fields, state)
    result(fields, state, ql)
    return fields


def choice_fields(state: dict[str, Any], ql: QueryLanguage) -> Fields:
    """Choice rules: JSONata ``Condition`` strings, or JSONPath rule objects kept whole as ``when``."""
    rules: list[Fields] = []
    raw = state.get("Choices")
    for rule in raw if isinstance(raw, list) else []:
        if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
            continue
        if ql == "JSONata":
            when = rule.get("Condition")
        else:
            when = {k: v for k, v in rule.items() if k not in ("Next", "Comment", "Assign", "Output")}
        data: Fields = {"when": when if isinstance(when, str | dict) else f"{{% {when!r} %}}", "goto": rule["Next"]}
        if isinstance(rule.get("Comment"), str):
            data["comment"] = rule["Comment"]
        if isinstance(rule.get("Assign"), dict):
            data["assign"] = rule["Assign"]
        if rule.get("Output") is not None:
            data["output"] = rule["Output"]
        rules.append(data)
    fields: Fields = {"choose": rules}
    if isinstance(state.get("Default"), str):
        fields["otherwise"] = state["Default"]
    if ql == "JSONata" and state.get("Output") is not None:
        fields["output"] = state["Output"]
    elif ql == "JSONPath":
        output_path(fields, state)
    return fields


def map_fields(state: dict[str, Any], ql: QueryLanguage) -> tuple[Fields, Any]:
    """The ``map`` spec without its steps, and the processor graph (ItemProcessor or legacy Iterator)."""
    spec: Fields = {"items": state.get("Items" if ql == "JSONata" else "ItemsPath")}
    processor = state.get("ItemProcessor")
    if "Iterator" in state and processor is None:
        processor = state["Iterator"]
        spec["legacy"] = "iterator"
    elif isinstance(processor, dict) and "ProcessorConfig" not in processor:
        spec["legacy"] = "no_config"
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    if state.get("ItemSelector") is not None:
        spec["item_selector"] = state["ItemSelector"]
    if whole(state.get("MaxConcurrency")) is not None:
        spec["max_concurrency"] = state["MaxConcurrency"]
    if not (isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"):
        return spec, processor  # tolerated failures, label... only mean something to distributed maps
    spec["mode"] = "distributed"
    if config.get("ExecutionType") in ("STANDARD", "EXPRESS"):
        spec["execution_type"] = config["ExecutionType"]
    if whole(state.get("ToleratedFailureCount")) is not None:
        spec["tolerated_failures"] = state["ToleratedFailureCount"]
    percentage = state.get("ToleratedFailurePercentage")
    if isinstance(percentage, int | float) and not isinstance(percentage, bool) and 0 <= percentage <= 100:
        spec["tolerated_failure_percentage"] = percentage
    if isinstance(state.get("Label"), str):
        spec["label"] = state["Label"]
    return spec, processor


def wait_fields(state: dict[str, Any], ql: QueryLanguage) -> Fields:
    """``seconds`` or ``until``, each possibly a path (JSONPath) or an expression (JSONata)."""
    jsonpath = ql == "JSONPath"
    seconds, path = state.get("Seconds"), state.get("SecondsPath")
    stamp, stamp_path = state.get("Timestamp"), state.get("TimestampPath")
    if whole(seconds) is not None:
        return {"wait": {"seconds": seconds}}
    if not jsonpath and isinstance(seconds, str) and is_expression(seconds) and seconds.strip().startswith("{%"):
        return {"wait": {"seconds": seconds}}
    if jsonpath and isinstance(path, str) and path.startswith("$"):
        return {"wait": {"seconds": path}}
    if isinstance(stamp, str) and not (jsonpath and stamp.startswith("$")):
        return {"wait": {"until": stamp}}
    if jsonpath and isinstance(stamp_path, str) and stamp_path.startswith("$"):
        return {"wait": {"until": stamp_path}}
    return {"wait": {"seconds": 0}}  # no exact spelling: the state's own fields come back through `asl`


def pass_fields(state: dict[str, Any], ql: QueryLanguage) -> Fields:
    """JSONata ``Output`` or JSONPath ``Result`` (+ ``ResultPath: $.name`` as ``save_as``)."""
    value = state.get("Output" if ql == "JSONata" else "Result")
    fields: Fields = {"pass": value}
    if ql == "JSONPath":
        if saved_name(state.get("ResultPath")):
            fields["save_as"] = saved_name(state["ResultPath"])
        output_path(fields, state)
    return fields


def fail_fields(state: dict[str, Any], ql: QueryLanguage) -> Fields:
    """Error and Cause, as constants or (JSONPath) ``ErrorPath``/``CausePath``."""
    spec: Fields = {}
    for field in ("Error", "Cause"):
        value, path = state.get(field), state.get(f"{field}Path")
        if ql == "JSONPath" and isinstance(path, str) and path.startswith("$") and value is None:
            spec[field.lower()] = path
        elif isinstance(value, str) and not (ql == "JSONPath" and value.startswith("$")):
            spec[field.lower()] = value
    return {"fail": spec}
