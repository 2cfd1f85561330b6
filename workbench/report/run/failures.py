"""Report sections about what went wrong: retries, failures grouped by error, failed states' data.

Every error cause and payload passes through the context's :class:`~workbench.core.redact.Redactor`
(secrets redacted, long values cut) before it is escaped into the page; error names and causes in
the frames the sections read are redacted already (:attr:`~workbench.report.run.context.Context.frames`).
"""

from __future__ import annotations

from workbench.history.analysis import FATES, failure_patterns
from workbench.history.analysis.retries import backoff_check, retry_summary
from workbench.report.page.html import Column, Section, esc, pre, table
from workbench.report.run.context import Context
from workbench.viz.figures.base import fmt_ms
from workbench.viz.figures.retries import backoff_scatter, retry_heatmap


def retries(ctx: Context) -> Section:
    """Failed tries per state and error, and whether the back-off matched the Retry policy."""
    summary = retry_summary(ctx.retrying)
    body = [ctx.figures.add(retry_heatmap(summary))]
    cols = [Column("state"), Column("error"), Column("failed tries", True), Column("retried", True),
            Column("back-off total", True), Column("recovered visits", True), Column("retrier exhausted", True),
            Column("no retrier", True), Column("cancelled before retry", True), Column("executions", True)]
    rows = [[st, err, int(r.failed_tries), int(r.retries), fmt_ms(r.backoff_ms),
             f"{int(r.recovered)} of {int(r.visits)}", int(r.exhausted), int(r.not_retried), int(r.interrupted),
             int(r.executions)]
            for (st, err), r in zip(summary.index, summary.itertuples(), strict=True)]
    body.append(table(cols, rows, empty="No failed tries: nothing was retried."))
    if not summary.empty:
        body.append(ctx.figures.add(backoff_scatter(backoff_check(ctx.retrying))))
    return Section("retries", "Retries", "\n".join(body))


def _fates(row: object) -> str:
    parts = [f"{fate} {int(getattr(row, fate))}" for fate in FATES if int(getattr(row, fate, 0) or 0)]
    return ", ".join(parts)


def failure_groups(ctx: Context) -> Section:
    """Failure origins grouped by state, error and cause pattern, with what happened next (fate)."""
    patterns = failure_patterns(ctx.failing)
    cols = [Column("state"), Column("error"), Column("cause pattern"), Column("count", True), Column("fate"),
            Column("executions", True), Column("example cause")]
    rows = [[st, err, ctx.redactor.text(pattern), int(r.count), _fates(r), int(r.executions),
             ctx.redactor.text(r.example_cause if isinstance(r.example_cause, str) else "")]
            for (st, err, pattern), r in zip(patterns.index, patterns.itertuples(), strict=True)]
    intro = ('<p class="wb-note">Where failures started (a Map that failed because a state inside failed counts '
             "once, at that state). Fate: caught by a Catch, retried with its container, tolerated by a Map, "
             "fatal to the execution, aborted, or undecided (the history stops before it was decided).</p>")
    return Section("failures", "Failures by error", intro + table(cols, rows, empty="No failures."))


def failed_payloads(ctx: Context) -> Section:
    """Input, error cause and output of one failed visit per failure pattern (most frequent first)."""
    origin = ctx.origins
    title = "Failed states: inputs and outputs"
    if origin.empty:
        return Section("failed-data", title, '<p class="wb-empty">No failed states.</p>')
    counts = origin.groupby(["state", "error", "cause_pattern"], sort=False)["visit"].transform("size")
    ranked = origin.assign(n=counts).sort_values(["n", "execution", "visit"], ascending=[False, True, True],
                                                 kind="stable")
    examples = ranked.drop_duplicates(["state", "error", "cause_pattern"]).head(ctx.options.examples)
    states = ctx.failing["states"]
    missing = ("not recorded (the history was fetched without execution data)" if ctx.data.has_payloads else
               "not available: pass the histories, or frames built with frames(..., payloads=True)")
    blocks: list[str] = []
    for r in examples.itertuples(index=False):
        key = (str(r.execution), int(r.visit))
        hit = states[(states["execution"] == key[0]) & (states["visit"] == key[1])]
        entered = hit["entered_event"].iloc[0] if len(hit) else None
        exited = hit["exited_event"].iloc[0] if len(hit) else None
        got_in = ctx.data.payload(key[0], entered, "input")
        got_out = ctx.data.payload(key[0], exited, "output")
        facts = (f"<p><b>{esc(r.path)}</b> in {esc(ctx.short(r.execution))}: {esc(r.error)} "
                 f"({esc(r.fate)}; {int(r.n)} like it)</p>")
        parts = [facts, "<h3>Error cause</h3>", pre(ctx.redactor.text(r.cause if isinstance(r.cause, str) else "")
                                                     or "(none)")]
        parts += ["<h3>Input</h3>", pre(ctx.redactor.payload(got_in)) if got_in is not None else
                  f'<p class="wb-empty">{esc(missing)}</p>']
        if got_out is not None:
            parts += ["<h3>Output (after the Catch)</h3>", pre(ctx.redactor.payload(got_out))]
        blocks.append(f'<div class="wb-example">{"".join(parts)}</div>')
    more = len(origin.drop_duplicates(["state", "error", "cause_pattern"])) - len(examples)
    intro = (f'<p class="wb-note">One example per failure pattern; secret-looking fields are redacted and values '
             f"over {ctx.options.max_payload_bytes:,} bytes cut."
             + (f" {more} more patterns not shown." if more > 0 else "") + "</p>")
    return Section("failed-data", title, intro + "\n".join(blocks))
