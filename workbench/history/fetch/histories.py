"""Fetch execution histories with boto3, many at once, with a local cache of finished executions.

The caller passes a boto3 ``stepfunctions`` client, so the same code reads real AWS or the embedded
engine's local endpoint (:func:`stepfunctions_client` builds one with adaptive retries). Finished
executions never change (unless redriven: pass ``refresh=True``), so their histories are cached on
disk and a second analysis makes no API call. Running executions are never cached.

The cache (:class:`HistoryCache`, in :mod:`workbench.history.fetch.cache`, re-exported here):
``$WORKBENCH_CACHE/histories``, one atomic JSON file (0600) per finished execution.

Pagination is bounded (:mod:`workbench.history.fetch.paging`): a repeated ``nextToken`` or more than
``max_pages`` pages is an error, never an endless loop. Ctrl-C during :func:`fetch_histories` cancels
the pending fetches and raises :class:`FetchInterrupted` saying how many finished executions were kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import orjson
from botocore.exceptions import BotoCoreError, ClientError
from tqdm.auto import tqdm

from workbench.core.arn import EXECUTION_KINDS, Arn
from workbench.core.diagnostics import WorkbenchError
from workbench.history._types import JsonDict, SfnClient
from workbench.history.fetch.cache import CacheWarning, HistoryCache, default_cache_dir
from workbench.history.fetch.client import ensure_adaptive_retries, stepfunctions_client
from workbench.history.fetch.paging import MAX_PAGES, EndpointError, PaginationError, call, describe_failure, pages
from workbench.history.fetch.pool import DaemonPool, FetchInterrupted, each_done
from workbench.history.load.events import ExecutionHistory, HistoryWarning
from workbench.history.load.readers import load_history

__all__ = ["FINISHED", "MAX_PAGES", "PAGE_SIZE", "CacheWarning", "DefinitionWarning", "EndpointError", "FetchError",
           "FetchInterrupted", "HistoryCache", "PaginationError", "default_cache_dir", "ensure_adaptive_retries",
           "fetch_histories", "fetch_history", "fetch_map_run_histories", "fetch_payload",
           "fetch_state_machine_histories", "list_executions", "stepfunctions_client"]

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


class DefinitionWarning(HistoryWarning):
    """The endpoint refused ``DescribeStateMachineForExecution``: the history is kept without its definition."""


# --- single history ----------------------------------------------------------------------------------------
def _epoch(ts: object) -> object:
    return ts.timestamp() if isinstance(ts, datetime) else ts


def fetch_payload(client: SfnClient, execution_arn: str, *, include_execution_data: bool = True,
                  max_pages: int = MAX_PAGES) -> JsonDict:
    """All pages of ``get_execution_history`` (1,000 events per call) as one cache-ready payload.

    The status comes from the terminal event (no extra call); timestamps become epoch seconds. A
    ``nextToken`` seen twice, or more than ``max_pages`` pages, raises :class:`PaginationError`.

    Example:
        >>> p = fetch_payload(client, "arn:aws:states:eu-west-1:123456789012:execution:M:run-1")  # doctest: +SKIP
        >>> p["status"], len(p["events"])  # doctest: +SKIP
        ('SUCCEEDED', 12)
    """
    events: list[JsonDict] = []
    for page in pages(client, "get_execution_history", "events", what=f"the history of {execution_arn}",
                      max_pages=max_pages, executionArn=execution_arn, maxResults=PAGE_SIZE,
                      includeExecutionData=include_execution_data):
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
    found = Arn.try_parse(execution_arn, *EXECUTION_KINDS)
    machine = str(found.state_machine) if found and found.state_machine else None
    return {"executionArn": execution_arn, "stateMachineArn": machine, "status": status,
            "includeExecutionData": include_execution_data, "events": events}


def fetch_history(client: SfnClient, execution_arn: str, *, include_execution_data: bool = True,
                  cache: HistoryCache | bool | None = True, refresh: bool = False,
                  with_definition: bool = True, max_pages: int = MAX_PAGES) -> ExecutionHistory:
    """One execution's full history; served from the cache when the execution had finished.

    By default (``with_definition=True``, as ``workbench history fetch``, reports and the explorer do) it
    also stores the definition the execution ran with (``DescribeStateMachineForExecution``, cached with the history),
    which the frames use for Retry policies, branch numbers and Fail states; when the endpoint refuses
    that call the history comes without it (a :class:`DefinitionWarning` says why). Raises
    :class:`FetchError` when a call fails, :class:`PaginationError` when the endpoint pages in a loop,
    :class:`EndpointError` when it is unreachable or not a Step Functions endpoint.

    Example:
        >>> h = fetch_history(client, "arn:aws:states:eu-west-1:123456789012:execution:M:run-1")  # doctest: +SKIP
        >>> h.status  # doctest: +SKIP
        'SUCCEEDED'
    """
    store = _cache(cache)
    payload = None if (store is None or refresh) else store.get(execution_arn, need_data=include_execution_data)
    if payload is not None and with_definition and payload.get("definition") is None \
            and not payload.get("definitionUnavailable"):
        payload = None
    if payload is None:
        try:
            payload = fetch_payload(client, execution_arn, include_execution_data=include_execution_data,
                                    max_pages=max_pages)
            if with_definition:
                _add_definition(client, payload)
        except (BotoCoreError, ClientError) as exc:
            raise FetchError({execution_arn: describe_failure(exc)}, []) from exc
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise FetchError({execution_arn: f"the endpoint sent a malformed definition ({exc})"}, []) from exc
        if store is not None and payload["status"] in FINISHED:
            store.put(payload)
    return load_history(payload, execution_arn=execution_arn)


def _add_definition(client: SfnClient, payload: JsonDict) -> None:
    """Store the definition the execution ran with in ``payload``; a refused call leaves a note instead."""
    arn = payload["executionArn"]
    try:
        described = call(client, "describe_state_machine_for_execution", executionArn=arn)
    except ClientError as exc:  # e.g. no states:DescribeStateMachineForExecution permission: keep the history
        payload["definitionUnavailable"] = describe_failure(exc)
        warnings.warn(f"{arn}: the definition is not available ({payload['definitionUnavailable']}); the history "
                      "is analysed without it (no Retry policies, branches named by their first state)",
                      DefinitionWarning, stacklevel=4)
        return
    payload["definition"] = orjson.loads(described["definition"])
    payload["stateMachineArn"] = described.get("stateMachineArn", payload["stateMachineArn"])


def _cache(cache: HistoryCache | bool | None) -> HistoryCache | None:
    if cache is True:
        return HistoryCache()
    if cache is False or cache is None:
        return None
    return cache


# --- many executions -------------------------------------------------------------------------------------
def list_executions(client: SfnClient, state_machine_arn: str | None = None, *, map_run_arn: str | None = None,
                    status: str | None = None, since: datetime | None = None, until: datetime | None = None,
                    limit: int | None = None, max_pages: int = MAX_PAGES) -> list[JsonDict]:
    """Executions of a state machine, version or alias ARN (or of a Distributed Map run), newest first.

    ``status`` is ``ListExecutions``' ``statusFilter``. The API has no date filter but returns the
    newest first, so paging stops at the first execution started before ``since``; those started
    after ``until`` are skipped. Naive datetimes are taken as UTC. A failed call raises botocore's error;
    a looping or unreachable endpoint :class:`PaginationError` / :class:`EndpointError`.

    Example:
        >>> from datetime import datetime, timedelta, UTC
        >>> runs = list_executions(client, machine_arn, status="FAILED",  # doctest: +SKIP
        ...                        since=datetime.now(UTC) - timedelta(days=1))
    """
    if (state_machine_arn is None) == (map_run_arn is None):
        raise WorkbenchError("list_executions needs exactly one of state_machine_arn or map_run_arn")
    params: JsonDict = {"maxResults": PAGE_SIZE}
    params["stateMachineArn" if state_machine_arn else "mapRunArn"] = state_machine_arn or map_run_arn
    if status:
        params["statusFilter"] = status
    lo, hi = _utc(since), _utc(until)
    out: list[JsonDict] = []
    listing = f"the executions of {state_machine_arn or map_run_arn}"
    for page in pages(client, "list_executions", "executions", what=listing, max_pages=max_pages, **params):
        if _collect(page, out, lo, hi, limit):
            return out
    return out


def _collect(page: list[JsonDict], out: list[JsonDict], lo: datetime | None, hi: datetime | None,
             limit: int | None) -> bool:
    """Add a page's executions inside the window to ``out``; True when paging should stop."""
    for item in page:
        started = _utc(item.get("startDate"))
        if lo is not None and started is not None and started < lo:
            return True  # newest first: everything after this is older still
        if hi is not None and started is not None and started > hi:
            continue
        out.append(item)
        if limit is not None and len(out) >= limit:
            return True
    return False


