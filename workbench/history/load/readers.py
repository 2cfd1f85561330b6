"""Read execution histories from every format we meet into :class:`ExecutionHistory`.

Accepted, as a path, bytes/str of JSON, or already-parsed objects:

* a ``get_execution_history`` response ``{"events": [...]}`` (wire JSON with epoch-second
  timestamps, or boto3 output with ``datetime`` objects, or CLI output with ISO-8601 strings);
  our fetch cache adds ``executionArn``/``stateMachineArn``/``definition`` beside ``events``;
* a bare list of such events, or the console's "Export" JSON (same event fields);
* the recorded corpus ``{"source", "definition", "history", "notes"}`` (placeholder ids and
  timestamps, decoded payloads);
* Express workflow CloudWatch Logs records (log level ALL: ``id``, ``previous_event_id``, ``type``,
  ``details``, ``event_timestamp`` epoch-ms strings, ``execution_arn``), as a list, as JSON lines,
  or inside a ``filter_log_events`` response (``{"events": [{"message": "..."}]}``).

Problems are never silent: unreadable or non-history input raises :class:`HistoryLoadError`
naming the file and place; missing events, placeholder ids, unknown types and the 25,000-event
limit emit a :class:`HistoryWarning` subclass and are recorded in ``ExecutionHistory.problems``
(``strict=True`` turns missing events into an error).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from workbench.history._gc import gc_paused
from workbench.history._types import JsonDict
from workbench.history.load.definitions import DefinitionInterner
from workbench.history.load.events import (
    ExecutionHistory,
    history_error,
    meta_for,
)
from workbench.history.load.normalise import RawHistory, machine_from_arn, normalise

Source = str | os.PathLike[str] | bytes | JsonDict | list[Any] | ExecutionHistory  # Any: JSON from files / the API

_NAN = float("nan")
_NOT_HISTORY_HINT = ('save the output of get_execution_history ({"events": [...]}), a list of events, '
                     "the console's exported JSON, or Express CloudWatch Logs records")


def load_history(source: Source, *, execution_arn: str | None = None, definition: JsonDict | str | None = None,
                 state_machine_arn: str | None = None, strict: bool = False) -> ExecutionHistory:
    """Load one execution history from a file, JSON text, parsed object, or a run (``run_mission``'s result:
    its ARN and definition come with it).

    ``definition`` (ASL as dict or JSON text) improves the frames: Retry policies, Parallel branch
    numbers, Fail-state errors. ``strict=True`` raises on missing events instead of warning.

    Example:
        >>> h = load_history({"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
        ...                               "timestamp": 1700000000.0}]}, execution_arn="arn:x")
        >>> h.execution_arn, h.status
        ('arn:x', 'RUNNING')
    """
    with gc_paused():
        histories = [x if isinstance(x, ExecutionHistory) else x.load(strict) for x in _pending(source)]
    if len(histories) != 1:
        raise history_error("HIST006", f"contains {len(histories)} executions, expected one", _source_name(source),
                            hint="use load_histories() for CloudWatch Logs with several executions")
    history = histories[0]
    if execution_arn:
        history.execution_arn = execution_arn
    if definition is not None:
        history.definition = _definition(definition, _source_name(source))
    if state_machine_arn:
        history.state_machine_arn = state_machine_arn
    return history


def history_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The history files below ``folder``, recursively, in path order: ``*.json`` and ``*.jsonl``, without
    hidden files or folders (atomic-write temp files, ``.git``) and the corpus' ``INDEX.json``. This reads
    the layout ``workbench history fetch -o DIR`` writes (``DIR/<2 hex>/<name>-<digest>.json``).

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("a1/run-1.json", "b2/.run-2.json.x.tmp", "notes.txt", "top.json"):
        ...     (root / name).parent.mkdir(exist_ok=True); _ = (root / name).write_text("{}")
        >>> [str(p.relative_to(root)) for p in history_files(root)]
        ['a1/run-1.json', 'top.json']
    """
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out.extend(Path(dirpath) / f for f in filenames
                   if f.endswith((".json", ".jsonl")) and not f.startswith(".") and f != "INDEX.json")
    return sorted(out)


