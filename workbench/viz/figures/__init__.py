"""Plotly charts over execution history: timeline, latency, retries, cost and outcomes.

Each module builds one kind of figure from history frames (:mod:`~workbench.viz.figures.timeline`,
:mod:`~workbench.viz.figures.latency`, :mod:`~workbench.viz.figures.retries`,
:mod:`~workbench.viz.figures.cost`, :mod:`~workbench.viz.figures.outcomes`); what they share (safe
labels, colours, empty states, execution lookup) lives in :mod:`~workbench.viz.figures.base`. These
modules import plotly and pandas, so ``workbench.viz`` loads them only on first use; this package
re-exports nothing.
"""
