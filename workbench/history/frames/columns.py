"""Column buffers filled by the walker, and their conversion to typed pandas columns.

Dense columns are plain lists appended once per event; rare detail fields are *sparse*
``(row, value)`` pairs scattered into an array at the end, so a million events cost a few list
appends each. Conversions build numpy arrays and wrap them (``Categorical.from_codes``,
``IntegerArray``, tz-aware ``datetime64[ns, UTC]``) without ever going through row dicts.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.history.load.events import STATE_TYPES

NAT = np.iinfo(np.int64).min


class Chunks:
    """A long numpy column appended to a chunk (one per batch) at a time: one growable buffer, read without a copy.

    Example:
        >>> c = Chunks(np.int64)
        >>> c.append(np.arange(2)); c.append(np.arange(3))
        >>> c.array().tolist()
        [0, 1, 0, 1, 2]
    """

    __slots__ = ("data", "dtype")

    def __init__(self, dtype: Any) -> None:  # Any: a numpy dtype
        self.dtype = np.dtype(dtype)
        self.data = array("d" if self.dtype.kind == "f" else "q")

    def append(self, chunk: np.ndarray) -> None:
        self.data.frombytes(np.ascontiguousarray(chunk, dtype=self.dtype).data.cast("B"))

    def array(self) -> np.ndarray:
        """The whole column, sharing the buffer (no more appends once it has been read)."""
        return np.frombuffer(self.data, dtype=self.dtype) if len(self.data) else np.zeros(0, dtype=self.dtype)


class Sparse:
    """Values for a few rows of a long column (rows in a compact ``array('q')``)."""

    __slots__ = ("rows", "values")

    def __init__(self, ints: bool = False) -> None:
        self.rows = array("q")
        self.values: Any = array("q") if ints else []  # Any: column buffers mix array/list; rows mix cell types

    def add(self, row: int, value: Any) -> None:  # Any: column buffers mix array/list; rows mix cell types
        self.rows.append(row)
        self.values.append(value)


#: Fixed vocabularies: stored as small codes by the walker, turned into fixed categorical dtypes.
VISIT_STATUSES = ("succeeded", "failed", "caught", "aborted", "running", "incomplete")
OUTCOMES = ("succeeded", "failed", "timed_out", "schedule_failed", "start_failed", "submit_failed", "aborted",
            "running", "incomplete")
KINDS = ("task", "lambda", "activity")
STATUS_CODE = {s: i for i, s in enumerate(VISIT_STATUSES)}
STATE_TYPE_CODE = {s: i for i, s in enumerate(STATE_TYPES)}
OUTCOME_CODE = {s: i for i, s in enumerate(OUTCOMES)}
KIND_CODE = {s: i for i, s in enumerate(KINDS)}


#: Layout of one attempt row (a mutable list, updated as the attempt's events arrive).
A_VISIT, A_NUM, A_KIND, A_RES, A_RTYPE, A_SCHED, A_START, A_END, A_OUT, A_ERR, A_CAUSE, A_BACKOFF, A_ROW = range(13)
A_COUNT = 13
#: Layout of one visit row (a list: the walker's working record *is* the output row). Event positions
#: (entered, end) are global event rows, so timestamps and ids are looked up vectorised at assembly.
(V_STATE, V_TYPE, V_PATH, V_DEPTH, V_PARENT, V_ENTERED, V_END, V_STATUS, V_TRIES, V_ERROR, V_CAUSE, V_RETRY,
 V_OPEN, V_FAIL, V_LAST_FAIL, V_OK, V_CUR, V_SCOPE, V_BOX) = range(19)
V_COUNT = 19
#: Visit fields the frames read (the rest is walker bookkeeping; a visit's execution and index within it
#: follow from the visits per execution).
VISIT_OUTPUT = (V_STATE, V_TYPE, V_PATH, V_DEPTH, V_PARENT, V_ENTERED, V_END, V_STATUS, V_TRIES, V_ERROR, V_CAUSE,
                V_RETRY)


class Buffers:
    """Everything one pass over many histories produces; see frames.py for the column meanings.

    Columns run across executions: each history's events are appended to one ``array`` per column, and
    its visit and attempt rows (the walker's working records) wait in a batch that is turned into columns
    every few thousand rows, so no per-execution array or DataFrame is ever made. :meth:`visit_field` /
    :meth:`attempt_field` give whole columns.
    """

    #: Visit/attempt rows held before they are turned into columns (bounded memory, amortised per-call cost).
    BATCH = 512

    def __init__(self, payloads: bool) -> None:
        self.payloads = payloads
        # executions: one tuple per execution (X_* order) until :meth:`settle` makes them columns
        self.x_rows: list[tuple[Any, ...]] = []  # Any: mixed cells
        self.n_executions = 0
        self.x_name: list[str] = []
        self.x_machine: list[str | None] = []
        self.x_status: list[str] = []
        self.x_start = array("d")
        self.x_stop = array("d")
        self.x_events = array("q")
        self.x_failures = array("q")
        self.x_error: list[str | None] = []
        self.x_cause: list[str | None] = []
        self.x_complete: list[bool] = []
        self.e_voffset = array("q")  # first visit row of each execution
        self.x_visits = array("q")  # visits per execution
        # events (dense): one numpy chunk per batch and column, joined when a frame is built
        self.n_events = 0
        self.e_ids = Chunks(np.int64)
        self.e_prevs = Chunks(np.int64)  # -1 = unknown
        self.e_codes = Chunks(np.int64)  # event type codes (events.TYPE_NAMES)
        self.e_ts = Chunks(np.float64)
        self.e_visits = Chunks(np.int64)  # visit index within the execution, -1 = none
        self.e_in_sizes = Chunks(np.int64)  # UTF-8 bytes of the input payload, -1 = none
        self.e_out_sizes = Chunks(np.int64)
        # events (sparse)
        self.e_unknown_id = Sparse()
        self.e_attempt = Sparse(ints=True)  # attempt row of Task/Lambda/Activity events (resource columns)
        self.e_error = Sparse()
        self.e_cause = Sparse()
        self.e_maprun = Sparse()
        self.e_iteration = Sparse(ints=True)
        self.e_input = Sparse()
        self.e_output = Sparse()
        # visits and attempts: columns (V_* / A_* order); numbers in arrays
        self.visit_cols: list[Any] = [_new_column(f, _VISIT_KIND) for f in range(V_COUNT)]  # Any: mixed cells
        self.attempt_cols: list[Any] = [_new_column(f, _ATTEMPT_KIND) for f in range(A_COUNT)]  # Any: mixed cells
        self.pending_visits: list[list[Any]] = []  # Any: mixed cells
        self.pending_attempts: list[list[Any]] = []  # Any: mixed cells
        self.n_visits = 0
        self.n_attempts = 0
        #: One object per distinct name, path, error, resource: the parsed copies are freed with their batch
        #: (less memory, and no small survivors scattered between the freed ones).
        self.strings: dict[str, str] = {}

    def add_execution(self, row: tuple[Any, ...]) -> None:  # Any: mixed cells
        """One execution's row: name, machine, status, start, stop, events, failures, error, cause, complete,
        first visit row, visits."""
        self.x_rows.append(row)
        self.n_executions += 1

    def visit_field(self, field: int) -> Any:  # Any: column buffers mix array/list; rows mix cell types
        """One visit column (a ``V_*`` constant): an ``array`` for numbers and codes, else a list."""
        if self.pending_visits:
            self.settle()
        return self.visit_cols[field]

    def attempt_field(self, field: int) -> Any:  # Any: column buffers mix array/list; rows mix cell types
        """One attempt column (an ``A_*`` constant)."""
        if self.pending_attempts:
            self.settle()
        return self.attempt_cols[field]

    def add_rows(self, visits: list[list[Any]], attempts: list[list[Any]]) -> None:  # Any: mixed cells
        """Take one history's visit and attempt rows (the walker's records: it must not reuse them)."""
        self.pending_visits += visits
        self.pending_attempts += attempts
        self.n_visits += len(visits)
        self.n_attempts += len(attempts)
        if len(self.pending_visits) >= self.BATCH:
            self.settle()

    def settle(self) -> None:
        """Turn the waiting rows into columns, field by field at C speed.

        Only the fields the frames use are copied (the walker's bookkeeping fields are not); statuses,
        types, outcomes and kinds become codes here.
        """
        if self.x_rows:
            columns = (self.x_name, self.x_machine, self.x_status, self.x_start, self.x_stop, self.x_events,
                       self.x_failures, self.x_error, self.x_cause, self.x_complete, self.e_voffset, self.x_visits)
            for i, column in enumerate(columns):
                column.extend(map(_GETTERS[i], self.x_rows))  # type: ignore[attr-defined]
            self.x_rows.clear()
        visits, attempts = self.pending_visits, self.pending_attempts
        for field, kind in _VISIT_KIND.items():
            _extend(self.visit_cols[field], kind, visits, field)
        for field, kind in _ATTEMPT_KIND.items():
            _extend(self.attempt_cols[field], kind, attempts, field)
        visits.clear()
        attempts.clear()


_GETTERS = [itemgetter(i) for i in range(max(V_COUNT, A_COUNT))]
_CODES = {"status": STATUS_CODE, "stype": STATE_TYPE_CODE, "outcome": OUTCOME_CODE, "kind": KIND_CODE}
_VISIT_KIND = {V_STATE: "obj", V_TYPE: "stype", V_PATH: "obj", V_DEPTH: "int", V_PARENT: "int", V_ENTERED: "int",
               V_END: "int", V_STATUS: "status", V_TRIES: "int", V_ERROR: "obj", V_CAUSE: "obj", V_RETRY: "obj",
               }
_ATTEMPT_KIND = {A_VISIT: "int", A_NUM: "int", A_KIND: "kind", A_RES: "obj", A_RTYPE: "obj",
                 A_SCHED: "float", A_START: "float", A_END: "float", A_OUT: "outcome", A_ERR: "obj",
                 A_CAUSE: "obj", A_BACKOFF: "float"}  # A_ROW: the row's own number (walker bookkeeping)


def _new_column(field: int, kinds: dict[int, str]) -> Any:  # Any: column buffers mix array/list; rows mix cell types
    kind = kinds.get(field, "obj")
    return [] if kind == "obj" else array("d" if kind == "float" else "q")


def _extend(column: Any, kind: str, rows: list[list[Any]], field: int) -> None:  # Any: mixed cells
    values = list(map(_GETTERS[field], rows))
    if kind in _CODES:
        values = list(map(_CODES[kind].__getitem__, values))
    if kind == "obj":
        column += values
    else:
        column += array(column.typecode, values)  # array(list) is twice as fast as array.extend(list)


# --- conversions -----------------------------------------------------------------------------------
def concat(chunks: Sequence[Any], dtype: type) -> np.ndarray:  # Any: column buffers mix array/list; rows mix cell types
    """Per-history arrays (numpy, ``array.array`` or lists) → one numpy array."""
    if not chunks:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([c if isinstance(c, np.ndarray) else np.asarray(c, dtype=dtype) for c in chunks])


def timestamps(seconds: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Epoch seconds (float, NaN = unknown) → ``datetime64[ns, UTC]``, exact to the microsecond."""
    ns = np.full(seconds.shape, NAT, dtype=np.int64)
    ok = ~np.isnan(seconds)
    ns[ok] = np.round(seconds[ok] * 1e6).astype(np.int64) * 1000
    return pd.Series(ns.view("M8[ns]"), copy=False).dt.tz_localize("UTC").array


def millis(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """(later - earlier) in ms from epoch seconds, rounded to the microsecond; NaN propagates.

    A negative result (timestamps running backwards; the loader warns) is NaN: a duration is never negative.
    """
    return nonnegative(np.round((later - earlier) * 1e6) / 1e3)


def nonnegative(ms: np.ndarray) -> np.ndarray:
    """Durations with negative values (impossible: backwards timestamps) replaced by NaN, in place."""
    ms[ms < 0] = np.nan
    return ms


def floats(values: Sequence[float]) -> np.ndarray:
    if isinstance(values, array):
        return np.frombuffer(values, dtype=np.float64).copy() if len(values) else np.zeros(0)
    return np.asarray(values, dtype=np.float64)


def ints(values: Sequence[int]) -> np.ndarray:
    if isinstance(values, array):
        return np.frombuffer(values, dtype=np.int64).copy() if len(values) else np.zeros(0, dtype=np.int64)
    return np.asarray(values, dtype=np.int64)


def coded(codes: Sequence[int], vocabulary: tuple[str, ...]) -> pd.Categorical:
    """Codes into a fixed vocabulary → categorical with that fixed dtype."""
    return pd.Categorical.from_codes(ints(codes), categories=pd.Index(vocabulary, dtype="str"))


def category(values: Sequence[Any]) -> pd.Categorical:  # Any: column buffers mix array/list; rows mix cell types
    """Strings (None = missing) → categorical, categories in order of first appearance."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))


def category_from_codes(rows: np.ndarray, values: Sequence[Any]) -> pd.Categorical:  # Any: mixed cells
    """Categorical for rows that index into ``values`` (row -1 = missing)."""
    vcodes, uniques = pd.factorize(np.asarray(values, dtype=object))
    if len(vcodes) == 0:
        return pd.Categorical.from_codes(np.full(len(rows), -1), categories=pd.Index([], dtype="str"))
    out = np.where(rows >= 0, vcodes[np.maximum(rows, 0)], -1)
    return pd.Categorical.from_codes(out, categories=pd.Index(uniques, dtype="str"))


def fixed(values: Sequence[str], vocabulary: tuple[str, ...] | list[str]) -> pd.Categorical:
    """Categorical over a fixed vocabulary (stable dtype), extended by values outside it."""
    index = pd.Index(list(vocabulary), dtype="str")
    arr = np.asarray(values, dtype=object)
    codes = index.get_indexer(arr) if len(arr) else np.zeros(0, dtype=np.int64)
    if (codes < 0).any():
        index = pd.Index([*vocabulary, *sorted(set(arr[codes < 0]))], dtype="str")
        codes = index.get_indexer(arr)
    return pd.Categorical.from_codes(codes, categories=index)


def strings(values: Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    """Python strings (None = missing) → pandas ``str`` (Arrow-backed) without a per-row Python pass."""
    return pd.array(pa.array(list(values), type=pa.large_string()), dtype="str")


def sparse_strings(n: int, sparse: Sparse) -> pd.api.extensions.ExtensionArray:
    values = pa.array(sparse.values, type=pa.large_string())
    index = np.full(n, -1, dtype=np.int64)
    if sparse.rows:
        index[ints(sparse.rows)] = np.arange(len(sparse.rows))
    return pd.array(values.take(pa.array(index, mask=index < 0)), dtype="str")


def nullable_ints(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int64), missing)


def sparse_ints(n: int, sparse: Sparse) -> pd.arrays.IntegerArray:
    values = np.zeros(n, dtype=np.int64)
    missing = np.ones(n, dtype=bool)
    if sparse.rows:
        rows = ints(sparse.rows)
        values[rows] = ints(sparse.values)
        missing[rows] = False
    return pd.arrays.IntegerArray(values, missing)
