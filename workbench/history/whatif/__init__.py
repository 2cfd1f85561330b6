"""Bulk what-if: replay recorded executions against an edited Mission and compare, one row per execution.

:mod:`~workbench.history.whatif.run` runs the replays in parallel (one embedded engine per worker process)
with a progress bar, keeping finished rows on Ctrl-C; :mod:`~workbench.history.whatif.table` holds the
rows, the DataFrame and the summary; :mod:`~workbench.history.whatif.costs` prices each execution as
Standard and Express in exact decimals; :mod:`~workbench.history.whatif.changes` says which states the
edit changed. The HTML report is :func:`workbench.report.whatif.whatif_report`.

Example:
    >>> from workbench.history.whatif import whatif
    >>> w = whatif("runs/", "missions/deploy_check_retry.yaml")   # doctest: +SKIP
    >>> print(w.summary)                                          # doctest: +SKIP
"""

from workbench.history.whatif.changes import MACHINE, StateChange, changed_states
from workbench.history.whatif.inputs import WhatIfError
from workbench.history.whatif.run import UNRECORDED, RowHook, whatif
from workbench.history.whatif.table import OUTCOMES, WhatIf, WhatIfRow, WhatIfSummary, outcome

__all__ = ["MACHINE", "OUTCOMES", "UNRECORDED", "RowHook", "StateChange", "WhatIf", "WhatIfError", "WhatIfRow",
           "WhatIfSummary", "changed_states", "outcome", "whatif"]
