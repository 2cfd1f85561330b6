"""Shareable run reports: one self-contained, offline, redacted HTML file per set of executions.

Example:
    >>> from workbench.report import build
    >>> report = build(["runs/a.json", "runs/b.json"], mission="missions/incident_triage.yaml")  # doctest: +SKIP
    >>> report.save("report.html")                                                               # doctest: +SKIP
"""

from workbench.core.redact import DEFAULT_SECRET_KEYS, Redactor
from workbench.report.inputs.data import ReportError
from workbench.report.run.build import Report, build
from workbench.report.run.context import ReportOptions

#: The name ``import workbench`` offers: ``workbench.build_report(run).save("run.html")``.
build_report = build

__all__ = ["DEFAULT_SECRET_KEYS", "Redactor", "Report", "ReportError", "ReportOptions", "build", "build_report"]
