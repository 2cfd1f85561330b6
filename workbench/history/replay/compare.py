"""Recorded execution against its replay: what matches, what differs, and why, in plain sentences.

Both sides are read the same way, from the history frames: the status, the state path (per scope: the top
level, each Parallel branch, each Map iteration, so concurrent branches may interleave), the transitions and
the duration, and from the terminal event the output, or the error and cause. Values that name a run rather
than describe its work (ARNs' account and region, execution names, UUIDs, times, a Lambda error's request id
and stack trace) must differ between a recording and its replay; they are masked before output, error and
cause are compared, and a note says so when that was needed. Values quoted in sentences are redacted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.core.arn import mask_arns
from workbench.core.redact import redact_text
from workbench.history.frames.build import frames
from workbench.history.load.events import ExecutionHistory
from workbench.history.replay.recorded import json_value

_TERMINAL = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT",
             "ExecutionAborted": "ABORTED"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")
_RUN_KEYS = frozenset({"requestId", "stackTrace", "RequestId"})
_SHOWN = 120  # characters of a value quoted in a sentence


@dataclass(frozen=True)
class Side:
    """One execution as the comparison sees it."""

    status: str
    path: tuple[str, ...]
    scopes: dict[str, tuple[str, ...]]
    output: Any = None  # Any: the execution's JSON output
    error: str | None = None
    cause: str | None = None
    duration_ms: float | None = None
    transitions: int = 0
    placeholder_ids: bool = False


def side_of(history: ExecutionHistory) -> Side:
    """Read one execution's status, path, output/error, duration and transitions from its frames.

    Example:
        >>> from workbench.history import load_history
        >>> side = side_of(load_history("../shared/corpus/histories/test_base__test_state_fail.json"))
        >>> side.status, side.path, side.error
        ('FAILED', ('FailState',), 'SomeFailure')
    """
    built = frames(history)
    states = built.states.sort_values("visit", kind="stable")
    names = tuple(str(s) for s in states["state"])
    scopes: dict[str, list[str]] = {}
    for name, path in zip(names, states["path"].astype(str), strict=True):
        scopes.setdefault(path.rsplit("/", 1)[0] if "/" in path else "", []).append(name)
    executions = built.executions
    duration = float(executions["duration_ms"].iloc[0]) if len(executions) else float("nan")
    status = history.status
    details: Mapping[str, Any] = {}  # Any: event details
    for event in reversed(history.events):
        if event.type in _TERMINAL:
            status, details = _TERMINAL[event.type], event.details
            break
    return Side(status=status, path=names, scopes={k: tuple(v) for k, v in scopes.items()},
                output=json_value(details.get("output")), error=_text(details.get("error")),
                cause=_text(details.get("cause")), duration_ms=None if duration != duration else duration,
                transitions=int(executions["transitions"].iloc[0]) if len(executions) else 0,
                placeholder_ids=bool(history.synthetic_ids))


def _text(value: Any) -> str | None:  # Any: an event detail
    return value if isinstance(value, str) else None


def mask_run(value: Any) -> Any:  # Any: any JSON value
    """Mask what names a run rather than its work: ARNs' account/region, execution names, ids, times.

    Example:
        >>> mask_run({"Id": "arn:aws:states:eu-west-1:111122223333:execution:m:run-1",
        ...           "at": "2026-01-02T03:04:05Z", "requestId": "abc"})
        {'Id': '<execution arn>', 'at': '<time>', 'requestId': '<run>'}
    """
    if isinstance(value, dict):
        return {k: "<run>" if k in _RUN_KEYS else mask_run(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_run(v) for v in value]
    if not isinstance(value, str):
        return value
    decoded = json_value(value) if value.strip()[:1] in "{[" else value
    if not isinstance(decoded, str):
        return mask_run(decoded)
    return _TIME.sub("<time>", _UUID.sub("<id>", mask_arns(value)))


def first_difference(recorded: Any, replayed: Any, where: str = "$") -> str | None:  # Any: JSON values
    """The JSON path of the first place two values differ, with both values quoted (redacted), or None.

    Example:
        >>> first_difference({"a": [1, 2]}, {"a": [1, 3]})
        '$.a[1]: recorded 2, replayed 3'
    """
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in list(recorded) + [k for k in replayed if k not in recorded]:
            if key not in replayed:
                return f"{where}.{key}: recorded {_show(recorded[key])}, missing in the replay"
            if key not in recorded:
                return f"{where}.{key}: only in the replay ({_show(replayed[key])})"
            found = first_difference(recorded[key], replayed[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(recorded, list) and isinstance(replayed, list):
        for i, (a, b) in enumerate(zip(recorded, replayed, strict=False)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        if len(recorded) != len(replayed):
            return f"{where}: recorded {len(recorded)} items, replayed {len(replayed)}"
        return None
    if recorded == replayed:
        return None
    if isinstance(recorded, str) and isinstance(replayed, str):
        return f"{where}: {text_difference(recorded, replayed)}"
    return f"{where}: recorded {_show(recorded)}, replayed {_show(replayed)}"


def text_difference(recorded: str, replayed: str, context: int = 30) -> str:
    """Two texts around the first character where they part (redacted), e.g. for two error causes.

    Example:
        >>> text_difference("An error in state 'Fetch' (entered at the event id #2). Invalid path",
        ...                 "An error in state 'Fetch' (entered at the event id #5). Invalid path", context=12)
        'recorded "…e event id #2). Invalid path", replayed "…e event id #5). Invalid path"'
    """
    start = next((i for i, (a, b) in enumerate(zip(recorded, replayed, strict=False)) if a != b),
                 min(len(recorded), len(replayed)))
    begin = max(0, start - context)

    def cut(text: str) -> str:
        piece = redact_text(text[begin:start + 2 * context])
        return ("…" if begin else "") + piece + ("…" if start + 2 * context < len(text) else "")

    shown = [json.dumps(cut(text), ensure_ascii=False) for text in (recorded, replayed)]
    return f"recorded {shown[0]}, replayed {shown[1]}"


def _show(value: Any) -> str:  # Any: a JSON value
    text = redact_text(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def path_difference(recorded: Side, replayed: Side) -> str | None:
    """Where the state paths part, scope by scope (None when every scope entered the same states in order).

    Example:
        >>> path_difference(Side("SUCCEEDED", ("A", "B"), {"": ("A", "B")}), Side("SUCCEEDED", ("A",), {"": ("A",)}))
        'state path differs at the top level: the replay stops after 1 of the 2 recorded entries (next recorded: B)'
    """
    for scope in list(recorded.scopes) + [s for s in replayed.scopes if s not in recorded.scopes]:
        want, got = recorded.scopes.get(scope, ()), replayed.scopes.get(scope, ())
        if want == got:
            continue
        place = f"in {scope}" if scope else "at the top level"
        for i, (a, b) in enumerate(zip(want, got, strict=False)):
            if a != b:
                return f"state path differs {place} at entry {i + 1}: recorded {a}, replayed {b}"
        if len(want) > len(got):
            return (f"state path differs {place}: the replay stops after {len(got)} of the {len(want)} recorded "
                    f"entries (next recorded: {want[len(got)]})")
        return f"state path differs {place}: the replay goes on after the recorded {len(want)} entries " \
               f"(next: {got[len(want)]})"
    return None


def same_states_any_order(recorded: Side, replayed: Side) -> bool:
    """Each scope entered the same states, in some order (all the comparison can say of placeholder ids)."""
    scopes = set(recorded.scopes) | set(replayed.scopes)
    return all(sorted(recorded.scopes.get(s, ())) == sorted(replayed.scopes.get(s, ())) for s in scopes)


@dataclass
class Comparison:
    """The matches, and the differences and notes as sentences (without their explanation yet)."""

    path_match: bool
    output_match: bool | None
    error_match: bool | None
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare_sides(recorded: Side, replayed: Side) -> Comparison:
    """Compare status, path, output and error/cause of a recording and its replay.

    Example:
        >>> a = Side("SUCCEEDED", ("A",), {"": ("A",)}, output={"n": 1})
        >>> compare_sides(a, Side("SUCCEEDED", ("A",), {"": ("A",)}, output={"n": 2})).differences
        ['output differs at $.n: recorded 1, replayed 2']
    """
    out = Comparison(path_match=True, output_match=None, error_match=None)
    if recorded.status != replayed.status:
        out.differences.append(f"status: recorded {recorded.status}, replayed {replayed.status}")
    difference = path_difference(recorded, replayed)
    if difference and (recorded.placeholder_ids or replayed.placeholder_ids) and same_states_any_order(recorded,
                                                                                                        replayed):
        out.notes.append("the recording's event ids are placeholders, so the order of entries inside Parallel "
                         "and Map blocks cannot be compared; each scope entered the same states")
    elif difference:
        out.path_match = False
        out.differences.append(difference)
    if "SUCCEEDED" in (recorded.status, replayed.status):
        out.output_match = _same(recorded.output, replayed.output, "output", out)
    if {recorded.status, replayed.status} - {"SUCCEEDED", "RUNNING"}:
        same_error = _same(recorded.error, replayed.error, "error", out)
        out.error_match = same_error and _same(json_value(recorded.cause), json_value(replayed.cause), "cause", out)
    return out


def _same(recorded: Any, replayed: Any, what: str, out: Comparison) -> bool:  # Any: JSON values
    if recorded == replayed:
        return True
    if mask_run(recorded) == mask_run(replayed):
        out.notes.append(f"the {what} matches once run identifiers (ARNs' account and region, execution names, "
                         "ids, times, a Lambda error's request id and stack trace) are masked")
        return True
    where = first_difference(mask_run(recorded), mask_run(replayed))
    out.differences.append(f"{what} differs at {where}" if where and where.startswith("$") else
                           f"{what}: recorded {_show(recorded)}, replayed {_show(replayed)}")
    return False


def explain(differences: Sequence[str], reasons: Sequence[str]) -> tuple[str, ...]:
    """Each difference as one sentence, with the likely reasons after it.

    Example:
        >>> explain(["status: recorded FAILED, replayed SUCCEEDED"], ["the edit changed it"])
        ('Status: recorded FAILED, replayed SUCCEEDED — the edit changed it.',)
    """
    why = "; ".join(reasons)
    return tuple(f"{d[:1].upper()}{d[1:]}" + (f" — {why}." if why else ".") for d in differences)
