"""Fleet shapes for benchmarks: the real corpus replicated to N events, and the synthetic large shape.

Real fleets are mostly small executions (the 118 corpus recordings average ~11 events). :func:`real_fleet`
replicates those recordings, keeping their real payloads and details, as blobs in our fetch-cache format
(``{"executionArn", "stateMachineArn", "definition", "events"}``, wire-format events as
``GetExecutionHistory`` returns them: epoch-second timestamps, payloads as JSON text). Each copy gets a fresh
execution ARN and a start time; copies are streamed in start order, spread evenly over ``days`` UTC days
ending 2026-12-01, so the generator holds only the recordings' templates (bounded memory at any size).

The recordings hide their timestamps (placeholders): each recording gets one deterministic timeline (task
runs of 0.05-1.5 s, retries backing off 1-3 s, waits of 1-5 s, a few ms between other events), the same for
every copy, shifted to the copy's start. So a copy's frames equal every other copy's apart from ARN and time
shift, and the original's apart from those and the invented times.

The five recordings whose Parallel events the recorder normalised (placeholder ids, dropped events: the
corpus INDEX marks them ``parallel_events_normalised``) are left out: AWS never sends such histories, and
their copies would measure the loader's best-effort repair of damaged files, not a fleet.

:func:`synthetic_fleet` is the synthetic large shape of ``tests.history.synthetic`` (~430 events/execution).

Example:
    >>> import orjson
    >>> blob = next(real_fleet(100))
    >>> sorted(orjson.loads(blob))
    ['definition', 'events', 'executionArn', 'stateMachineArn']
"""

from __future__ import annotations

import hashlib
import os
import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from workbench.history.load.events import (
    ATTEMPT_FAILED,
    ATTEMPT_STARTED,
    ATTEMPT_SUCCEEDED,
    DETAILS_KEYS,
    EXITED,
    SCHEDULED,
    SUBMITTED,
    TIMED_OUT,
    TYPE_METAS,
    TYPE_NAMES,
    ExecutionHistory,
    HistoryWarning,
)
from workbench.history.load.readers import history_files, load_history

REPO = Path(__file__).resolve().parents[1]
#: The shared corpus of real recorded histories (``../shared/corpus/histories`` from the repository, or
#: ``$WORKBENCH_CORPUS/histories``).
CORPUS = Path(os.environ.get("WORKBENCH_CORPUS", REPO.parent / "shared" / "corpus")) / "histories"
REGION, ACCOUNT = "us-east-1", "123456789012"
#: The last day of the real fleet (UTC); copies start over the ``days`` days ending here.
LAST_DAY = datetime(2026, 12, 1, tzinfo=UTC)

_TS = b'"@@WB_TS@@"'
_ARN = b'"@@WB_ARN@@"'
_PAYLOADS = ("input", "output", "cause", "parameters")


@dataclass(frozen=True)
class Recording:
    """One corpus recording ready to copy: its blob cut around the execution ARN and the timestamps.

    ``offsets_ms`` are the events' times from the execution's start; ``pieces`` are the blob's bytes between
    the ARN (first gap) and each event's timestamp (the other gaps).

    Example:
        >>> import orjson
        >>> r = load_recording(CORPUS / "test_base__test_state_fail.json")
        >>> doc = orjson.loads(r.blob("arn:aws:states:us-east-1:123456789012:execution:M:1", 1_764_547_200_000))
        >>> doc["events"][0]["timestamp"], len(doc["events"]) == r.n_events
        (1764547200.0, True)
    """

    name: str
    path: Path
    n_events: int
    offsets_ms: tuple[int, ...]
    pieces: tuple[bytes, ...]

    def blob(self, execution_arn: str, start_ms: int) -> bytes:
        """The recording as one execution named ``execution_arn`` that started at ``start_ms`` (epoch ms)."""
        parts = [self.pieces[0], orjson.dumps(execution_arn)]
        for piece, offset in zip(self.pieces[1:], self.offsets_ms, strict=False):
            parts.append(piece)
            ms = start_ms + offset
            parts.append(b"%d.%03d" % divmod(ms, 1000))
        parts.append(self.pieces[-1])
        return b"".join(parts)


def machine_name(stem: str) -> str:
    """A valid state machine name for a recording (its file name; at most 80 of ``[A-Za-z0-9_-]``).

    Example:
        >>> machine_name("test_map__reader_csv__1.5")
        'test_map__reader_csv__1_5'
    """
    name = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in stem)
    if len(name) > 80:
        name = name[:71] + "_" + hashlib.blake2b(stem.encode(), digest_size=4).hexdigest()
    return name


def _timeline(codes: list[int], rng: random.Random) -> tuple[int, ...]:
    """Invented, plausible event times (ms from the start), strictly increasing in history order."""
    out, t, prev_role = [0], 0, -1
    for code in codes[1:]:
        role = TYPE_METAS[code].role
        if role in (ATTEMPT_SUCCEEDED, ATTEMPT_FAILED, TIMED_OUT, SUBMITTED):
            t += rng.randint(50, 1500)  # the task ran
        elif role == SCHEDULED and prev_role in (ATTEMPT_FAILED, TIMED_OUT):
            t += rng.randint(1000, 3000)  # a Retry backed off
        elif role == ATTEMPT_STARTED:
            t += rng.randint(10, 60)
        elif role == EXITED and TYPE_NAMES[code] == "WaitStateExited":
            t += rng.randint(1000, 5000)
        else:
            t += rng.randint(1, 20)
        out.append(t)
        prev_role = role
    return tuple(out)


