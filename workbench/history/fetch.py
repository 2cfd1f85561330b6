"""Fetch execution histories with boto3, many at once, with a local cache of finished executions.

The caller passes a boto3 ``stepfunctions`` client, so the same code reads real AWS or the embedded
engine's local endpoint (:func:`stepfunctions_client` builds one with adaptive retries). Finished
executions never change (unless redriven: pass ``refresh=True``), so their histories are cached on
disk and a second analysis makes no API call. Running executions are never cached.

Cache: ``$WORKBENCH_CACHE/histories`` (default ``~/.cache/workbench/histories``), one JSON file per
execution in the ``get_execution_history`` shape plus ``executionArn``/``stateMachineArn``/``status``,
written atomically (temp file + ``os.replace``), so an interrupted fetch never leaves a corrupt entry.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import warnings
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.retries import adaptive
from tqdm.auto import tqdm

from workbench.core.diagnostics import WorkbenchError
from workbench.core.files import write_bytes_atomic
from workbench.history.events import ExecutionHistory, HistoryWarning
from workbench.history.load import load_history

#: Execution statuses whose history is final (a FAILED/TIMED_OUT/ABORTED one can still be redriven).
FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
PAGE_SIZE = 1000  # the API maximum for GetExecutionHistory and ListExecutions


class FetchError(WorkbenchError):
    """Some histories could not be fetched; ``failures`` maps execution ARN → error text."""

    def __init__(self, failures: dict[str, str], histories: list[ExecutionHistory]) -> None:
        self.failures, self.histories = failures, histories
        first = "; ".join(f"{arn}: {err}" for arn, err in list(failures.items())[:3])
        super().__init__(f"{len(failures)} of {len(failures) + len(histories)} histories could not be fetched "
                         f"({first}). Fix the cause (credentials, region, ARN) and fetch again: finished ones "
                         "are cached.")


class CacheWarning(HistoryWarning):
    """A cache entry was unreadable and has been ignored (it will be re-fetched and rewritten)."""


def stepfunctions_client(endpoint_url: str | None = None, region_name: str | None = None,
                         max_attempts: int = 10, **kwargs: Any) -> Any:
    """A boto3 Step Functions client with botocore *adaptive* retries (client-side rate limiting on throttling).

    Example:
        >>> client = stepfunctions_client("http://127.0.0.1:5000", region_name="us-east-1",
        ...                               aws_access_key_id="x", aws_secret_access_key="x")
        >>> client.meta.config.retries["mode"]
        'adaptive'
    """
    import boto3

    config = Config(retries={"mode": "adaptive", "max_attempts": max_attempts},
                    inject_host_prefix=endpoint_url is None)
    return boto3.client("stepfunctions", endpoint_url=endpoint_url, region_name=region_name, config=config,
                        **kwargs)


_RATE_LIMITED: weakref.WeakSet[Any] = weakref.WeakSet()
_RATE_LIMITED_LOCK = threading.Lock()


def ensure_adaptive_retries(client: Any) -> bool:
    """Give a client botocore's adaptive client-side rate limiting if it lacks it (True when added).

    Clients built in ``adaptive`` retry mode already have it; for others (``legacy``/``standard``),
    botocore's own limiter is attached, so throttling slows every thread down instead of failing.

    Example:
        >>> import boto3
        >>> client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x",
        ...                       aws_secret_access_key="x")
        >>> ensure_adaptive_retries(client), ensure_adaptive_retries(client)
        (True, False)
    """
    if client.meta.config.retries.get("mode") == "adaptive":
        return False
    with _RATE_LIMITED_LOCK:
        if client in _RATE_LIMITED:
            return False
        adaptive.register_retry_handler(client)
        _RATE_LIMITED.add(client)
    return True


# --- cache -----------------------------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """``$WORKBENCH_CACHE/histories``, else ``~/.cache/workbench/histories``."""
    root = os.environ.get("WORKBENCH_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "workbench") / "histories"


class HistoryCache:
    """Finished executions' histories on disk, one atomic JSON file per execution.

    Example:
        >>> import tempfile
        >>> cache = HistoryCache(tempfile.mkdtemp())
        >>> cache.get("arn:aws:states:eu-west-1:1:execution:M:run-1") is None
        True
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def path_for(self, execution_arn: str) -> Path:
        digest = hashlib.sha256(execution_arn.encode()).hexdigest()
        readable = re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(execution_arn.split(":")[-2:]))[-60:]
        return self.root / digest[:2] / f"{readable}-{digest[:24]}.json"

    def get(self, execution_arn: str, *, need_data: bool = True) -> dict[str, Any] | None:
        """The cached payload, or None (missing, unreadable, or fetched without data when data is needed)."""
        path = self.path_for(execution_arn)
        try:
            payload = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError) as exc:
            warnings.warn(f"ignoring unreadable cache entry {path}: {exc}", CacheWarning, stacklevel=2)
            return None
        if not isinstance(payload, dict) or payload.get("executionArn") != execution_arn:
            warnings.warn(f"ignoring cache entry {path}: not a history of {execution_arn}", CacheWarning,
                          stacklevel=2)
            return None
        if need_data and not payload.get("includeExecutionData", True):
            return None
        return payload

    def put(self, payload: dict[str, Any]) -> Path:
        """Write atomically: a temp file in the same folder, fsync, then ``os.replace``."""
        return write_bytes_atomic(self.path_for(payload["executionArn"]), orjson.dumps(payload))

    def clear(self) -> int:
        """Delete every cached history; returns how many files were removed."""
        removed = 0
        for path in self.root.glob("*/*.json"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed


# --- single history ----------------------------------------------------------------------------------------
def _epoch(ts: Any) -> Any:
    return ts.timestamp() if isinstance(ts, datetime) else ts


def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[list[dict[str, Any]]]:
    token: str | None = None
    while True:
        response = getattr(client, operation)(**params, **({"nextToken": token} if token else {}))
        yield response.get(key, [])
        token = response.get("nextToken")
        if not token:
            return


def fetch_payload(client: Any, execution_arn: str, *, include_execution_data: bool = True) -> dict[str, Any]:
    """All pages of ``get_execution_history`` (1,000 events per call) as one cache-ready payload.

    The status comes from the terminal event (no extra call); timestamps become epoch seconds.
    """
    events: list[dict[str, Any]] = []
    for page in _pages(client, "get_execution_history", "events", executionArn=execution_arn,
                       maxResults=PAGE_SIZE, includeExecutionData=include_execution_data):
        for ev in page:
            events.append({**ev, "timestamp": _epoch(ev["timestamp"])})
    status = "RUNNING"
    for ev in reversed(events):
        if ev["type"] in ("ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
            status = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
                      "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED"}[ev["type"]]
            break
        if ev["type"] == "ExecutionRedriven":
            break
    parts = execution_arn.split(":")
    machine = ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) >= 8 else None
    return {"executionArn": execution_arn, "stateMachineArn": machine, "status": status,
            "includeExecutionData": include_execution_data, "events": events}


