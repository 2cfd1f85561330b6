"""Who may talk to an embedded engine: its owner, proven by an AWS SigV4 signature, from no web page.

The engine runs the owner's tools as the owner's user, so it guards itself the way Jupyter Server does,
with AWS's own request authentication in place of a token:

* **Credentials per engine.** :meth:`EngineCredentials.generate` makes a random access key id and a
  secret of 32 random bytes when the engine starts; nothing else knows them.
* **Every request signed.** :class:`RequestGuard` recomputes the SigV4 signature of each request with
  botocore's own signer (``SigV4Auth``: canonical request, string to sign, signature). Step Functions
  calls must be scoped to service ``states`` and the engine's region; the other services moto serves on the
  same endpoint (Lambda, S3, SQS... called by the interpreter's integrations) are verified with the scope
  they name. What does not match is refused the way AWS refuses it:
  ``MissingAuthenticationTokenException`` (unsigned), ``UnrecognizedClientException`` (unknown key id),
  ``InvalidSignatureException`` (wrong secret, scope, body or clock), HTTP 400 with an
  ``application/x-amz-json-1.0`` body, so boto3 and the AWS CLI raise their usual ``ClientError``.
* **No web page.** Browsers put an ``Origin`` header on every cross-origin request (and on every POST);
  no legitimate client of the engine is a web page, so any ``Origin`` is refused and no CORS header is
  ever sent. A ``Host`` other than ``127.0.0.1:PORT`` / ``localhost:PORT`` is refused (DNS rebinding).

See ``docs/security.md`` for the threat model.
"""

from __future__ import annotations

import hmac
import io
import json
import re
import secrets
import string
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