def load_histories(sources: Source | Iterable[Source], *, strict: bool = False) -> list[ExecutionHistory]:
    """Load many histories: a folder (its ``*.json``/``*.jsonl``, recursively: see :func:`history_files`),
    a list of paths or objects, or one CloudWatch Logs file holding several Express executions (split by
    ``execution_arn``).

    Example:
        >>> hs = load_histories([{"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
        ...                                   "timestamp": 1700000000.0}]}])
        >>> len(hs)
        1
    """
    with gc_paused():
        return list(iter_histories(sources, strict=strict))


def iter_histories(sources: Source | Iterable[Source], *, strict: bool = False) -> Iterator[ExecutionHistory]:
    """Like :func:`load_histories`, one history at a time (a folder of thousands of histories never sits in
    memory as Python objects).

    Example:
        >>> next(iter_histories([{"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
        ...                                     "timestamp": 1700000000.0}]}])).status
        'RUNNING'
    """
    for item in iter_pending(sources):
        yield item if isinstance(item, ExecutionHistory) else item.load(strict)


class Pending(NamedTuple):
    """One execution read from a source but not normalised yet: :mod:`~workbench.history.load.batch` normalises
    many at once (``frames()`` streams with it); :meth:`load` normalises this one alone.

    Example:
        >>> p = next(iter_pending([b'{"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted",'
        ...                        b' "timestamp": 1.0}]}']))
        >>> p.arn, p.load(strict=False).status
        ('', 'RUNNING')
    """

    raw: RawHistory
    arn: str  # "" = anonymous (named from its content once normalised)
    name: str  # the source, for messages

    def load(self, strict: bool) -> ExecutionHistory:
        """This execution as an :class:`ExecutionHistory`, its problems warned about."""
        history = normalise(self.raw, self.arn, self.name, strict)
        if not self.arn:
            history.execution_arn = anonymous_name(history)
        return history


def iter_pending(sources: Source | Iterable[Source]) -> Iterator[ExecutionHistory | Pending]:
    """Every execution of ``sources``, in order: already-built histories (and :class:`Pending` items) as they
    are, the others read and classified but not normalised (:class:`Pending`).

    Example:
        >>> [type(x).__name__ for x in iter_pending([b'{"events": [{"id": 1}]}'])]
        ['Pending']
    """
    if isinstance(sources, (str, os.PathLike)) and Path(sources).is_dir():
        items: Iterable[Any] = history_files(sources)  # Any: JSON from files / the API
    elif isinstance(sources, (str, os.PathLike, bytes, dict, ExecutionHistory)) or _is_event_list(sources) \
            or is_run(sources):
        items = [sources]
    else:
        items = sources
    interner = DefinitionInterner()
    for item in items:
        yield from _pending(item, interner)


def is_run(obj: object) -> bool:
    """An execution handle from ``run_mission``, ``launch`` or the Launcher: an ``arn`` and a ``history()``.

    Example:
        >>> is_run("runs/a.json")
        False
    """
    return isinstance(getattr(obj, "arn", None), str) and callable(getattr(obj, "history", None))


def run_history(run: Any) -> ExecutionHistory:  # Any: an engine Execution (engine types stay out of history)
    """The history of an execution handle, named by its ARN, with the state machine and definition it carries.

    A run that has ended but whose history lacks its end event is INCOMPLETE. Example:
        >>> run_history(workbench.run_mission("missions/incident_triage.yaml")).status  # doctest: +SKIP
        'SUCCEEDED'
    """
    events = run.history()
    doc: JsonDict | list[JsonDict]
    if events and "event_timestamp" in events[0]:
        doc = events  # an Express run's CloudWatch Logs records: they end with their own terminal record
    else:
        doc = {"events": events, **({"status": run.status} if getattr(run, "done", False) else {})}
    definition = getattr(run, "definition", None)
    return load_history(doc, execution_arn=run.arn, state_machine_arn=getattr(run, "state_machine_arn", None),
                        definition=definition if isinstance(definition, dict) else None)


def _is_event_list(obj: Any) -> bool:  # Any: JSON from files / the API
    """A list that is itself one source (events or log records), not a list of sources."""
    if not isinstance(obj, list) or not obj or not isinstance(obj[0], dict):
        return False
    first = obj[0]
    return ("type" in first and "id" in first) or "event_timestamp" in first or "message" in first


# --- reading ------------------------------------------------------------------------------------------
def _source_name(source: Any) -> str:  # Any: JSON from files / the API
    if isinstance(source, (str, os.PathLike)) and not _looks_like_json(source):
        return str(source)
    if isinstance(source, ExecutionHistory):
        return source.source or source.execution_arn
    return "<object>"


