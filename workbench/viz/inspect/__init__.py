"""The execution inspector: click a state, read every visit's input, output, error and cause, each retry
attempt with its back-off, the raw events and a table of visits.

:mod:`~workbench.viz.inspect.model` builds the payload (pure data from a history and its definition),
:mod:`~workbench.viz.inspect.assets` holds the plain-JavaScript inspector and the markup that carries both
into a page (the HTML report, a notebook widget).

Example:
    >>> from workbench.history import load_history
    >>> from workbench.viz.inspect import inspection
    >>> p = inspection(load_history("../shared/corpus/histories/test_base__test_state_fail.json"))
    >>> p["execution"]["status"], sorted(p["states"])
    ('FAILED', ['FailState'])
"""

from workbench.viz.inspect.assets import INSPECTOR_CSS, INSPECTOR_JS, inspector_html, script_json
from workbench.viz.inspect.model import inspection, inspection_from_events

__all__ = ["INSPECTOR_CSS", "INSPECTOR_JS", "inspection", "inspection_from_events", "inspector_html", "script_json"]
