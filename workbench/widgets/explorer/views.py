"""The content of the explorer's tabs: tables from the history analyses, figures from ``workbench.viz``.

Pure functions (frames → DataFrame / ``go.Figure``), so they are tested without a widget. The
figures are the report's own (``workbench.viz``), so the explorer and the report show the same charts.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from workbench.core.arn import short_name
from workbench.core.money import SCALES, fmt_usd
from workbench.history.analysis import failures, state_latency
from workbench.history.analysis.retries import retry_summary
from workbench.history.cost.frame_costs import cost_summary, execution_costs, what_if
from workbench.history.cost.prices import PriceTable, load_prices


def short(arn: str) -> str:
    """The name an ARN is known by (an execution's name), for tables and menus."""
    return short_name(str(arn))


def table_html(df: pd.DataFrame, *, max_rows: int = 200, index: bool = True) -> str:
    """A DataFrame as a compact, scrollable HTML table (floats to 2 decimals, money columns ``*usd`` by
    :func:`~workbench.core.money.fmt_usd` so a cost is never ``0.00``; empty says so)."""
    if df.empty:
        return "<i>Nothing to show for this selection.</i>"
    money = {c: fmt_usd for c in df.columns if str(c).endswith("usd")}
    body = df.to_html(max_rows=max_rows, index=index, float_format=lambda v: f"{v:,.2f}", border=0,
                      na_rep="–", classes="workbench-table", formatters=money)
    return (f"<div style='max-height:360px;overflow:auto;font-size:12px'>{body}</div>"
            f"<div style='color:#57606a;font-size:11px'>{len(df)} row(s)</div>")


def figure_bundle(fig: go.Figure) -> dict[str, Any]:
    """A figure as a display-data output (plotly's mime type), for an ``Output`` widget's ``outputs``."""
    return {"output_type": "display_data", "metadata": {},
            "data": {"application/vnd.plotly.v1+json": json.loads(pio.to_json(fig, validate=False)),
                     "text/plain": html.escape(f"<Figure: {fig.layout.title.text or 'chart'}>")}}


def executions_table(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    ex = f["executions"]
    cols = [c for c in ("status", "start", "duration_ms", "events", "state_entries", "retries", "transitions",
                        "failures", "error") if c in ex.columns]
    out = ex[cols].copy()
    out.index = pd.Index([short(a) for a in ex["execution"].astype(str)], name="execution")
    return out


def latency_table(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if f["states"].empty:
        return pd.DataFrame()
    return state_latency(f).sort_values("p90_ms", ascending=False, na_position="last")


def retries_table(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if f["attempts"].empty:
        return pd.DataFrame()
    return retry_summary(f).sort_values("retries", ascending=False, kind="stable")


def failures_table(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if f["states"].empty:
        return pd.DataFrame()
    table = failures(f)
    table["execution"] = table["execution"].map(short)
    return table[["execution", "state", "path", "error", "cause_pattern", "fate"]]


def figure(name: str, frames: Any, *args: Any, **kwargs: Any) -> go.Figure:
    """One of ``workbench.viz``'s figures by name (``timeline_figure``, ``latency_figure``...) of ``frames``."""
    import workbench.viz

    return getattr(workbench.viz, name)(frames, *args, **kwargs)  # type: ignore[no-any-return]


def cost_tables(f: dict[str, pd.DataFrame], tools: Any = None,
                prices: PriceTable | None = None) -> dict[str, pd.DataFrame]:
    """Cost per 1, 1,000 and 1,000,000 executions, per execution, the batch's bill (no free tier), and
    the Express what-if totals; show them under :func:`price_note`."""
    if f["executions"].empty:
        return {}
    table = prices or load_prices()
    per = execution_costs(f, tools, prices=table)
    per.index = pd.Index([short(a) for a in per.index], name="execution")
    total, n = float(per["cost_usd"].sum()), len(per)
    scaled = pd.DataFrame({"cost_usd": [total, *[total / n * k for k, _ in SCALES]]},
                          index=pd.Index([f"all {n:,} execution{'s' if n != 1 else ''}",
                                          *[name for _, name in SCALES]], name="cost"))
    alt = what_if(f, "EXPRESS", prices=table)
    totals = pd.DataFrame({"actual_usd": [float(alt["actual_usd"].sum())],
                           "as_express_usd": [float(alt["what_if_usd"].sum())],
                           "fits_express": [bool(alt["fits_express"].fillna(False).all())]},
                          index=pd.Index(["all executions"], name="what if"))
    return {"average": scaled, "per execution": per, "bill": cost_summary(f, tools, prices=table),
            "as Express": totals}


def price_note(prices: PriceTable | None = None) -> str:
    """The line every cost view shows: which dated price table, from which pages (HTML-escaped).

    Example:
        >>> price_note().startswith("<p")
        True
    """
    table = prices or load_prices()
    return (f"<p style='color:#57606a;font-size:11px'>Prices: {html.escape(table.citation)}. First price tier, "
            "no free tier; throttled Lambda attempts are not billed.</p>")