def _looks_like_json(source: Any) -> bool:  # Any: JSON from files / the API
    return isinstance(source, str) and source.lstrip()[:1] in ("{", "[")


def _pending(source: Source, interner: DefinitionInterner | None = None) -> list[ExecutionHistory | Pending]:
    text: bytes | None = None  # the JSON text, when we read it (definitions are interned by it)
    known: JsonDict | None = None  # the definition, when the interner knew its text and skipped it
    if type(source) is bytes:  # the common case first: a fetched or cached history
        text, name, stem = source, "<object>", None
        try:
            obj, known = interner.parse(text) if interner is not None else (_parse_json(text, name), None)
        except orjson.JSONDecodeError:
            obj = _parse_json(text, name)  # its own message, or JSON lines
    elif isinstance(source, (ExecutionHistory, Pending)):  # built, or read and classified already
        return [source]
    elif is_run(source):
        return [run_history(source)]
    else:
        name, stem = _source_name(source), None
        if isinstance(source, (str, os.PathLike)) and not _looks_like_json(source):
            path = Path(source)
            try:
                text = path.read_bytes()
            except OSError as exc:
                raise history_error("HIST000", f"cannot read file: {exc.strerror or exc}", name,
                                    hint="check the path") from exc
            obj = _parse_json(text, name)
            stem = path.stem
        elif isinstance(source, (bytes, bytearray, memoryview, str)):
            obj = _parse_json(bytes(source) if not isinstance(source, str) else source.encode(), name)
        else:
            obj = source
    raws = _classify(obj, name)
    if known is not None and (len(raws) != 1 or raws[0].fmt == "cloudwatch"):  # rare: parsed again, whole
        known, raws = None, _classify(_parse_json(text, name), name)  # type: ignore[arg-type]
    for raw in raws if interner is not None else ():
        if known is not None:
            raw.definition = known
        elif raw.definition is not None:
            raw.definition = interner.intern(raw.definition, raw.machine,  # type: ignore[union-attr]
                                             text if len(raws) == 1 else None)
    if len(raws) == 1:
        raw = raws[0]
        return [Pending(raw, raw.arn or stem or "", name)]
    return [Pending(raw, raw.arn or (f"{stem}#{n}" if stem else ""), name) for n, raw in enumerate(raws)]


def anonymous_name(history: ExecutionHistory) -> str:
    """A name for a history that came without an ARN or file name: ``execution-`` and a short digest of its
    size, first and last timestamps and input, so different runs get different names and the same
    history always the same one (pass ``execution_arn=`` to name it yourself).

    Example:
        >>> doc = {"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.5}]}
        >>> load_history(doc).execution_arn == load_history(doc).execution_arn != "execution-0"
        True
    """
    cols = history.columns
    n = len(cols.ids)
    first = cols.details[0].get("input") if n else None
    return content_name(n, cols.ts[0] if n else "", cols.ts[-1] if n else "", first)


def content_name(n: int, first_ts: object, last_ts: object, first_input: object) -> str:
    """:func:`anonymous_name` from its parts: the number of events, first and last timestamps, first input.

    Example:
        >>> content_name(1, 1.5, 1.5, None).startswith("execution-")
        True
    """
    key = f"{n}|{first_ts}|{last_ts}|{first_input}"
    return "execution-" + hashlib.blake2b(key.encode(), digest_size=4).hexdigest()


def _parse_json(data: bytes, name: str) -> Any:  # Any: JSON from files / the API
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        first_error = exc
    lines = [ln for ln in data.splitlines() if ln.strip()]
    if len(lines) > 1:  # JSON lines (CloudWatch Logs exports)
        try:
            return [orjson.loads(ln) for ln in lines]
        except orjson.JSONDecodeError:
            pass
    truncated = first_error.pos >= len(data.rstrip()) - 1
    raise history_error(
        "HIST001", f"not valid JSON: {first_error.msg}" + (" (the file looks truncated)" if truncated else ""),
        name, line=first_error.lineno, column=first_error.colno,
        hint="re-download or re-save the history; a partial download leaves a truncated file")


