"""Many executions' events at once, in flat columns across executions (what ``frames()`` walks).

Real fleets are mostly small executions (~11 events), so what costs is per execution, not per event: a
Python object per history, a function call per check, a small array per column. :func:`build_batch` reads
the wire-format histories of a batch with one C-speed pass per column over all their events, checks them
all with numpy (ids 1..n in order, links that point back, time that never runs backwards, known types),
and normalises one by one (:func:`~workbench.history.load.normalise.normalise`, with its warnings) only the
executions that fail a check. Already-built :class:`ExecutionHistory` objects join the batch as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np

from workbench.history._types import JsonDict
from workbench.history.load.events import (
    DETAILS_KEYS,
    EMPTY_DETAILS,
    HISTORY_EVENT_TYPES,
    MAX_HISTORY_EVENTS,
    TYPE_CODES,
    EventColumns,
    ExecutionHistory,
)
from workbench.history.load.normalise import machine_from_arn, truncation
from workbench.history.load.readers import Pending, content_name, iter_pending

_NO_IDS: frozenset[int] = frozenset()
_INT, _FLOAT, _DICT, _STR = {int}, {float}, {dict}, {str}
_KNOWN = len(HISTORY_EVENT_TYPES)
_DETAILS = {dict, type(EMPTY_DETAILS)}
_TYPE, _ID, _PREV, _TS = (itemgetter(k) for k in ("type", "id", "previousEventId", "timestamp"))


class Head(NamedTuple):
    """What the frames need of one execution besides its events (see :class:`ExecutionHistory`)."""

    execution_arn: str
    state_machine_arn: str | None
    definition: JsonDict | None
    synthetic_ids: frozenset[int]
    truncated: str | None
    complete: bool


class EventBatch:
    """Events of many executions in flat columns, in execution order; execution ``i`` owns rows
    ``starts[i]:starts[i + 1]``. What the walker reads is in lists (``codes``, ``ts``, ``details``; ``prows``:
    each event's predecessor row in the batch, -1: none, the ``previousEventId`` is 0; -2: unknown); the
    ``ids``/``prevs``/``times`` columns are numpy chunks; ``unknown`` lists the rows whose ids were synthesised.

    Example:
        >>> from workbench.history.load.readers import iter_pending
        >>> doc = b'{"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.0},' \\
        ...       b' {"id": 2, "previousEventId": 1, "type": "ExecutionSucceeded", "timestamp": 2.0}]}'
        >>> b = build_batch(iter_pending([doc, doc]), strict=False)
        >>> len(b), b.starts, b.prows, b.ids().tolist()
        (4, [0, 2, 4], [-1, 0, -1, 2], [1, 2, 1, 2])
    """

    __slots__ = ("codes", "details", "heads", "id_parts", "prev_parts", "prows", "starts", "time_parts", "ts",
                 "unknown")

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.ts: list[float] = []
        self.details: list[Any] = []  # Any: decoded JSON objects
        self.prows: list[int] = []
        self.heads: list[Head] = []
        self.starts: list[int] = [0]
        self.unknown: list[int] = []
        self.id_parts: list[np.ndarray] = []
        self.prev_parts: list[np.ndarray] = []
        self.time_parts: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.codes)

    def ids(self) -> np.ndarray:
        """Every event's id."""
        return _joined(self.id_parts)

    def prevs(self) -> np.ndarray:
        """Every event's ``previousEventId`` (-1: unknown)."""
        return _joined(self.prev_parts)

    def times(self) -> np.ndarray:
        """Every event's time, epoch seconds (NaN: unknown)."""
        return _joined(self.time_parts, np.float64)

    def add_history(self, h: ExecutionHistory) -> None:
        """Append one built history."""
        cols = h.columns
        s = len(self.codes)
        self.prows += _prows(cols, h.synthetic_ids, s)
        if h.synthetic_ids:
            self.unknown += [s + k for k, i in enumerate(cols.ids) if i in h.synthetic_ids]
        self.codes += cols.codes
        self.ts += cols.ts
        self.details += cols.details
        self.id_parts.append(np.asarray(cols.ids, dtype=np.int64))
        self.prev_parts.append(np.asarray(cols.prevs, dtype=np.int64))
        self.time_parts.append(np.asarray(cols.ts, dtype=np.float64))
        self.heads.append(Head(h.execution_arn, h.state_machine_arn, h.definition, h.synthetic_ids, h.truncated,
                               h.complete))
        self.starts.append(len(self.codes))


def _joined(parts: list[np.ndarray], dtype: Any = np.int64) -> np.ndarray:  # Any: a numpy dtype
    if len(parts) != 1:
        parts[:] = [np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)]
    return parts[0]


