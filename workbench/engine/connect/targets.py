"""Where Step Functions calls go. A Target is nothing but a configured boto3 client.

One code path reaches every engine: deploy, launch, watch and history all call boto3 through
``Target.call``. Only where the client points differs:

* ``embedded`` (default): the in-process moto engine, no AWS account needed;
* ``aws``: a boto3 Session with the usual credential chain, adaptive retries on;
* ``endpoint``: any Step Functions-compatible URL (LocalStack, Step Functions Local, ``workbench engine serve``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from workbench.engine.errors import TargetError, UnsupportedOperationError, translate

if TYPE_CHECKING:
    from workbench.engine.embedded.endpoint.auth import EngineCredentials
    from workbench.engine.tools.bindings import BoundTools, ToolBinding
    from workbench.engine.tools.faults import FaultPlan

TargetKind = Literal["embedded", "aws", "endpoint"]

#: Role ARN used on local engines: they check its format, never its permissions.
LOCAL_ROLE_ARN = "arn:aws:iam::123456789012:role/workbench-local"
DEFAULT_REGION = "us-east-1"
DEFAULT_AWS_MAX_ATTEMPTS = 10


class EngineLike(Protocol):
    """What a target needs from an embedded engine (``workbench.engine.embedded.EmbeddedEngine``)."""

    endpoint_url: str
    region: str

    def client(self, service: str = "stepfunctions") -> Any: ...

    def register_tool(self, function_name: str, fn: Callable[..., Any]) -> None: ...

    def unregister_tool(self, function_name: str) -> None: ...


@dataclass(frozen=True)
class Capabilities:
    """What the engine behind a target can do beyond the basics (moto lacks a few operations).

    ``None`` means unknown: try the call once and remember the answer.
    """

    start_qualified: bool  # StartExecution on a version or alias ARN
    list_versions: bool | None  # ListStateMachineVersions
    publish_version: bool | None  # PublishStateMachineVersion


class Target:
    """Base class: a place to run state machines, reached through one boto3 client per service.

    Example:
        >>> t = Target.parse("http://127.0.0.1:4566")
        >>> t.kind, t.describe()["endpoint_url"]
        ('endpoint', 'http://127.0.0.1:4566')
    """

    kind: ClassVar[TargetKind]
    capabilities: ClassVar[Capabilities]

    def __init__(self, *, region: str | None, role_arn: str | None) -> None:
        self.region = region
        self.role_arn = role_arn
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._unsupported: set[str] = set()

    # -- construction -------------------------------------------------------------------------
    @staticmethod
    def parse(
        spec: str | Target | None = "embedded",
        *,
        profile: str | None = None,
        region: str | None = None,
        role_arn: str | None = None,
        time_warp: bool = False,
        faults: FaultPlan | None = None,
        env_file: str | os.PathLike[str] | None = None,
    ) -> Target:
        """Build a target from ``"embedded"``, ``"aws"``, an ``http(s)://`` URL or ``"endpoint"``.

        ``"endpoint"`` takes the URL from ``env_file`` (written by ``workbench engine serve --env-file``) or
        ``AWS_ENDPOINT_URL_SFN``; a URL target signs with that file's or the environment's credentials.

        Example:
            >>> Target.parse("aws", region="eu-west-1", role_arn="arn:aws:iam::111122223333:role/sfn").kind
            'aws'
        """
        if isinstance(spec, Target):
            return spec
        text = (spec or "embedded").strip()
        low = text.lower()
        if low in {"embedded", "local", "moto"}:
            return EmbeddedTarget(time_warp=time_warp, faults=faults, region=region)
        if low == "aws":
            return AwsTarget(profile=profile, region=region, role_arn=role_arn)
        if low.startswith(("http://", "https://")) or low == "endpoint":
            return EndpointTarget(None if low == "endpoint" else text, region=region, role_arn=role_arn,
                                  profile=profile, env_file=env_file)
        raise TargetError(
            f"Unknown target '{text}'. Use 'embedded' (local engine, the default), 'aws' (your AWS account), "
            "the URL of a Step Functions-compatible endpoint such as http://127.0.0.1:4566, or 'endpoint' "
            "(the one named by --env-file or AWS_ENDPOINT_URL_SFN)."
        )

    # -- clients ------------------------------------------------------------------------------
    def _make_client(self, service: str) -> Any:
        raise NotImplementedError

    def client(self, service: str = "stepfunctions") -> Any:
        """The boto3 client for ``service`` on this target (created once, then reused)."""
        with self._lock:
            if service not in self._clients:
                try:
                    self._clients[service] = self._make_client(service)
                except (BotoCoreError, ClientError) as exc:
                    raise translate(exc, operation=f"creating a {service} client", target_kind=self.kind) from exc
            return self._clients[service]

    def describe(self) -> dict[str, Any]:
        """A dict safe to show (no secrets): kind, region, endpoint, role."""
        raise NotImplementedError

    # -- calls --------------------------------------------------------------------------------
    def call(self, operation: str, /, **params: Any) -> dict[str, Any]:
        """Call a Step Functions operation (boto3 snake_case name) and translate any error.

        Example:
            >>> Target.parse("embedded").call("list_state_machines")["stateMachines"]  # doctest: +SKIP
            []
        """
        from workbench.engine.embedded.errors import EngineUnsupported  # light: no moto import

        method = getattr(self.client(), operation)
        try:
            response: dict[str, Any] = method(**params)
        except EngineUnsupported as exc:
            self._unsupported.add(operation)
            raise UnsupportedOperationError(str(exc), operation=_camel(operation), code="Unsupported") from exc
        except (BotoCoreError, ClientError) as exc:
            error = translate(exc, operation=_camel(operation), target_kind=self.kind)
            if isinstance(error, UnsupportedOperationError):
                self._unsupported.add(operation)
            raise error from exc
        response.pop("ResponseMetadata", None)
        return response

    def pages(self, operation: str, /, max_pages: int = 10_000, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated operation, following ``nextToken`` until it is absent.

        An endpoint that hands back a ``nextToken`` it gave before, or pages past ``max_pages``, would be
        followed forever: both raise :class:`TargetError` instead.
        """
        token: str | None = None
        seen: set[str] = set()
        for _ in range(max_pages):
            page = self.call(operation, **params, **({"nextToken": token} if token else {}))
            yield page
            token = page.get("nextToken")
            if not token:
                return
            if token in seen:
                raise TargetError(f"{operation}: the endpoint returned the same nextToken twice "
                                  f"({token[:24]}…); it pages in a loop, so the listing stops here")
            seen.add(token)
        raise TargetError(f"{operation}: more than {max_pages:,} pages; the listing stops here")

    def supports(self, operation: str) -> bool | None:
        """False once ``operation`` proved unsupported here; else the static capability (None: unknown)."""
        if operation in self._unsupported:
            return False
        known = {
            "list_state_machine_versions": self.capabilities.list_versions,
            "publish_state_machine_version": self.capabilities.publish_version,
        }
        return known.get(operation, True)

    def try_call(self, operation: str, /, **params: Any) -> dict[str, Any] | None:
        """Like :meth:`call`, but ``None`` when the engine does not implement the operation."""
        if self.supports(operation) is False:
            return None
        try:
            return self.call(operation, **params)
        except UnsupportedOperationError:
            return None

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if k != "kind" and v is not None)
        return f"<{self.kind} target {fields}>"


