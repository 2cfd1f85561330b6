"""One row of a what-if: replay one history in a worker (plain data back), then price it in the parent.

Workers send back plain dicts (small, picklable: no raw events), with the recorded definition's text only
the first time that worker meets it (a hash every time), so a thousand rows do not carry a thousand copies.
Loading warnings (placeholder ids, a cut history) travel with the row as notes instead of flooding the
terminal from every worker.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.core.arn import short_name
from workbench.core.diagnostics import WorkbenchError
from workbench.history.cost.prices import PriceTable
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import load_history
from workbench.history.whatif.costs import express_usd, priced_region, standard_usd
from workbench.history.whatif.inputs import Item
from workbench.history.whatif.table import NOT_REPLAYED, WhatIfRow, outcome


def _item_name(item: Item) -> str:
    if isinstance(item, Path):
        return item.name
    if isinstance(item, ExecutionHistory):
        return item.execution_arn
    return str(item.get("executionArn") or item.get("execution_arn") or "history document")


def not_replayed_row(index: int, item: Item, problem: str, arn: str | None = None) -> dict[str, Any]:
    """Row data for a history that could not be read or replayed."""
    name = arn or _item_name(item)
    return {"index": index, "execution": short_name(name) if arn else name, "arn": arn or "",
            "recorded_status": "UNKNOWN", "replayed_status": NOT_REPLAYED, "problem": problem}


def _definition_fields(history: ExecutionHistory, sent: set[str]) -> dict[str, Any]:
    """The recorded definition's hash, and its text the first time (``sent``: the hashes this what-if has)."""
    if not history.definition:
        return {}
    text = json.dumps(history.definition, sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(text.encode()).hexdigest()
    out: dict[str, Any] = {"definition_hash": key}
    if key not in sent:
        sent.add(key)
        out["definition_text"] = text
    return out


def _steps(path: Any) -> list[str]:  # Any: the replay's tuple of state names
    """A state path as a list of state names."""
    return [str(step) for step in path or ()]


def _call(call: Any) -> str:
    """One invented call in words."""
    if isinstance(call, str):
        return call
    if isinstance(call, Mapping):
        return ", ".join(f"{k}={v}" for k, v in call.items())
    describe = getattr(call, "describe", None)
    return str(describe()) if callable(describe) else str(call)


def _ms(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _text(value: Any) -> str | None:
    """An error or cause as text; None when there is none (None, NaN or empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value) or None


def result_data(index: int, result: Any) -> dict[str, Any]:  # Any: a ReplayResult (the engine loads lazily)
    """The row data of a :class:`~workbench.history.replay.ReplayResult` (no raw events, no definition)."""
    return {
        "index": index, "execution": result.name, "arn": result.recorded_arn,
        "recorded_status": result.recorded_status, "replayed_status": result.replayed_status,
        "recorded_path": _steps(result.recorded_path), "replayed_path": _steps(result.replayed_path),
        "recorded_output": result.recorded_output, "replayed_output": result.replayed_output,
        "recorded_error": _text(result.recorded_error), "recorded_cause": _text(result.recorded_cause),
        "replayed_error": _text(result.replayed_error), "replayed_cause": _text(result.replayed_cause),
        "output_match": result.output_match, "error_match": result.error_match,
        "duration_ms_recorded": _ms(result.recorded_duration_ms),
        "duration_ms_replayed": _ms(result.replayed_duration_ms),
        "transitions_recorded": int(result.recorded_transitions),
        "transitions_replayed": int(result.replayed_transitions),
        "invented": int(result.invented), "invented_calls": [_call(c) for c in result.invented_calls or ()],
        "divergences": [str(d) for d in result.divergences or ()], "notes": [str(n) for n in result.notes or ()],
    }


def replay_row_data(index: int, item: Item, mission: Any, unrecorded: str,
                    sent: set[str]) -> dict[str, Any]:
    """Replay one history against ``mission``; the row data, or a not-replayed row saying why.

    ``sent`` holds the hashes of the recorded definitions this what-if already has (one set per worker and
    what-if): a definition's text travels once.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            history = item if isinstance(item, ExecutionHistory) else load_history(item)
        except (WorkbenchError, OSError) as exc:
            return not_replayed_row(index, item, f"cannot read the history: {' '.join(str(exc).split())}")
        from workbench.history.replay import replay_one  # the engine loads in workers, not in the caller

        try:
            result = replay_one(history, mission, unrecorded=unrecorded)
        except WorkbenchError as exc:
            row = not_replayed_row(index, item, f"cannot replay: {' '.join(str(exc).split())}",
                                   history.execution_arn)
            row["recorded_status"] = history.status
            return row
    data = result_data(index, result)
    data.update(_definition_fields(history, sent))
    loading = [" ".join(str(w.message).split()) for w in caught]
    data["notes"] = list(dict.fromkeys([*loading, *data["notes"]]))
    return data


def priced_row(data: Mapping[str, Any], prices: PriceTable) -> tuple[WhatIfRow, str | None]:
    """The :class:`WhatIfRow` of row data, with both Standard and Express prices; and the region priced by
    assumption (None when the table has it)."""
    arn = str(data.get("arn") or "")
    region, table, assumed = priced_region(arn, prices)
    rec_t, rep_t = data.get("transitions_recorded"), data.get("transitions_replayed")
    rec_ms, rep_ms = data.get("duration_ms_recorded"), data.get("duration_ms_replayed")
    status, replayed = str(data.get("recorded_status")), str(data.get("replayed_status"))
    row = WhatIfRow(
        index=int(data["index"]), execution=str(data.get("execution") or short_name(arn)), arn=arn,
        recorded_status=status, replayed_status=replayed,
        outcome=outcome(status, replayed, recorded_error=data.get("recorded_error"),
                        replayed_error=data.get("replayed_error"), recorded_output=data.get("recorded_output"),
                        replayed_output=data.get("replayed_output"), output_match=data.get("output_match"),
                        error_match=data.get("error_match")),
        transitions_recorded=int(rec_t or 0), transitions_replayed=None if rep_t is None else int(rep_t),
        duration_ms_recorded=rec_ms, duration_ms_replayed=rep_ms,
        standard_usd_recorded=None if rec_t is None else standard_usd(int(rec_t), region, table),
        standard_usd_replayed=None if rep_t is None else standard_usd(int(rep_t), region, table),
        express_usd_recorded=express_usd(rec_ms, region, table),
        express_usd_replayed=express_usd(rep_ms, region, table),
        invented=int(data.get("invented") or 0),
        recorded_path=tuple(data.get("recorded_path") or ()), replayed_path=tuple(data.get("replayed_path") or ()),
        recorded_error=data.get("recorded_error"), recorded_cause=data.get("recorded_cause"),
        replayed_error=data.get("replayed_error"), replayed_cause=data.get("replayed_cause"),
        recorded_output=data.get("recorded_output"), replayed_output=data.get("replayed_output"),
        divergences=tuple(data.get("divergences") or ()), invented_calls=tuple(data.get("invented_calls") or ()),
        notes=tuple(data.get("notes") or ()), problem=data.get("problem"))
    return row, region if assumed and arn else None