def _prows(cols: EventColumns, synthetic: frozenset[int], s: int) -> list[int]:
    """Predecessor rows of one history's events (batch rows from ``s``): what the walker follows."""
    ids, n = cols.ids, len(cols.ids)
    if not synthetic and n and ids[0] == 1 and ids[-1] == n:  # contiguous: the row is the id
        return [-1 if pid == 0 else (s + pid - 1 if 0 < pid < eid else -2) for eid, pid in zip(ids, cols.prevs,
                                                                                            strict=True)]
    pos = {i: s + k for k, i in enumerate(ids)}
    return [(-1 if pid == 0 else -2) if pid <= 0 else (-2 if pid in synthetic else pos.get(pid, -2))
            for pid in cols.prevs]


#: Events per batch: enough that per-batch costs vanish, few enough that the batch's parsed JSON stays in the
#: CPU cache (measured: parsing costs twice as much once a batch outgrows it, around 500 small executions).
BATCH_EVENTS = 512


def iter_batches(sources: Any, *, strict: bool = False,  # Any: whatever load_histories reads
                 events: int = BATCH_EVENTS) -> Iterator[EventBatch]:
    """Every execution of ``sources`` (anything ``load_histories`` reads), in :class:`EventBatch` es of about
    ``events`` events, in order. Empty histories are skipped.

    Example:
        >>> files = ["../shared/corpus/histories/test_base__test_state_fail.json"] * 5
        >>> [len(b.heads) for b in iter_batches(files, events=6)]
        [2, 2, 1]
    """
    items: list[ExecutionHistory | Pending] = []
    size = 0
    for item in iter_pending(sources):
        n = len(item) if isinstance(item, ExecutionHistory) else len(item.raw.events) or 1
        if isinstance(item, ExecutionHistory) and not n:
            continue
        items.append(item)
        size += n
        if size >= events:
            yield _built(items, strict)
            size = 0
    if items:
        yield _built(items, strict)


def _built(items: list[ExecutionHistory | Pending], strict: bool) -> EventBatch:
    """The batch of ``items``, which are let go of (emptied) so that, once the caller lets go of the batch too,
    its parsed JSON is freed before the next batch is parsed (into the memory just freed, still in cache)."""
    batch = build_batch(items, strict=strict)
    items.clear()
    return batch


def build_batch(items: Iterable[ExecutionHistory | Pending], *, strict: bool) -> EventBatch:
    """One :class:`EventBatch` of ``items`` (from :func:`~workbench.history.load.readers.iter_pending`), in order.

    Example:
        >>> from workbench.history.load.readers import iter_pending
        >>> b = build_batch(iter_pending("../shared/corpus/histories/test_base__test_state_fail.json"), strict=False)
        >>> b.heads[0].execution_arn, len(b)
        ('test_base__test_state_fail', 3)
    """
    batch = EventBatch()
    run: list[Pending] = []
    for item in items:
        if type(item) is Pending and item.raw.fmt == "api":
            run.append(item)
            continue
        if run:
            _add_run(batch, run, strict)
            run = []
        batch.add_history(item if isinstance(item, ExecutionHistory) else item.load(strict))
    if run:
        _add_run(batch, run, strict)
    return batch


