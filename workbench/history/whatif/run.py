"""Bulk what-if: replay many recorded executions against an edited Mission, in parallel, keeping what finished.

Why in processes: each replay runs the Mission on an embedded engine under the time warp; that is Python
work, so threads would share one core. Each worker process (``forkserver`` on Linux, else ``spawn``: no
fork of a parent that may hold threads and an engine of its own) loads the Mission once and owns its own
engine, and gets the histories one by one. The parent keeps a progress bar and the rows in the order the
histories were given. Ctrl-C (or any ``KeyboardInterrupt`` while waiting) stops the pool and returns the
rows finished so far with ``interrupted=True``; workers ignore SIGINT so the terminal's Ctrl-C reaches
only the parent.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tqdm.auto import tqdm

from workbench.history.cost.prices import PriceTable
from workbench.history.whatif.changes import changed_states
from workbench.history.whatif.costs import default_prices
from workbench.history.whatif.inputs import Item, WhatIfError, mission_parts, most_common, portable_items
from workbench.history.whatif.rows import not_replayed_row, priced_row, replay_row_data
from workbench.history.whatif.table import WhatIf, WhatIfRow

#: The ``unrecorded`` policies of :mod:`workbench.history.replay` (here too, so checking options loads no engine).
UNRECORDED = ("repeat", "last-success", "local", "fail")
#: Called in this process after each finished row with (rows done, the row); may raise KeyboardInterrupt.
RowHook = Callable[[int, WhatIfRow], None]

# One worker process: the Mission (loaded once) and the replay settings, set by _start_worker.
_WORKER: dict[str, Any] = {}


def _start_worker(mission: Any, unrecorded: str) -> None:
    """Pool initializer: ignore Ctrl-C (the parent handles it) and load the Mission once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["mission"] = mission
    _WORKER["unrecorded"] = unrecorded
    _WORKER["sent"] = set()  # recorded definitions sent to the parent (a new pool per what-if)
    with contextlib.suppress(Exception):  # started here, not in the first replay; a failure shows on the rows
        from workbench.history.replay import replay_engine

        replay_engine()


def _work(index: int, item: Item) -> dict[str, Any]:
    """Replay one history in a worker; a plain dict comes back (small and picklable)."""
    return replay_row_data(index, item, _WORKER["mission"], _WORKER["unrecorded"], _WORKER["sent"])


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        # the replay and the engine's patches are loaded once in the fork server, not again in every worker
        ctx.set_forkserver_preload(["workbench.history.whatif.warm"])
        return ctx
    return multiprocessing.get_context("spawn")


