// The composer's YAML editor: a textarea with a line-number gutter that scrolls with it.
// Plain JavaScript, no libraries, no network. Synced traits: value (both ways), cursor_line (both ways:
// setting it from Python moves the caret there, scrolls it into view and focuses), read_only, marks
// (lines flagged in the gutter). A {type: "goto", line} message moves the caret even to the same line.

const DEBOUNCE_MS = 250;
const norm = (text) => String(text || "").replace(/\r\n?/g, "\n");

function lineOfOffset(text, offset) {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) line++;
  }
  return line;
}

function offsetOfLine(text, line) {
  let offset = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "wb-yaml-editor";
  const gutter = document.createElement("div");
  gutter.className = "wb-yaml-gutter";
  gutter.setAttribute("aria-hidden", "true");
  const text = document.createElement("textarea");
  text.className = "wb-yaml-text";
  text.spellcheck = false;
  text.setAttribute("wrap", "off");
  text.setAttribute("autocomplete", "off");
  text.setAttribute("aria-label", "Mission YAML");
  root.append(gutter, text);
  el.appendChild(root);

  let timer = null;
  let shownLines = -1;
  let shownMarks = "";

  function drawGutter() {
    const count = text.value.split("\n").length;
    const marks = model.get("marks") || [];
    const key = marks.join(",");
    if (count === shownLines && key === shownMarks) return;
    shownLines = count;
    shownMarks = key;
    const flagged = new Set(marks);
    const frag = document.createDocumentFragment();
    for (let n = 1; n <= count; n++) {
      const row = document.createElement("div");
      row.className = flagged.has(n) ? "wb-yaml-ln wb-yaml-ln-mark" : "wb-yaml-ln";
      row.textContent = String(n);
      frag.appendChild(row);
    }
    const pad = document.createElement("div");
    pad.className = "wb-yaml-ln-pad";
    frag.appendChild(pad);
    gutter.replaceChildren(frag);
    gutter.scrollTop = text.scrollTop;
  }

  function caretLine() {
    return lineOfOffset(text.value, text.selectionStart);
  }

  function flush() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (text.value !== norm(model.get("value"))) {
      model.set("value", text.value);
      model.save_changes();
    }
  }

  function reportCaret() {
    const line = caretLine();
    if (line !== model.get("cursor_line")) {
      model.set("cursor_line", line);
      model.save_changes();
    }
  }

  // Focus only when the request comes from the user's own click in this widget (or nothing has focus):
  // a notebook cell that moves the caret must not pull the notebook's focus and scroll position away.
  function mayFocus() {
    const active = document.activeElement;
    const scope = root.closest(".workbench-composer") || el;
    return !active || active === document.body || scope.contains(active);
  }

  function gotoLine(line, attempts) {
    if (!line || line < 1) return;
    if (text.offsetParent === null && attempts > 0) {
      // hidden (an inactive tab being shown): try again on the next frame
      requestAnimationFrame(() => gotoLine(line, attempts - 1));
      return;
    }
    const value = text.value;
    const start = offsetOfLine(value, line);
    const focus = mayFocus();
    if (focus) text.focus({ preventScroll: true });
    text.setSelectionRange(start, start);
    const style = getComputedStyle(text);
    const height = parseFloat(style.lineHeight) || 18;
    const top = (lineOfOffset(value, start) - 1) * height;
    if (top < text.scrollTop || top + height > text.scrollTop + text.clientHeight) {
      text.scrollTop = Math.max(0, top - text.clientHeight / 3);
    }
    gutter.scrollTop = text.scrollTop;
    if (focus && root.scrollIntoView) root.scrollIntoView({ block: "nearest" });
    reportCaret();
  }

  function showValue() {
    const incoming = norm(model.get("value"));
    if (incoming === text.value) return;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const line = caretLine();
    const column = text.selectionStart - offsetOfLine(text.value, line);
    const scroll = text.scrollTop;
    text.value = incoming;
    const start = offsetOfLine(incoming, line);
    let end = incoming.indexOf("\n", start);
    if (end < 0) end = incoming.length;
    const caret = Math.min(start + Math.max(0, column), end);
    text.setSelectionRange(caret, caret);
    text.scrollTop = scroll;
    drawGutter();
  }

  text.value = norm(model.get("value"));
  text.readOnly = Boolean(model.get("read_only"));
  drawGutter();

  text.addEventListener("input", () => {
    drawGutter();
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  });
  text.addEventListener("blur", () => {
    flush();
    reportCaret();
  });
  text.addEventListener("scroll", () => {
    gutter.scrollTop = text.scrollTop;
  });
  text.addEventListener("keyup", reportCaret);
  text.addEventListener("mouseup", reportCaret);
  text.addEventListener("keydown", (event) => {
    if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.metaKey && !text.readOnly) {
      event.preventDefault(); // YAML indents with spaces
      text.setRangeText("  ", text.selectionStart, text.selectionEnd, "end");
      text.dispatchEvent(new Event("input"));
    }
  });

  const onValue = () => showValue();
  const onReadOnly = () => {
    text.readOnly = Boolean(model.get("read_only"));
  };
  const onMarks = () => drawGutter();
  const onCursor = () => {
    const line = model.get("cursor_line");
    if (line !== caretLine()) gotoLine(line, 60);
  };
  const onMessage = (msg) => {
    if (msg && msg.type === "goto") gotoLine(msg.line, 60);
  };
  model.on("change:value", onValue);
  model.on("change:read_only", onReadOnly);
  model.on("change:marks", onMarks);
  model.on("change:cursor_line", onCursor);
  model.on("msg:custom", onMessage);

  return () => {
    try {
      flush();
    } catch (err) {
      // the model is already closed: nothing left to sync
    }
    model.off("change:value", onValue);
    model.off("change:read_only", onReadOnly);
    model.off("change:marks", onMarks);
    model.off("change:cursor_line", onCursor);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
