"""Local tools of ``missions/data_backfill.yaml``: recompute a warehouse table one day-partition at a time.

Row counts are derived from the table and the day (see :mod:`missions.tools._det`), so a backfill of
the same range always writes the same numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from missions.tools._det import number


def _days(start: str, end: str) -> list[str]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if last < first:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    return [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def list_partitions(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The day partitions between ``from`` and ``to`` (inclusive), cut into batches of ``batch_size``.

    Example:
        >>> plan = list_partitions({"table": "t", "from": "2024-03-01", "to": "2024-03-05", "batch_size": 2})
        >>> [len(b["partitions"]) for b in plan["batches"]]
        [2, 2, 1]
    """
    table = str(event.get("table", ""))
    size = max(1, int(event.get("batch_size", 7)))
    days = _days(str(event["from"]), str(event["to"]))
    batches = [
        {"batch": i // size + 1, "partitions": [f"{table}/dt={day}" for day in days[i:i + size]]}
        for i in range(0, len(days), size)
    ]
    return {"table": table, "partition_count": len(days), "batch_count": len(batches), "batches": batches}


def backfill_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Recompute every partition of one batch; returns rows written per partition."""
    batch = event.get("batch") or {}
    written = {p: number(p, "rows", low=40_000, high=250_000) for p in batch.get("partitions", [])}
    return {
        "batch": batch.get("batch"),
        "table": event.get("table"),
        "partitions": len(written),
        "rows_written": sum(written.values()),
        "rows_by_partition": written,
    }


def verify_backfill(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Compare what the batches wrote with what the plan expected."""
    plan = event.get("plan") or {}
    results = [r for r in event.get("results") or [] if isinstance(r, dict) and "rows_written" in r]
    done = sorted(r["batch"] for r in results)
    missing = [b["batch"] for b in plan.get("batches", []) if b["batch"] not in done]
    ok = not missing
    return {
        "table": plan.get("table"),
        "ok": ok,
        "batches_done": len(done),
        "batches_missing": missing,
        "rows_written": sum(r["rows_written"] for r in results),
        "message": "backfill complete" if ok else f"batches {missing} did not finish; rerun them",
    }
