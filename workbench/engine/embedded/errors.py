"""Errors the embedded engine raises on purpose, and the operations it cannot serve.

Today it serves every operation of botocore's Step Functions model, so ``UNSUPPORTED_OPERATIONS`` is empty.
An operation a newer botocore adds answers 400 ``UnsupportedOperation`` with :class:`EngineUnsupported`'s
sentence (``interpreter/api/validation.py``), never an HTTP 500 page; add a hint here when that happens.
"""

from __future__ import annotations

from workbench.core.diagnostics import WorkbenchError

# Operation name (as in the boto3 service model) -> what to do instead, in the operator's words.
UNSUPPORTED_OPERATIONS: dict[str, str] = {}


class EngineUnsupported(WorkbenchError):
    """The embedded engine cannot perform this Step Functions operation (it works on AWS).

    Example:
        >>> str(EngineUnsupported.for_operation("TestState")).startswith("TestState is not supported")
        True
    """

    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.operation = operation

    @classmethod
    def for_operation(cls, operation: str) -> EngineUnsupported:
        """The error for one Step Functions operation, with the workaround."""
        hint = UNSUPPORTED_OPERATIONS.get(operation, "run it against an AWS target")
        return cls(
            f"{operation} is not supported by the embedded engine (moto's Step Functions interpreter); "
            f"it works on AWS. Locally, {hint}.",
            operation=operation,
        )


class ToolError(WorkbenchError):
    """A tool cannot be registered or imported (bad name, bad ``module:function`` path)."""
