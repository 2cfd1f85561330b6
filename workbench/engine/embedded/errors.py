"""Errors the embedded engine raises on purpose, and the operations it cannot serve.

moto 5.2.5 has no handler for a few Step Functions operations; without this module a client would see an
HTTP 500 with an HTML page after three retries. We name the operation and say it works on AWS instead.
"""

from __future__ import annotations

from workbench.core.diagnostics import WorkbenchError

# Operation name (as in the boto3 service model) -> what to do instead, in the operator's words.
UNSUPPORTED_OPERATIONS: dict[str, str] = {
    "StartSyncExecution": "start the execution with start_execution and poll describe_execution instead",
    "RedriveExecution": "start a new execution with the same input instead",
    "TestState": "run the state inside a one-state machine with start_execution instead",
    "ValidateStateMachineDefinition": "use the workbench linter (workbench.asl) or create_state_machine instead",
}


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
