"""The what-if report: one self-contained, offline, redacted HTML file for a bulk what-if.

Same page machinery as the run report (:func:`~workbench.report.html.page`: escaped values, CSP with no
network, one copy of plotly.js): the summary with the outcome counts and the duration and cost deltas, the
edited graph with the changed states outlined, one table row per execution, and each row's recorded and
replayed paths side by side behind an in-page link (shown by CSS ``:target``, no script).

Example:
    >>> from workbench.report.whatif.report import whatif_report
    >>> w = workbench.whatif("runs/", "missions/deploy_check_retry.yaml")   # doctest: +SKIP
    >>> whatif_report(w).save("whatif.html")                               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from workbench.core.redact import DEFAULT_SECRET_KEYS, Redactor
from workbench.history.whatif.table import WhatIf
from workbench.report.inputs.data import ReportError
from workbench.report.page.html import Figures, esc, page
from workbench.report.run.build import Report
from workbench.report.whatif.sections import changes, executions, paths, summary


def whatif_report(result: WhatIf, *, title: str | None = None, secret_keys: Sequence[str] = DEFAULT_SECRET_KEYS,
                  max_payload_bytes: int = 4096, show_paths: bool = False, stamp: bool = False) -> Report:
    """Build the HTML report of a what-if (``workbench.whatif(...)``): ``.save(path)`` writes it atomically.

    ``secret_keys``: field names hidden in outputs, errors and causes (any depth); ``max_payload_bytes``:
    longer values are cut; ``show_paths``: keep this machine's folders in error texts; ``stamp``: add the
    generation time (off: the same what-if gives the same bytes).

    Example:
        >>> report = whatif_report(workbench.whatif("runs/", "edited.yaml"))   # doctest: +SKIP
        >>> report.save("whatif.html")                                         # doctest: +SKIP
    """
    if not isinstance(result, WhatIf):
        raise ReportError(f"whatif_report needs the result of workbench.whatif(...), got {type(result).__name__}")
    if not result.rows:
        raise ReportError("nothing to report: the what-if replayed no execution.")
    redactor = Redactor(tuple(secret_keys), max_payload_bytes, hide_paths=not show_paths)
    figures = Figures()
    built = [summary(result, figures, redactor), changes(result, redactor), executions(result, redactor),
             paths(result, redactor)]
    name = title or f"{result.mission_name or 'Edited definition'}: what-if"
    n = len(result.rows)
    subtitle = (f"{n:,} execution{'s' if n != 1 else ''} replayed against the edited "
                f"{'Mission ' + result.mission_name if result.mission_name else 'definition'}"
                + (" (interrupted)" if result.interrupted else ""))
    footer = ("Built with Mission Workbench. Replays serve each call its recorded outcome; invented outcomes are "
              "counted per execution. Secret-looking fields are redacted; large values are cut.")
    if stamp:
        footer += f" Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}."
    html = page(name, subtitle, built, figures, esc(footer))
    return Report(html, name, n, tuple(s.id for s in built))