def _camel(operation: str) -> str:
    return "".join(part.title() for part in operation.split("_"))


def _local_config() -> Config:
    # Host prefixes ("sync-") break local URLs; few retries because local errors are not transient.
    return Config(inject_host_prefix=False, retries={"mode": "standard", "max_attempts": 3})


class EmbeddedTarget(Target):
    """The in-process moto engine. ``time_warp`` and fault settings apply here only."""

    kind: ClassVar[TargetKind] = "embedded"
    capabilities: ClassVar[Capabilities] = Capabilities(
        start_qualified=False, list_versions=False, publish_version=False
    )

    def __init__(
        self,
        engine: EngineLike | None = None,
        *,
        time_warp: bool | None = None,
        faults: FaultPlan | None = None,
        region: str | None = None,
    ) -> None:
        super().__init__(region=region or (engine.region if engine else DEFAULT_REGION), role_arn=LOCAL_ROLE_ARN)
        self._engine = engine
        self.time_warp = bool(getattr(engine, "time_warp", False)) if time_warp is None else time_warp
        self.faults = faults

    @property
    def engine(self) -> EngineLike:
        """The engine, started on first use (the process-wide shared one unless one was given)."""
        if self._engine is None:
            from workbench.engine.embedded import shared_engine

            self._engine = shared_engine(time_warp=self.time_warp)
            self.region = self._engine.region
        return self._engine

    def _make_client(self, service: str) -> Any:
        return self.engine.client(service)

    def bind_tools(self, bindings: Iterable[ToolBinding], faults: FaultPlan | None = None,
                   seed: int | None = None) -> BoundTools:
        """Run tools' local functions for their Lambda names here, with this target's faults by default.

        Example:
            >>> target = Target.parse("embedded", time_warp=True, faults=plan)  # doctest: +SKIP
            >>> with target.bind_tools([ToolBinding(name="fetch", lambda_function="fetch", local="m:fetch")]):
            ...     launch(target, deployment, {}).wait()  # doctest: +SKIP
        """
        from workbench.engine.tools.bindings import bind_tools

        return bind_tools(self.engine, bindings, faults or self.faults, seed, time_warp=self.time_warp)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "endpoint_url": self._engine.endpoint_url if self._engine else None,
            "region": self.region,
            "time_warp": self.time_warp,
            "fault_tools": sorted(self.faults.tools) if self.faults else [],
            "role_arn": self.role_arn,
        }


