"""The on-disk cache of finished executions' histories (:class:`HistoryCache`), used by
:mod:`workbench.history.fetch.histories` and re-exported from :mod:`workbench.history.fetch`.

Cache: ``$WORKBENCH_CACHE/histories`` (default ``~/.cache/workbench/histories``), one JSON file per
execution in the ``get_execution_history`` shape plus ``executionArn``/``stateMachineArn``/``status``,
written atomically (temp file + ``os.replace``), so an interrupted fetch never leaves a corrupt entry.
Histories hold execution inputs and outputs: entries are 0600 and the cache folders 0700.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path

import orjson

from workbench.core.arn import Arn
from workbench.core.files import PRIVATE_FILE, private_dir, tighten_mode, write_bytes_atomic
from workbench.history._types import JsonDict
from workbench.history.load.events import HistoryWarning

__all__ = ["CacheWarning", "HistoryCache", "default_cache_dir"]


class CacheWarning(HistoryWarning):
    """A cache entry was unreadable and has been ignored (it will be re-fetched and rewritten)."""

def default_cache_dir() -> Path:
    """``$WORKBENCH_CACHE/histories``, else ``~/.cache/workbench/histories``.

    Example:
        >>> default_cache_dir().name
        'histories'
    """
    root = os.environ.get("WORKBENCH_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "workbench") / "histories"


class HistoryCache:
    """Finished executions' histories on disk, one atomic JSON file (0600) per execution, folders 0700.

    The default cache folder is tightened to 0700 if an older version left it readable by others; a
    folder given by the caller is created 0700 but, if it exists, left as it is (it is the caller's).

    Example:
        >>> import tempfile
        >>> cache = HistoryCache(tempfile.mkdtemp())
        >>> cache.get("arn:aws:states:eu-west-1:1:execution:M:run-1") is None
        True
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self._owned = root is None or self.root == default_cache_dir()
        self._ready: set[Path] = set()

    def prepare(self) -> Path:
        """Create the cache folder (0700) now, so an unusable location fails before any fetch; returns it.

        Example:
            >>> import tempfile
            >>> root = HistoryCache(Path(tempfile.mkdtemp()) / "c").prepare()
            >>> oct(root.stat().st_mode & 0o777)
            '0o700'
        """
        if self.root not in self._ready:
            private_dir(self.root, tighten=self._owned)
            self._ready.add(self.root)
        return self.root

    def path_for(self, execution_arn: str) -> Path:
        """Where the history of ``execution_arn`` is cached (``<root>/<2 hex>/<name>-<digest>.json``)."""
        digest = hashlib.sha256(execution_arn.encode()).hexdigest()
        arn = Arn.try_parse(execution_arn)
        tail = arn.parts[-2:] if arn else (execution_arn,)
        readable = re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(tail))[-60:]
        return self.root / digest[:2] / f"{readable}-{digest[:24]}.json"

    def get(self, execution_arn: str, *, need_data: bool = True) -> JsonDict | None:
        """The cached payload, or None (missing, unreadable, or fetched without data when data is needed)."""
        path = self.path_for(execution_arn)
        try:
            payload = orjson.loads(path.read_bytes())
            tighten_mode(path, PRIVATE_FILE)  # an entry written 0644 by an older version
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

    def put(self, payload: JsonDict) -> Path:
        """Write atomically (temp file in the same folder, fsync, ``os.replace``), mode 0600 in 0700 folders.

        Example:
            >>> import tempfile
            >>> arn = "arn:aws:states:eu-west-1:1:execution:M:run-1"
            >>> path = HistoryCache(tempfile.mkdtemp()).put({"executionArn": arn, "events": []})
            >>> oct(path.stat().st_mode & 0o777), oct(path.parent.stat().st_mode & 0o777)
            ('0o600', '0o700')
        """
        path = self.path_for(payload["executionArn"])
        self.prepare()
        if path.parent not in self._ready:
            private_dir(path.parent, tighten=True)  # the two-letter shard folders are always ours
            self._ready.add(path.parent)
        return write_bytes_atomic(path, orjson.dumps(payload), PRIVATE_FILE)

    def clear(self) -> int:
        """Delete every cached history; returns how many files were removed.

        Example:
            >>> import tempfile
            >>> HistoryCache(tempfile.mkdtemp()).clear()
            0
        """
        removed = 0
        for path in self.root.glob("*/*.json"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
