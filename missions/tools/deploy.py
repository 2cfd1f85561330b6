"""Local tools of ``missions/deploy_check.yaml``: start a rolling deploy and poll it until it settles.

The rollout's progress is a function of the deployment id and the poll number, so the same deploy
always becomes ready after the same number of checks; a version ending in ``-bad`` always fails.
"""

from __future__ import annotations

from typing import Any

from missions.tools._det import number


def start_deploy(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Start a rolling deploy of ``version`` to ``service``.

    Example:
        >>> d = start_deploy({"service": "payments-api", "version": "v2.14.1"})
        >>> d["status"], d["deployment_id"].startswith("d-")
        ('IN_PROGRESS', True)
    """
    service = str(event.get("service", ""))
    version = str(event.get("version", ""))
    targets = number(service, "targets", low=4, high=12)
    return {
        "deployment_id": f"d-{number(service, version, low=10**8, high=10**9 - 1):X}",
        "service": service,
        "version": version,
        "targets": targets,
        "status": "IN_PROGRESS",
        "poll_seconds": 20,
        "ready_after_checks": number(service, version, "ready", low=2, high=4),
    }


def check_deploy(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The rollout's state at poll number ``attempt`` (1-based)."""
    deploy = event.get("deploy") or {}
    attempt = int(event.get("attempt", 1))
    targets = int(deploy.get("targets", 1))
    ready_after = int(deploy.get("ready_after_checks", 1))
    if str(deploy.get("version", "")).endswith("-bad") and attempt >= 2:
        return {"deployment_id": deploy.get("deployment_id"), "status": "FAILED", "healthy_targets": 1,
                "targets": targets, "reason": "new tasks fail their health check (HTTP 500 on /healthz)"}
    healthy = targets if attempt >= ready_after else max(0, targets * attempt // ready_after)
    return {
        "deployment_id": deploy.get("deployment_id"),
        "status": "SUCCEEDED" if healthy == targets else "IN_PROGRESS",
        "healthy_targets": healthy,
        "targets": targets,
        "reason": None,
    }


def rollback_deploy(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Roll the service back to the version it ran before the deploy."""
    deploy = event.get("deploy") or {}
    return {
        "deployment_id": deploy.get("deployment_id"),
        "rolled_back": True,
        "restored_version": f"{deploy.get('version', 'v0')}-previous",
    }
