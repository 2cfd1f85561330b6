"""How the launcher says things: one colour per execution status (ABORTED its own, never failed red), plain
one-line errors, and the result block of a finished run.
"""

from __future__ import annotations

import html
import json
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.viz.graph.style import STATUS_PAINT
from workbench.widgets.preview.highlight import highlight_json

#: The graph's own colours, so the status line and the overlay agree; ABORTED is slate (stopped, not failed).
STATUS_COLOUR: dict[str, str] = {
    "SUCCEEDED": STATUS_PAINT["succeeded"].stroke,
    "FAILED": STATUS_PAINT["failed"].stroke,
    "TIMED_OUT": STATUS_PAINT["failed"].stroke,
    "ABORTED": STATUS_PAINT["aborted"].stroke,
    "RUNNING": STATUS_PAINT["running"].stroke,
    "error": STATUS_PAINT["failed"].stroke,
}
NEUTRAL = "#57606a"
ERROR_COLOUR = STATUS_PAINT["failed"].stroke


def plain_error(exc: BaseException) -> str:
    """One readable sentence for any error (ours carry their own wording; others get their type named).

    Example:
        >>> plain_error(ValueError("bad input"))
        'ValueError: bad input'
    """
    if isinstance(exc, WorkbenchError):
        return str(exc).strip() or type(exc).__name__
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def status_html(status: str, text: str) -> str:
    """The status line: ``data-status`` names the status, the colour is the graph's for it.

    Example:
        >>> status_html("ABORTED", "ABORTED · 9 events") != status_html("FAILED", "ABORTED · 9 events")
        True
    """
    colour = STATUS_COLOUR.get(status, NEUTRAL)
    return (f"<span class='wb-status' data-status='{html.escape(status)}' "
            f"style='color:{colour};font-weight:600'>{html.escape(text)}</span>")


def error_html(text: str | None) -> str:
    """A problem in red, or nothing."""
    return "" if not text else f"<span style='color:{ERROR_COLOUR}'>{html.escape(text)}</span>"


def result_html(status: str, execution_name: str, output: str | None, error: str | None,
                cause: str | None) -> str:
    """The block under the graph once a run has ended: status, execution name, output or error (redacted)."""
    from workbench.core.redact import redact, redact_text

    colour = STATUS_COLOUR.get(status, NEUTRAL)
    parts = [f"<b style='color:{colour}'>{html.escape(status)}</b> · execution <code>{html.escape(execution_name)}"
             "</code>"]
    if output is not None:
        try:
            parts.append("<b>output</b>" + highlight_json(redact(json.loads(output))))
        except ValueError:
            parts.append(f"<b>output</b><pre>{html.escape(redact_text(output))}</pre>")
    if error or cause:
        parts.append(error_html(f"{error or 'error'}: {redact_text(cause or '')}"))
    return "<br>".join(parts)


def progress_line(status: str, progress: Any, elapsed: float) -> str:
    """``RUNNING · 12 events · 1 retries · 0.8 s`` (and the engine's clock once it ended)."""
    virtual = f" · {progress.duration_s:.1f} s on the engine's clock" if progress.duration_s is not None else ""
    return f"{status} · {progress.events} events · {progress.retries} retries · {elapsed:.1f} s{virtual}"
