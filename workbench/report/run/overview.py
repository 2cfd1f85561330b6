"""Report sections about what ran: summary, timeline, latency (the graph: :mod:`~workbench.report.run.inspect`).

Each function takes the :class:`~workbench.report.run.context.Context` and returns a
:class:`~workbench.report.page.html.Section` whose HTML is already escaped; figures are registered on
the context and referenced by their ``<div>``.
"""

from __future__ import annotations

import pandas as pd

from workbench.core.money import fmt_per_executions, fmt_usd
from workbench.history.analysis import state_latency
from workbench.report.inputs.data import definition_hash
from workbench.report.page.html import Column, Section, definition_list, esc, table
from workbench.report.run.context import Context
from workbench.viz.figures.base import fmt_ms, pick_execution
from workbench.viz.figures.latency import latency_figure
from workbench.viz.figures.outcomes import outcomes_figure
from workbench.viz.figures.timeline import timeline_figure

_STATUS_ORDER = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING", "INCOMPLETE")


def _when(ts: object) -> str:
    if ts is None or pd.isna(ts):  # type: ignore[arg-type]
        return "unknown (no timestamps)"
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S UTC")  # type: ignore[arg-type]


def _few(values: list[str], limit: int = 3) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def summary(ctx: Context) -> Section:
    """Mission, definition, where and when it ran, counts, and what it cost."""
    ex = ctx.data.executions
    status = ex["status"].astype(str)
    counts = status.value_counts()
    by_status = ", ".join(f"{s.lower().replace('_', ' ')} {int(counts[s]):,}" for s in
                          [*_STATUS_ORDER, *sorted(set(counts.index) - set(_STATUS_ORDER))] if s in counts)
    definition = ctx.data.definition
    dfn = None
    if definition is not None:
        dfn = f"{definition_hash(definition)} ({ctx.data.definition_source})"
        if ctx.data.definitions_seen > 1:
            dfn += f"; the histories carry {ctx.data.definitions_seen} different definitions"
    machines = sorted({str(m) for m in ex["state_machine"].dropna()})
    versions = sorted({str(d[k]) for d in ctx.data.started_details()
                       for k in ("stateMachineVersionArn", "stateMachineAliasArn") if d.get(k)})
    start, stop = ex["start"].min(), ex["stop"].max()
    window = f"{_when(start)} → {_when(stop)}"
    if not pd.isna(start) and not pd.isna(stop):
        window += f" ({fmt_ms((stop - start).total_seconds() * 1000.0)})"
    costs = ctx.execution_costs["cost_usd"]
    cost = None
    if len(costs):
        total = float(costs.sum())
        cost = (f"{fmt_usd(total)} in total; on average {fmt_per_executions(total, len(costs))}; per execution "
                f"{fmt_usd(float(costs.median()))} median, {fmt_usd(float(costs.max()))} max "
                f"({ctx.prices[0].citation})")
    incomplete = int((~ex["complete"].astype(bool)).sum())
    cut = int((status == "INCOMPLETE").sum())
    if cut:
        their = "histories stop before their" if cut != 1 else "history stops before its"
        ctx.notes.append(f"{cut:,} {their} "
                         "execution ended (a nextToken was still pending, or the terminal event is missing): status "
                         "INCOMPLETE, and every number from them is a lower bound. Fetch them again with "
                         "`workbench history fetch`.")
    origins = ctx.origins
    facts = [
        ("Mission", ctx.data.mission_name), ("Description", ctx.data.mission_description),
        ("Definition", dfn), ("State machine", _few(machines) if machines else None),
        ("Version / alias", _few(versions) if versions else None), ("Target", ctx.options.target),
        ("Time window", window), ("Executions", f"{len(ex):,} ({by_status})"),
        ("Events", f"{int(ex['events'].sum()):,}"), ("State visits", f"{int(ex['state_entries'].sum()):,}"),
        ("Retries", f"{int(ex['retries'].sum()):,}"),
        ("Failures", f"{len(origins):,} (failed states where a failure started; see Failures by error)"),
        ("Cost", cost),
        ("Incomplete histories", f"{incomplete:,} (their numbers are best-effort)" if incomplete else None),
    ]
    body = [definition_list(facts)]
    if len(ex) > 1:
        body.append(ctx.figures.add(outcomes_figure(ctx.frames)))
    body.append(_executions_table(ctx))
    return Section("summary", "Summary", "\n".join(body))


