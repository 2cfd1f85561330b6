"""Run Missions: targets (embedded engine, AWS, any endpoint), deploy, launch, watch, faults and mocks.

The embedded engine is moto's ASL interpreter behind a local endpoint that answers only requests signed
with its own credentials (see ``docs/security.md``). Names load on first use, so importing this package
does not import moto.

Example:
    >>> from workbench.engine import EmbeddedEngine
    >>> with EmbeddedEngine(time_warp=True) as engine:                         # doctest: +SKIP
    ...     engine.register_tool("greet", lambda event, ctx: {"hello": event["name"]})
    ...     sfn = engine.client()                                          # signed with engine.credentials
"""

from __future__ import annotations

from workbench._lazy import lazy_attributes

_LAZY: dict[str, str] = {
    "EmbeddedEngine": "workbench.engine.embedded",
    "EngineCredentials": "workbench.engine.embedded",
    "shared_engine": "workbench.engine.embedded",
    "Target": "workbench.engine.connect.targets",
    "EndpointTarget": "workbench.engine.connect.targets",
    "run_mission": "workbench.engine.run.mission",
    "start_mission": "workbench.engine.run.mission",
}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

__all__ = sorted(_LAZY)
