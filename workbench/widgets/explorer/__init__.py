"""Exploring execution histories: the HistoryExplorer widget (``widget``), what it fetches, filters and
exports (``data``), the tables and figures of its tabs (``views``) and its "Write report" hand-off to
``workbench.report`` (``report_link``).
"""