def fetch_history(client: Any, execution_arn: str, *, include_execution_data: bool = True,
                  cache: HistoryCache | bool | None = True, refresh: bool = False,
                  with_definition: bool = False) -> ExecutionHistory:
    """One execution's full history; served from the cache when the execution had finished.

    ``with_definition=True`` also fetches the definition the execution ran with
    (``describe_state_machine_for_execution``), which the frames use for Retry policies and branches.

    Example:
        >>> h = fetch_history(client, "arn:aws:states:eu-west-1:123456789012:execution:M:run-1")  # doctest: +SKIP
        >>> h.status  # doctest: +SKIP
        'SUCCEEDED'
    """
    store = _cache(cache)
    payload = None if (store is None or refresh) else store.get(execution_arn, need_data=include_execution_data)
    if payload is not None and with_definition and payload.get("definition") is None:
        payload = None
    if payload is None:
        try:
            payload = fetch_payload(client, execution_arn, include_execution_data=include_execution_data)
            if with_definition:
                described = client.describe_state_machine_for_execution(executionArn=execution_arn)
                payload["definition"] = orjson.loads(described["definition"])
                payload["stateMachineArn"] = described.get("stateMachineArn", payload["stateMachineArn"])
        except (BotoCoreError, ClientError, orjson.JSONDecodeError) as exc:
            raise FetchError({execution_arn: f"{type(exc).__name__}: {exc}"}, []) from exc
        if store is not None and payload["status"] in FINISHED:
            store.put(payload)
    return load_history(payload, execution_arn=execution_arn)


def _cache(cache: HistoryCache | bool | None) -> HistoryCache | None:
    if cache is True:
        return HistoryCache()
    if cache is False or cache is None:
        return None
    return cache


