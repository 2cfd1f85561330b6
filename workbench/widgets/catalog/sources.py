"""What the Catalog widget is given: a plan (path, JSON text or dict) and recorded runs (a store or histories).

Both are read once and never raise into the notebook: a plan file that cannot be read becomes one diagnostic
line, recorded runs that cannot be read become one line in the estimate box.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.diagnostics import Diagnostic
from workbench.core.yaml_load import InputError, read_text
from workbench.mission.positions import error

#: How the editor is named in diagnostics when the plan did not come from a file.
EDITOR = "plan"
PLAN_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass
class PlanText:
    """A plan as editor text, the name its diagnostics use, and why it could not be read (if so)."""

    text: str
    file: str = EDITOR
    problems: list[Diagnostic] = field(default_factory=list)


def plan_text(plan: str | Path | dict[str, Any] | None) -> PlanText:
    """The editor text for ``plan``: a file's text, a dict as indented JSON, or JSON/YAML text as given.

    A one-line string ending in ``.json``/``.yaml``/``.yml`` (or a Path) is a file name, never plan text.

    Example:
        >>> plan_text({"kind": "backfill", "goal": "g"}).text.splitlines()[1]
        '  "kind": "backfill",'
        >>> plan_text("missions/plans/nope.plan.json").problems[0].code
        'PLAN001'
        >>> plan_text("missions/plans/backfill_orders.plan.json").file
        'backfill_orders.plan.json'
    """
    if plan is None:
        return PlanText("")
    if isinstance(plan, dict):
        return PlanText(json.dumps(plan, indent=2, ensure_ascii=False))
    if isinstance(plan, Path) or ("\n" not in plan and plan.strip().lower().endswith(PLAN_SUFFIXES)):
        path = Path(plan)
        try:
            return PlanText(read_text(path), path.name)
        except OSError as exc:
            return PlanText("", path.name, [error("PLAN001", f"cannot read the plan {path}: {exc.strerror or exc}",
                                                  None, None, hint="check the path, relative to " + str(Path.cwd()))])
        except InputError as exc:
            return PlanText("", path.name, list(exc.diagnostics))
    return PlanText(str(plan))


def estimate_source(store: Any, histories: Any) -> Any:
    """What :func:`~workbench.history.analysis.estimate_run` reads: the store (a path is opened, a connection
    kept) or frames built from the histories (frames are kept as they are). None when neither is given.

    Raises :class:`~workbench.core.diagnostics.WorkbenchError` (or ``OSError``) with one line when it cannot
    be read.

    Example:
        >>> estimate_source(None, None) is None
        True
        >>> estimate_source(None, "../shared/corpus/histories").executions.shape[0] > 0  # doctest: +SKIP
        True
    """
    if store is not None:
        if isinstance(store, str | Path):
            from workbench.history.store import open as open_store

            return open_store(store)  # StoreError (one line) when it is not a store
        return store
    if histories is None:
        return None
    from workbench.history import HistoryFrames, frames, history_files, load_histories

    if isinstance(histories, HistoryFrames):
        return histories
    if isinstance(histories, list | tuple):  # folders inside a list are read like a folder given alone
        histories = [f for item in histories for f in (
            history_files(item) if isinstance(item, str | Path) and Path(item).is_dir() else [item])]
    return frames(load_histories(histories))


def describe_source(store: Any, histories: Any) -> str:
    """A few words for where the estimate comes from (shown above its lines).

    Example:
        >>> describe_source("fleet/store", None), describe_source(None, ["runs/"])
        ('the store fleet/store', 'the histories given')
    """
    if store is not None:
        return f"the store {store}" if isinstance(store, str | Path) else "the store"
    return "the histories given"
