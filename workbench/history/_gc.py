"""Pausing the cyclic garbage collector while loaders and frame builders create many long-lived objects.

Shared by :mod:`workbench.history.load` and :mod:`workbench.history.frames` (and the report builder).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of long-lived objects are created.

    Building frames allocates no reference cycles we need collected, but CPython would otherwise
    re-scan every surviving event dict at each generation-2 collection (that alone costs more than
    parsing the JSON). Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
