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
A_EXEC, A_VISIT, A_NUM, A_KIND, A_RES, A_RTYPE, A_SCHED, A_START, A_END, A_OUT, A_ERR, A_CAUSE, A_BACKOFF, A_ROW = \
    range(14)
A_COUNT = 14
#: Layout of one visit row (a list: the walker's working record *is* the output row). Event positions
#: (entered, end) are global event rows, so timestamps and ids are looked up vectorised at assembly.
(V_STATE, V_TYPE, V_PATH, V_DEPTH, V_PARENT, V_ENTERED, V_END, V_STATUS, V_TRIES, V_ERROR, V_CAUSE, V_RETRY,
 V_OPEN, V_FAIL, V_LAST_FAIL, V_OK, V_CUR, V_SCOPE, V_BOX, V_EXEC, V_INDEX) = range(21)
V_COUNT = 21
#: Visit fields the frames read (the rest is walker bookkeeping).
VISIT_OUTPUT = (V_STATE, V_TYPE, V_PATH, V_DEPTH, V_PARENT, V_ENTERED, V_END, V_STATUS, V_TRIES, V_ERROR, V_CAUSE,
                V_RETRY, V_EXEC, V_INDEX)


class Buffers:
    """Everything one pass over many histories produces; see frames.py for the column meanings.

    Events are kept as per-history column chunks, visits and attempts as one list per row (the
    walker's working records); :meth:`visit_field`/:meth:`attempt_field` extract columns at C speed.
    """

    def __init__(self, payloads: bool) -> None:
        self.payloads = payloads
        # executions
        self.x_name: list[str] = []
        self.x_machine: list[str | None] = []
        self.x_status: list[str] = []
        self.x_start: list[float] = []
        self.x_stop: list[float] = []
        self.x_events: list[int] = []
        self.x_failures: list[int] = []
        self.x_error: list[str | None] = []
        self.x_cause: list[str | None] = []
        self.x_complete: list[bool] = []
        # events (dense, one chunk per history: the history's own column lists)
        self.n_events = 0
        self.e_ids: list[np.ndarray] = []
        self.e_prevs: list[np.ndarray] = []  # -1 = unknown
        self.e_codes: list[np.ndarray] = []  # event type codes (events.TYPE_NAMES)
        self.e_ts: list[np.ndarray] = []
        self.e_visits: list[np.ndarray] = []  # visit index within the execution, -1 = none
        self.e_in_sizes: list[np.ndarray] = []  # UTF-8 bytes of the input payload, -1 = none
        self.e_out_sizes: list[np.ndarray] = []
        self.e_voffset: list[int] = []  # first visit row of each execution
        self.x_visits: list[int] = []  # visits per execution
        # events (sparse)
        self.e_unknown_id = Sparse()
        self.e_attempt = Sparse(ints=True)  # attempt row of Task/Lambda/Activity events (resource columns)
        self.e_error = Sparse()
        self.e_cause = Sparse()
        self.e_maprun = Sparse()
        self.e_iteration = Sparse(ints=True)
        self.e_input = Sparse()
        self.e_output = Sparse()
        # visits and attempts: columns (V_* / A_* order) extended once per history; numbers in arrays
        self.visit_cols: list[Any] = [_new_column(f, _VISIT_KIND) for f in range(V_COUNT)]  # Any: mixed cells
        self.attempt_cols: list[Any] = [_new_column(f, _ATTEMPT_KIND) for f in range(A_COUNT)]  # Any: mixed cells
        self.n_visits = 0
        self.n_attempts = 0

    def visit_field(self, field: int) -> Any:  # Any: column buffers mix array/list; rows mix cell types
        """One visit column (a ``V_*`` constant): an ``array`` for numbers and codes, else a list."""
        return self.visit_cols[field]

    def attempt_field(self, field: int) -> Any:  # Any: column buffers mix array/list; rows mix cell types
        """One attempt column (an ``A_*`` constant)."""
        return self.attempt_cols[field]

    def add_rows(self, visits: list[list[Any]], attempts: list[list[Any]]) -> None:  # Any: mixed cells
        """Append one history's visit and attempt rows, column by column while they are hot in the CPU cache.

        Only the fields the frames use are copied (the walker's bookkeeping fields are not); statuses,
        types, outcomes and kinds become codes here.
        """
        for field, kind in _VISIT_KIND.items():
            _extend(self.visit_cols[field], kind, visits, field)
        for field, kind in _ATTEMPT_KIND.items():
            _extend(self.attempt_cols[field], kind, attempts, field)
        self.n_visits += len(visits)
        self.n_attempts += len(attempts)


_GETTERS = [itemgetter(i) for i in range(max(V_COUNT, A_COUNT))]
_CODES = {"status": STATUS_CODE, "stype": STATE_TYPE_CODE, "outcome": OUTCOME_CODE, "kind": KIND_CODE}
_VISIT_KIND = {V_STATE: "obj", V_TYPE: "stype", V_PATH: "obj", V_DEPTH: "int", V_PARENT: "int", V_ENTERED: "int",
               V_END: "int", V_STATUS: "status", V_TRIES: "int", V_ERROR: "obj", V_CAUSE: "obj", V_RETRY: "obj",
               V_EXEC: "int", V_INDEX: "int"}
_ATTEMPT_KIND = {A_EXEC: "int", A_VISIT: "int", A_NUM: "int", A_KIND: "kind", A_RES: "obj", A_RTYPE: "obj",
                 A_SCHED: "float", A_START: "float", A_END: "float", A_OUT: "outcome", A_ERR: "obj",
                 A_CAUSE: "obj", A_BACKOFF: "float", A_ROW: "int"}


def _new_column(field: int, kinds: dict[int, str]) -> Any:  # Any: column buffers mix array/list; rows mix cell types
    kind = kinds.get(field, "obj")
    return [] if kind == "obj" else array("d" if kind == "float" else "q")


def _extend(column: Any, kind: str, rows: list[list[Any]], field: int) -> None:  # Any: mixed cells
    values = map(_GETTERS[field], rows)
    if kind in _CODES:
        column.extend(map(_CODES[kind].__getitem__, values))
    else:
        column.extend(values)


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