def _wire_details(details: Any) -> dict[str, Any]:  # Any: decoded JSON
    """Details as the API sends them: payloads and assigned variables as JSON text."""
    out = dict(details)
    for f in _PAYLOADS:
        v = out.get(f)
        if v is not None and type(v) is not str:
            out[f] = orjson.dumps(v).decode()
    assigned = out.get("assignedVariables")
    if isinstance(assigned, dict):
        out["assignedVariables"] = {k: v if type(v) is str else orjson.dumps(v).decode() for k, v in assigned.items()}
    return out


def _load(path: Path) -> ExecutionHistory:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HistoryWarning)  # normalised recordings warn; they are left out
        return load_history(path)


def load_recording(path: Path, seed: int = 0) -> Recording:
    """One corpus recording, in the order and with the details the loader gives it, ready to copy.

    Example:
        >>> r = load_recording(CORPUS / "test_base__test_state_fail.json")
        >>> r.name, r.n_events, r.offsets_ms[0]
        ('test_base__test_state_fail', 3, 0)
    """
    return _recording(path, _load(path), seed)


def _recording(path: Path, h: ExecutionHistory, seed: int) -> Recording:
    if h.synthetic_ids:
        raise ValueError(f"{path}: its ids are placeholders (a normalised recording); AWS never sends those")
    cols = h.columns
    name = machine_name(path.stem)
    events: list[dict[str, Any]] = []  # Any: wire JSON
    for eid, prev, code, details in zip(cols.ids, cols.prevs, cols.codes, cols.details, strict=True):
        ev: dict[str, Any] = {"timestamp": "@@WB_TS@@", "type": TYPE_NAMES[code], "id": eid,  # Any: wire JSON
                              "previousEventId": prev}
        key = DETAILS_KEYS[code]
        if details:
            if key is None:
                raise ValueError(f"{path}: event {eid} ({TYPE_NAMES[code]}) has details the API does not send")
            ev[key] = _wire_details(details)
        events.append(ev)
    doc = {"executionArn": "@@WB_ARN@@",
           "stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}",
           "definition": h.definition, "events": events}
    raw = orjson.dumps(doc)
    head, rest = raw.split(_ARN)
    pieces = (head, *rest.split(_TS))
    if len(pieces) != len(events) + 2:
        raise ValueError(f"{path}: a payload contains the template's markers")
    rng = random.Random(f"{seed}:{path.name}")
    return Recording(name, path, len(events), _timeline(list(cols.codes), rng), pieces)


def recordings(corpus: Path = CORPUS, seed: int = 0) -> list[Recording]:
    """Every recording of the corpus that AWS could have sent (see the module's docstring), in file order.

    Example:
        >>> len(recordings())
        113
    """
    out = []
    for path in history_files(corpus):
        h = _load(path)
        if not h.synthetic_ids:
            out.append(_recording(path, h, seed))
    return out


def _execution_id(rng: random.Random, copy: int) -> str:
    """UUID-shaped and unique per copy (its last group is the copy number)."""
    r = rng.getrandbits(64)
    return f"{r >> 32:08x}-{r >> 16 & 0xFFFF:04x}-4{r >> 4 & 0xFFF:03x}-{8 | r & 3:x}{r >> 48 & 0xFFF:03x}-{copy:012x}"


def real_fleet(n_events: int, *, days: int = 7, seed: int = 0, corpus: Path = CORPUS) -> Iterator[bytes]:
    """The corpus replicated to about ``n_events`` events: one fetch-cache JSON blob per execution, streamed.

    Copies cycle through the recordings in a seeded order (every recording as often as the others), each with
    a fresh execution ARN under its recording's state machine name, starting in time order evenly over the
    ``days`` UTC days ending 2026-12-01. The same arguments always give the same bytes.

    Example:
        >>> import orjson
        >>> docs = [orjson.loads(b) for b in real_fleet(500, days=2)]
        >>> sum(len(d["events"]) for d in docs) >= 500, len({d["executionArn"] for d in docs}) == len(docs)
        (True, True)
        >>> docs[0]["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:")
        True
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    recs = recordings(corpus, seed)
    if not recs:
        raise ValueError(f"no recordings in {corpus}")
    rng = random.Random(seed)
    order = list(range(len(recs)))
    rng.shuffle(order)
    cycle = [recs[i] for i in order]
    per_cycle = sum(r.n_events for r in cycle)
    full, rest = divmod(max(n_events, 1), per_cycle)
    n_copies = full * len(cycle)
    while rest > 0:
        rest -= cycle[n_copies % len(cycle)].n_events
        n_copies += 1
    first_ms = int((LAST_DAY - timedelta(days=days - 1)).timestamp() * 1000)
    window_ms = days * 86_400_000
    for i in range(n_copies):
        rec = cycle[i % len(cycle)]
        start = first_ms + (i * window_ms + rng.randrange(window_ms)) // n_copies
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{rec.name}:{_execution_id(rng, i)}"
        yield rec.blob(arn, start)


def synthetic_fleet(n_events: int) -> list[bytes]:
    """The synthetic large shape (``tests.history.synthetic``: ~430 events per execution) as API JSON blobs.

    Example:
        >>> len(synthetic_fleet(1000)) >= 1
        True
    """
    from tests.history.synthetic import synthetic_responses

    return synthetic_responses(n_events)
