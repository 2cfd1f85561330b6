"""Open a saved page in real Chromium, offline: every request that is not the file itself (or a data:/blob: URI)
is aborted and recorded, as are console errors, page errors and dialogs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOCAL_SCHEMES = ("data:", "blob:", "about:")


@dataclass
class Visit:
    """An offline page visit: what the page logged, asked for and tried to pop up."""

    page: Any
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every request the page made, allowed or not


def open_offline(browser: Any, path: Path, *, wait_for_figures: bool = True,
                 viewport: tuple[int, int] = (1400, 1000)) -> Visit:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    visit = Visit(page)
    own = path.as_uri()

    def route(r: Any) -> None:
        url = r.request.url
        if url == own or url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            visit.blocked.append(url)
            r.abort()

    context.route("**/*", route)

    def seen(req: Any) -> None:
        visit.requests.append(req.url)
        if not (req.url == own or req.url.startswith(LOCAL_SCHEMES)):
            visit.blocked.append(req.url)

    page.on("request", seen)
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))
    page.goto(own)
    if wait_for_figures:
        page.wait_for_function("document.body.getAttribute('data-figures-drawn') !== null", timeout=30_000)
    return visit
