"""What an ingest reads, one history at a time: history files and folders, CloudWatch Logs exports, fetches.

* history files (any format :func:`workbench.history.load_histories` reads) and folders of them (the layout
  ``workbench history fetch -o DIR`` and the fetch cache write);
* an Express CloudWatch Logs export made with ``aws logs create-export-task``: gzip files (``*.gz``, alone or
  in a folder) whose lines are ``<ISO timestamp> <message JSON>``. An execution's records may be spread over
  several files of one export, so each export is grouped by execution ARN first, through temporary bucket
  files when it is large (memory stays bounded);
* a state machine's executions through the existing fetch and cache (:func:`fetched`), a page at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from workbench.core.files import private_dir
from workbench.history.load.events import ExecutionHistory, history_error
from workbench.history.load.readers import Pending, Source, iter_pending

Item = ExecutionHistory | Pending

#: Exports larger than this (compressed bytes) are grouped through temporary bucket files.
IN_MEMORY_EXPORT = 32 << 20
_BUCKET_BYTES = 64 << 20  # uncompressed export bytes per bucket (about 10x the compressed size)


def iter_sources(sources: Source | Iterable[Source]) -> Iterator[Item]:
    """Every execution of every source, in order, one at a time (a folder: its exports, then its history files):
    read and classified but not normalised (:class:`~workbench.history.load.readers.Pending`; ``frames()``
    normalises many at once), or already built.

    Example:
        >>> items = iter_sources(["../shared/corpus/histories/test_base__test_state_fail.json"])
        >>> next(items).arn
        'test_base__test_state_fail'
    """
    items: Iterable[Any] = [sources] if isinstance(sources, (str, os.PathLike, bytes, dict, ExecutionHistory)) \
        else sources  # Any: every source kind the readers accept
    for item in items:
        if isinstance(item, (str, os.PathLike)) and not _is_json_text(item):
            path = Path(item)
            if path.is_dir():
                exports = export_files(path)
                if exports:
                    yield from iter_export(exports)
                yield from iter_pending(walk_histories(path))
                continue
            if path.name.endswith(".gz"):
                yield from iter_export([path])
                continue
        yield from iter_pending([item])


def walk_histories(folder: Path) -> Iterator[str]:
    """The history files below ``folder`` as :func:`~workbench.history.history_files` chooses them (``*.json``,
    ``*.jsonl``; no hidden files or folders, no ``INDEX.json``), one folder at a time, each sorted: a fetch cache
    of a million executions is never one list in memory.

    Example:
        >>> [Path(p).name for p in walk_histories(Path("../shared/corpus/histories"))][:1]
        ['test_activities__test_activity_task.json']
    """
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".json", ".jsonl")) and not name.startswith(".") and name != "INDEX.json":
                yield os.path.join(dirpath, name)


def _is_json_text(item: Any) -> bool:  # Any: a source of any kind
    return isinstance(item, str) and item.lstrip()[:1] in ("{", "[")


def export_files(folder: Path) -> list[Path]:
    """The gzip files of a CloudWatch Logs export below ``folder`` (recursively; hidden ones skipped)."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out.extend(Path(dirpath) / f for f in filenames if f.endswith(".gz") and not f.startswith("."))
    return sorted(out)


def export_records(path: Path) -> Iterator[tuple[dict[str, Any], str]]:  # Any: JSON log records
    """The Step Functions log records of one export file, with ``file:line`` for messages.

    Example:
        >>> import gzip, tempfile
        >>> p = Path(tempfile.mkdtemp()) / "000000.gz"
        >>> _ = p.write_bytes(gzip.compress(b'2026-11-30T08:00:00.000Z {"id": "1", "type": "ExecutionStarted"}\\n'))
        >>> [r["type"] for r, _ in export_records(p)]
        ['ExecutionStarted']
    """
    try:
        with gzip.open(path, "rb") as handle:
            for n, line in enumerate(handle, 1):
                line = line.strip()
                if not line:
                    continue
                _stamp, _, message = line.partition(b" ")
                try:
                    record = orjson.loads(message)
                except orjson.JSONDecodeError as exc:
                    raise history_error(
                        "HIST001", f"export line is not '<timestamp> <JSON message>': {exc.msg}", str(path), line=n,
                        hint="export the log group of an Express state machine logging at level ALL") from None
                if not isinstance(record, dict):
                    raise history_error("HIST003", "export message is not a JSON object", str(path), line=n,
                                        hint="export the log group of an Express state machine logging at level ALL")
                yield record, f"{path}:{n}"
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise history_error("HIST000", f"cannot read the export file: {exc}", str(path),
                            hint="download the export again (aws s3 cp --recursive)") from None


def iter_export(files: list[Path]) -> Iterator[Item]:
    """The executions of one CloudWatch Logs export (its records grouped by ``execution_arn``), one at a time."""
    size = sum(p.stat().st_size for p in files)
    if size <= IN_MEMORY_EXPORT:
        groups: dict[str, list[dict[str, Any]]] = {}  # Any: JSON log records
        for path in files:
            for record, _ in export_records(path):
                groups.setdefault(str(record.get("execution_arn") or ""), []).append(record)
        for records in groups.values():
            yield from iter_pending([records])
        return
    yield from _bucketed(files, max(2, size * 10 // _BUCKET_BYTES + 1))


def _bucketed(files: list[Path], n_buckets: int) -> Iterator[Item]:
    """Group a large export on disk: records into ``n_buckets`` private files by execution, then one at a time."""
    with tempfile.TemporaryDirectory(prefix="workbench-export-") as tmp:
        folder = private_dir(Path(tmp) / "buckets")
        handles = [open(folder / f"{i:04d}.jsonl", "wb") for i in range(n_buckets)]  # noqa: SIM115
        try:
            for path in files:
                for record, _ in export_records(path):
                    arn = str(record.get("execution_arn") or "").encode()
                    bucket = int.from_bytes(hashlib.blake2b(arn, digest_size=4).digest()) % n_buckets
                    handles[bucket].write(orjson.dumps(record) + b"\n")
        finally:
            for handle in handles:
                handle.close()
        for i in range(n_buckets):
            groups: dict[str, list[dict[str, Any]]] = {}  # Any: JSON log records
            with open(folder / f"{i:04d}.jsonl", "rb") as bucket_file:
                for line in bucket_file:
                    record = orjson.loads(line)
                    groups.setdefault(str(record.get("execution_arn") or ""), []).append(record)
            for records in groups.values():
                yield from iter_pending([records])


def fetched(client: Any, state_machine_arn: str, *, since: Any = None, status: str | None = None,  # Any: boto3
            limit: int | None = None, include_execution_data: bool = True, cache: Any = None,  # Any: HistoryCache
            chunk: int = 500, max_pages: int = 10_000) -> Iterator[ExecutionHistory]:
    """A state machine's executions (newest first), fetched through the history cache ``chunk`` at a time.

    Finished executions already in the cache cost no call; only one chunk of histories is in memory at once.

    Example:
        >>> hs = fetched(client, "arn:aws:states:us-east-1:1:stateMachine:M", since=None)  # doctest: +SKIP
    """
    from workbench.history.fetch import fetch_histories, list_executions

    items = list_executions(client, state_machine_arn, status=status, since=since, limit=limit, max_pages=max_pages)
    arns = [item["executionArn"] for item in items]
    del items
    for start in range(0, len(arns), chunk):
        yield from fetch_histories(client, arns[start:start + chunk], include_execution_data=include_execution_data,
                                   cache=cache if cache is not None else True, with_definition=True,
                                   progress=False, max_pages=max_pages)
