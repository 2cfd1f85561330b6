"""Atomic file writes: readers see the old content or the new one, never half of it.

Files are private (:data:`PRIVATE_FILE`, 0600) unless the caller asks for another mode: histories,
caches, reports and frame exports hold the inputs and outputs of executions. Writers of files meant to
be shared (a Mission, an ASL definition, a graph) pass :data:`SHARED_FILE` (0644). Folders that hold
execution data are made with :func:`private_dir` (0700).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE = 0o600
SHARED_FILE = 0o644
PRIVATE_DIR = 0o700


@contextmanager
def atomic_path(path: str | Path, mode: int = PRIVATE_FILE) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; it replaces ``path`` only if the block succeeds.

    For writers that want a file name (``DataFrame.to_parquet``); plain text or bytes use
    :func:`write_text_atomic` / :func:`write_bytes_atomic`. The file gets ``mode`` (default 0600)
    before it appears under its name, so it is never readable by others, not even for a moment.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "frames.csv"
        >>> with atomic_path(target) as tmp:
        ...     _ = tmp.write_text("a,b\\n1,2\\n")
        >>> target.read_text(), oct(target.stat().st_mode & 0o777)
        ('a,b\\n1,2\\n', '0o600')
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)  # mkstemp makes 0600: a private file is never readable by others, even briefly
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def write_text_atomic(path: str | Path, text: str, mode: int = PRIVATE_FILE) -> Path:
    """Write text (UTF-8) to ``path`` through a temporary file in the same folder and ``os.replace``.

    Example:
        >>> import tempfile
        >>> path = write_text_atomic(Path(tempfile.mkdtemp()) / "m.yaml", "mission: m\\n", mode=SHARED_FILE)
        >>> path.read_text(), oct(path.stat().st_mode & 0o777)
        ('mission: m\\n', '0o644')
    """
    return write_bytes_atomic(path, text.encode("utf-8"), mode)


def write_bytes_atomic(path: str | Path, data: bytes, mode: int = PRIVATE_FILE) -> Path:
    """Bytes version of :func:`write_text_atomic` (flushed to disk before the rename); returns the path.

    Example:
        >>> import tempfile
        >>> path = write_bytes_atomic(Path(tempfile.mkdtemp()) / "h.json", b"{}")
        >>> path.read_bytes(), oct(path.stat().st_mode & 0o777)
        (b'{}', '0o600')
    """
    with atomic_path(path, mode) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(path)


def private_dir(path: str | Path, *, tighten: bool = False) -> Path:
    """Make a folder (and its missing parents) with mode 0700; returns it.

    ``tighten=True`` also takes group and other permissions away from an existing folder (only do that
    to folders the workbench owns, such as its cache, never to one a user named).

    Example:
        >>> import tempfile
        >>> base = Path(tempfile.mkdtemp())
        >>> made = private_dir(base / "cache" / "histories")
        >>> oct(made.stat().st_mode & 0o777), oct(made.parent.stat().st_mode & 0o777)
        ('0o700', '0o700')
        >>> _ = base.chmod(0o755)
        >>> oct(private_dir(base, tighten=True).stat().st_mode & 0o777)
        '0o700'
    """
    target = Path(path)
    missing: list[Path] = []
    probe = target
    while not probe.is_dir() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made by a concurrent writer: leave its mode alone
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask
    if tighten and not missing:
        tighten_mode(target, PRIVATE_DIR)
    return target


def tighten_mode(path: str | Path, mode: int = PRIVATE_FILE) -> bool:
    """Remove permission bits beyond ``mode`` from a file or folder we own; True when it changed.

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "old.json"
        >>> _ = p.write_text("{}"); p.chmod(0o644)
        >>> tighten_mode(p), oct(p.stat().st_mode & 0o777), tighten_mode(p)
        (True, '0o600', False)
    """
    try:
        info = os.stat(path)
        current = stat.S_IMODE(info.st_mode)
        if current & ~mode == 0 or info.st_uid != os.geteuid():
            return False
        os.chmod(path, current & mode)
    except OSError:
        return False  # not ours to change, or gone: the caller goes on
    return True


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry of a rename to disk (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
