"""Many fetches at once on daemon threads, all stopped by the first Ctrl-C.

``ThreadPoolExecutor`` joins its worker threads when the interpreter exits, so after Ctrl-C a process
waits for every in-flight HTTP request (up to botocore's read timeout, retries included) before it
can end. :class:`DaemonPool` offers the same ``submit``/``Future`` interface on daemon threads: on
interruption the pending work is cancelled and in-flight requests are abandoned (each is bounded by
botocore's timeouts, and a history that still arrives is written to the cache atomically).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

_T = TypeVar("_T")


class FetchInterrupted(KeyboardInterrupt):
    """Ctrl-C while fetching many histories: pending fetches were cancelled, finished ones are kept.

    ``kept`` counts the requested executions whose finished history is in the cache, ``total`` the
    requested ones, ``histories`` those fetched before the interruption. Subclasses
    ``KeyboardInterrupt`` so scripts still stop; IPython shows only the message.

    Example:
        >>> print(FetchInterrupted(kept=3, total=10, cache=Path("/tmp/c"), histories=[]))
        interrupted: kept 3 of 10 executions in /tmp/c; run the same fetch again for the rest (cached ones \
cost no call)
    """

    def __init__(self, *, kept: int, total: int, cache: Path | None, histories: list[Any]) -> None:  # Any: any
        self.kept, self.total, self.cache, self.histories = kept, total, cache, histories
        where = f"in {cache}" if cache is not None else "(no cache was used)"
        super().__init__(f"interrupted: kept {kept} of {total} executions {where}; run the same fetch again for "
                         "the rest (cached ones cost no call)")

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class DaemonPool:
    """At most ``workers`` calls at a time on daemon threads; ``submit`` returns a ``Future``.

    Example:
        >>> pool = DaemonPool(2)
        >>> futures = [pool.submit(pow, 2, n) for n in range(5)]
        >>> pool.shutdown()
        >>> [f.result(timeout=5) for f in futures]
        [1, 2, 4, 8, 16]
    """

    def __init__(self, workers: int) -> None:
        # Any: the queue holds futures and callables of every result type
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[object, ...]] | None] = \
            queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"workbench-fetch-{n}", daemon=True)
                         for n in range(max(1, workers))]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., _T], /, *args: object) -> Future[_T]:
        """Queue ``fn(*args)``; its ``Future`` can be cancelled until a thread starts it."""
        future: Future[_T] = Future()
        self._queue.put((future, fn, args))
        return future

    def shutdown(self, *, cancel_futures: bool = False) -> None:
        """Let the threads end after the queued work (or cancel what has not started); never blocks."""
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the waiting thread, which decides
                future.set_exception(exc)


def each_done(futures: Iterable[Future[_T]], on_done: Callable[[Future[_T]], None], poll: float = 0.2) -> None:
    """Call ``on_done`` for each future as it finishes, waiting in ``poll``-second slices (Ctrl-C is seen at once).

    Example:
        >>> pool = DaemonPool(2)
        >>> seen = []
        >>> each_done([pool.submit(abs, -n) for n in range(3)], lambda f: seen.append(f.result()))
        >>> pool.shutdown(); sorted(seen)
        [0, 1, 2]
    """
    finished: queue.SimpleQueue[Future[_T]] = queue.SimpleQueue()
    waiting = list(futures)
    for future in waiting:
        future.add_done_callback(finished.put)  # O(1) per completion, unlike wait() over all pending futures
    for _ in waiting:
        while True:
            try:
                done = finished.get(timeout=poll)
            except queue.Empty:
                continue  # wake up now and then: a signal handler (Ctrl-C) runs between the waits
            break
        on_done(done)
