"""Following ``nextToken`` safely, and telling a dead or wrong endpoint from a failed call.

Every paginated Step Functions call of the history fetcher goes through :func:`pages`: it refuses a
``nextToken`` it has already seen (an endpoint paging in a loop would otherwise be followed forever) and
stops after ``max_pages`` pages. A closed port or an endpoint that answers HTML instead of JSON raises
:class:`EndpointError`: no execution can be fetched from it, so a batch stops at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from workbench.core.diagnostics import WorkbenchError
from workbench.history._types import JsonDict, SfnClient

#: Default bound on the pages of one listing: 10,000 pages of 1,000 items (an execution history has at
#: most 25,000 events, so 25 pages).
MAX_PAGES = 10_000


class PaginationError(WorkbenchError):
    """An endpoint kept paginating: a ``nextToken`` came back twice, or more than ``max_pages`` pages."""


class EndpointError(WorkbenchError):
    """The endpoint cannot answer Step Functions calls at all: nothing listens, or it answers HTML."""


def short_token(token: str, keep: int = 24) -> str:
    """A token shortened for an error message (they can be kilobytes long).

    Example:
        >>> short_token("abc"), short_token("x" * 100, keep=4)
        ('abc', 'xxxx…(100 chars)')
    """
    return token if len(token) <= keep else f"{token[:keep]}…({len(token)} chars)"


def pages(client: SfnClient, operation: str, key: str, *, what: str, max_pages: int = MAX_PAGES,
          **params: object) -> Iterator[list[JsonDict]]:
    """Each page's ``key`` list of a paginated call, following ``nextToken`` at most ``max_pages`` times.

    ``what`` names the listing in errors ("the history of arn:..."). Raises :class:`PaginationError`
    when a token repeats or the page limit is reached, :class:`EndpointError` when the endpoint is
    unreachable or not a Step Functions endpoint; other botocore errors are left to the caller.

    Example:
        >>> class Looping:
        ...     def list_executions(self, **params):
        ...         return {"executions": [], "nextToken": "same"}
        >>> list(pages(Looping(), "list_executions", "executions", what="the executions of M"))
        Traceback (most recent call last):
        ...
        workbench.history.fetch.paging.PaginationError: the executions of M: ListExecutions returned nextToken \
'same' twice, so the listing would never end. The endpoint is paging in a loop: check --target, then fetch again.
    """
    if max_pages < 1:
        raise PaginationError(f"max_pages must be 1 or more, not {max_pages}")
    seen: set[str] = set()
    token: str | None = None
    name = _camel(operation)
    for number in range(1, max_pages + 1):
        response = call(client, operation, **params, **({"nextToken": token} if token else {}))
        if key not in response:
            raise not_step_functions(client, name, response)
        yield response[key]
        token = response.get("nextToken")
        if not token:
            return
        if token in seen:
            raise PaginationError(f"{what}: {name} returned nextToken {short_token(token)!r} twice, so the listing "
                                  "would never end. The endpoint is paging in a loop: check --target, then fetch "
                                  "again.")
        seen.add(token)
        if number == max_pages:
            raise PaginationError(f"{what}: stopped after {max_pages:,} pages and the endpoint still sent a "
                                  "nextToken. If the listing really is that long, raise --max-pages (max_pages= in "
                                  "Python); else check --target.")


def call(client: SfnClient, operation: str, **params: object) -> JsonDict:
    """``client.<operation>(**params)``, with an unreachable or non-JSON endpoint as :class:`EndpointError`.

    Example:
        >>> class Dead:
        ...     meta = type("Meta", (), {"endpoint_url": "http://127.0.0.1:9"})()
        ...     def describe_execution(self, **params):
        ...         raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")
        >>> call(Dead(), "describe_execution", executionArn="arn")
        Traceback (most recent call last):
        ...
        workbench.history.fetch.paging.EndpointError: cannot reach http://127.0.0.1:9: the connection failed; is the \
