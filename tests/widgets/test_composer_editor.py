"""The YAML editor: its traits from Python, its ESM is plain offline JavaScript, and in a real page (headless
Chromium) it numbers lines, scrolls the gutter with the text, syncs typing and moves the caret on request."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from workbench.widgets.composer.editor import YamlEditor

ESM = Path(__file__).resolve().parents[2] / "workbench" / "widgets" / "composer" / "editor.js"
CSS = ESM.with_suffix(".css")
TEXT = "".join(f"key_{n}: value {n}\n" for n in range(1, 81))

# A stand-in for the anywidget model (a Backbone model): get/set/on/off/save_changes, local change events.
FAKE_MODEL = """
async ([source, state]) => {
  const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
  const mod = await import(url);
  const handlers = {};
  const fire = (event, ...args) => (handlers[event] || []).slice().forEach((h) => h(...args));
  const model = {
    state, saves: 0,
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; fire("change:" + k); },
    save_changes: () => { model.saves += 1; },
    on: (e, h) => { (handlers[e] = handlers[e] || []).push(h); },
    off: (e, h) => { handlers[e] = (handlers[e] || []).filter((x) => x !== h); },
    fromPython: (k, v) => { state[k] = v; fire("change:" + k); },
    message: (m) => fire("msg:custom", m),
  };
  window.model = model;
  window.cleanup = mod.default.render({model, el: document.getElementById("host")});
  return true;
}
"""


def test_traits_and_goto_line_from_python() -> None:
    editor = YamlEditor(value=TEXT)
    assert editor.cursor_line == 1 and editor.read_only is False and editor.marks == []
    editor.goto_line(40)
    assert editor.cursor_line == 40
    editor.goto_line(0)
    assert editor.cursor_line == 1
    editor.goto_line(500)
    assert editor.cursor_line == 80
    names = set(editor.keys)
    assert {"value", "cursor_line", "read_only", "marks", "_esm", "_css"} <= names


def test_the_esm_is_plain_javascript_with_no_network_and_no_imports() -> None:
    source = ESM.read_text(encoding="utf-8")
    assert "export default { render }" in source
    assert not re.search(r"https?:|//cdn|wss?:", source)
    assert not re.search(r"^\s*import\b|\bimport\s*\(", source, re.M)  # no modules pulled in
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|eval|Function)\s*\(", source)
    assert not re.search(r"\bnew\s+(Worker|WebSocket|EventSource)\b", source)
    css = CSS.read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css
    for name in ("wb-yaml-editor", "wb-yaml-text", "wb-yaml-gutter"):
        assert name in source and f".{name}" in css


@pytest.mark.browser
def test_the_editor_in_a_real_page(browser: Any) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 700})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_content(f"<html><head><style>{CSS.read_text()}</style></head><body><div id='host'></div></body></html>")
    state = {"value": TEXT, "cursor_line": 1, "read_only": False, "marks": [3, 7]}
    assert page.evaluate(FAKE_MODEL, [ESM.read_text(), state]) is True
    gutter = page.locator(".wb-yaml-editor .wb-yaml-gutter .wb-yaml-ln")
    assert gutter.count() == 81  # 80 lines and the empty one after the last newline
    assert page.locator(".wb-yaml-ln-mark").all_inner_texts() == ["3", "7"]

    # Python moves the caret: line 60 is selected, scrolled into view, the editor focused, the gutter follows
    page.evaluate("() => window.model.fromPython('cursor_line', 60)")
    page.wait_for_function("() => document.activeElement === document.querySelector('.wb-yaml-text')")
    caret = page.evaluate("""() => {
        const t = document.querySelector('.wb-yaml-text');
        return {line: t.value.slice(0, t.selectionStart).split('\\n').length, scroll: t.scrollTop,
                gutter: document.querySelector('.wb-yaml-gutter').scrollTop};
    }""")
    assert caret["line"] == 60 and caret["scroll"] > 0 and caret["gutter"] == caret["scroll"]

    # typing reaches the model after the debounce, and the caret line is reported back
    page.keyboard.press("End")
    page.keyboard.type("  # edited")
    page.wait_for_function("() => window.model.state.value.includes('value 60  # edited')", timeout=5000)
    assert page.evaluate("() => window.model.state.cursor_line") == 60

    # the same line again after the caret moved away: the goto message moves it back
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => window.model.state.cursor_line === 2")
    page.evaluate("() => window.model.message({type: 'goto', line: 2})")
    page.evaluate("() => window.model.message({type: 'goto', line: 75})")
    page.wait_for_function("""() => { const t = document.querySelector('.wb-yaml-text');
        return t.value.slice(0, t.selectionStart).split('\\n').length === 75; }""")

    # a new text from Python replaces the text, keeps the caret's line, renumbers the gutter
    page.evaluate("() => window.model.fromPython('value', 'a: 1\\nb: 2\\n')")
    assert page.evaluate("() => document.querySelector('.wb-yaml-text').value") == "a: 1\nb: 2\n"
    assert gutter.count() == 3

    # read-only, then a Tab inserts spaces (YAML has no tabs), blur flushes at once
    page.evaluate("() => window.model.fromPython('read_only', true)")
    assert page.evaluate("() => document.querySelector('.wb-yaml-text').readOnly") is True
    page.evaluate("() => window.model.fromPython('read_only', false)")
    text = page.locator(".wb-yaml-text")
    text.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    page.keyboard.type("c: 3")
    page.evaluate("() => document.querySelector('.wb-yaml-text').blur()")
    assert page.evaluate("() => window.model.state.value") == "a: 1\nb: 2\n  c: 3"
    page.evaluate("() => window.cleanup()")
    assert [url for url in requests if not url.startswith(("about:", "data:", "blob:"))] == []
    page.close()