def _utc(value: datetime | float | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)


def fetch_histories(client: SfnClient, executions: Iterable[str | JsonDict], *, include_execution_data: bool = True,
                    cache: HistoryCache | bool | None = True, refresh: bool = False, with_definition: bool = True,
                    max_workers: int = 8, progress: bool = True, max_pages: int = MAX_PAGES) -> list[ExecutionHistory]:
    """Histories of many executions (ARNs or ``list_executions`` items), in order, ``max_workers`` at a time.

    Cached histories cost no call; throttling is absorbed by botocore's adaptive rate limiting
    (:func:`ensure_adaptive_retries`). Raises :class:`FetchError` listing the failures, and at once
    :class:`EndpointError` (unreachable or not Step Functions) or :class:`PaginationError` (paging in a
    loop): no other execution could be fetched from such an endpoint.
    Ctrl-C cancels the pending fetches and raises :class:`FetchInterrupted`: every finished execution
    fetched so far stays in the cache.

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
                                      refresh=refresh, with_definition=with_definition, max_pages=max_pages), None
        except (EndpointError, PaginationError):
            raise  # a dead, wrong or looping endpoint fails every execution alike: stop the batch
        except FetchError as exc:
            return arn, None, exc.failures.get(arn, str(exc))
        except WorkbenchError as exc:
            return arn, None, str(exc)
        except Exception as exc:  # anything else (e.g. a cache folder we cannot write) is reported per execution
            return arn, None, f"{type(exc).__name__}: {exc}"

    collected: set[Future[Any]] = set()  # Any: futures/kwargs forwarded untyped

    def finished(future: Future[Any]) -> None:  # Any: futures/kwargs forwarded untyped
        collected.add(future)
        arn, history, error = future.result()
        if history is not None:
            results[arn] = history
        else:
            failures[arn] = error or "unknown error"
        bar.update(1)

    pool = DaemonPool(min(max(1, max_workers), max(1, len(arns))))
    with tqdm(total=len(arns), desc="execution histories", unit="exec", disable=not progress) as bar:
        futures: list[Future[Any]] = []  # Any: futures/kwargs forwarded untyped
        try:
            futures.extend(pool.submit(one, arn) for arn in arns)
            each_done(futures, finished)
        except KeyboardInterrupt:
            pool.shutdown(cancel_futures=True)
            for future in futures:  # finished in a thread but not yet collected: they are in the cache too
                if future not in collected and future.done() and not future.cancelled() and not future.exception():
                    finished(future)
            ordered = [results[a] for a in arns if a in results]
            kept = sum(h.status in FINISHED for h in ordered) if store is not None else 0
            raise FetchInterrupted(kept=kept, total=len(arns), cache=store.root if store else None,
                                   histories=ordered) from None
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        pool.shutdown()
    ordered = [results[a] for a in arns if a in results]
    if failures:
        raise FetchError(failures, ordered)
    return ordered


def fetch_state_machine_histories(client: SfnClient, state_machine_arn: str, *, status: str | None = None,
                                  since: datetime | None = None, until: datetime | None = None,
                                  limit: int | None = None, max_pages: int = MAX_PAGES,
                                  **kwargs: Any) -> list[ExecutionHistory]:  # Any: futures/kwargs forwarded untyped
    """``list_executions`` then ``fetch_histories``: the histories of a machine/version/alias in a window.

    Example:
        >>> hs = fetch_state_machine_histories(client, machine_arn, status="FAILED", limit=50)  # doctest: +SKIP
        >>> from workbench.history import frames
        >>> frames(hs).states.groupby("state")["retries"].sum()  # doctest: +SKIP
    """
    found = list_executions(client, state_machine_arn, status=status, since=since, until=until, limit=limit,
                            max_pages=max_pages)
    return fetch_histories(client, found, max_pages=max_pages, **kwargs)


def fetch_map_run_histories(client: SfnClient, map_run_arn: str, **kwargs: Any) -> list[ExecutionHistory]:  # Any: fwd
    """Histories of a Distributed Map run's child executions (they live in their own histories;
    the parent's ``events.map_run_arn`` column names the run).

    Example:
        >>> runs = frames(parent).events["map_run_arn"].dropna().unique()  # doctest: +SKIP
        >>> children = fetch_map_run_histories(client, runs[0])  # doctest: +SKIP
    """
    return fetch_histories(client, list_executions(client, map_run_arn=map_run_arn), **kwargs)
