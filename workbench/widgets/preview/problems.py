"""The problems list: every diagnostic in full, with its place, code and hint as visible text.

Each row shows a severity badge (plain words "error", "warning", "info" coloured by CSS: emoji do not
render in JupyterLab's default fonts), the place as ``file:line:column`` (a button: clicking it jumps
there), the code, the step, the whole message and the hint. Nothing is cut off or hidden in a tooltip.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets

from workbench.core.diagnostics import Diagnostic, Severity

BADGE_COLOURS = {Severity.ERROR: ("#b3261e", "#fff"), Severity.WARNING: ("#8a5a00", "#fff"),
                 Severity.INFO: ("#3c5a99", "#fff")}
ROW_BACKGROUND = {Severity.ERROR: "#fdecea", Severity.WARNING: "#fff8e1", Severity.INFO: "#eef3fb"}


def badge(severity: Severity) -> str:
    """A coloured label naming the severity in words (``error``, ``warning``, ``info``).

    Example:
        >>> ">error<" in badge(Severity.ERROR) and "wb-badge-error" in badge(Severity.ERROR)
        True
    """
    background, colour = BADGE_COLOURS.get(severity, ("#555", "#fff"))
    return (f'<span class="wb-badge wb-badge-{severity.value}" style="background:{background};color:{colour};'
            'border-radius:3px;padding:0 5px;font:600 11px/16px system-ui,sans-serif;'
            f'display:inline-block">{severity.value}</span>')


def place(d: Diagnostic) -> str:
    """Where a problem is, as ``file:line:column`` (the file's name; ``line L:C`` when it has none)."""
    if d.line is None:
        return Path(d.file).name if d.file else ""
    where = f"{d.line}" + (f":{d.column}" if d.column is not None else "")
    return f"{Path(d.file).name}:{where}" if d.file else f"line {where}"


def plain_text(d: Diagnostic) -> str:
    """The whole problem as one line of text (what the row shows, without the styling)."""
    step = f" [{d.step}]" if d.step else ""
    where = f" {place(d)}" if place(d) else ""
    location = f" (at {d.location})" if d.location and not d.step else ""
    hint = f" hint: {d.hint}" if d.hint else ""
    return f"{d.severity.value} {d.code}{where}{step} {d.message}{location}{hint}"


class ProblemRow(widgets.HBox):
    """One problem. ``click()`` (or a click on its place button) calls the list's ``on_goto(diagnostic)``."""

    def __init__(self, diagnostic: Diagnostic, on_click: Callable[[Diagnostic], None]) -> None:
        self.diagnostic = diagnostic
        self._on_click = on_click
        d = diagnostic
        where = place(d) or (f"step {d.step}" if d.step else "")
        self.link = widgets.Button(description=where or "(no place)", disabled=not (d.line or d.step),
                                   tooltip=f"go to {where}" if where else "",
                                   layout=widgets.Layout(width="auto", flex="0 0 auto"))
        self.link.add_class("wb-problem-link")
        self.link.style.button_color = "transparent"
        self.link.style.text_color = "#0b5cad"
        self.link.style.text_decoration = "underline"
        self.link.on_click(lambda _b: self.click())
        step = f' <span class="wb-problem-step">step <code>{html.escape(d.step)}</code></span>' if d.step else ""
        location = (f' <span class="wb-problem-location">(at <code>{html.escape(d.location)}</code>)</span>'
                    if d.location and not d.step else "")
        hint = (f'<div class="wb-problem-hint" style="color:#444;margin-top:1px">hint: {html.escape(d.hint)}</div>'
                if d.hint else "")
        self.text = widgets.HTML(
            f'<div class="wb-problem-text" style="white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.4">'
            f'{badge(d.severity)} <b class="wb-problem-code">{html.escape(d.code)}</b>{step}{location} '
            f'<span class="wb-problem-message">{html.escape(d.message)}</span>{hint}</div>',
            layout=widgets.Layout(flex="1 1 auto", width="auto"))
        super().__init__([self.link, self.text], layout=widgets.Layout(
            width="100%", align_items="flex-start", padding="2px 4px", margin="1px 0",
            border_left=f"3px solid {BADGE_COLOURS.get(d.severity, ('#555',))[0]}"))
        self.add_class("wb-problem")
        self.add_class(f"wb-problem-{d.severity.value}")

    @property
    def description(self) -> str:
        """The problem as plain text (severity, code, place, step, message, hint)."""
        return plain_text(self.diagnostic)

    def click(self) -> None:
        """What clicking the problem does: jump to its line and select its step."""
        self._on_click(self.diagnostic)


class ProblemsList(widgets.VBox):
    """Diagnostics as rows; clicking one calls ``on_goto(diagnostic)`` and ``on_select(step_id)`` when it names a step.

    Example:
        >>> from workbench.core.diagnostics import Diagnostic
        >>> picked = []
        >>> problems = ProblemsList(on_select=picked.append)
        >>> problems.show([Diagnostic(code="MIS203", severity="error", message="no step 'x'", line=3, step="a")])
        >>> problems.children[0].click(); picked
        ['a']
    """

    def __init__(self, on_select: Callable[[str], None] | None = None,
                 on_goto: Callable[[Diagnostic], None] | None = None) -> None:
        super().__init__(layout=widgets.Layout(max_height="320px", overflow="auto"))
        self.add_class("wb-problems")
        self.on_select = on_select
        self.on_goto = on_goto
        self.diagnostics: list[Diagnostic] = []

    def show(self, diagnostics: list[Diagnostic]) -> None:
        """List ``diagnostics`` (errors first, then warnings and info, each in file order)."""
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        self.diagnostics = sorted(diagnostics, key=lambda d: (order.get(d.severity, 3), d.line or 0))
        rows: list[widgets.Widget] = [ProblemRow(d, self._clicked) for d in self.diagnostics]
        if not rows:
            rows = [widgets.HTML("<span class='wb-no-problems' style='color:#1d7d2d'>No problems.</span>")]
        self.children = tuple(rows)

    def _clicked(self, d: Diagnostic) -> None:
        if self.on_goto is not None:
            self.on_goto(d)
        if d.step and self.on_select is not None:
            self.on_select(d.step)
