"""The composer's form edits: each one patches the Mission text (never regenerates it) and keeps the selection.

A mixin of :class:`~workbench.widgets.composer.widget.MissionComposer`, kept apart from the layout and the
refresh: every edit goes through :meth:`FormEdits._edit`, which refuses it with a one-line message while
the text does not parse (the typed text stays as it is) or when the patch cannot apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.widgets.composer import mission_edit as edit
from workbench.widgets.composer.document import FormLocked, MissionText
from workbench.widgets.composer.fields import FieldPath


def _cleared(value: Any) -> Any:
    """Empty text or an empty list removes the field (the YAML stays minimal)."""
    return None if isinstance(value, str | list) and not value else value


class FormEdits:
    """Step and Mission edits of a composer (see :class:`~workbench.widgets.composer.widget.MissionComposer`)."""

    doc: MissionText
    selected: edit.StepPath | None
    _selected_id: str | None
    _quiet: bool

    # provided by the widget
    def _refresh(self, *, typed: bool = False) -> None:
        raise NotImplementedError

    def _show_selection(self) -> None:
        raise NotImplementedError

    def _say(self, text: str, *, error: bool = False) -> None:
        raise NotImplementedError

    @property
    def data(self) -> dict[str, Any]:
        """The plain data of the text (the last readable version while the text does not parse)."""
        return self.doc.data

    def _edit(self, action: Callable[[], Any]) -> Any:
        """Run a form edit on the text; refused edits leave the text alone and say why in one line."""
        if self._quiet:
            return None
        before = self.doc.text
        try:
            result = action()
        except FormLocked as exc:
            self._say(str(exc), error=True)
            return None
        except Exception as exc:  # a patch that cannot apply must never break the widget
            self._say(f"cannot apply this edit: {exc}", error=True)
            return None
        self._say("")
        if self.doc.text != before:
            self._refresh()
        else:
            self._show_selection()
        return result

    def select(self, step_id: str) -> None:
        """Select a step by id: the form then edits it (what clicking a problem that names a step does).

        Example:
            >>> composer.select("decide")  # doctest: +SKIP
        """
        path = edit.find_step(self.data, step_id)
        if path is not None:
            self._set_selected(path)
            self._show_selection()

    def add_step(self, kind: str) -> str | None:
        """Add a new step of ``kind`` after the selected one (or at the end); returns its id (None if refused).

        Example:
            >>> composer.add_step("wait")  # doctest: +SKIP
            'wait'
        """
        step = edit.new_step(self.data, kind)
        self._edit(lambda: self._set_selected(self.doc.insert_step(self.selected, step)))
        return str(step["id"]) if self._selected_id == step["id"] else None

    def remove_step(self) -> None:
        """Remove the selected step (its lines, and the comment lines just above it)."""
        if self.selected is not None:
            selected = self.selected
            self._edit(lambda: self._set_selected(self.doc.remove_step(selected)))

    def move_step(self, delta: int) -> None:
        """Move the selected step up (-1) or down (+1) within its list, its text moving verbatim.

        Example:
            >>> composer.select("assess"); composer.move_step(-1)  # doctest: +SKIP
        """
        if self.selected is not None:
            selected, sid = self.selected, self._selected_id
            self._edit(lambda: self._set_selected(self.doc.move_step(selected, delta), sid))

    def set_field(self, path: FieldPath, value: Any) -> None:
        """Set a field of the selected step (``None`` or empty removes it); only that field's text changes.

        Example:
            >>> composer.select("probe_hosts")  # doctest: +SKIP
            >>> composer.set_field(("map", "max_concurrency"), 5)  # doctest: +SKIP
        """
        if self.selected is not None:
            full = (*self.selected, *path)
            self._edit(lambda: self.doc.set_value(full, _cleared(value)))

    def append_to_step(self, field: str, item: dict[str, Any]) -> None:
        """Append ``item`` to a list field of the selected step (``retry``, ``catch``), in that list's style.

        Example:
            >>> composer.append_to_step("catch", {"errors": ["States.ALL"], "goto": "triage_failed"})  # doctest: +SKIP
        """
        if self.selected is not None:
            target = (*self.selected, field)
            self._edit(lambda: self.doc.append_item(target, item))

    def rename(self, new_id: str) -> None:
        """Rename the selected step and every ``then``/``otherwise``/``goto`` that targets it.

        Example:
            >>> composer.select("summarize"); composer.rename("post_summary")  # doctest: +SKIP
        """
        if self.selected is not None and new_id:
            selected = self.selected

            def action() -> None:
                if self.doc.rename_step(selected, new_id):
                    self._selected_id = new_id
            self._edit(action)

    def set_mission_field(self, path: FieldPath, value: Any) -> None:
        """Set a Mission-level field by its path from the top (``None`` or empty removes it): the name, tools,
        defaults, local settings.

        Example:
            >>> composer.set_mission_field(("local", "time_warp"), True)  # doctest: +SKIP
            >>> composer.set_mission_field(("tools", "fetch_alert", "memory_mb"), 512)  # doctest: +SKIP
        """
        self._edit(lambda: self.doc.set_value(tuple(path), _cleared(value)))

    def add_tool(self, name: str, lambda_name: str) -> None:
        """Add a tool (``name: {lambda: lambda_name}``); set its other fields with :meth:`set_mission_field`.

        Example:
            >>> composer.add_tool("notify", "triage-notify")  # doctest: +SKIP
        """
        self._edit(lambda: self.doc.add_tool(name, lambda_name))

    def remove_tool(self, name: str) -> None:
        """Remove a tool (steps still calling it then show a problem to fix)."""
        self._edit(lambda: self.doc.remove_tool(name))

    # --- selection ----------------------------------------------------------------------------
    def _set_selected(self, path: edit.StepPath | None, step_id: str | None = None) -> None:
        self.selected = path
        if step_id is None and path is not None:
            step = edit.value_at(self.data, path)
            step_id = str(step.get("id")) if isinstance(step, dict) and "id" in step else None
        self._selected_id = step_id or None

    def _reselect(self) -> None:
        """Keep the same step selected across a text change (by id, else by place)."""
        if self.selected is None:
            return
        step = edit.value_at(self.data, self.selected)
        if isinstance(step, dict) and step.get("id") == self._selected_id:
            return
        found = edit.find_step(self.data, self._selected_id) if self._selected_id else None
        if found is not None:
            self.selected = found
        elif isinstance(step, dict) and edit.kind_of(step) != "?":
            self._set_selected(self.selected)
        else:
            self._set_selected(None)
