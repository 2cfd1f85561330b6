"""What a what-if is given, made ready to travel to worker processes.

Histories become history files (folders read recursively), history documents, or loaded histories
copied into a picklable form; runs from ``run_mission`` become their loaded histories. The edited
Mission becomes what a worker replays with (the Mission itself, or an ASL dict) plus its name and the
definition the report draws. Everything here happens once, in the calling process, before any replay.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from workbench.core.diagnostics import WorkbenchError
from workbench.history.load.events import EventColumns, ExecutionHistory
from workbench.history.load.readers import history_files, is_run, load_history

#: One history as sent to a worker: a file, a history document, or a picklable loaded history.
Item = Path | dict[str, Any] | ExecutionHistory


class WhatIfError(WorkbenchError):
    """A what-if cannot start: its inputs or options are unusable (the message names which and the fix)."""


def _is_asl(data: Any) -> bool:
    return isinstance(data, Mapping) and "States" in data and "StartAt" in data


def _asl_file(path: Path) -> dict[str, Any] | None:
    """The definition in an ASL file (JSON or YAML), or None when the file is not ASL (a Mission, say)."""
    from workbench.asl.lint.load.loader import load_asl
    from workbench.core.diagnostics import AslError

    try:
        data = load_asl(path).definition
    except AslError:
        return None
    return dict(data) if _is_asl(data) else None


def mission_parts(mission: Any) -> tuple[Any, str | None, dict[str, Any]]:
    """(what workers replay with, the Mission's name, the edited definition) from a Mission, a Mission file,
    or an ASL file or dict. Raises the Mission's own load/compile errors (file:line) when it is unusable.

    Example:
        >>> sent, name, definition = mission_parts({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        >>> name, definition["StartAt"]
        (None, 'A')
    """
    from workbench.asl.compiler import compile_mission
    from workbench.mission.loader import load_mission
    from workbench.mission.model import Mission

    if mission is None:
        raise WhatIfError("a what-if needs the edited Mission: pass mission= (a Mission, its file, or ASL).")
    if _is_asl(mission):
        asl = json.loads(json.dumps(mission))
        return asl, None, asl
    if isinstance(mission, Mission):
        return mission, mission.name, compile_mission(mission)
    if not isinstance(mission, str | os.PathLike):
        raise WhatIfError(f"mission= must be a Mission, a file path or an ASL dict, got {type(mission).__name__}")
    path = Path(mission)
    if not path.exists():
        raise WhatIfError(f"{path}: no such Mission file. Fix: check the path.")
    asl = _asl_file(path)  # an ASL file (JSON or YAML) is the definition itself; else it is a Mission
    if asl is not None:
        return asl, None, asl
    loaded = load_mission(path)
    return loaded, loaded.name, compile_mission(loaded)


def portable(history: ExecutionHistory) -> ExecutionHistory:
    """A copy of a loaded history that pickles (event details as plain dicts), for a worker process.

    Example:
        >>> import pickle
        >>> h = load_history({"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
        ...                               "timestamp": 1.0}]}, execution_arn="arn:x")
        >>> pickle.loads(pickle.dumps(portable(h))).execution_arn
        'arn:x'
    """
    c = history.columns
    details = [dict(d) if isinstance(d, MappingProxyType) else d for d in c.details]
    columns = EventColumns(list(c.ids), list(c.prevs), list(c.codes), list(c.ts), details)
    return ExecutionHistory(history.execution_arn, None, history.definition, history.state_machine_arn,
                            source=history.source, format=history.format, problems=history.problems,
                            synthetic_ids=history.synthetic_ids, columns=columns, truncated=history.truncated)


def portable_items(histories: Any) -> list[Item]:
    """The histories to replay, in order: paths checked and folders expanded (see :func:`expand_paths`).

    Example:
        >>> portable_items([])
        []
    """
    if isinstance(histories, str | os.PathLike | dict | ExecutionHistory) or is_run(histories):
        histories = [histories]
    out: list[Item] = []
    for item in histories:
        if isinstance(item, str | os.PathLike):
            out.extend(expand_paths([item]))
        elif isinstance(item, ExecutionHistory):
            out.append(portable(item))
        elif is_run(item):
            out.append(portable(load_history(item)))
        elif isinstance(item, dict):
            out.append(item)
        else:
            raise WhatIfError(f"cannot replay a {type(item).__name__}: give history files or folders, loaded "
                              "histories, history documents (dicts) or runs")
    return out


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """History files named by ``paths`` (folders read recursively); raises :class:`WhatIfError` naming a
    path that does not exist or a folder without histories.

    Example:
        >>> expand_paths(["no/such/dir"])
        Traceback (most recent call last):
        ...
        workbench.history.whatif.inputs.WhatIfError: no/such/dir: no such file or folder. Fix: check the path.
    """
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = history_files(path)
            if not found:
                raise WhatIfError(f"{path}: the folder holds no history (*.json, *.jsonl). Fix: give the folder "
                                  "`workbench history fetch -o` wrote, or history files.")
            out.extend(found)
        elif path.exists():
            out.append(path)
        else:
            raise WhatIfError(f"{path}: no such file or folder. Fix: check the path.")
    return out


def most_common(definitions: Mapping[str, int], texts: Mapping[str, str]) -> tuple[dict[str, Any] | None, int]:
    """(the most used recorded definition, how many different ones) from use counts and texts by hash.

    Example:
        >>> most_common({"h1": 3, "h2": 1}, {"h1": '{"StartAt": "A"}', "h2": '{"StartAt": "B"}'})
        ({'StartAt': 'A'}, 2)
    """
    if not definitions:
        return None, 0
    key, _ = Counter(definitions).most_common(1)[0]
    text = texts.get(key)
    return (json.loads(text) if text else None), len(definitions)