# --- many executions -------------------------------------------------------------------------------------
def list_executions(client: Any, state_machine_arn: str | None = None, *, map_run_arn: str | None = None,
                    status: str | None = None, since: datetime | None = None, until: datetime | None = None,
                    limit: int | None = None) -> list[dict[str, Any]]:
    """Executions of a state machine, version or alias ARN (or of a Distributed Map run), newest first.

    ``status`` is ``ListExecutions``' ``statusFilter``. The API has no date filter but returns the
    newest first, so paging stops at the first execution started before ``since``; those started
    after ``until`` are skipped. Naive datetimes are taken as UTC.

    Example:
        >>> from datetime import datetime, timedelta, UTC
        >>> runs = list_executions(client, machine_arn, status="FAILED",  # doctest: +SKIP
        ...                        since=datetime.now(UTC) - timedelta(days=1))
    """
    if (state_machine_arn is None) == (map_run_arn is None):
        raise WorkbenchError("list_executions needs exactly one of state_machine_arn or map_run_arn")
    params: dict[str, Any] = {"maxResults": PAGE_SIZE}
    params["stateMachineArn" if state_machine_arn else "mapRunArn"] = state_machine_arn or map_run_arn
    if status:
        params["statusFilter"] = status
    lo, hi = _utc(since), _utc(until)
    out: list[dict[str, Any]] = []
    for page in _pages(client, "list_executions", "executions", **params):
        for item in page:
            started = _utc(item.get("startDate"))
            if lo is not None and started is not None and started < lo:
                return out  # newest first: everything after this is older still
            if hi is not None and started is not None and started > hi:
                continue
            out.append(item)
            if limit is not None and len(out) >= limit:
                return out
    return out


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)


def fetch_histories(client: Any, executions: Iterable[str | dict[str, Any]], *, include_execution_data: bool = True,
                    cache: HistoryCache | bool | None = True, refresh: bool = False, with_definition: bool = False,
                    max_workers: int = 8, progress: bool = True) -> list[ExecutionHistory]:
    """Histories of many executions (ARNs or ``list_executions`` items), in order, ``max_workers`` at a time.

    Cached histories cost no call; throttling is absorbed by botocore's adaptive rate limiting
    (:func:`ensure_adaptive_retries`). Raises :class:`FetchError` listing the failures.

    Example:
        >>> hs = fetch_histories(client, list_executions(client, machine_arn, status="SUCCEEDED"))  # doctest: +SKIP
    """
    arns = [e if isinstance(e, str) else e["executionArn"] for e in executions]
    store = _cache(cache)
    ensure_adaptive_retries(client)
    results: dict[str, ExecutionHistory] = {}
    failures: dict[str, str] = {}

    def one(arn: str) -> tuple[str, ExecutionHistory | None, str | None]:
        try:
            return arn, fetch_history(client, arn, include_execution_data=include_execution_data, cache=store,
                                      refresh=refresh, with_definition=with_definition), None
        except FetchError as exc:
            return arn, None, exc.failures.get(arn, str(exc))
        except WorkbenchError as exc:
            return arn, None, str(exc)
        except Exception as exc:  # anything else (e.g. a cache folder we cannot write) is reported per execution
            return arn, None, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool, \
            tqdm(total=len(arns), desc="execution histories", unit="exec", disable=not progress) as bar:
        for arn, history, error in pool.map(one, arns):
            if history is not None:
                results[arn] = history
            else:
                failures[arn] = error or "unknown error"
            bar.update(1)
    ordered = [results[a] for a in arns if a in results]
    if failures:
        raise FetchError(failures, ordered)
    return ordered


def fetch_state_machine_histories(client: Any, state_machine_arn: str, *, status: str | None = None,
                                  since: datetime | None = None, until: datetime | None = None,
                                  limit: int | None = None, **kwargs: Any) -> list[ExecutionHistory]:
    """``list_executions`` then ``fetch_histories``: the histories of a machine/version/alias in a window.

    Example:
        >>> hs = fetch_state_machine_histories(client, machine_arn, status="FAILED", limit=50)  # doctest: +SKIP
        >>> from workbench.history import frames
        >>> frames(hs).states.groupby("state")["retries"].sum()  # doctest: +SKIP
    """
    found = list_executions(client, state_machine_arn, status=status, since=since, until=until, limit=limit)
    return fetch_histories(client, found, **kwargs)


def fetch_map_run_histories(client: Any, map_run_arn: str, **kwargs: Any) -> list[ExecutionHistory]:
    """Histories of a Distributed Map run's child executions (they live in their own histories;
    the parent's ``events.map_run_arn`` column names the run).

    Example:
        >>> runs = frames(parent).events["map_run_arn"].dropna().unique()  # doctest: +SKIP
        >>> children = fetch_map_run_histories(client, runs[0])  # doctest: +SKIP
    """
    return fetch_histories(client, list_executions(client, map_run_arn=map_run_arn), **kwargs)
