"""The Step Functions API as AWS serves it: operations moto lacks or answers differently, one module each.

``versions`` (versions and aliases), ``validation`` (AWS's error codes and bounds, ValidateStateMachineDefinition),
``stop`` (StopExecution), ``sync`` (StartSyncExecution and EXPRESS machines), ``test_state`` (TestState) and
``redrive`` (RedriveExecution). :func:`install` applies them in this order; ``patches.install`` calls it.
"""

from __future__ import annotations

from workbench.engine.embedded.interpreter.api import redrive, stop, sync, test_state, validation, versions

MODULES = (versions, validation, stop, sync, test_state, redrive)


def install() -> None:
    """Install every API module's adaptations, in a fixed order (``patches.install`` holds the lock)."""
    for module in MODULES:
        module.install()
