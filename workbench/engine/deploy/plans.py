"""Deploy a prepared plan (and optionally start it): one state machine per bound template, idempotently.

The name comes from the template, its version and the parameters' hash (or without the hash, ``naming="version"``),
so deploying the same parameters again changes nothing, and a changed parameter publishes a new version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.core.arn import Arn
from workbench.engine.connect.targets import Target
from workbench.engine.deploy.state_machines import Deployment, check_alias, deploy
from workbench.engine.errors import DeployError
from workbench.engine.run.launch import encode_input

if TYPE_CHECKING:
    from workbench.asl.plan import PreparedPlan
    from workbench.engine.run.launch import Execution


@dataclass
class PlanDeployment:
    """What :func:`deploy_plan` did: the deployment, and the execution when it was started."""

    prepared: PreparedPlan
    deployment: Deployment
    execution: Execution | None = None

    @property
    def version(self) -> str | None:
        """The published version number (last part of the version ARN), when the target publishes versions."""
        arn = Arn.try_parse(self.deployment.version_arn)
        return arn.qualifier if arn else None


def deploy_plan(prepared: PreparedPlan, target: Target, *, alias: str | None = None, start: bool = False,
                input: Any = None, wait: bool = True, progress: bool = False) -> PlanDeployment:
    """Deploy ``prepared`` to ``target``; with ``start``, start one execution with the plan's input (or ``input``).

    Raises :class:`DeployError` when the plan is not ready (nothing selected, or errors): nothing is deployed.

    Example:
        >>> from workbench.asl.plan import prepare_plan
        >>> from workbench.mission.catalog import load_catalog, load_plan
        >>> prepared = prepare_plan(load_plan("missions/plans/triage_payments.plan.json"),
        ...                         load_catalog("missions/catalog"))
        >>> done = deploy_plan(prepared, Target.parse("embedded", time_warp=True), start=True)  # doctest: +SKIP
        >>> done.execution.status  # doctest: +SKIP
        'SUCCEEDED'
    """
    if not prepared.ok or prepared.mission is None or prepared.definition is None:
        reason = prepared.selection.headline() if prepared.mission is None else "the bound Mission has errors"
        raise DeployError(f"nothing deployed: {reason}")
    mission, definition = prepared.mission, prepared.definition
    if alias is not None:
        check_alias(alias)
    if not start:
        return PlanDeployment(prepared, deploy(target, mission.name, definition, alias=alias))
    # checked before anything is deployed; a plan's input is a JSON value, so a string is a string
    chosen = input if input is not None else (
        prepared.plan.input if prepared.plan.input is not None else mission.local.input)
    payload = encode_input(json.dumps(chosen) if isinstance(chosen, str) and input is None else chosen)
    from workbench.engine.run.mission import start_mission

    run = start_mission(mission, definition, target, payload)  # refuses before deploying when tools cannot run
    deployment = run.deployment
    if alias is not None:
        deployment = deploy(target, mission.name, definition, alias=alias).model_copy(update={
            "created": run.deployment.created, "updated": run.deployment.updated,
            "published": run.deployment.published})
    if wait:
        try:
            run.execution.wait(progress=progress)
        finally:
            if run.execution.done:
                run.release()
    return PlanDeployment(prepared, deployment, run.execution)
