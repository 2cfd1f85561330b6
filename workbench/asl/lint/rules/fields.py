"""Per-state field rules: which fields each state type allows, their types and ranges, exclusive pairs,
the query-language split, and Retry / Catch.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.choice import check_choice
from workbench.asl.lint.rules.mapstate import Graph, check_map, check_parallel
from workbench.asl.lint.rules.resources import check_resource
from workbench.asl.lint.rules.spec import (
    CATCHER_FIELDS,
    EXCLUSIVE_PAIRS,
    JSONATA,
    JSONATA_ONLY,
    JSONPATH,
    JSONPATH_ONLY,
    MAX_DELAY_SECONDS,
    MAX_SECONDS,
    RETRIER_FIELDS,
    STATE_FIELDS,
    STATES_ERRORS,
    WAIT_FIELDS,
)
from workbench.asl.lint.rules.templates import walk_template
from workbench.asl.lint.rules.values import (
    check_enum,
    check_int,
    check_number,
    check_path,
    check_string,
    check_timestamp,
    suggest,
    type_word,
)
from workbench.asl.lint.syntax.jsonata import check_jsonata_string

_VARIABLE = re.compile(r"[^\W\d]\w*")
# Fields whose string values may be JSONata in a JSONata state (besides the payload templates).
# (numbers and timestamps parse their JSONata in values.check_int / check_number / check_timestamp)
_JSONATA_SCALARS = ("Error", "Cause")
_TRANSITIONS = ("Next", "End")


def check_state(state: dict[str, Any], loc: Loc, ql: str, rep: Reporter) -> list[Graph]:
    """All field rules of one state whose Type is known; returns its inner graphs (Parallel / Map)."""
    typ = state["Type"]
    allowed = STATE_FIELDS[typ]
    jsonata = ql == JSONATA
    _field_names(state, typ, allowed, loc, ql, rep)
    check_string(state, "Comment", loc, rep)
    for a, b in EXCLUSIVE_PAIRS:
        if a in state and b in state and a in allowed and b in allowed:
            rep.add("ASL203", (*loc, b), f"a state may have only one of [\"{a}\", \"{b}\"]; keep {a} for a "
                                          f"fixed value or {b} to read it from the input")
    if not jsonata:
        for field in ("InputPath", "OutputPath"):
            if field in allowed:
                check_path(state, field, loc, rep, reference=False, nullable=True)
        if "ResultPath" in allowed:
            check_path(state, "ResultPath", loc, rep, reference=True, nullable=True, context=False,
                       variables=False)
        for field in ("Parameters", "ResultSelector"):
            if field in state and field in allowed:
                walk_template(state[field], (*loc, field), rep, jsonata=False)
        if "Result" in state and typ == "Pass":
            walk_template(state["Result"], (*loc, "Result"), rep, jsonata=False, dollar_keys=False)
    else:
        for field in ("Arguments", "Output", "Items"):
            if field in state and field in allowed:
                walk_template(state[field], (*loc, field), rep, jsonata=True)
        for field in _JSONATA_SCALARS:
            value = state.get(field)
            if isinstance(value, str) and field in allowed:
                check_jsonata_string(value, (*loc, field), rep)
    if "Arguments" in state and "Arguments" in allowed:
        args = state["Arguments"]
        if not isinstance(args, dict | str):
            rep.add("ASL201", (*loc, "Arguments"), f"Arguments must be an object or a \"{{% expression %}}\", "
                                                    f"not {type_word(args)}")
    if "Assign" in state and "Assign" in allowed:
        check_assign(state["Assign"], (*loc, "Assign"), jsonata, rep)
    if "Retry" in state and "Retry" in allowed:
        check_retry(state["Retry"], (*loc, "Retry"), rep)
    if "Catch" in state and "Catch" in allowed:
        check_catch(state["Catch"], (*loc, "Catch"), ql, rep)
    return _by_type(state, typ, loc, ql, rep)


def _field_names(state: dict[str, Any], typ: str, allowed: frozenset[str], loc: Loc, ql: str,
                 rep: Reporter) -> None:
    for key in state:
        if key not in allowed:
            if key in _TRANSITIONS and typ in ("Choice", "Succeed", "Fail"):
                fix = ("use Choices[].Next and Default" if typ == "Choice" else f"a {typ} state always ends")
                rep.add("ASL200", (*loc, key), f"Field \"{key}\" is not allowed in a {typ} state; {fix}")
            else:
                rep.add("ASL200", (*loc, key), f"Field \"{key}\" is not allowed in a {typ} state"
                                                f"{suggest(str(key), allowed)}")
        elif ql == JSONPATH and key in JSONATA_ONLY:
            rep.add("ASL300", (*loc, key), f"\"{key}\" is JSONata-only but this state uses JSONPath; set "
                                            "\"QueryLanguage\": \"JSONata\" on the state or use the JSONPath fields")
        elif ql == JSONATA and key in JSONPATH_ONLY:
            fix = _JSONATA_REPLACEMENT.get(key, "use a \"{% expression %}\" in the plain field instead")
            rep.add("ASL301", (*loc, key), f"\"{key}\" is JSONPath-only but this state uses JSONata; {fix}")


_JSONATA_REPLACEMENT = {
    "InputPath": "read $states.input in Arguments instead",
    "Parameters": "use Arguments instead",
    "ResultSelector": "use Output with $states.result instead",
    "ResultPath": "use Output or Assign instead",
    "OutputPath": "use Output instead",
    "ItemsPath": "use Items: \"{% $states.input.items %}\" instead",
    "Result": "use Output instead",
}


def _by_type(state: dict[str, Any], typ: str, loc: Loc, ql: str, rep: Reporter) -> list[Graph]:
    jsonata = ql == JSONATA
    if typ == "Task":
        check_resource(state, loc, rep)
        timeout = check_int(state, "TimeoutSeconds", loc, rep, minimum=1, maximum=MAX_SECONDS, jsonata=jsonata)
        heartbeat = check_int(state, "HeartbeatSeconds", loc, rep, minimum=1, maximum=MAX_SECONDS,
                              jsonata=jsonata)
        if timeout is not None and heartbeat is not None and heartbeat >= timeout:
            rep.add("ASL208", (*loc, "HeartbeatSeconds"), f"HeartbeatSeconds ({heartbeat}) must be smaller than "
                                                           f"TimeoutSeconds ({timeout})")
        for field in ("TimeoutSecondsPath", "HeartbeatSecondsPath"):
            check_path(state, field, loc, rep, reference=True)
        if "Credentials" in state:
            _credentials(state["Credentials"], (*loc, "Credentials"), jsonata, rep)
    elif typ == "Wait":
        present = [f for f in WAIT_FIELDS if f in state]
        if not present:
            rep.add("ASL204", loc, "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath")
        elif len(present) > 1:
            shown = ", ".join(f'"{field}"' for field in present)
            rep.add("ASL203", (*loc, present[1]), f"a Wait state may have only one of [{shown}]; keep one")
        check_int(state, "Seconds", loc, rep, minimum=0, maximum=MAX_SECONDS, jsonata=jsonata)
        if "Timestamp" in state:
            check_timestamp(state["Timestamp"], (*loc, "Timestamp"), "Timestamp", rep, jsonata=jsonata)
        for field in ("SecondsPath", "TimestampPath"):
            check_path(state, field, loc, rep, reference=True)
    elif typ == "Fail":
        if isinstance(state.get("Error"), str):
            rep.thrown_errors.add(state["Error"])
        for field in ("Error", "Cause"):
            check_string(state, field, loc, rep)
            check_path(state, f"{field}Path", loc, rep, reference=True, intrinsic=True)
    elif typ == "Choice":
        check_choice(state, loc, ql, rep)
    elif typ == "Parallel":
        return check_parallel(state, loc, rep)
    elif typ == "Map":
        return check_map(state, loc, ql, rep)
    return []


def _credentials(value: Any, loc: Loc, jsonata: bool, rep: Reporter) -> None:
    """Credentials is a payload template (spec); Step Functions reads its RoleArn."""
    if not isinstance(value, dict):
        rep.add("ASL201", loc, f"Credentials must be an object like {{\"RoleArn\": \"arn:aws:iam::...\"}}, "
                               f"not {type_word(value)}")
        return
    if not ({"RoleArn", "RoleArn.$"} & set(value)):
        rep.add("ASL216", loc, "Step Functions assumes the role named by \"RoleArn\" in Credentials, and this "
                               "object has none; add RoleArn (or RoleArn.$ in JSONPath)")
    walk_template(value, loc, rep, jsonata=jsonata)


def check_assign(value: Any, loc: Loc, jsonata: bool, rep: Reporter) -> None:
    """``Assign``: an object of variable names (``name`` or, in JSONPath, ``name.$``) to values."""
    if not isinstance(value, dict):
        rep.add("ASL201", loc, f"Assign must be an object of variable names to values, not {type_word(value)}")
        return
    for key in value:
        name = key[:-2] if isinstance(key, str) and key.endswith(".$") and not jsonata else key
        if not isinstance(name, str) or not _VARIABLE.fullmatch(name) or len(name) > 80 or name == "states":
            reason = ("'states' is reserved" if name == "states"
                      else "names start with a letter or _ and contain only letters, digits and _ (max 80)")
            rep.add("ASL215", (*loc, key), f"'{key}' is not a valid variable name: {reason}")
    walk_template(value, loc, rep, jsonata=jsonata)


def _error_equals(obj: dict[str, Any], loc: Loc, rep: Reporter) -> bool:
    """Check ErrorEquals; True when it holds States.ALL."""
    if "ErrorEquals" not in obj:
        rep.add("ASL206", loc, "ErrorEquals is required: a non-empty list of error names such as "
                               "[\"States.ALL\"]")
        return False
    names = obj["ErrorEquals"]
    where = (*loc, "ErrorEquals")
    if not isinstance(names, list):
        rep.add("ASL201", where, f"ErrorEquals must be a list of error names, not {type_word(names)}")
        return False
    if not names:
        rep.add("ASL206", where, "ErrorEquals is empty, non-empty required; list the errors to match, "
                                 "e.g. [\"States.TaskFailed\"]")
        return False
    for i, name in enumerate(names):
        if not isinstance(name, str):
            rep.add("ASL201", (*where, i), f"error names must be strings, not {type_word(name)}")
        elif name.startswith("States.") and name not in STATES_ERRORS:
            rep.custom_state_errors.append((name, (*where, i)))
    if "States.ALL" in names and len(names) > 1:
        rep.add("ASL207", where, "States.ALL must be the only name in its ErrorEquals; move the other names "
                                 "to an earlier retrier/catcher")
    return "States.ALL" in names


def _handlers(value: Any, loc: Loc, what: str, rep: Reporter) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        rep.add("ASL201", loc, f"{what} must be a list of objects, not {type_word(value)}")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append((i, item))
        else:
            rep.add("ASL201", (*loc, i), f"each {what} entry must be an object, not {type_word(item)}")
    return out


def _all_last(has_all: list[int], count: int, loc: Loc, what: str, rep: Reporter) -> None:
    for i in has_all:
        if i != count - 1:
            rep.add("ASL207", (*loc, i, "ErrorEquals"), f"the {what} matching States.ALL must be the last one; "
                                                        "later entries can never match — move it to the end")


def check_retry(value: Any, loc: Loc, rep: Reporter) -> None:
    """``Retry``: a list of retriers with ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, ..."""
    has_all: list[int] = []
    for i, retrier in _handlers(value, loc, "Retry", rep):
        rloc = (*loc, i)
        for key in retrier:
            if key not in RETRIER_FIELDS:
                rep.add("ASL200", (*rloc, key), f"'{key}' is not a field of a retrier"
                                                 f"{suggest(str(key), RETRIER_FIELDS)}")
        if _error_equals(retrier, rloc, rep):
            has_all.append(i)
        check_int(retrier, "IntervalSeconds", rloc, rep, minimum=1, maximum=MAX_SECONDS)
        check_int(retrier, "MaxAttempts", rloc, rep, minimum=0, maximum=MAX_SECONDS)
        check_number(retrier, "BackoffRate", rloc, rep, minimum=1.0)
        check_int(retrier, "MaxDelaySeconds", rloc, rep, minimum=1, maximum=MAX_DELAY_SECONDS)
        check_enum(retrier, "JitterStrategy", ("FULL", "NONE"), rloc, rep)
        check_string(retrier, "Comment", rloc, rep)
    if isinstance(value, list):
        _all_last(has_all, len(value), loc, "retrier", rep)


def check_catch(value: Any, loc: Loc, ql: str, rep: Reporter) -> None:
    """``Catch``: a list of catchers with ErrorEquals and Next (targets are checked by the graph rules)."""
    jsonata = ql == JSONATA
    has_all: list[int] = []
    for i, catcher in _handlers(value, loc, "Catch", rep):
        cloc = (*loc, i)
        for key in catcher:
            if key not in CATCHER_FIELDS:
                rep.add("ASL200", (*cloc, key), f"'{key}' is not a field of a catcher"
                                                 f"{suggest(str(key), CATCHER_FIELDS)}")
            elif key == "ResultPath" and jsonata:
                rep.add("ASL301", (*cloc, key), "ResultPath is JSONPath-only; in a JSONata catcher use Output "
                                                 "with $states.errorOutput")
            elif key == "Output" and not jsonata:
                rep.add("ASL300", (*cloc, key), "Output is JSONata-only; in a JSONPath catcher use ResultPath")
        if _error_equals(catcher, cloc, rep):
            has_all.append(i)
        if "Next" not in catcher:
            rep.add("ASL204", cloc, "a catcher needs \"Next\": the state to go to when it catches an error")
        elif not isinstance(catcher["Next"], str):
            rep.add("ASL201", (*cloc, "Next"), f"Next must be a state name, not {type_word(catcher['Next'])}")
        if not jsonata:
            check_path(catcher, "ResultPath", cloc, rep, reference=True, nullable=True, context=False,
                       variables=False)
        elif "Output" in catcher:
            walk_template(catcher["Output"], (*cloc, "Output"), rep, jsonata=True)
        if "Assign" in catcher:
            check_assign(catcher["Assign"], (*cloc, "Assign"), jsonata, rep)
        check_string(catcher, "Comment", cloc, rep)
    if isinstance(value, list):
        _all_last(has_all, len(value), loc, "catcher", rep)
