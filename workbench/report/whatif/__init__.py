"""The what-if report: one self-contained, offline, redacted HTML file for a bulk what-if
(:mod:`.report` builds it, :mod:`.sections` holds its parts).

Example:
    >>> import workbench
    >>> workbench.whatif_report(workbench.whatif(["night/"], "edited.yaml")).save("whatif.html")  # doctest: +SKIP
"""

from workbench.report.whatif.report import whatif_report

__all__ = ["whatif_report"]