def whatif(histories: Any, mission: Any, *, unrecorded: str = "repeat", processes: int | None = None,
           progress: bool = True, prices: PriceTable | None = None, on_row: RowHook | None = None) -> WhatIf:
    """Replay recorded executions against an edited Mission: which failures it recovers, what newly fails, and
    what it does to duration and cost. One row per execution in ``.frame``, the totals in ``.summary``.

    ``histories``: history files, folders (read recursively), loaded histories or runs; ``mission``: the
    edited Mission (a Mission, its file, or an ASL file or dict). ``unrecorded`` says what calls without a
    recording get (``repeat``, ``last-success``, ``local``, ``fail``: see ``workbench.replay``); each row
    counts them in ``invented``. ``processes``: worker processes (default: one per CPU, at most one per
    execution); ``0`` replays in this process (no pool). ``on_row(done, row)`` is called here after each
    finished row. Ctrl-C returns the finished rows with ``interrupted=True``.

    Example:
        >>> w = workbench.whatif("runs/", "missions/deploy_check_retry.yaml")   # doctest: +SKIP
        >>> w.summary.recovered, w.summary.newly_failed                         # doctest: +SKIP
        (7, 0)
        >>> w.frame[["execution", "recorded_status", "replayed_status", "outcome", "invented"]]  # doctest: +SKIP
    """
    if unrecorded not in UNRECORDED:
        raise WhatIfError(f"unrecorded={unrecorded!r} is not one of {', '.join(UNRECORDED)}. Fix: use repeat "
                          "(the default: the last recorded outcome of that tool), last-success, local or fail.")
    if processes is not None and processes < 0:
        raise WhatIfError(f"processes={processes}: give 0 (this process), 1 or more, or None (one per CPU)")
    subject, name, definition = mission_parts(mission)
    items = portable_items(histories)
    if not items:
        raise WhatIfError("nothing to replay: the inputs hold no history. Fix: give history files or folders.")
    if processes is None and len(items) == 1:
        processes = 0  # one replay: starting a worker would cost more than the replay
    table = default_prices(prices)
    assumed: set[str] = set()
    uses: dict[str, int] = {}
    texts: dict[str, str] = {}
    done: dict[int, WhatIfRow] = {}

    def finished(data: Mapping[str, Any]) -> None:
        row, region_assumed = priced_row(data, table)
        if region_assumed:
            assumed.add(region_assumed)
        if data.get("definition_hash"):
            key = str(data["definition_hash"])
            uses[key] = uses.get(key, 0) + 1
            if data.get("definition_text"):
                texts[key] = str(data["definition_text"])
        done[row.index] = row
        bar.update(1)
        if on_row is not None:
            on_row(len(done), row)

    interrupted = False
    bar = tqdm(total=len(items), desc="what-if", unit="execution", disable=not progress)
    try:
        if processes == 0:
            known: set[str] = set()
            for index, item in enumerate(items):
                finished(replay_row_data(index, item, subject, unrecorded, known))
        else:
            _run_pool(items, subject, unrecorded, processes, finished)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    recorded, seen = most_common(uses, texts)
    notes = []
    if assumed:
        notes.append(f"no Standard or Express price for {', '.join(sorted(assumed))} in the price table: "
                     "priced like us-east-1")
    if seen > 1:
        notes.append(f"the histories carry {seen} different definitions; changed states are shown against the "
                     "most common one")
    return WhatIf(rows=[done[i] for i in sorted(done)], definition=definition, recorded_definition=recorded,
                  definitions_seen=seen, changes=changed_states(recorded, definition), mission_name=name,
                  unrecorded=unrecorded, interrupted=interrupted, requested=len(items), prices=table.citation,
                  notes=notes)


#: Why rows were not replayed when the worker processes stopped (the usual cause first).
BROKEN = ("the worker processes stopped before replaying it. In a script, call whatif() under "
          "`if __name__ == \"__main__\":` (each worker imports the main script again), or pass processes=0")


def _run_pool(items: list[Item], mission: Any, unrecorded: str, processes: int | None,
              finished: Callable[[Mapping[str, Any]], None]) -> None:
    """Replay ``items`` on a process pool, feeding each finished row to ``finished`` as it comes.

    When the pool breaks (a worker killed, or unable to start), the rows not finished say so; the others stay.
    """
    workers = max(1, min(processes or os.cpu_count() or 1, len(items)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start_worker,
                               initargs=(mission, unrecorded))
    pending: dict[Future[dict[str, Any]], int] = {}
    queue = iter(enumerate(items))
    settled: set[int] = set()
    try:
        for index, item in _take(queue, 2 * workers):  # a short queue: Ctrl-C leaves little work started
            pending[pool.submit(_work, index, item)] = index
        while pending:
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in ready:
                index = pending.pop(future)
                for nxt, item in _take(queue, 1):
                    pending[pool.submit(_work, nxt, item)] = nxt
                settled.add(index)
                finished(_result(future, index, items[index]))
    except BrokenProcessPool:
        _stop(pool)
        for index in range(len(items)):
            if index not in settled:
                settled.add(index)
                finished(not_replayed_row(index, items[index], BROKEN))
        return
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _take(queue: Iterable[tuple[int, Item]], n: int) -> list[tuple[int, Item]]:
    out: list[tuple[int, Item]] = []
    for pair in queue:
        out.append(pair)
        if len(out) >= n:
            break
    return out


def _result(future: Future[dict[str, Any]], index: int, item: Item) -> Mapping[str, Any]:
    """The row data of a finished future; a worker that died or raised becomes a not-replayed row."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise  # every row not finished says so (see _run_pool)
    except Exception as exc:  # a replay that raised must not lose the other rows: the row says what happened
        return not_replayed_row(index, item, f"the replay stopped: {type(exc).__name__}: {exc}")


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (their half-done replays are discarded)."""
    processes = list(getattr(pool, "_processes", {}).values())  # the stdlib keeps no public handle on them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)


__all__ = ["UNRECORDED", "RowHook", "WhatIfError", "whatif"]
