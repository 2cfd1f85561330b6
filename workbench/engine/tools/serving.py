"""Who runs a Mission's local tools on an endpoint target: asked of the endpoint before anything is deployed.

A plain Step Functions endpoint (LocalStack, Step Functions Local, moto) calls Lambda functions; it cannot run
a tool's ``module:function``, and a run that needs one would hang or fail mid-way. Only a ``workbench engine
serve`` engine can, when it was started with that tool (``--tool``) or lets its owner register tools
(``--allow-remote-tools``). It says which in a signed ``GET /workbench/info``; any other answer (404, not
JSON, a refused signature) comes from an unknown Step Functions endpoint.
"""

from __future__ import annotations

import http.client
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.core.arn import Arn
from workbench.engine.errors import EndpointUnreachableError, TargetError

if TYPE_CHECKING:
    from workbench.engine.connect.targets import EndpointTarget
    from workbench.mission.model import Mission

INFO_PATH = "/workbench/info"
INFO_TIMEOUT_SECONDS = 5.0
#: How a workbench engine refuses a request signed with other credentials (``auth.RequestGuard``).
CREDENTIAL_REFUSALS = frozenset({"UnrecognizedClientException", "InvalidSignatureException",
                                 "MissingAuthenticationTokenException"})


class ToolsNotServedError(TargetError):
    """The target cannot run some of the Mission's local tools; raised before anything is deployed."""


@dataclass(frozen=True)
class EndpointInfo:
    """A workbench engine's answer to ``GET /workbench/info``.

    Example:
        >>> EndpointInfo.from_answer({"engine": "workbench", "tools": ["greet"]}).tools
        ('greet',)
        >>> EndpointInfo.from_answer({"message": "no route"}) is None
        True
    """

    engine: str
    version: str
    region: str
    tools: tuple[str, ...]
    allow_remote_tools: bool
    time_warp: bool

    @classmethod
    def from_answer(cls, body: Any) -> EndpointInfo | None:
        """The info in a JSON answer, or None when it is not a workbench engine's."""
        if not isinstance(body, dict) or body.get("engine") != "workbench" or not isinstance(body.get("tools"), list):
            return None
        return cls(engine="workbench", version=str(body.get("version", "")), region=str(body.get("region", "")),
                   tools=tuple(str(t) for t in body["tools"]),
                   allow_remote_tools=body.get("allow_remote_tools") is True, time_warp=body.get("time_warp") is True)


def endpoint_info(target: EndpointTarget, timeout: float = INFO_TIMEOUT_SECONDS) -> EndpointInfo | None:
    """Ask the endpoint what it is (signed like every call to it): a workbench engine's info, else None.

    Raises :class:`EndpointUnreachableError` when nothing answers at all (refused, reset, no reply in time).

    Example:
        >>> endpoint_info(Target.parse("http://127.0.0.1:4599", env_file="engine.env")).tools  # doctest: +SKIP
        ('triage-fetch-alert',)
    """
    return _probe(target, timeout)[0]


def _probe(target: EndpointTarget, timeout: float) -> tuple[EndpointInfo | None, str]:
    """The info (or None) and, when the endpoint refused the request's credentials, its error code."""
    from workbench.engine.embedded.endpoint.auth import signed_call

    url = f"{target.endpoint_url}{INFO_PATH}"
    try:
        body = signed_call(target.signing_credentials, "GET", url, timeout=timeout)
    except urllib.error.HTTPError as exc:  # it answered, but not as a workbench engine (404, refused signature...)
        code = str(exc.headers.get("x-amzn-ErrorType", "")) if exc.headers else ""
        return None, code if code in CREDENTIAL_REFUSALS else ""
    except http.client.HTTPException:
        return None, ""  # it answered, but not in HTTP that a workbench engine speaks
    except OSError as exc:  # URLError, refused, reset, timed out
        reason = getattr(exc, "reason", exc)
        raise EndpointUnreachableError(
            f"Could not reach the endpoint at {target.endpoint_url} ({reason}); start it (e.g. `workbench engine "
            "serve --env-file F`) or check --target", operation="GET /workbench/info") from None
    except ValueError:
        return None, ""  # not JSON: some other server
    return EndpointInfo.from_answer(body), ""


