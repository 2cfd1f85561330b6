"""What the API tests share: the AWS error a call answers (the ``engine``/``sfn`` fixtures are in conftest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def aws_answer(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The ``Error`` member of the ClientError ``call(**kwargs)`` must raise, with its HTTP ``Status``."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return {**response["Error"], "Status": int(response["ResponseMetadata"]["HTTPStatusCode"])}
