"""The embedded Step Functions engine: moto's ASL interpreter behind a local boto3 endpoint.

Importing this package does not import moto; starting an engine does.

Example:
    >>> from workbench.engine.embedded import shared_engine      # doctest: +SKIP
    >>> engine = shared_engine(time_warp=True)
    >>> engine.register_tool("greet", lambda event, ctx: {"hello": event["name"]})
    >>> sfn = engine.client()                                    # boto3 "stepfunctions" client
"""

from workbench.engine.embedded.endpoint.auth import EngineCredentials
from workbench.engine.embedded.endpoint.server import EmbeddedEngine, EngineError, shared_engine
from workbench.engine.embedded.endpoint.standalone import (
    credentials_from_environment,
    parse_tool_spec,
    register_remote_tools,
    serve,
)
from workbench.engine.embedded.errors import UNSUPPORTED_OPERATIONS, EngineUnsupported, ToolError
from workbench.engine.embedded.interpreter.lambdas import ToolContext, function_name_of, resolve_tool_path
from workbench.engine.embedded.interpreter.timewarp import VirtualClock

__all__ = [
    "UNSUPPORTED_OPERATIONS",
    "EmbeddedEngine",
    "EngineCredentials",
    "EngineError",
    "EngineUnsupported",
    "ToolContext",
    "ToolError",
    "VirtualClock",
    "credentials_from_environment",
    "function_name_of",
    "parse_tool_spec",
    "register_remote_tools",
    "resolve_tool_path",
    "serve",
    "shared_engine",
]
