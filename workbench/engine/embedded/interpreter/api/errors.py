"""The one way the API modules raise an AWS error: ``{"__type": code, "message": message}`` with its HTTP status."""

from __future__ import annotations


def aws_error(code: str, message: str, status: int = 400) -> Exception:
    """An error moto's HTTP layer answers as AWS does (``__type`` = ``code``).

    moto's own ``parser.api`` exceptions set ``code`` but not ``TYPE``, so raised from a response method they
    reach the client with an empty error code; this one always carries it.

    Example:
        >>> aws_error("InvalidArn", "no such ARN").relative_error_type
        'InvalidArn'
    """
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code, status=status)