class AwsTarget(Target):
    """Real AWS through a boto3 Session: usual credential chain, ``profile``, ``region``, adaptive retries.

    ``max_attempts`` defaults to ``AWS_MAX_ATTEMPTS`` when set, else 10.
    """

    kind: ClassVar[TargetKind] = "aws"
    capabilities: ClassVar[Capabilities] = Capabilities(start_qualified=True, list_versions=True, publish_version=True)

    def __init__(
        self,
        *,
        profile: str | None = None,
        region: str | None = None,
        role_arn: str | None = None,
        max_attempts: int | None = None,
    ) -> None:
        try:
            self.session = boto3.Session(profile_name=profile, region_name=region)
        except BotoCoreError as exc:
            raise translate(exc, operation="opening the AWS session", target_kind="aws") from exc
        super().__init__(region=self.session.region_name, role_arn=role_arn)
        self.profile = profile
        env_attempts = os.environ.get("AWS_MAX_ATTEMPTS", "")
        self.max_attempts = max_attempts or (int(env_attempts) if env_attempts.isdigit() else DEFAULT_AWS_MAX_ATTEMPTS)

    def _make_client(self, service: str) -> Any:
        config = Config(
            retries={"mode": "adaptive", "total_max_attempts": self.max_attempts},
            user_agent_extra="mission-workbench",
        )
        return self.session.client(service, config=config)

    def describe(self) -> dict[str, Any]:
        cached = self._clients.get("stepfunctions")
        return {
            "kind": self.kind,
            "profile": self.profile,
            "region": self.region,
            "role_arn": self.role_arn,
            "retries": f"adaptive, up to {self.max_attempts} attempts",
            "endpoint_url": cached.meta.endpoint_url if cached is not None else None,
        }


class EndpointTarget(Target):
    """Any Step Functions-compatible URL, signed with the engine's credentials from ``env_file`` or the environment.

    ``workbench engine serve --env-file F`` writes the endpoint and credentials to ``F``; ``env_file=F`` (or
    ``source F`` before starting) signs with them. With neither, and no profile, placeholder keys are used
    (LocalStack and Step Functions Local accept any). ``url`` defaults to the file's ``AWS_ENDPOINT_URL_SFN``.

    Example:
        >>> EndpointTarget("http://127.0.0.1:4566").describe()["endpoint_url"]
        'http://127.0.0.1:4566'
    """

    kind: ClassVar[TargetKind] = "endpoint"
    capabilities: ClassVar[Capabilities] = Capabilities(start_qualified=False, list_versions=None, publish_version=None)

    def __init__(
        self,
        url: str | None = None,
        *,
        region: str | None = None,
        role_arn: str | None = None,
        profile: str | None = None,
        env_file: str | os.PathLike[str] | None = None,
    ) -> None:
        from workbench.engine.connect.endpoint_env import endpoint_settings

        settings = endpoint_settings(env_file, region)
        url = url or settings.url
        if not url:
            raise TargetError("no endpoint URL: pass one (e.g. http://127.0.0.1:4599) or --env-file F written by "
                              "`workbench engine serve --env-file F`")
        parsed = urlparse(url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise TargetError(f"'{url}' is not an endpoint URL; expected e.g. http://127.0.0.1:4566")
        credentials = None if profile and env_file is None else settings.credentials
        super().__init__(region=region or (credentials.region if credentials else DEFAULT_REGION),
                         role_arn=role_arn or LOCAL_ROLE_ARN)
        self.endpoint_url = url.rstrip("/")
        self.profile = profile
        self.credentials = credentials
        self.credentials_source = settings.source if credentials else ("profile" if profile else "placeholder")

    def _make_client(self, service: str) -> Any:
        if self.profile and self.credentials is None:
            session = boto3.Session(profile_name=self.profile, region_name=self.region)
            return session.client(service, endpoint_url=self.endpoint_url, config=_local_config())
        return boto3.client(service, endpoint_url=self.endpoint_url, **self.signing_credentials.boto3_kwargs(),
                            config=_local_config())

    @property
    def signing_credentials(self) -> EngineCredentials:
        """What requests here are signed with: the engine's credentials, else placeholder keys (LocalStack and
        Step Functions Local accept any).

        Example:
            >>> EndpointTarget("http://127.0.0.1:4566").signing_credentials.access_key_id
            'workbench'
        """
        from workbench.engine.connect.endpoint_env import PLACEHOLDER_KEYS
        from workbench.engine.embedded.endpoint.auth import EngineCredentials

        return self.credentials or EngineCredentials(*PLACEHOLDER_KEYS, self.region or DEFAULT_REGION)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "profile": self.profile,
            "role_arn": self.role_arn,
            "credentials": self.credentials_source,
        }