def _classify(obj: Any, name: str) -> list[RawHistory]:  # Any: JSON from files / the API
    """Recognise the format and split into per-execution raw event lists."""
    if isinstance(obj, dict):
        if isinstance(obj.get("history"), list) and ("definition" in obj or "source" in obj):
            return [RawHistory(obj["history"], "corpus", None, _definition(obj.get("definition"), name))]
        events = obj.get("events")
        if isinstance(events, list):
            if events and isinstance(events[0], dict) and "message" in events[0] and "type" not in events[0]:
                return _cloudwatch([_log_message(e, i, name) for i, e in enumerate(events)], name)
            return [RawHistory(events, "api", obj.get("executionArn"), _definition(obj.get("definition"), name),
                               obj.get("stateMachineArn"), next_token=obj.get("nextToken") or obj.get("NextToken"),
                               declared_status=obj.get("status"))]
        keys = ", ".join(sorted(map(str, obj))[:8])
        what = "a state machine definition" if "States" in obj else f"an object with keys {keys}"
        raise history_error("HIST002", f"not an execution history: found {what}", name, hint=_NOT_HISTORY_HINT)
    if isinstance(obj, list):
        if not obj:
            raise history_error("HIST002", "not an execution history: the list is empty", name,
                                hint=_NOT_HISTORY_HINT)
        first = obj[0]
        if isinstance(first, dict):
            if "event_timestamp" in first or "execution_arn" in first or "previous_event_id" in first:
                return _cloudwatch(obj, name)
            if "message" in first and "type" not in first:
                return _cloudwatch([_log_message(e, i, name) for i, e in enumerate(obj)], name)
            if "type" in first and "id" in first:
                return [RawHistory(obj, "api")]
        raise history_error("HIST002", "not an execution history: list items are not history events",
                            name, location="[0]", hint=_NOT_HISTORY_HINT)
    raise history_error("HIST002", f"not an execution history: found {type(obj).__name__}", name,
                        hint=_NOT_HISTORY_HINT)


def _definition(value: Any, name: str) -> JsonDict | None:  # Any: JSON from files / the API
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise history_error("HIST007", f"the definition is not valid JSON: {exc.msg}", name,
                                location="definition", hint="pass the ASL definition as JSON") from exc
        if isinstance(parsed, dict):
            return parsed
    raise history_error("HIST007", "the definition is not an ASL object", name, location="definition",
                        hint='pass the state machine definition ({"StartAt": ..., "States": {...}})')


def _log_message(entry: Any, index: int, name: str) -> Any:  # Any: JSON from files / the API
    message = entry.get("message") if isinstance(entry, dict) else None
    try:
        return orjson.loads(message) if isinstance(message, str) else message
    except orjson.JSONDecodeError as exc:
        raise history_error("HIST001", f"log message is not JSON: {exc.msg}", name,
                            location=f"events[{index}].message", hint="keep log level ALL, JSON format") from exc


def _cloudwatch(records: list[Any], name: str) -> list[RawHistory]:  # Any: JSON from files / the API
    """Express CloudWatch Logs records → API-shaped events, one raw history per execution."""
    by_arn: dict[str, list[JsonDict]] = {}
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or "type" not in rec or "id" not in rec:
            raise history_error("HIST003", "log record is not a Step Functions event (no 'id'/'type')", name,
                                location=f"[{i}]", hint="use log level ALL with the JSON log format")
        etype = rec["type"]
        meta = meta_for(str(etype))
        ts_raw = rec.get("event_timestamp")
        event: JsonDict = {
            "id": _int_field(rec["id"], name, f"[{i}].id"),
            "previousEventId": _int_field(rec.get("previous_event_id", 0), name, f"[{i}].previous_event_id"),
            "type": etype,
            "timestamp": _epoch_ms(ts_raw, name, f"[{i}].event_timestamp"),
        }
        details = rec.get("details")
        if isinstance(details, dict) and details and meta.details_key:
            event[meta.details_key] = details
        by_arn.setdefault(str(rec.get("execution_arn") or "express-execution"), []).append(event)
    return [RawHistory(evs, "cloudwatch", arn, None, machine_from_arn(arn)) for arn, evs in by_arn.items()]


def _int_field(value: Any, name: str, where: str) -> int:  # Any: JSON from files / the API
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise history_error("HIST003", f"expected an integer, found {value!r}", name, location=where,
                        hint="the record is damaged; re-export it")


def _epoch_ms(value: Any, name: str, where: str) -> float:  # Any: JSON from files / the API
    try:
        return float(value) / 1000.0
    except (TypeError, ValueError):
        raise history_error("HIST003", f"event_timestamp is not epoch milliseconds: {value!r}", name,
                            location=where, hint="re-export the log records") from None
