"""The Step Functions API as AWS serves it: operations moto lacks or answers differently, one module each.

``versions`` (versions and aliases), ``validation`` (AWS's error codes and bounds, ValidateStateMachineDefinition;
``model_checks`` holds the service-model checks), ``stop`` (StopExecution), ``sync`` (StartSyncExecution and
EXPRESS machines), ``test_state`` (TestState), ``redrive`` (RedriveExecution), ``tasks_and_tags`` (task tokens,
activities and tags) and ``resources`` (what the other operations answer for unknown or wrong resources).
:func:`install` applies them in this order; ``patches.install`` calls it. ``errors.aws_error`` is how each raises.
"""

from __future__ import annotations

from workbench.engine.embedded.interpreter.api import (
    redrive,
    resources,
    stop,
    sync,
    tasks_and_tags,
    test_state,
    validation,
    versions,
)

MODULES = (versions, validation, stop, sync, test_state, redrive, tasks_and_tags, resources)


def install() -> None:
    """Install every API module's adaptations, in a fixed order (``patches.install`` holds the lock)."""
    for module in MODULES:
        module.install()
