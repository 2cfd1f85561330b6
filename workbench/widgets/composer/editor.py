"""YamlEditor: the composer's text editor, a textarea with line numbers and a caret Python can move.

A small anywidget (plain JavaScript in ``editor.js`` beside this file, no libraries, no network), so it
works offline in JupyterLab and in a saved notebook page. The text syncs both ways: typing reaches
Python after a short pause (and at once when the editor loses focus); setting ``value`` from Python
replaces the text and keeps the caret on its line.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

_HERE = Path(__file__).parent


class YamlEditor(anywidget.AnyWidget):
    """A YAML text editor with a line-number gutter; ``cursor_line`` moves the caret from Python.

    Traits: ``value`` (the text, synced both ways), ``cursor_line`` (1-based; the caret's line as the
    user moves it, and setting it moves the caret there, scrolls it into view and focuses the editor),
    ``read_only`` and ``marks`` (lines flagged red in the gutter, e.g. where the problems are).

    Example:
        >>> editor = YamlEditor(value="mission: m\\nsteps: []\\n")
        >>> editor.goto_line(2)
        >>> editor.cursor_line
        2
    """

    _esm = _HERE / "editor.js"
    _css = _HERE / "editor.css"

    value = traitlets.Unicode("").tag(sync=True)
    cursor_line = traitlets.Int(1).tag(sync=True)
    read_only = traitlets.Bool(False).tag(sync=True)
    marks = traitlets.List(traitlets.Int()).tag(sync=True)

    def goto_line(self, line: int) -> None:
        """Move the caret to ``line`` (clamped to the text), scroll it into view and focus the editor.

        Also works when the caret is already on that line (the view is told again).

        Example:
            >>> YamlEditor(value="a: 1\\n").goto_line(99)  # clamped to the last line  # doctest: +SKIP
        """
        last = max(1, self.value.count("\n") + (0 if self.value.endswith("\n") else 1))
        target = min(max(1, int(line)), last)
        if self.cursor_line == target:
            self.send({"type": "goto", "line": target})
        else:
            self.cursor_line = target
