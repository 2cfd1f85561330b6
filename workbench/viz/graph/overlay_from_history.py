"""History frames → graph overlays: one execution's statuses, or failure/retry heat over many.

The frames name a visit by its nesting path with concrete branch and iteration numbers
(``PerHost/iter[3]/Probe``); the graph names the state once (``PerHost/iterator/Probe``), so all
iterations of a Map fold onto the one drawn state. Without the definition the frames name a Parallel
branch by its first state (``Gather/branch:Pull/Pull``); the graph's branch numbers replace that when
the overlay meets the graph (:meth:`~workbench.viz.graph.overlay.Overlay.for_graph`). A state visited several
times (loops, Map iterations) shows the most telling status of its visits — running, incomplete, failed,
aborted, caught, then succeeded — the sum of its retries and durations, and the last error seen. Every
status is the history's own: a visit stopped from outside is ``aborted``, never drawn as failed, and a
visited state is never ``not_reached``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbench.asl.graph import graph_of
from workbench.history._frame_access import frame, require, text
from workbench.history.analysis import failures
from workbench.viz.figures.base import pick_execution
from workbench.viz.graph.overlay import RANK as _RANK
from workbench.viz.graph.overlay import Overlay, StateOverlay, Status

_ITER = re.compile(r"/iter\[[^\]]*\]/")


def graph_key(path: str) -> str:
    """The graph node id of a frames path: Map iteration numbers folded into ``iterator``.

    Example:
        >>> graph_key("PerHost/iter[3]/Probe"), graph_key("Gather/branch[1]/Pull")
        ('PerHost/iterator/Probe', 'Gather/branch[1]/Pull')
    """
    while True:
        folded = _ITER.sub("/iterator/", path)
        if folded == path:
            return folded
        path = folded


def _status(worst: str) -> Status:
    """Frames statuses → overlay statuses (the same words; an unknown one shows as succeeded)."""
    if worst in _RANK:
        return worst  # type: ignore[return-value]
    return "succeeded"


def overlay_for_execution(frames: Any, execution: str | None = None,
                          definition: Mapping[str, Any] | None = None) -> Overlay:
    """Status, retries, Map iterations, duration, error and cause of every state one execution visited.

    ``execution`` defaults to the first one in the frames. With ``definition``, keys are the graph's ids
    (branches by the definition's numbers) and states the run never reached are listed as ``not_reached``
    too (the drawing greys them out either way); a visited state never is.

    Example:
        >>> from workbench.history import frames, load_history
        >>> from workbench.viz import draw
        >>> f = frames(load_history("../shared/corpus/histories/test_base__test_state_fail.json"))  # doctest: +SKIP
        >>> ov = overlay_for_execution(f)                                                              # doctest: +SKIP
        >>> draw(definition, ov)                                                                       # doctest: +SKIP
    """
    arn = pick_execution(frames, execution)
    states = frame(frames, "states")
    require(states, ("execution", "visit", "state", "type", "path", "status", "retries", "duration_ms", "error"),
            "states")
    causes = states["cause"] if "cause" in states.columns else pd.Series(None, index=states.index, dtype=object)
    mine = states[states["execution"].astype(str) == arn]
    iterations = _iterations(frames, arn, mine)
    grouped: dict[str, dict[str, Any]] = {}
    for path, status, retries, duration, error, cause, visit, stype in zip(
            mine["path"].astype(str), mine["status"].astype(str), mine["retries"], mine["duration_ms"],
            mine["error"], causes[mine.index], mine["visit"], mine["type"].astype(str), strict=True):
        key = graph_key(path)
        g = grouped.setdefault(key, {"status": status, "retries": 0, "duration": None, "error": None,
                                     "cause": None, "iterations": None, "type": stype})
        if _RANK.get(status, 9) < _RANK.get(g["status"], 9):
            g["status"] = status
        g["retries"] += int(retries)
        if not pd.isna(duration):
            g["duration"] = (g["duration"] or 0.0) + float(duration)
        err = text(error)
        if err:
            g["error"], g["cause"] = err, text(cause)  # the history's own values (a Fail state's evaluated ones)
        elif text(cause):
            g["cause"] = text(cause)
        if stype == "Map":
            g["iterations"] = (g["iterations"] or 0) + iterations.get(int(visit), 0)
    out: dict[str, StateOverlay] = {}
    for key, g in grouped.items():
        out[key] = StateOverlay(_status(g["status"]), retries=g["retries"], iterations=g["iterations"],
                                duration_ms=g["duration"], error=g["error"], cause=g["cause"])
    overlay = Overlay(out, mode="status", executions=1)
    if definition is None:
        return overlay
    graph = graph_of(definition)
    placed = dict(overlay.for_graph(graph))
    for node in graph.states():
        placed.setdefault(node.id, StateOverlay("not_reached"))
    return Overlay(placed, mode="status", executions=1)


def _iterations(frames: Any, arn: str, mine: pd.DataFrame) -> dict[int, int]:
    """Map visit → iterations started (``MapIterationStarted`` events; else distinct ``iter[i]`` scopes)."""
    maps = mine[mine["type"].astype(str) == "Map"]
    if maps.empty:
        return {}
    events = frame(frames, "events")
    if {"execution", "type", "visit"} <= set(events.columns):
        ev = events[(events["execution"].astype(str) == arn)
                    & (events["type"].astype(str) == "MapIterationStarted")]
        counted = ev.groupby("visit").size()
        if len(counted):
            return {int(v): int(n) for v, n in counted.items()}
    out: dict[int, int] = {}
    paths = mine["path"].astype(str)
    for visit, path in zip(maps["visit"], maps["path"].astype(str), strict=True):
        prefix = path + "/iter["
        scopes = {p[len(prefix):].split("]", 1)[0] for p in paths if p.startswith(prefix)}
        out[int(visit)] = len(scopes)
    return out


def heat_for_executions(frames: Any, *, origins: pd.DataFrame | None = None) -> Overlay:
    """Failure and retry heat over all executions in the frames: redder states failed more often.

    Failures are failure *origins* (see :func:`workbench.history.analysis.failures`: a Map that
    failed because a state inside failed counts once, at that state); retries are summed over visits.

    Example:
        >>> hot = heat_for_executions(frames)            # doctest: +SKIP
        >>> draw(definition, hot)                         # doctest: +SKIP
    """
    states = frame(frames, "states")
    executions = frame(frames, "executions")
    require(states, ("path", "retries"), "states")
    n = len(executions)
    fails: dict[str, int] = {}
    origin = failures(frames) if origins is None else origins
    for path in origin["path"].astype(str):
        key = graph_key(path)
        fails[key] = fails.get(key, 0) + 1
    retried = states[states["retries"] > 0]
    retries: dict[str, int] = {}
    for path, r in zip(retried["path"].astype(str), retried["retries"], strict=True):
        key = graph_key(path)
        retries[key] = retries.get(key, 0) + int(r)
    return Overlay.heat(dict(sorted(fails.items())), dict(sorted(retries.items())), executions=n or None)
