"""A tiny fake Step Functions endpoint on 127.0.0.1 for the fetch tests: misbehaving on purpose.

It speaks the JSON protocol boto3 uses (``X-Amz-Target: AWSStepFunctions.<Operation>``). ``mode``
chooses the misbehaviour: ``"ok"`` (finished histories), ``"loop"`` (the same ``nextToken`` forever),
``"endless"`` (a new ``nextToken`` forever), ``"html"`` (a web page where JSON is expected). In
``"ok"`` mode, executions whose name starts with ``slow`` block until :meth:`FakeStepFunctions.release`
(or the server stops); :meth:`wait_for_blocked` lets a test wait, without sleeping, until N of them
are in flight.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REGION = "us-east-1"
MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Fake"
DEFINITION = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
HTML = b"<!doctype html><html><head><title>Sign in</title></head><body>Please sign in</body></html>"


def execution_arn(name: str) -> str:
    return f"arn:aws:states:us-east-1:123456789012:execution:Fake:{name}"


class FakeStepFunctions:
    """State shared by the handler threads: the mode, request counts, the gate for slow executions."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.calls: list[str] = []
        self.blocked = 0
        self._changed = threading.Condition()
        self._gate = threading.Event()
        self.url = ""

    def release(self) -> None:
        self._gate.set()

    def wait_for_blocked(self, count: int, alive: Any = None) -> bool:
        """Wait until ``count`` slow requests are blocked; False if ``alive()`` turns false meanwhile."""
        with self._changed:
            while self.blocked < count:
                if alive is not None and not alive():
                    return False
                self._changed.wait(0.5)  # wakes on every request; the timeout only rechecks alive()
            return True

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, str, bytes]:
        with self._changed:
            self.calls.append(operation)
            self._changed.notify_all()
        if self.mode == "html":
            return 200, "text/html", HTML
        if operation == "ListExecutions":
            return self._json(self._list(body))
        if operation == "GetExecutionHistory":
            arn = str(body.get("executionArn", ""))
            if arn.rsplit(":", 1)[-1].startswith("slow"):
                self._block()
            return self._json(self._history(body))
        if operation == "DescribeStateMachineForExecution":
            return self._json({"stateMachineArn": MACHINE_ARN, "name": "Fake", "definition": json.dumps(DEFINITION),
                               "roleArn": "arn:aws:iam::123456789012:role/r", "updateDate": 1.7e9})
        return 400, "application/x-amz-json-1.0", json.dumps(
            {"__type": "UnknownOperationException", "message": operation}).encode()

    def _block(self) -> None:
        with self._changed:
            self.blocked += 1
            self._changed.notify_all()
        self._gate.wait()

    def _token(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.mode == "loop":
            return {"nextToken": "the-same-token"}
        if self.mode == "endless":
            return {"nextToken": f"page-{int(str(body.get('nextToken', 'page-0')).split('-')[-1]) + 1}"}
        return {}

    def _list(self, body: dict[str, Any]) -> dict[str, Any]:
        items = [{"executionArn": execution_arn(f"run-{n}"), "stateMachineArn": MACHINE_ARN, "name": f"run-{n}",
                  "status": "SUCCEEDED", "startDate": 1.7e9 - n} for n in range(2)]
        return {"executions": items, **self._token(body)}

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        events = [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.7e9,
                   "executionStartedEventDetails": {"input": "{}", "roleArn": "arn:aws:iam::123456789012:role/r"}},
                  {"id": 2, "previousEventId": 1, "type": "ExecutionSucceeded", "timestamp": 1.7e9 + 1,
                   "executionSucceededEventDetails": {"output": "{}"}}]
        paging = self._token(body)
        return {"events": [] if paging else events, **paging}

    @staticmethod
    def _json(payload: dict[str, Any]) -> tuple[int, str, bytes]:
        return 200, "application/x-amz-json-1.0", json.dumps(payload).encode()


def _handler(fake: FakeStepFunctions) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            operation = str(self.headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1]
            status, kind, data = fake.answer(operation, body)
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client went away (interrupted): nothing to answer

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_step_functions(mode: str = "ok") -> Iterator[FakeStepFunctions]:
    """Serve a :class:`FakeStepFunctions` on a free port of 127.0.0.1 for the ``with`` block."""
    fake = FakeStepFunctions(mode)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release()
        server.shutdown()
        server.server_close()
