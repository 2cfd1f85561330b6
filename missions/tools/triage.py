"""Local tools of ``missions/incident_triage.yaml``: an on-call agent gathering evidence for an alert.

Each function is what the production Lambda does, minus the network: the answers are derived from
the input (see :mod:`missions.tools._det`), so the same alert always triages the same way.
"""

from __future__ import annotations

from typing import Any

from missions.tools._det import number, ratio

_SEVERITIES = ("low", "medium", "high", "critical")
_ERRORS = (
    "upstream connect error or disconnect/reset before headers",
    "context deadline exceeded while calling payments-gateway",
    "connection pool exhausted (max=50)",
    "HTTP 503 from inventory-service",
    "redis: i/o timeout",
)
_AUTHORS = ("mchen", "apatel", "jrossi", "kowusu", "lnguyen")


class AlertNotFound(Exception):
    """No such alert: the Step Functions error is this class name, so the Mission can catch it."""


def fetch_alert(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The alert behind an ``alert_id``: service, severity, affected hosts and when it opened.

    Example:
        >>> fetch_alert({"alert_id": "ALR-20417", "service": "checkout-api"})["service"]
        'checkout-api'
    """
    if not event.get("alert_id"):
        raise AlertNotFound("the request has no alert_id")
    alert_id = str(event["alert_id"])
    service = str(event.get("service", "checkout-api"))
    severity = event.get("severity") or _SEVERITIES[number(alert_id, "severity", high=3)]
    host_count = number(alert_id, "hosts", low=3, high=6)
    zone = ("a", "b", "c")
    hosts = [f"{service}-{i + 1:02d}.{'us-east-1' + zone[i % 3]}.internal" for i in range(host_count)]
    minute = number(alert_id, "minute", high=59)
    return {
        "alert_id": alert_id,
        "service": service,
        "severity": severity,
        "title": f"{service}: error rate above SLO for 5 minutes",
        "opened_at": f"2024-06-11T14:{minute:02d}:00Z",
        "hosts": hosts,
        "runbook": f"https://runbooks.example.internal/{service}/high-error-rate",
    }


def search_logs(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Error log lines for the service since the alert opened, grouped by message."""
    service = str(event.get("service", ""))
    since = str(event.get("since", ""))
    groups = [
        {"message": message, "count": number(service, since, message, low=3, high=900)}
        for message in _ERRORS[: number(service, "groups", low=2, high=len(_ERRORS))]
    ]
    groups.sort(key=lambda g: (-g["count"], g["message"]))
    return {
        "source": "logs",
        "service": service,
        "since": since,
        "error_lines": sum(g["count"] for g in groups),
        "top_errors": groups[:3],
    }


def query_metrics(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Golden signals for the service over the alert window."""
    service = str(event.get("service", ""))
    since = str(event.get("since", ""))
    return {
        "source": "metrics",
        "service": service,
        "window_start": since,
        "p99_latency_ms": number(service, since, "p99", low=180, high=4200),
        "error_rate": ratio(service, since, "errors", low=0.001, high=0.25, digits=4),
        "requests_per_second": number(service, since, "rps", low=120, high=5400),
        "cpu_saturation": ratio(service, since, "cpu", low=0.2, high=0.98, digits=2),
    }


def list_deploys(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Deploys of the service in the six hours before the alert; the latest one is the prime suspect."""
    service = str(event.get("service", ""))
    since = str(event.get("since", ""))
    count = number(service, since, "deploys", low=0, high=3)
    deploys = [
        {
            "deploy_id": f"dep-{number(service, since, i, low=10000, high=99999)}",
            "version": f"v2.{number(service, i, 'minor', low=10, high=40)}.{i}",
            "author": _AUTHORS[number(service, since, i, 'author', high=len(_AUTHORS) - 1)],
            "minutes_before_alert": 30 + 90 * i + number(service, i, "gap", high=20),
        }
        for i in range(count)
    ]
    return {
        "source": "deploys",
        "service": service,
        "deploys": deploys,
        "suspect": deploys[0]["deploy_id"] if deploys else None,
    }


def probe_host(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A health probe of one host: reachable, CPU, free disk and a verdict."""
    host = str(event.get("host", ""))
    cpu = number(host, "cpu", low=15, high=99)
    disk_free = number(host, "disk", low=2, high=80)
    reachable = number(host, "ping", high=9) > 0
    healthy = reachable and cpu < 90 and disk_free > 5
    return {
        "host": host,
        "reachable": reachable,
        "cpu_pct": cpu,
        "disk_free_pct": disk_free,
        "status": "healthy" if healthy else "unhealthy",
    }


def page_oncall(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Page the owning team's on-call engineer with the evidence so far."""
    alert = event.get("alert") or {}
    service = str(alert.get("service", "unknown"))
    return {
        "paged": True,
        "team": f"{service.split('-')[0]}-oncall",
        "incident_id": f"INC-{number(alert.get('alert_id'), 'incident', low=1000, high=9999)}",
        "reason": event.get("reason", "blast radius"),
    }


def summarize_incident(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A short written summary of the triage for the incident channel."""
    alert = event.get("alert") or {}
    assessment = event.get("assessment") or {}
    paged = event.get("page") or None
    lines = [
        f"{alert.get('service')} alert {alert.get('alert_id')} ({assessment.get('severity')})",
        f"{assessment.get('unhealthy_hosts', 0)} of {assessment.get('hosts', 0)} hosts unhealthy",
        f"error rate {assessment.get('error_rate')}",
    ]
    if assessment.get("suspect_deploy"):
        lines.append(f"suspect deploy {assessment['suspect_deploy']}")
    if paged:
        lines.append(f"paged {paged.get('team')} as {paged.get('incident_id')}")
    return {"alert_id": alert.get("alert_id"), "paged": bool(paged), "summary": "; ".join(lines)}