def _add_run(batch: EventBatch, run: list[Pending], strict: bool) -> None:
    """Append wire-format histories: checked all at once; those that fail a check are normalised alone."""
    flat: list[Any] = []  # Any: events are JSON from files / the API
    ns: list[int] = []
    for p in run:
        flat += p.raw.events
        ns.append(len(p.raw.events))
    cols, bad = _columns(flat, ns)
    del flat
    ids, prevs, codes, ts, details = cols
    bounds = np.zeros(len(ns) + 1, dtype=np.int64)
    np.cumsum(ns, out=bounds[1:])
    bad |= _truncated(run, codes, bounds)
    some_bad = bool(bad.any())
    ids_a = np.asarray(_cleaned(ids, bad, bounds) if some_bad else ids, dtype=np.int64)
    prevs_a = np.asarray(_cleaned(prevs, bad, bounds) if some_bad else prevs, dtype=np.int64)
    ts_a = np.asarray(ts, dtype=np.float64)
    bad |= _checks(ids_a, prevs_a, ts_a, ns, bounds)
    s0 = len(batch.codes)
    prows = _good_prows(ids_a, prevs_a, ns, bounds, s0)
    heads = batch.heads
    edges, rejected = bounds.tolist(), bad.tolist()  # Python ints and bools: cheaper to read one by one
    for i, p in enumerate(run):
        a, b = edges[i], edges[i + 1]
        if rejected[i]:
            h = p.load(strict)
            hc = h.columns
            codes[a:b], ts[a:b], details[a:b] = hc.codes, hc.ts, hc.details
            ids_a[a:b], prevs_a[a:b], ts_a[a:b] = hc.ids, hc.prevs, hc.ts
            prows[a:b] = _prows(hc, h.synthetic_ids, s0 + a)
            if h.synthetic_ids:
                batch.unknown += [s0 + a + k for k, i in enumerate(hc.ids) if i in h.synthetic_ids]
            heads.append(Head(h.execution_arn, h.state_machine_arn, h.definition, h.synthetic_ids, h.truncated,
                              h.complete))
            continue
        raw = p.raw
        arn = p.arn or content_name(b - a, ts[a], ts[b - 1], details[a].get("input"))
        heads.append(Head(arn, raw.machine or machine_from_arn(raw.arn), raw.definition, _NO_IDS, None, True))
    batch.codes += codes
    batch.ts += ts
    batch.details += details
    batch.prows += prows
    batch.id_parts.append(ids_a)
    batch.prev_parts.append(prevs_a)
    batch.time_parts.append(ts_a)
    batch.starts.extend((bounds[1:] + s0).tolist())


class _Columns(NamedTuple):
    """One batch's raw columns (lists: the one-by-one path overwrites the executions it normalises)."""

    ids: list[Any]  # Any: JSON cells, checked before use
    prevs: list[Any]
    codes: list[int]
    ts: list[Any]
    details: list[Any]


def _columns(flat: list[Any], ns: list[int]) -> tuple[_Columns, np.ndarray]:  # Any: JSON events
    """The five columns of every event (C-speed passes), and which executions need the one-by-one path."""
    bad = np.array([n == 0 or n >= MAX_HISTORY_EVENTS for n in ns], dtype=bool)
    try:  # an event that is not an object, a field missing, an unknown or unhashable type: checked one by one
        codes: list[int] = list(map(TYPE_CODES.__getitem__, map(_TYPE, flat)))
        ids = list(map(_ID, flat))
        prevs = list(map(_PREV, flat))
        ts = list(map(_TS, flat))
        details = list(map(dict.get, flat, map(DETAILS_KEYS.__getitem__, codes), repeat(EMPTY_DETAILS)))
    except (KeyError, TypeError, IndexError):
        codes, ids, prevs, ts, details = _read_checked(flat, ns, bad)
    if codes and max(codes) >= _KNOWN:  # a type this version had to register: the loader warns about it
        bad |= _segments_bad(codes, ns, lambda seg: max(seg) >= _KNOWN)
    for col in (ids, prevs):
        if set(map(type, col)) != _INT:
            bad |= _segments_bad(col, ns, lambda seg: set(map(type, seg)) != _INT)
    kinds = set(map(type, ts))
    if kinds != _FLOAT:
        if not kinds <= {float, int}:
            bad |= _segments_bad(ts, ns, lambda seg: not set(map(type, seg)) <= {float, int})
        ts = [float(t) if type(t) is int else t if type(t) is float else 0.0 for t in ts]
    if not set(map(type, details)) <= _DETAILS:
        bad |= _segments_bad(details, ns, lambda seg: not set(map(type, seg)) <= _DETAILS)
    return _Columns(ids, prevs, codes, ts, details), bad


