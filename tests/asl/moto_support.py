"""Helpers shared by the compiler tests: moto's ASL parser and a moto Step Functions server on 127.0.0.1.

moto keeps the parser's query-language scope stack on the *class* (``Preprocessor._query_language_per_scope``)
and does not unwind it when a parse fails, so one rejected definition would leak its scope into the
next parse; :func:`moto_parse` starts every parse from an empty stack.

Definitions given as dicts are written with :func:`workbench.asl.compiler.dumps_asl`, the compiler's own
writer, so the parser sees the numbers exactly as ``workbench compile`` prints them.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from workbench.asl.compiler import dumps_asl

ROLE_ARN = "arn:aws:iam::123456789012:role/workbench-tests"
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def moto_parse(definition: dict[str, Any] | str) -> Any:
    """Parse ASL with moto's interpreter grammar; raises moto's exception when it is not valid.

    A dict is written with :func:`dumps_asl` first; text is parsed as given.
    """
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    text = definition if isinstance(definition, str) else dumps_asl(definition)
    Preprocessor._query_language_per_scope.clear()
    try:
        program, _ = AmazonStateLanguageParser.parse(text)
    finally:
        Preprocessor._query_language_per_scope.clear()
    return program


@contextmanager
def moto_stepfunctions() -> Iterator[Any]:
    """A moto server on 127.0.0.1 (free port) with state-machine execution on; yields a boto3 client."""
    import boto3
    import requests
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        reply = requests.post(f"{url}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                              timeout=10)
        reply.raise_for_status()
        client = boto3.client(
            "stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
            aws_secret_access_key="testing", config=Config(inject_host_prefix=False),
        )
        yield client
    finally:
        server.stop()


def run_definition(client: Any, name: str, definition: dict[str, Any], payload: Any,
                   timeout: float = 60.0) -> dict[str, Any]:
    """Create a state machine, start one named execution, wait for it; the final ``describe_execution``.

    moto's backends are process-wide (shared with the embedded engine's tests), so names get a unique suffix.
    """
    name = f"{name}-{uuid.uuid4().hex[:8]}"
    arn = client.create_state_machine(name=name, definition=dumps_asl(definition), roleArn=ROLE_ARN)[
        "stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, name=f"{name}-run", input=json.dumps(payload))[
        "executionArn"]
    deadline = time.monotonic() + timeout
    while True:
        described = client.describe_execution(executionArn=execution)
        if described["status"] in TERMINAL:
            return dict(described)
        if time.monotonic() > deadline:
            raise AssertionError(f"execution {name} still {described['status']} after {timeout}s")
        time.sleep(0.02)