def _executions_table(ctx: Context, limit: int = 25) -> str:
    ex = ctx.data.executions.copy()
    costs = ctx.execution_costs["cost_usd"]
    ex["cost"] = ex["execution"].astype(str).map(costs)
    per_execution = ctx.origins["execution"].astype(str).value_counts()
    ex["failures"] = ex["execution"].astype(str).map(per_execution).fillna(0).astype("int64")
    ex["bad"] = ex["status"].astype(str) != "SUCCEEDED"
    ordered = ex.sort_values(["bad", "duration_ms"], ascending=[False, False], kind="stable", na_position="last")
    shown = ordered.head(limit)
    cols = [Column("execution"), Column("status"), Column("start"), Column("duration", True),
            Column("transitions", True), Column("retries", True), Column("failures", True), Column("cost", True),
            Column("error")]
    rows = [[ctx.short(r.execution), r.status, _when(r.start), fmt_ms(r.duration_ms), int(r.transitions),
             int(r.retries), int(r.failures), fmt_usd(r.cost), ctx.redactor.text(r.error if isinstance(r.error, str)
                                                                                 else "")]
            for r in shown.itertuples(index=False)]
    title = "<h3>Executions</h3>" if len(ex) <= limit else (
        f"<h3>Executions: {limit} of {len(ex):,} (not succeeded first, then slowest)</h3>")
    return title + table(cols, rows)


def featured_execution(ctx: Context) -> tuple[str, str]:
    """The execution whose timeline is shown, and why that one."""
    if ctx.options.timeline_execution:
        return pick_execution(ctx.frames, ctx.options.timeline_execution), "as requested"
    ex = ctx.data.executions
    if len(ex) == 1:
        return str(ex["execution"].iloc[0]), "the only execution"
    bad = ex[ex["status"].astype(str) != "SUCCEEDED"]
    pool, why = (bad, "the slowest execution that did not succeed") if len(bad) else (ex, "the slowest execution")
    timed = pool.dropna(subset=["duration_ms"])
    if timed.empty:
        return str(pool["execution"].iloc[0]), why.replace("the slowest", "the first")
    return str(timed.sort_values("duration_ms", ascending=False, kind="stable")["execution"].iloc[0]), why


def timeline(ctx: Context) -> Section:
    arn, why = featured_execution(ctx)
    fig = timeline_figure(ctx.frames, arn, max_rows=ctx.options.timeline_rows)
    intro = (f"{ctx.short(arn)}: {why}. Each Task attempt is a segment (red: failed; pale blue: queued; "
             "grey: Retry back-off). Drag to zoom, double-click to reset.")
    return Section("timeline", "Timeline", f'<p class="wb-note">{esc(intro)}</p>' + ctx.figures.add(fig))


def latency(ctx: Context) -> Section:
    table_ = state_latency(ctx.frames)
    cols = [Column("state"), Column("type"), Column("visits", True), Column("timed", True), Column("p50", True),
            Column("p90", True), Column("p99", True), Column("max", True), Column("mean", True)]
    ordered = table_.sort_values("p50_ms", ascending=False, kind="stable", na_position="last")
    rows = [[st, ty, int(r.count), int(r.timed), fmt_ms(r.p50_ms), fmt_ms(r.p90_ms), fmt_ms(r.p99_ms),
             fmt_ms(r.max_ms), fmt_ms(r.mean_ms)]
            for (st, ty), r in zip(ordered.index, ordered.itertuples(), strict=True)]
    body = ctx.figures.add(latency_figure(ctx.frames)) + table(cols, rows, empty="no state visits")
    return Section("latency", "Latency per state", body)
