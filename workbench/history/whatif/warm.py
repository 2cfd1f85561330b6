"""Imported once by the what-if's fork server (``forkserver`` preload), so every worker forks ready to replay.

Importing the replay and applying the embedded engine's patches to moto takes seconds (moto imports most
of its services to check the code it adapts); done here, before any worker is forked, each worker only
starts its engine's server. Nothing here starts a thread. When the patches cannot be applied, nothing is
raised here: each worker then tries again and reports the failure on its rows.
"""

from __future__ import annotations

import contextlib
import importlib

from workbench.core.diagnostics import WorkbenchError
from workbench.engine.embedded.interpreter import patches

#: Modules every worker needs, imported once here for all of them to inherit.
MODULES = ("workbench.history.replay", "workbench.history.whatif.rows")

for _name in MODULES:
    importlib.import_module(_name)
with contextlib.suppress(WorkbenchError, ImportError):
    patches.install()