SERVICE = "states"
#: botocore's service id for Step Functions is ``SFN``: this variable points boto3 and the AWS CLI at an endpoint.
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SFN"
MAX_BODY_BYTES = 16 * 1024 * 1024  # Step Functions' largest request (a 1 MiB definition) with ample room
MAX_CLOCK_SKEW = timedelta(minutes=15)  # AWS's limit for a request's X-Amz-Date
_AUTH_HEADER = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})$")
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_NAME = re.compile(r"^[a-z0-9-]{1,64}$")
#: Payload markers S3 clients sign instead of a body hash (aws-chunked uploads with trailing checksums).
_STREAMING_PAYLOADS = frozenset({"UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})


@dataclass(frozen=True)
class EngineCredentials:
    """The access key id, secret and region a client signs its requests to one engine with.

    Example:
        >>> creds = EngineCredentials.generate("eu-west-1")
        >>> creds.access_key_id.startswith("WBX") and len(creds.secret_access_key) >= 43
        True
        >>> "secret_access_key" in repr(creds)
        False
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    region: str = "us-east-1"

    @classmethod
    def generate(cls, region: str = "us-east-1") -> EngineCredentials:
        """Fresh random credentials: a 20-character key id and a secret of 32 random bytes (URL-safe base64)."""
        key_id = "WBX" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(17))
        return cls(key_id, secrets.token_urlsafe(32), region)

    @classmethod
    def from_environ(cls, values: Mapping[str, str], region: str | None = None) -> EngineCredentials | None:
        """The credentials ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` name in ``values`` (an environment or an
        ``--env-file``), when both are there; the region defaults to ``AWS_DEFAULT_REGION``, then us-east-1.

        Example:
            >>> EngineCredentials.from_environ({"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"}).region
            'us-east-1'
        """
        key_id, secret = values.get("AWS_ACCESS_KEY_ID", ""), values.get("AWS_SECRET_ACCESS_KEY", "")
        if not key_id or not secret:
            return None
        return cls(key_id, secret, region or values.get("AWS_DEFAULT_REGION") or "us-east-1")

    def boto3_kwargs(self) -> dict[str, str]:
        """Keyword arguments for ``boto3.client(...)`` / ``boto3.Session(...)``.

        Example:
            >>> sorted(EngineCredentials("AK", "SK", "us-east-1").boto3_kwargs())
            ['aws_access_key_id', 'aws_secret_access_key', 'region_name']
        """
        return {"aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key,
                "region_name": self.region}

    def shell_lines(self, endpoint_url: str) -> str:
        """Lines a POSIX shell can ``source`` so plain ``boto3.client("stepfunctions")`` and ``aws stepfunctions``
        reach this engine (``unset AWS_SESSION_TOKEN``: a real session token must not go to a local server).

        ``AWS_DISABLE_HOST_PREFIX_INJECTION=true``: the service model gives StartSyncExecution and TestState the
        endpoint trait ``hostPrefix: "sync-"``, so SDKs would call ``sync-127.0.0.1``, which resolves nowhere;
        botocore (``disable_host_prefix_injection``, since 1.36) and the AWS CLI read this variable.

        Example:
            >>> print(EngineCredentials("AK", "SK", "us-east-1").shell_lines("http://127.0.0.1:4599"))
            export AWS_ENDPOINT_URL_SFN=http://127.0.0.1:4599
            export AWS_ACCESS_KEY_ID=AK
            export AWS_SECRET_ACCESS_KEY=SK
            export AWS_DEFAULT_REGION=us-east-1
            export AWS_DISABLE_HOST_PREFIX_INJECTION=true
            unset AWS_SESSION_TOKEN
        """
        return "\n".join([f"export {ENDPOINT_VARIABLE}={endpoint_url}",
                          f"export AWS_ACCESS_KEY_ID={self.access_key_id}",
                          f"export AWS_SECRET_ACCESS_KEY={self.secret_access_key}",
                          f"export AWS_DEFAULT_REGION={self.region}",
                          "export AWS_DISABLE_HOST_PREFIX_INJECTION=true", "unset AWS_SESSION_TOKEN"])


def sign_request(credentials: EngineCredentials, method: str, url: str, body: bytes = b"",
                 headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """The headers of a request signed for ``credentials`` (botocore's SigV4 signer), for plain HTTP clients.

    Example:
        >>> signed = sign_request(EngineCredentials("AK", "SK"), "GET", "http://127.0.0.1:4599/workbench/tools")
        >>> signed["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AK/")
        True
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(credentials.access_key_id, credentials.secret_access_key), SERVICE,
              credentials.region).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def signed_call(credentials: EngineCredentials, method: str, url: str, body: Any = None,
                timeout: float = 30.0) -> Any:
    """Send a signed JSON request to an engine's ``/workbench/*`` route and return the parsed JSON answer.

    Raises ``urllib.error.HTTPError`` / ``URLError`` as urllib does. Example:
        >>> signed_call(engine.credentials, "GET", f"{engine.endpoint_url}/workbench/tools")  # doctest: +SKIP
        {'tools': ['greet'], 'time_warp': False, 'remote_tools': False}
    """
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    headers = sign_request(credentials, method, url, data, {"Content-Type": "application/json"} if data else None)
    request = urllib.request.Request(url, data=data or None, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: HTTP status, AWS error code and message."""

    status: str
    code: str
    message: str

    def respond(self, start_response: Callable[..., Any]) -> list[bytes]:
        """Answer as AWS's JSON protocol does (``__type`` + ``message``), so boto3 raises ``ClientError``."""
        data = json.dumps({"__type": self.code, "message": self.message}).encode("utf-8")
        start_response(self.status, [("Content-Type", "application/x-amz-json-1.0"),
                                     ("Content-Length", str(len(data))), ("x-amzn-ErrorType", self.code)])
        return [data]


_FORBIDDEN = "403 Forbidden"
_BAD_REQUEST = "400 Bad Request"


class RequestGuard:
    """Checks Origin, Host and the SigV4 signature of every request an engine receives.

    Example:
        >>> guard = RequestGuard(EngineCredentials("AK", "SK"), port=4599)
        >>> guard.check({"REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1:4599", "PATH_INFO": "/"}).code
        'MissingAuthenticationTokenException'
        >>> guard.check({"HTTP_HOST": "127.0.0.1:4599", "HTTP_ORIGIN": "http://evil.example"}).status
        '403 Forbidden'
    """

    def __init__(self, credentials: EngineCredentials, port: int) -> None:
        self.credentials = credentials
        self.port = port

    def check(self, environ: dict[str, Any], now: datetime | None = None) -> Refusal | None:
        """None when the request may go on; the refusal otherwise. Reads the body and puts it back."""
        if "HTTP_ORIGIN" in environ:
            return Refusal(_FORBIDDEN, "AccessDeniedException",
                           "requests from web pages (with an Origin header) are refused by the workbench engine")
        host = str(environ.get("HTTP_HOST", ""))
        if host not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            return Refusal(_FORBIDDEN, "AccessDeniedException",
                           f"Host '{host[:100]}' is refused: use http://127.0.0.1:{self.port}")
        authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
        if not authorization:
            return Refusal(_BAD_REQUEST, "MissingAuthenticationTokenException",
                           "Missing Authentication Token: sign requests with the engine's credentials "
                           "(`workbench engine serve --env-file F`, then `source F`)")
        match = _AUTH_HEADER.match(authorization.strip())
        if match is None:
            return _invalid("the Authorization header is not an AWS4-HMAC-SHA256 signature")
        key_id, _, scope = match["credential"].partition("/")
        if not hmac.compare_digest(key_id.encode(), self.credentials.access_key_id.encode()):
            return Refusal(_BAD_REQUEST, "UnrecognizedClientException",
                           "The security token included in the request is invalid.")
        body = _read_body(environ)
        if body is None:
            return Refusal("413 Request Entity Too Large", "ValidationException",
                           f"the request body is larger than {MAX_BODY_BYTES} bytes or its length is unknown")
        return self._verify(environ, match, scope, body, now or datetime.now(UTC))

    def _verify(self, environ: Mapping[str, Any], match: re.Match[str], scope: str, body: bytes,
                now: datetime) -> Refusal | None:
        from botocore.auth import S3SigV4Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        amz_date = str(environ.get("HTTP_X_AMZ_DATE", ""))
        try:
            signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return _invalid("the request has no valid X-Amz-Date header")
        date, region, service, terminal = [*scope.split("/"), "", "", "", ""][:4]
        if date != amz_date[:8] or terminal != "aws4_request" or not _NAME.match(region) or not _NAME.match(service):
            return _invalid(f"Credential should be scoped to '{amz_date[:8]}/REGION/SERVICE/aws4_request'")
        if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("AWSStepFunctions.") and (
                region, service) != (self.credentials.region, SERVICE):
            return _invalid(f"Credential should be scoped to a valid region and service: "
                            f"'{amz_date[:8]}/{self.credentials.region}/{SERVICE}/aws4_request', not '{scope}'")
        if abs(now - signed_at) > MAX_CLOCK_SKEW:
            return _invalid(f"Signature expired: {amz_date} is more than 15 minutes from the engine's time "
                            f"{now.strftime('%Y%m%dT%H%M%SZ')}")
        signed_names = match["signed"].split(";")
        if "host" not in signed_names:
            return _invalid("the Host header must be signed")
        headers = {name: _header(environ, name) for name in signed_names}
        declared = headers.get("x-amz-content-sha256")
        if declared is not None and declared not in _STREAMING_PAYLOADS and declared != sha256(body).hexdigest():
            return _invalid("X-Amz-Content-SHA256 does not match the request body")
        raw_path = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/")
        path = raw_path.split("?", 1)[0] or "/"
        query = str(environ.get("QUERY_STRING", ""))
        url = f"http://{headers['host']}{path}" + (f"?{query}" if query else "")
        request = AWSRequest(method=str(environ.get("REQUEST_METHOD", "GET")), url=url, data=body, headers=headers)
        request.context["timestamp"] = amz_date
        signer_class = S3SigV4Auth if service == "s3" else SigV4Auth  # S3 does not re-encode the path
        signer = signer_class(Credentials(self.credentials.access_key_id, self.credentials.secret_access_key),
                              service, region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected.encode(), match["signature"].encode()):
            return _invalid("The request signature we calculated does not match the signature you provided. "
                            "Check your AWS Secret Access Key and signing method.")
        return None


def _invalid(message: str) -> Refusal:
    return Refusal(_BAD_REQUEST, "InvalidSignatureException", message)


def _header(environ: Mapping[str, Any], name: str) -> str:
    if name == "content-type":
        return str(environ.get("CONTENT_TYPE", ""))
    if name == "content-length":
        return str(environ.get("CONTENT_LENGTH", ""))
    return str(environ.get("HTTP_" + name.upper().replace("-", "_"), ""))


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """Read the whole body (bounded) and put an equal stream back for the app behind the guard."""
    length_text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not length_text.isdigit():
        return None
    length = int(length_text)
    if length > MAX_BODY_BYTES:
        return None
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def strip_cors(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Response headers without any ``Access-Control-*`` header (moto's server adds CORS to every answer).

    Example:
        >>> strip_cors([("Content-Type", "x"), ("Access-Control-Allow-Origin", "*")])
        [('Content-Type', 'x')]
    """
    return [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]


def http_error_message(exc: urllib.error.HTTPError) -> str:
    """The ``message`` of an engine's JSON error answer (else the HTTP reason)."""
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    return str(body.get("message") or exc.reason) if isinstance(body, dict) else str(exc.reason)
