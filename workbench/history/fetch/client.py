"""boto3 Step Functions clients for fetching histories: adaptive retries (client-side rate limiting).

The caller may pass any boto3 ``stepfunctions`` client; :func:`ensure_adaptive_retries` gives one built
in another retry mode botocore's adaptive limiter, so throttling slows every fetch thread down instead
of failing executions.
"""

from __future__ import annotations

import threading
import weakref

from botocore.config import Config
from botocore.retries import adaptive

from workbench.history._types import SfnClient


def stepfunctions_client(endpoint_url: str | None = None, region_name: str | None = None,
                         max_attempts: int = 10, **kwargs: object) -> SfnClient:
    """A boto3 Step Functions client with botocore *adaptive* retries (client-side rate limiting on throttling).

    Example:
        >>> client = stepfunctions_client("http://127.0.0.1:5000", region_name="us-east-1",
        ...                               aws_access_key_id="x", aws_secret_access_key="x")
        >>> client.meta.config.retries["mode"]
        'adaptive'
    """
    import boto3

    config = Config(retries={"mode": "adaptive", "max_attempts": max_attempts},
                    inject_host_prefix=endpoint_url is None)
    return boto3.client("stepfunctions", endpoint_url=endpoint_url, region_name=region_name, config=config,
                        **kwargs)


_RATE_LIMITED: weakref.WeakSet[SfnClient] = weakref.WeakSet()
_RATE_LIMITED_LOCK = threading.Lock()


def ensure_adaptive_retries(client: SfnClient) -> bool:
    """Give a client botocore's adaptive client-side rate limiting if it lacks it (True when added).

    Clients built in ``adaptive`` retry mode already have it; for others (``legacy``/``standard``),
    botocore's own limiter is attached, so throttling slows every thread down instead of failing.

    Example:
        >>> import boto3
        >>> client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x",
        ...                       aws_secret_access_key="x")
        >>> ensure_adaptive_retries(client), ensure_adaptive_retries(client)
        (True, False)
    """
    if client.meta.config.retries.get("mode") == "adaptive":
        return False
    with _RATE_LIMITED_LOCK:
        if client in _RATE_LIMITED:
            return False
        adaptive.register_retry_handler(client)
        _RATE_LIMITED.add(client)
    return True
