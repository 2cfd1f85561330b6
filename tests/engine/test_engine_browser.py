"""A web page on another local port tries the old cross-origin attacks on the engine, in a real Chromium.

Before the engine checked Origin and signatures, a page could ``fetch`` ``POST /workbench/tools`` as
``text/plain`` (no preflight) and make the engine import a module. The engine here even allows its owner
to register tools over HTTP; the page still gets nothing done.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.engine.auth_support import Guarded, Marker, signed
from workbench.engine import EmbeddedEngine

pytestmark = pytest.mark.browser

ATTACK = """
<!doctype html><title>attack</title>
<form id="f" method="POST" enctype="text/plain" target="sink" action="{engine}/workbench/tools">
  <input name='{{"evil_form": "{spec}", "x": "' value='"}}'>
</form>
<iframe name="sink"></iframe>
<script>
window.results = [];
const body = JSON.stringify({{"evil_fetch": "{spec}"}});
const attempts = [
  fetch("{engine}/workbench/tools", {{method: "POST", headers: {{"Content-Type": "text/plain"}}, body}}),
  fetch("{engine}/workbench/tools", {{method: "POST", mode: "no-cors", body}}),
  fetch("{engine}/moto-api/reset", {{method: "POST", mode: "no-cors"}}),
  fetch("{engine}/moto-api/data.json"),
];
Promise.allSettled(attempts).then(all => {{
  window.results = all.map(r => r.status === "fulfilled" ? "status " + r.value.status : "blocked");
  document.getElementById("f").submit();
  document.querySelector("iframe").addEventListener("load", () => {{ window.done = true; }});
}});
</script>
"""


@pytest.fixture
def attack_page(tmp_path: Path) -> Iterator[tuple[Guarded, str]]:
    marker = Marker.make(tmp_path)
    sys.path.insert(0, str(marker.folder))
    try:
        with EmbeddedEngine(allow_remote_tools=True) as engine:
            guarded = Guarded("in-process", engine.endpoint_url, engine.credentials, marker)
            page = ATTACK.format(engine=engine.endpoint_url, spec=marker.spec).encode()

            class Page(BaseHTTPRequestHandler):
                def do_GET(self) -> None:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)

                def log_message(self, *args: Any) -> None:
                    """Quiet."""

            server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                yield guarded, f"http://127.0.0.1:{server.server_address[1]}/"
            finally:
                server.shutdown()
                server.server_close()
    finally:
        sys.path.remove(str(marker.folder))


def test_a_page_on_another_port_gets_nothing_done(browser: Any, attack_page: tuple[Guarded, str]) -> None:
    engine, url = attack_page
    before = signed(engine, "GET", "/moto-api/data.json").json()
    page = browser.new_page()
    try:
        page.goto(url)
        page.wait_for_function("window.done === true", timeout=30_000)
        results = page.evaluate("window.results")
    finally:
        page.close()
    assert len(results) == 4
    assert all(r == "blocked" or r == "status 0" or int(r.split()[1]) >= 400 for r in results), results
    assert not engine.marker.path.exists()
    tools = signed(engine, "GET", "/workbench/tools").json()["tools"]
    assert not {"evil_fetch", "evil_form"} & set(tools)
    assert signed(engine, "GET", "/moto-api/data.json").json() == before  # nothing reset
