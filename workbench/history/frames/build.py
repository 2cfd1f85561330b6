"""Execution histories as pandas frames: the public, documented column contract.

Every frame is built column by column, across executions: histories are read a batch at a time into flat
columns (:mod:`~workbench.history.load.batch`), walked in one pass per batch, and turned into DataFrames once
(never ``pd.DataFrame(list_of_dicts)``, nothing per execution), so a million events of small executions take
seconds (``bench/history.py``). Nesting is rebuilt from the ``previousEventId`` DAG (``walk.py``). All
timestamps are ``datetime64[ns, UTC]``; durations are ``float64`` milliseconds (``NaN`` when an end
is unknown, e.g. placeholder timestamps or a running execution, and never negative: a step back in
time along a ``previousEventId`` chain is warned about and gives ``NaN``); counters are ``int64``;
nullable integers are ``Int64``; low-cardinality text is ``category``; free text is pandas ``str``.
A history that stops before its execution's end (a pending ``nextToken``; a finished execution
without its terminal event) has status ``INCOMPLETE``, and what it leaves open ``incomplete``.

``events`` — one row per history event, in history order (``id`` ascending within an execution)
    execution      category  execution ARN
    id             int64     event id (1-based; synthesised for placeholder ids, see ``id_known``)
    previous_id    Int64     ``previousEventId`` (0 for the first state; <NA> when the source hid it)
    id_known       bool      False when the source had placeholder ids (normalised Parallel recordings)
    type           category  ``HistoryEventType`` (unknown future types are kept verbatim)
    timestamp      datetime64[ns, UTC]
    elapsed_ms     float64   since ``ExecutionStarted``
    state          category  name of the state the event belongs to (<NA> for execution events)
    path           category  nesting path of that state visit, e.g. ``Gather/branch[1]/Pull`` (see ``states``)
    visit          int64     row number of the visit in ``states`` for this execution (-1: none)
    error, cause   str       from ``*Failed``/``*TimedOut``/``EvaluationFailed``/... details
    resource       category  of the Task attempt the event belongs to (from its ``*Scheduled``): Lambda or
                             activity ARN, or the service API (``invoke``, ``sendMessage``); <NA> otherwise
    resource_type  category  service (``lambda``, ``sqs``...; ``lambda``/``activity`` for legacy events)
    map_run_arn    str       ``MapRunStarted``/``MapRunRedriven`` (Distributed Map child histories)
    iteration      Int64     ``MapIteration*`` index
    input_size     Int64     UTF-8 bytes of the event's input / parameters payload
    output_size    Int64     UTF-8 bytes of the event's output payload
    input, output  str       payloads as JSON text, only with ``payloads=True``

``states`` — one row per state *visit* (a state entered once; retries stay in the same visit)
    execution         category
    visit             int64     0-based, in order of entry within the execution
    state             category  state name
    type              category  ASL type: Task, Choice, Map, Parallel, Pass, Wait, Succeed, Fail (from the
                                ``*StateEntered`` type; the definition adds Retry policies, Parallel branch
                                numbers and Fail-state errors)
    path              category  ``Parent/branch[i]/Child`` (i: the definition's branch number) or, without
                                the definition, ``Parent/branch:First/Child`` (the branch's first state);
                                ``Map/iter[i]/Child``; top level = name. Never depends on event order
    depth             int64     0 at top level, +1 per enclosing Parallel branch / Map iteration
    parent_visit      int64     visit of the enclosing Map/Parallel (-1 at top level)
    entered, exited   datetime64[ns, UTC]  ``*StateEntered``; ``*StateExited``, else the event that ended
                                it (a failed visit ends at its failure; a Fail state at its entry)
    duration_ms       float64   exited - entered
    started_after_ms  float64   entered - execution start
    status            category  succeeded | failed | caught | aborted | running | incomplete
                                caught = its last try failed and a Catch moved on (it has an Exited event);
                                failed = its last try failed (or it is a Fail state) and nothing caught it;
                                aborted = stopped from outside (sibling branch failed, execution stopped);
                                incomplete = still open where an INCOMPLETE history stops
    attempts          int64     tries: Task = scheduled attempts; Map/Parallel = ``*StateStarted`` count;
                                other states 1
    retries           int64     max(attempts - 1, 0)
    error, cause      str       of the last failure seen in the visit (inner failure for Map/Parallel); a
                                Fail state's are the evaluated ones from the history, never a template
    retry_policy      str       the state's ``Retry`` array as JSON text, when the definition is known
    entered_event     int64     id of the entered event
    exited_event      Int64     id of the exited/ending event

``attempts`` — one row per Task / Lambda / Activity attempt (``*Scheduled`` starts a row)
    execution, visit, state, path   as in ``states``
    attempt        int64     1-based within the visit
    kind           category  task | lambda | activity
    resource, resource_type  category
    scheduled, started, ended  datetime64[ns, UTC]  (``ended``: success/failure/timeout/abort)
    queue_ms       float64   started - scheduled
    run_ms         float64   ended - started (ended - scheduled when it never started)
    outcome        category  succeeded | failed | timed_out | schedule_failed | start_failed |
                             submit_failed | aborted | running | incomplete
    error, cause   str
    backoff_ms     float64   this attempt's scheduled - previous attempt's end (the Retry wait);
                             NaN for the first attempt

``executions`` — one row per execution
    execution      category
    state_machine  category  state machine ARN when known
    status         category  SUCCEEDED | FAILED | TIMED_OUT | ABORTED | RUNNING (AWS words), or INCOMPLETE
    start, stop    datetime64[ns, UTC]
    duration_ms    float64
    events         int64     events in the history
    state_entries  int64     ``*StateEntered`` events (every visit, nested ones included)
    retries        int64     sum of ``states.retries`` (Task re-attempts + Map/Parallel re-starts)
    transitions    int64     billable state transitions = state_entries + retries. AWS Standard
                             pricing counts a transition each time a step runs, retries included;
                             Distributed Map children are separate executions (their own rows)
    failures       int64     error origins: failed/timed-out/schedule/start/submit-failed attempts,
                             ``EvaluationFailed``, ``MapRunFailed`` and ``Fail`` states entered;
                             roll-ups (``MapStateFailed``, ``ExecutionFailed``...) are not counted
    error, cause   str       of ``ExecutionFailed``/``TimedOut``/``Aborted``
    complete       bool      False when the loader found missing events or placeholder ids
                             (``ExecutionHistory.problems`` says what); its numbers are best-effort
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from workbench.history._gc import gc_paused
from workbench.history.frames import assemble
from workbench.history.frames.columns import Buffers
from workbench.history.frames.definition_index import DefinitionCache, DefinitionIndex
from workbench.history.frames.walk import walk_batch
from workbench.history.load.batch import Head, iter_batches
from workbench.history.load.events import ExecutionHistory
from workbench.history.load.readers import Source

Histories = ExecutionHistory | Iterable[ExecutionHistory] | Source | Iterable[Source]


def _walk_all(histories: Any, payloads: bool) -> Buffers:  # Any: histories may be any iterable/loader input
    """One pass over every history, a batch of executions at a time (:mod:`~workbench.history.load.batch`)."""
    buf = Buffers(payloads)
    cache = DefinitionCache()

    def index_for(head: Head) -> DefinitionIndex | None:
        return None if head.definition is None else cache.index(head.definition, head.state_machine_arn)

    with gc_paused():
        for batch in iter_batches(histories):
            walk_batch(batch, buf, index_for)
            del batch  # freed now, before the next batch is parsed (see iter_batches)
        buf.settle()
    return buf


@dataclass(eq=False)
class HistoryFrames:
    """The four frames of a set of histories, each built on first access from one shared pass.

    Example:
        >>> import workbench
        >>> run = workbench.run_mission("missions/incident_triage.yaml", time_warp=True, progress=False)
        >>> list(workbench.frames(run).executions["status"])
        ['SUCCEEDED']
    """

    buffers: Buffers = field(repr=False)

    @cached_property
    def events(self) -> pd.DataFrame:
        with gc_paused():
            return assemble.events(self.buffers)

    @cached_property
    def states(self) -> pd.DataFrame:
        with gc_paused():
            return assemble.states(self.buffers)

    @cached_property
    def attempts(self) -> pd.DataFrame:
        with gc_paused():
            return assemble.attempts(self.buffers)

    @cached_property
    def executions(self) -> pd.DataFrame:
        return assemble.executions(self.buffers)

    def __repr__(self) -> str:
        b = self.buffers
        return (f"HistoryFrames({b.n_executions} executions, {b.n_events} events, {b.n_visits} state visits, "
                f"{b.n_attempts} attempts)")


def frames(histories: Histories, *, payloads: bool = False) -> HistoryFrames:
    """Build events/states/attempts/executions frames from histories (or anything ``load_histories`` reads).

    ``payloads=True`` adds ``input``/``output`` JSON text to ``events`` (memory grows with them).

    Example:
        >>> f = frames("../shared/corpus/histories/test_base_scenarios__test_map_state_nested.json")
        >>> f.states.groupby("state").size()["MapL2Pass"]
        np.int64(6)
    """
    return HistoryFrames(_walk_all(histories, payloads))


def events_frame(histories: Histories, *, payloads: bool = False) -> pd.DataFrame:
    """One row per event (columns in this module's docstring).

    Example:
        >>> ev = events_frame("../shared/corpus/histories/test_base__test_state_fail.json")
        >>> list(ev["type"])
        ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']
    """
    return assemble.events(_walk_all(histories, payloads))


def states_frame(histories: Histories) -> pd.DataFrame:
    """One row per state visit, with status, attempts, retries and timings.

    Example:
        >>> path = "../shared/corpus/histories/test_base_scenarios__test_lambda_invoke_with_retry_base.json"
        >>> st = states_frame(path)
        >>> st[["state", "status", "attempts", "retries"]].values.tolist()[0]
        ['InvokeLambdaWithRetry', 'caught', 4, 3]
    """
    return assemble.states(_walk_all(histories, False))


def attempts_frame(histories: Histories) -> pd.DataFrame:
    """One row per Task/Lambda/Activity attempt, with queue/run times and the Retry back-off.

    Example:
        >>> path = "../shared/corpus/histories/test_base_scenarios__test_lambda_invoke_with_retry_base.json"
        >>> at = attempts_frame(path)
        >>> list(at["outcome"])
        ['failed', 'failed', 'failed', 'failed']
    """
    return assemble.attempts(_walk_all(histories, False))


def executions_frame(histories: Histories) -> pd.DataFrame:
    """One row per execution: AWS status, duration, events, transitions (billing), retries, failures.

    Example:
        >>> ex = executions_frame("../shared/corpus/histories/test_base_scenarios__test_map_state_nested.json")
        >>> int(ex.loc[0, "transitions"])
        9
    """
    return assemble.executions(_walk_all(histories, False))
