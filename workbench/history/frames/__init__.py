"""From histories to the four frames (events, states, attempts, executions) in one straight pipeline, a batch
of executions at a time (:mod:`~workbench.history.load.batch`):
:mod:`~workbench.history.frames.definition_index` indexes each distinct definition once,
:mod:`~workbench.history.frames.walk` (with :mod:`~workbench.history.frames.walk_rare` and
:mod:`~workbench.history.frames.visits`) walks each batch's events once into the column buffers of
:mod:`~workbench.history.frames.columns`, and :mod:`~workbench.history.frames.assemble` turns those into
DataFrames; :mod:`~workbench.history.frames.build` drives it and documents every column.
"""

from workbench.history.frames.build import (
    Histories,
    HistoryFrames,
    attempts_frame,
    events_frame,
    executions_frame,
    frames,
    states_frame,
)

__all__ = ["Histories", "HistoryFrames", "attempts_frame", "events_frame", "executions_frame", "frames",
           "states_frame"]
