"""Cost figures: what each state or tool costs, what each execution cost over time, and where Standard,
Express and one Lambda break even.

Numbers come from :mod:`workbench.history.cost.frame_costs` (marginal cost: first price tier, no free
tier, prices from the bundled table); pass ``prices=load_prices().assume_region(...)`` for regions
the table does not list, and ``tools=`` for the Lambda memory sizes. Every figure's subtitle names
the price table's date and source; amounts use the one money formatter (:func:`fmt_usd`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workbench.core.arn import short_name
from workbench.core.diagnostics import WorkbenchError
from workbench.core.money import fmt_per_executions, fmt_usd
from workbench.history._frame_access import frame
from workbench.history.cost.break_even import break_even
from workbench.history.cost.frame_costs import ToolConfigs, execution_costs, state_costs, tool_costs
from workbench.history.cost.one_lambda import LAMBDA_MAX_DURATION_S, way_labels
from workbench.history.cost.prices import PriceTable, load_prices
from workbench.viz.figures.base import EXECUTION_COLORS, empty_figure, fmt_ms, label, note, plot_time, style

SFN_COLOR = "#8a61c7"
LAMBDA_COLOR = "#ec7211"
REQUEST_COLOR = "#c9870c"
EXPRESS_COLOR = "#0972d3"
WAY_COLORS = {"standard": SFN_COLOR, "express": EXPRESS_COLOR, "one_lambda": LAMBDA_COLOR}
#: Money on axes: plain decimals with 3 significant digits (d3 ``r``), never ``1.23e+3`` or ``0.00``.
USD_TICKS = "$,.3~r"


def price_subtitle(fig: go.Figure, table: pd.DataFrame | None = None, prices: PriceTable | None = None) -> go.Figure:
    """Put the price table's date and source under the title (from ``prices``, else the cost table's attrs).

    Example:
        >>> fig = price_subtitle(go.Figure(), prices=load_prices())
        >>> fig.layout.title.subtitle.text.startswith("AWS list prices as of")
        True
    """
    if prices is not None:
        citation = prices.citation
    elif table is not None and isinstance(table.attrs.get("prices"), str):
        citation = str(table.attrs["prices"])
    else:
        citation = load_prices().citation
    fig.update_layout(title_subtitle_text=label(citation), title_subtitle_font={"size": 10, "color": "#5f6b7a"})
    fig.update_layout(margin_t=max(int(fig.layout.margin.t or 50), 78))
    return fig


def cost_figure(frames: Any, by: str = "state", *, tools: ToolConfigs | None = None, region: str | None = None,
                prices: PriceTable | None = None, top: int = 30) -> go.Figure:
    """Stacked bars of dollars per state (Step Functions transitions + Lambda) or per tool (requests + duration).

    Example:
        >>> import workbench
        >>> run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        >>> from workbench.history.cost.prices import load_prices
        >>> fig = cost_figure(workbench.frames(run), by="tool", prices=load_prices().assume_region("eu-west-1"))
        >>> [t.name for t in fig.data]
        ['Lambda requests', 'Lambda duration']
    """
    if by not in ("state", "tool"):
        raise WorkbenchError(f"by must be 'state' or 'tool', got {by!r}")
    table = (state_costs if by == "state" else tool_costs)(frames, tools, region=region, prices=prices)
    return cost_bars(table, by, top=top, prices=prices)


def cost_bars(table: pd.DataFrame, by: str, *, top: int = 30, prices: PriceTable | None = None) -> go.Figure:
    """The bars of :func:`cost_figure` from a ``state_costs`` (``by="state"``) or ``tool_costs`` table.

    The subtitle cites ``prices`` (default: the table the cost table was computed with).

    Example:
        >>> cost_bars(tool_costs(frames, {"probe": 512}), "tool").show()   # doctest: +SKIP
    """
    if by == "state":
        parts = (("standard_usd", "Step Functions transitions", SFN_COLOR), ("lambda_usd", "Lambda", LAMBDA_COLOR))
        names = [f"{s} ({t})" for s, t in table.index]
    elif by == "tool":
        parts = (("requests_usd", "Lambda requests", REQUEST_COLOR), ("duration_usd", "Lambda duration",
                                                                     LAMBDA_COLOR))
        names = [str(t) for t in table.index]
    else:
        raise WorkbenchError(f"by must be 'state' or 'tool', got {by!r}")
    title = f"Cost per {by}"
    if table.empty:
        empty = empty_figure(title, "no Lambda invocations in these executions" if by == "tool" else "no states")
        return price_subtitle(empty, table, prices)
    shown = table.head(top)
    ys = [label(n) for n in names[: len(shown)]]
    fig = go.Figure()
    for col, nm, color in parts:
        values = shown[col].fillna(0.0).astype(float).tolist()
        fig.add_trace(go.Bar(name=nm, orientation="h", y=ys, x=values, marker={"color": color},
                             hovertext=[f"{y}<br>{nm}: {label(fmt_usd(v))}" for y, v in zip(ys, values, strict=True)],
                             hoverinfo="text"))
    style(fig, title, height=158 + 26 * len(shown))
    price_subtitle(fig, table, prices)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="USD", tickformat=USD_TICKS)
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    if len(table) > len(shown):
        note(fig, f"the {len(shown)} most expensive of {len(table)}")
    return fig


def cost_over_time_figure(frames: Any, *, tools: ToolConfigs | None = None, region: str | None = None,
                          prices: PriceTable | None = None) -> go.Figure:
    """Cost of every execution (Step Functions + Lambda, stacked) by start time, or by order without times.

    Example:
        >>> cost_over_time_figure(frames, prices=load_prices().assume_region("eu-west-1"))  # doctest: +SKIP
    """
    costs = execution_costs(frames, tools, region=region, prices=prices)
    ex = frame(frames, "executions")
    return cost_timeline(costs, pd.Series(ex["start"].to_numpy(), index=ex["execution"].astype(str)), prices=prices)


def cost_timeline(costs: pd.DataFrame, starts: pd.Series, *, prices: PriceTable | None = None) -> go.Figure:
    """The figure of :func:`cost_over_time_figure` from ``execution_costs`` and start times by execution.

    The note gives the total and the cost per execution, per 1,000 and per 1,000,000 executions.

    Example:
        >>> starts = frames.executions.set_index("execution")["start"]        # doctest: +SKIP
        >>> cost_timeline(execution_costs(frames), starts).show()             # doctest: +SKIP
    """
    title = "Cost per execution"
    if costs.empty:
        return price_subtitle(empty_figure(title, "no executions"), costs, prices)
    start = starts.reindex(costs.index)
    timed = bool(start.notna().any())
    x: list[Any] = plot_time(start) if timed else list(range(1, len(costs) + 1))
    hover = [f"{label(short_name(str(arn)))} ({label(st)})<br>total {label(fmt_usd(t))}<br>Step Functions "
             f"{label(fmt_usd(s))} · Lambda {label(fmt_usd(lam))}"
             for arn, st, t, s, lam in zip(costs.index, costs["status"], costs["cost_usd"], costs["sfn_usd"],
                                           costs["lambda_usd"], strict=True)]
    fig = go.Figure()
    for col, nm, color in (("sfn_usd", "Step Functions", SFN_COLOR), ("lambda_usd", "Lambda", LAMBDA_COLOR)):
        fig.add_trace(go.Bar(name=nm, x=x, y=costs[col].fillna(0.0).astype(float).tolist(), marker={"color": color},
                             hovertext=hover, hoverinfo="text"))
    failed = costs["status"] != "SUCCEEDED"
    if bool(failed.any()):
        idx = [i for i, f in enumerate(failed) if f]
        fig.add_trace(go.Scatter(
            name="not succeeded", x=[x[i] for i in idx], y=[float(costs["cost_usd"].iloc[i]) for i in idx],
            mode="markers", marker={"symbol": "x", "size": 7,
                                    "color": [EXECUTION_COLORS.get(str(costs["status"].iloc[i]), "#879596")
                                              for i in idx]},
            hovertext=[hover[i] for i in idx], hoverinfo="text"))
    style(fig, title, height=400)
    price_subtitle(fig, costs, prices)
    fig.update_layout(barmode="stack", bargap=0.1)
    fig.update_yaxes(title_text="USD", tickformat=USD_TICKS)
    fig.update_xaxes(title_text="execution start (UTC)" if timed else "execution (no timestamps: in load order)")
    total = float(costs["cost_usd"].sum())
    n = len(costs)
    note(fig, f"{n:,} execution{'s' if n != 1 else ''}, {fmt_usd(total)} in total: {fmt_per_executions(total, n)}")
    return fig


def break_even_figure(frames_or_costs: Any, *, max_steps: int | None = None, memory_mb: int = 1024,
                      arch: str = "x86_64", region: str | None = None, express_memory_mb: float = 64,
                      prices: PriceTable | None = None) -> go.Figure:
    """Cost per 1,000 executions against the number of steps: Standard, Express and one Lambda, and these runs.

    Why: to see at a glance from how many steps one long function beats paying per state transition
    (or the reverse), for work like these runs. Takes history frames or a ``one_lambda_costs`` table.
    Three lines (the model of :func:`~workbench.history.cost.break_even.break_even`: the measured mean
    tool time per step and waits per run), the one-Lambda line ending where a run would pass 15
    minutes, and a marked point per way: what these runs really cost, at their mean number of steps.

    Example:
        >>> fig = break_even_figure(frames, memory_mb=1024)                    # doctest: +SKIP
        >>> [t.name for t in fig.data]                                         # doctest: +SKIP
        ['Standard', 'Express', 'One Lambda (1024 MB, x86_64)', 'these runs (measured)']
    """
    title = "Cost per 1,000 executions by number of steps"
    model = break_even(frames_or_costs, max_steps=max_steps, memory_mb=memory_mb, arch=arch, region=region,
                       express_memory_mb=express_memory_mb, prices=prices)
    facts = model.attrs["model"]
    cited = pd.DataFrame()
    cited.attrs["prices"] = model.attrs["prices"]
    if not facts["runs_modelled"]:
        why = model.attrs["verdict"] if model.attrs["measured"] else "no executions"
        return price_subtitle(empty_figure(title, why), cited, prices)
    names = way_labels(facts["memory_mb"], facts["arch"])
    steps = [int(n) for n in model.index]
    durations = model["duration_ms"].tolist()
    fig = go.Figure()
    for key, dash in (("standard", "solid"), ("express", "dot"), ("one_lambda", "solid")):
        values = [None if pd.isna(v) else float(v) for v in model[f"{key}_usd"]]
        hover = [None if v is None else f"{n:,} steps, run of {label(fmt_ms(d))}<br>{label(names[key])}: "
                 f"{label(fmt_usd(v))} per 1,000 executions" for n, d, v in zip(steps, durations, values, strict=True)]
        fig.add_trace(go.Scatter(name=label(names[key]), x=steps, y=values, mode="lines", hovertext=hover,
                                 hoverinfo="text", line={"color": WAY_COLORS[key], "width": 2, "dash": dash}))
    measured = model.attrs["measured"]
    keys = [k for k in ("standard", "express", "one_lambda") if k in measured]
    fig.add_trace(go.Scatter(
        name="these runs (measured)", mode="markers", x=[measured[k][0] for k in keys],
        y=[measured[k][1] for k in keys],
        marker={"symbol": "diamond", "size": 11, "color": [WAY_COLORS[k] for k in keys],
                "line": {"color": "#16191f", "width": 1}},
        hovertext=[f"these runs as {label(names[k])}: {label(fmt_usd(measured[k][1]))} per 1,000 executions at "
                   f"{measured[k][0]:,.1f} steps on average" for k in keys], hoverinfo="text"))
    crossing = model.attrs["break_even_steps"]
    if crossing is not None:
        fig.add_vline(x=crossing, line={"dash": "dot", "color": "#5f6b7a", "width": 1},
                      annotation_text=label(f"break-even: {crossing:,} steps"), annotation_position="bottom right",
                      annotation_font={"size": 10, "color": "#5f6b7a"})
    limit = model.attrs["limit_steps"]
    if limit is not None and limit < steps[-1]:
        fig.add_vline(x=limit + 0.5, line={"dash": "dash", "color": LAMBDA_COLOR, "width": 1},
                      annotation_text=label(f"{LAMBDA_MAX_DURATION_S // 60} min: no one Lambda beyond"),
                      annotation_position="top left", annotation_font={"size": 10, "color": LAMBDA_COLOR})
    style(fig, title, height=430)
    price_subtitle(fig, cited, prices)
    fig.update_xaxes(title_text=label(
        f"steps (state transitions) per execution; model from {facts['runs_modelled']:,} run"
        f"{'s' if facts['runs_modelled'] != 1 else ''}: {fmt_ms(facts['wait_ms_per_execution'])} of waits and "
        f"back-offs + {fmt_ms(facts['tool_ms_per_step'])} of tool time per step"), rangemode="tozero")
    fig.update_yaxes(title_text="USD per 1,000 executions", tickformat=USD_TICKS, rangemode="tozero")
    note(fig, model.attrs["verdict"])
    return fig
