"""The result of a what-if: one row per replayed execution, the DataFrame over them and the summary.

Outcomes compare the recorded run with its replay under the edited Mission (SUCCEEDED is "ok"):

* ``recovered``: it did not succeed, its replay does; ``newly_failed``: the reverse;
* ``unchanged_ok``: both succeeded with the same output; ``unchanged_failed``: both ended with the
  same status and error (the path may differ: an extra retry that still fails is no recovery);
* ``changed``: anything else (both succeeded with different outputs, or failed differently);
* ``not_replayed``: the history could not be read or replayed (``problem`` says why).

Costs are exact decimals on the rows and in the summary (:mod:`~workbench.history.whatif.costs`), floats
in the DataFrame. Durations are milliseconds; p50/p95 are over the replayed rows with a known duration.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import pandas as pd

from workbench.history.whatif.changes import StateChange

OUTCOMES = ("recovered", "newly_failed", "changed", "unchanged_failed", "unchanged_ok", "not_replayed")
OK = "SUCCEEDED"
NOT_REPLAYED = "NOT_REPLAYED"
COLUMNS = ("execution", "arn", "recorded_status", "replayed_status", "outcome", "transitions_recorded",
           "transitions_replayed", "duration_ms_recorded", "duration_ms_replayed", "standard_usd_recorded",
           "standard_usd_replayed", "express_usd_recorded", "express_usd_replayed", "invented", "divergences",
           "recorded_error", "replayed_error", "problem")


def _json_same(a: Any, b: Any) -> bool:
    """Equal as JSON values (a JSON text and its parsed value compare equal)."""
    def norm(v: Any) -> Any:
        if isinstance(v, str):
            try:
                return json.loads(v)
            except ValueError:
                return v
        return v
    return json.dumps(norm(a), sort_keys=True, default=str) == json.dumps(norm(b), sort_keys=True, default=str)


def outcome(recorded_status: str, replayed_status: str, *, recorded_error: str | None = None,
            replayed_error: str | None = None, recorded_output: Any = None, replayed_output: Any = None,
            output_match: bool | None = None, error_match: bool | None = None) -> str:
    """The outcome word of one execution (see the module text). ``output_match``/``error_match``, when the
    replay's comparison gives them, decide over comparing the outputs and errors here.

    Example:
        >>> outcome("FAILED", "SUCCEEDED"), outcome("SUCCEEDED", "FAILED")
        ('recovered', 'newly_failed')
        >>> outcome("FAILED", "FAILED", recorded_error="Boom", replayed_error="Boom")
        'unchanged_failed'
        >>> outcome("SUCCEEDED", "SUCCEEDED", recorded_output='{"a": 1}', replayed_output={"a": 2})
        'changed'
    """
    if replayed_status == NOT_REPLAYED:
        return "not_replayed"
    was, now = recorded_status == OK, replayed_status == OK
    if not was and now:
        return "recovered"
    if was and not now:
        return "newly_failed"
    if was:
        same = output_match if output_match is not None else _json_same(recorded_output, replayed_output)
        return "unchanged_ok" if same else "changed"
    same_error = error_match if error_match is not None else (recorded_error or None) == (replayed_error or None)
    return "unchanged_failed" if recorded_status == replayed_status and same_error else "changed"


@dataclass(frozen=True)
class WhatIfRow:
    """One execution: what was recorded, what the replay under the edited Mission did, and both prices.

    ``invented`` counts the calls the recording did not cover (``invented_calls`` says which and what they
    got); ``problem`` says why a row was not replayed. Costs are exact decimals (USD).

    Example:
        >>> row = WhatIfRow(0, "run-1", "arn:aws:states:us-east-1:1:execution:M:run-1", "FAILED", "SUCCEEDED",
        ...                 "recovered", 3, 9, 20_000.0, 45_000.0, Decimal("0.000075"), Decimal("0.000225"),
        ...                 None, None, invented=2)
        >>> row.to_dict()["standard_usd_replayed"], row.invented
        ('0.000225', 2)
    """

    index: int
    execution: str
    arn: str
    recorded_status: str
    replayed_status: str
    outcome: str
    transitions_recorded: int
    transitions_replayed: int | None
    duration_ms_recorded: float | None
    duration_ms_replayed: float | None
    standard_usd_recorded: Decimal | None
    standard_usd_replayed: Decimal | None
    express_usd_recorded: Decimal | None
    express_usd_replayed: Decimal | None
    invented: int = 0
    recorded_path: tuple[str, ...] = ()
    replayed_path: tuple[str, ...] = ()
    recorded_error: str | None = None
    recorded_cause: str | None = None
    replayed_error: str | None = None
    replayed_cause: str | None = None
    recorded_output: Any = None
    replayed_output: Any = None
    divergences: tuple[str, ...] = ()
    invented_calls: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (decimals as strings, exact)."""
        return {k: (str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items()}


def _float(value: Decimal | float | None) -> float:
    return float("nan") if value is None else float(value)


def _percentile(values: Sequence[float], q: float) -> float | None:
    known = [v for v in values if v is not None and not math.isnan(v)]
    return float(pd.Series(known, dtype="float64").quantile(q)) if known else None


def _per_1000(values: Sequence[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) * 1000 / len(known) if known else None


def _delta_ms(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _delta_usd(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else b - a


@dataclass(frozen=True)
class WhatIfSummary:
    """Counts of outcomes and what the edit does to duration and cost (replayed minus recorded).

    ``*_per_1000_*`` are the average cost of these executions times 1,000, exact decimals; ``*_delta`` are
    replayed minus recorded. ``print(summary)`` gives it in a few lines.

    Example:
        >>> row = WhatIfRow(0, "run-1", "", "FAILED", "SUCCEEDED", "recovered", 3, 9, 20_000.0, 45_000.0,
        ...                 Decimal("0.000075"), Decimal("0.000225"), None, None, invented=2)
        >>> s = WhatIfSummary.of([row])
        >>> s.recovered, s.p50_ms_delta, s.standard_per_1000_delta
        (1, 25000.0, Decimal('0.150000'))
    """

    executions: int
    recovered: int
    newly_failed: int
    unchanged: int
    unchanged_ok: int
    unchanged_failed: int
    changed: int
    not_replayed: int
    invented: int
    with_invented: int
    p50_ms_recorded: float | None
    p50_ms_replayed: float | None
    p95_ms_recorded: float | None
    p95_ms_replayed: float | None
    standard_per_1000_recorded: Decimal | None
    standard_per_1000_replayed: Decimal | None
    express_per_1000_recorded: Decimal | None
    express_per_1000_replayed: Decimal | None
    interrupted: bool = False

    @property
    def p50_ms_delta(self) -> float | None:
        return _delta_ms(self.p50_ms_recorded, self.p50_ms_replayed)

    @property
    def p95_ms_delta(self) -> float | None:
        return _delta_ms(self.p95_ms_recorded, self.p95_ms_replayed)

    @property
    def standard_per_1000_delta(self) -> Decimal | None:
        return _delta_usd(self.standard_per_1000_recorded, self.standard_per_1000_replayed)

    @property
    def express_per_1000_delta(self) -> Decimal | None:
        return _delta_usd(self.express_per_1000_recorded, self.express_per_1000_replayed)

    @classmethod
    def of(cls, rows: Sequence[WhatIfRow], interrupted: bool = False) -> WhatIfSummary:
        """The summary of ``rows`` (replayed ones only for durations and costs)."""
        n = {o: sum(1 for r in rows if r.outcome == o) for o in OUTCOMES}
        done = [r for r in rows if r.outcome != "not_replayed"]
        return cls(
            executions=len(rows), recovered=n["recovered"], newly_failed=n["newly_failed"],
            unchanged=n["unchanged_ok"] + n["unchanged_failed"], unchanged_ok=n["unchanged_ok"],
            unchanged_failed=n["unchanged_failed"], changed=n["changed"], not_replayed=n["not_replayed"],
            invented=sum(r.invented for r in done), with_invented=sum(1 for r in done if r.invented),
            p50_ms_recorded=_percentile([_float(r.duration_ms_recorded) for r in done], 0.5),
            p50_ms_replayed=_percentile([_float(r.duration_ms_replayed) for r in done], 0.5),
            p95_ms_recorded=_percentile([_float(r.duration_ms_recorded) for r in done], 0.95),
            p95_ms_replayed=_percentile([_float(r.duration_ms_replayed) for r in done], 0.95),
            standard_per_1000_recorded=_per_1000([r.standard_usd_recorded for r in done]),
            standard_per_1000_replayed=_per_1000([r.standard_usd_replayed for r in done]),
            express_per_1000_recorded=_per_1000([r.express_usd_recorded for r in done]),
            express_per_1000_replayed=_per_1000([r.express_usd_replayed for r in done]),
            interrupted=interrupted)

    def to_dict(self) -> dict[str, Any]:
        """Every figure, deltas included; decimals as exact strings (for ``--json``)."""
        out = asdict(self)
        for name in ("p50_ms_delta", "p95_ms_delta", "standard_per_1000_delta", "express_per_1000_delta"):
            out[name] = getattr(self, name)
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in out.items()}

    def lines(self) -> list[str]:
        """The summary as a few lines of text (the CLI prints them; ``str()`` joins them)."""
        from workbench.core.money import fmt_usd

        def ms(v: float | None) -> str:
            return "–" if v is None else f"{v:,.0f} ms"

        def signed_ms(v: float | None) -> str:
            return "–" if v is None else f"{v:+,.0f} ms"

        def money(v: Decimal | None, signed: bool = False) -> str:
            if v is None:
                return "–"
            text = fmt_usd(float(v))
            return f"+{text}" if signed and v > 0 else text

        cut = " (interrupted: these are the executions replayed before Ctrl-C)" if self.interrupted else ""
        word = "execution" if self.executions == 1 else "executions"
        out = [f"{self.executions:,} {word}{cut}: {self.recovered:,} recovered, {self.newly_failed:,} newly "
               f"failed, {self.unchanged:,} unchanged ({self.unchanged_ok:,} ok, {self.unchanged_failed:,} failed), "
               f"{self.changed:,} changed" + (f", {self.not_replayed:,} not replayed" if self.not_replayed else "")]
        out.append(f"invented outcomes: {self.invented:,} in {self.with_invented:,} executions"
                   + (" (their replays are partly guesses, not evidence)" if self.invented else ""))
        out.append(f"duration p50 {ms(self.p50_ms_recorded)} → {ms(self.p50_ms_replayed)} "
                   f"({signed_ms(self.p50_ms_delta)}); p95 {ms(self.p95_ms_recorded)} → "
                   f"{ms(self.p95_ms_replayed)} ({signed_ms(self.p95_ms_delta)})")
        for kind in ("standard", "express"):
            rec, rep = getattr(self, f"{kind}_per_1000_recorded"), getattr(self, f"{kind}_per_1000_replayed")
            out.append(f"{kind.capitalize()} per 1,000 executions {money(rec)} → {money(rep)} "
                       f"({money(_delta_usd(rec, rep), signed=True)})")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass
class WhatIf:
    """A bulk what-if: ``frame`` (one row per execution), ``summary``, and what was compared.

    ``interrupted`` is True when Ctrl-C stopped it: the rows are the executions replayed by then.
    ``changes`` lists the states the edit touched (recorded definition against ``definition``).

    Example:
        >>> w = workbench.whatif("runs/", "missions/deploy_check_retry.yaml")  # doctest: +SKIP
        >>> w.frame[["execution", "recorded_status", "replayed_status", "outcome"]]  # doctest: +SKIP
        >>> print(w.summary)                                                          # doctest: +SKIP
    """

    rows: list[WhatIfRow]
    definition: dict[str, Any] | None = None
    recorded_definition: dict[str, Any] | None = None
    definitions_seen: int = 0
    changes: list[StateChange] = field(default_factory=list)
    mission_name: str | None = None
    unrecorded: str = "repeat"
    interrupted: bool = False
    requested: int = 0
    prices: str = ""
    notes: list[str] = field(default_factory=list)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """One row per execution, in the order the histories were given (costs as floats, USD)."""
        records = [{c: _cell(getattr(r, c)) for c in COLUMNS} for r in self.rows]
        df = pd.DataFrame.from_records(records, columns=list(COLUMNS))
        df["transitions_replayed"] = df["transitions_replayed"].astype("Int64")
        for c in COLUMNS:
            if c.endswith("_usd_recorded") or c.endswith("_usd_replayed") or c.startswith("duration_ms"):
                df[c] = df[c].astype("float64")
        df.attrs["prices"] = self.prices
        return df

    @cached_property
    def summary(self) -> WhatIfSummary:
        """Outcome counts and the p50/p95 duration and cost-per-1,000 deltas."""
        return WhatIfSummary.of(self.rows, self.interrupted)

    def __repr__(self) -> str:
        cut = ", interrupted" if self.interrupted else ""
        s = self.summary
        return (f"WhatIf({s.executions} executions{cut}: {s.recovered} recovered, {s.newly_failed} newly failed, "
                f"{s.unchanged} unchanged, {s.changed} changed)")

    def _repr_html_(self) -> str:
        import html

        from workbench.core.redact import redact_text

        lines = "".join(f"<li>{html.escape(line)}</li>" for line in self.summary.lines())
        shown = self.frame.drop(columns=["arn"])
        for column in ("recorded_error", "replayed_error", "problem"):  # execution data: redacted when shown
            shown[column] = [redact_text(v) if isinstance(v, str) else v for v in shown[column]]
        return f"<ul>{lines}</ul>{shown.to_html(index=False, max_rows=50, escape=True)}"


def ordered(rows: Sequence[WhatIfRow]) -> list[WhatIfRow]:
    """Rows whose outcome moved first (recovered, newly failed, changed), then unchanged; input order within.

    Example:
        >>> [r.outcome for r in ordered([WhatIfRow(0, "a", "", "SUCCEEDED", "SUCCEEDED", "unchanged_ok", 1, 1, None,
        ...     None, None, None, None, None), WhatIfRow(1, "b", "", "FAILED", "SUCCEEDED", "recovered", 1, 1, None,
        ...     None, None, None, None, None)])]
        ['recovered', 'unchanged_ok']
    """
    rank = {o: i for i, o in enumerate(OUTCOMES)}
    return sorted(rows, key=lambda r: (rank.get(r.outcome, len(rank)), r.index))


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple):
        return len(value)
    return value