def _read_checked(flat: list[Any], ns: list[int], bad: np.ndarray) -> tuple[list[int], list[Any], list[Any],  # Any
                                                                                list[Any], list[Any]]:
    """:func:`_columns` for a batch with malformed events: every field read with a default; the executions
    with a malformed event or an unknown type are marked in ``bad``."""
    if set(map(type, flat)) != _DICT:
        bad |= _segments_bad(flat, ns, lambda seg: set(map(type, seg)) != _DICT)
        flat = [e if type(e) is dict else {} for e in flat]
    get = dict.get
    types: list[Any] = list(map(get, flat, repeat("type")))  # Any: JSON cells, checked here
    if set(map(type, types)) != _STR:
        bad |= _segments_bad(types, ns, lambda seg: set(map(type, seg)) != _STR)
        types = [t if type(t) is str else "" for t in types]
    found: list[int | None] = [TYPE_CODES.get(t) for t in types]
    if None in found:
        bad |= _segments_bad(found, ns, lambda seg: None in seg)
    codes = [0 if c is None else c for c in found]
    details = list(map(get, flat, map(DETAILS_KEYS.__getitem__, codes), repeat(EMPTY_DETAILS)))
    return (codes, list(map(get, flat, repeat("id"))), list(map(get, flat, repeat("previousEventId"))),
            list(map(get, flat, repeat("timestamp"))), details)


def _segments_bad(col: Sequence[Any], ns: list[int], is_bad: Any) -> np.ndarray:  # Any: cells, a predicate
    out = np.zeros(len(ns), dtype=bool)
    a = 0
    for i, n in enumerate(ns):
        out[i] = bool(n) and is_bad(col[a:a + n])
        a += n
    return out


def _cleaned(col: list[Any], bad: np.ndarray, bounds: np.ndarray) -> list[Any]:  # Any: JSON cells
    """``col`` with the bad executions' cells zeroed (so numpy can take the rest as ints)."""
    out = list(col)
    for i in np.flatnonzero(bad):
        a, b = int(bounds[i]), int(bounds[i + 1])
        out[a:b] = [0] * (b - a)
    return out


def _checks(ids: np.ndarray, prevs: np.ndarray, ts: np.ndarray, ns: list[int], bounds: np.ndarray) -> np.ndarray:
    """Executions the fast path cannot take as they are: ids not 1..n in order, a link that does not point
    back, time running backwards, millisecond timestamps (all warned about or fixed one by one)."""
    m, total = len(ns), int(bounds[-1])
    if total == 0:
        return np.zeros(m, dtype=bool)
    owner = np.repeat(np.arange(m), ns)
    local = np.arange(total, dtype=np.int64) - np.repeat(bounds[:-1], ns)
    wrong = (ids != local + 1) | (prevs >= ids) | ~(ts < 1e11)  # NaN compares False: wrong too
    wrong[1:] |= (ts[1:] < ts[:-1]) & (local[1:] > 0)
    return np.bincount(owner, weights=wrong, minlength=m) > 0


def _good_prows(ids: np.ndarray, prevs: np.ndarray, ns: list[int], bounds: np.ndarray, s0: int) -> list[int]:
    """Predecessor rows for contiguous histories, all at once (rows of bad executions are replaced later)."""
    if not len(ids):
        return []
    starts = np.repeat(bounds[:-1], ns) + s0
    rows = np.where((prevs > 0) & (prevs < ids), starts + prevs - 1, -2)
    rows[prevs == 0] = -1
    return rows.tolist()  # type: ignore[no-any-return]


def _truncated(run: list[Pending], codes: Sequence[int], bounds: np.ndarray) -> np.ndarray:
    """Histories that stop before their end (a pending nextToken, a finished execution without its end event)."""
    out = np.zeros(len(run), dtype=bool)
    for i, p in enumerate(run):
        raw = p.raw
        if raw.next_token is not None or raw.declared_status is not None:
            out[i] = truncation(raw, codes[int(bounds[i]):int(bounds[i + 1])]) is not None
    return out


__all__ = ["BATCH_EVENTS", "EventBatch", "Head", "build_batch", "iter_batches"]