engine running (`workbench engine serve`), and is --target right?
    """
    try:
        response: JsonDict = getattr(client, operation)(**params)
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        raise unreachable(client, exc) from None
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", "") or "")
        if message.lstrip().startswith("<"):
            raise not_step_functions(client, _camel(operation), exc.response) from None
        raise
    return response


def unreachable(client: SfnClient, exc: BaseException) -> EndpointError:
    """The one-line error for an endpoint nobody answers at (closed port, unknown host, timeout).

    Example:
        >>> class C:
        ...     meta = type("Meta", (), {"endpoint_url": "https://states.eu-west-1.amazonaws.com"})()
        >>> print(unreachable(C(), ConnectTimeoutError(endpoint_url="https://states.eu-west-1.amazonaws.com")))
        cannot reach https://states.eu-west-1.amazonaws.com: the connection timed out; check your network, proxy \
and --region.
    """
    url = endpoint_url(client)
    reason = _reason(exc)
    if "amazonaws.com" in url:
        return EndpointError(f"cannot reach {url}: {reason}; check your network, proxy and --region.")
    return EndpointError(f"cannot reach {url}: {reason}; is the engine running (`workbench engine serve`), "
                         "and is --target right?")


def not_step_functions(client: SfnClient, operation: str, response: JsonDict) -> EndpointError:
    """The error for an endpoint that answered something other than Step Functions JSON (an HTML page).

    Example:
        >>> class C:
        ...     meta = type("Meta", (), {"endpoint_url": "http://127.0.0.1:8080"})()
        >>> meta = {"HTTPStatusCode": 200, "HTTPHeaders": {"content-type": "text/html"}}
        >>> print(not_step_functions(C(), "ListExecutions", {"ResponseMetadata": meta}))
        http://127.0.0.1:8080 answered ListExecutions with text/html (HTTP 200), not Step Functions JSON: is \
--target the URL of a Step Functions endpoint (not a web page or a proxy's login page)?
    """
    meta = response.get("ResponseMetadata", {}) or {}
    kind = (meta.get("HTTPHeaders", {}) or {}).get("content-type") or "a reply without the expected fields"
    status = meta.get("HTTPStatusCode")
    said = f"{kind} (HTTP {status})" if status else kind
    return EndpointError(f"{endpoint_url(client)} answered {operation} with {said}, not Step Functions JSON: is "
                         "--target the URL of a Step Functions endpoint (not a web page or a proxy's login page)?")


def describe_failure(exc: BaseException) -> str:
    """A botocore error in one line that says what to do, for per-execution failure lists.

    Example:
        >>> describe_failure(NoCredentialsError())
        'no AWS credentials found: run `aws configure` (or `aws sso login`), pick a --profile, or use --target URL'
    """
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ("no AWS credentials found: run `aws configure` (or `aws sso login`), pick a --profile, "
                "or use --target URL")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {}) or {}
        code = error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{code}: {error.get('Message') or exc}"
    return f"{type(exc).__name__}: {exc}"


def endpoint_url(client: SfnClient) -> str:
    """The client's endpoint URL without a trailing slash.

    Example:
        >>> endpoint_url(type("C", (), {"meta": type("M", (), {"endpoint_url": "http://127.0.0.1:4599/"})()})())
        'http://127.0.0.1:4599'
    """
    meta = getattr(client, "meta", None)
    return str(getattr(meta, "endpoint_url", "") or "the endpoint").rstrip("/")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectTimeoutError):
        return "the connection timed out"
    text = str(getattr(exc, "kwargs", {}).get("error", "") or exc)
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if re.search(r"Name or service not known|nodename nor servname|getaddrinfo failed|Errno -[23]\b", text):
        return "unknown host name"
    found = re.search(r"Failed to establish a new connection: (.*)$", text)
    return found.group(1).strip() if found else "the connection failed"


def _camel(operation: str) -> str:
    return "".join(part.title() for part in operation.split("_"))
