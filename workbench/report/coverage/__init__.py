"""The Mission test coverage page: per Mission, the report's graph with what no test covered dashed.

Example:
    >>> from workbench.report.coverage.page import write_coverage_report
    >>> write_coverage_report(results, "coverage.html")  # doctest: +SKIP
"""