def is_lambda_arn(text: str) -> bool:
    """Whether a tool's ``lambda`` is a full Lambda function ARN (a deployed function any engine can call).

    Example:
        >>> is_lambda_arn("arn:aws:lambda:us-east-1:123456789012:function:fetch"), is_lambda_arn("fetch")
        (True, False)
    """
    arn = Arn.try_parse(text)
    return arn is not None and arn.service == "lambda" and arn.resource_type == "function"


def tools_to_serve(mission: Mission, extra: Mapping[str, str], *, workbench_engine: bool) -> dict[str, str]:
    """Lambda function name -> ``module:function`` of each tool the endpoint itself has to run.

    A workbench engine calls no real Lambda, so it runs every tool that has a local function; another
    endpoint calls the tools given as Lambda ARNs, and has to run the others. ``extra`` (``--tool``) are
    local by definition.

    Example:
        >>> from workbench.mission.model import Mission
        >>> m = Mission.model_validate({"mission": "m", "steps": [{"id": "a", "pass": 1}], "tools": {
        ...     "fetch": {"lambda": "fetch-alert", "local": "tools:fetch"},
        ...     "page": {"lambda": "arn:aws:lambda:us-east-1:1:function:page", "local": "tools:page"}}})
        >>> tools_to_serve(m, {}, workbench_engine=False)
        {'fetch-alert': 'tools:fetch'}
    """
    needed = {spec.function_name: spec.local for spec in mission.tools.values()
              if spec.local and (workbench_engine or not is_lambda_arn(spec.lambda_))}
    return {**needed, **extra}


def check_tools_served(target: EndpointTarget, mission: Mission,
                       extra: Mapping[str, str] | None = None) -> EndpointInfo | None:
    """Refuse, before anything is deployed, a run whose local tools the endpoint cannot run.

    Returns the engine's info (None for an unknown endpoint, which is fine for Lambda-only Missions).

    Example:
        >>> check_tools_served(Target.parse("http://127.0.0.1:4566"), mission)  # doctest: +SKIP
        Traceback (most recent call last):
        ToolsNotServedError: http://127.0.0.1:4566 is not a workbench engine ...
    """
    info, refused = _probe(target, INFO_TIMEOUT_SECONDS)
    needed = tools_to_serve(mission, extra or {}, workbench_engine=info is not None)
    names = {spec.function_name: name for name, spec in mission.tools.items()}
    if info is None:
        if needed:
            raise ToolsNotServedError(
                f"{target.endpoint_url} is not a workbench engine (it does not answer GET {INFO_PATH}), so it cannot "
                f"run the local tools {_listed(needed, names)}: deploy them as Lambda functions and give their ARNs "
                f"in the Mission (lambda: arn:aws:lambda:REGION:ACCOUNT:function:NAME), or run on `workbench engine "
                f"serve --allow-remote-tools` (or {_tool_options(needed)}) and pass its URL as --target"
                + (f" (it refused this request's credentials, {refused}: if it is a workbench engine, pass the "
                   "--env-file it wrote)" if refused else ""))
        return None
    missing = {fn: spec for fn, spec in needed.items() if fn not in info.tools}
    if missing and not info.allow_remote_tools:
        raise ToolsNotServedError(
            f"the workbench engine at {target.endpoint_url} does not serve the local tools "
            f"{_listed(missing, names)} and refuses tools over HTTP: restart it with `workbench engine serve "
            f"--allow-remote-tools` (or {_tool_options(missing)}), or deploy them as Lambda functions and give "
            "their ARNs in the Mission")
    return info


def _listed(functions: Mapping[str, str], names: Mapping[str, str]) -> str:
    """``fetch_alert (triage-fetch-alert), ...``: the Mission's tool names with the Lambda names served."""
    return ", ".join(f"{names[fn]} ({fn})" if names.get(fn, fn) != fn else fn for fn in sorted(functions))


def _tool_options(functions: Mapping[str, str]) -> str:
    return " ".join(f"--tool {fn}={spec}" for fn, spec in sorted(functions.items()))
