/* The state inspector beside the graph: every visit of the selected state, each retry attempt, and
 * input / output / error / cause as collapsible blocks (long values cut, with "show all"). */
var VALUE_LABELS = ["input", "output", "error", "cause"];

Inspector.prototype.jsonBlock = function (label, value, key, openByDefault, title) {
  var doc = this.doc;
  var text = String(value);
  var d = el(doc, "details", "wb-json");
  d.setAttribute("data-label", label);
  d.setAttribute("data-key", key);
  var sum = el(doc, "summary", "wb-json-label", title || label);
  sum.appendChild(el(doc, "span", "wb-json-size", " · " + fmtSize(text.length)));
  d.appendChild(sum);
  var pre = el(doc, "pre", "wb-json-text");
  pre.__wbFull = text;
  d.appendChild(pre);
  if (text.length > LONG) {
    var b = el(doc, "button", "wb-show-all");
    b.type = "button";
    d.appendChild(b);
  }
  this.showValue(d, !!this.expanded[key]);
  d.open = this.open[key] ? true : (this.closed[key] ? false : !!openByDefault);
  return d;
};

Inspector.prototype.showValue = function (block, full) {
  var pre = block.querySelector("pre.wb-json-text"), b = block.querySelector("button.wb-show-all");
  var text = pre.__wbFull;
  full = full || text.length <= LONG;
  pre.textContent = full ? text : text.slice(0, LONG) + "…";
  block.setAttribute("data-truncated", full ? "false" : "true");
  if (b) {
    b.textContent = full ? "show less" : "show all (" + fmtSize(text.length) + ")";
    b.setAttribute("data-expanded", full ? "true" : "false");
  }
};

Inspector.prototype.values = function (parent, owner, keyPrefix, openByDefault) {
  var self = this;
  VALUE_LABELS.forEach(function (label) {
    var v = owner[label];
    if (v === null || v === undefined || v === "") return;
    parent.appendChild(self.jsonBlock(label, v, keyPrefix + label, openByDefault));
  });
};

function fact(doc, dl, label, value) {
  dl.appendChild(el(doc, "dt", null, label));
  dl.appendChild(el(doc, "dd", null, value));
}

function badge(doc, status) {
  var b = el(doc, "span", "wb-badge", statusWord(status));
  b.setAttribute("data-status", String(status || ""));
  return b;
}

Inspector.prototype.renderPanel = function () {
  var doc = this.doc, panel = this.panel, self = this, name = this.selected;
  clear(panel);
  if (name === null) { panel.hidden = true; return; }
  panel.hidden = false;
  var state = (this.payload.states || {})[name];
  var head = el(doc, "div", "wb-inspector-head");
  head.appendChild(el(doc, "h3", "wb-inspector-title", name));
  var close = el(doc, "button", "wb-inspector-close", "×");
  close.type = "button";
  close.title = "Close";
  close.setAttribute("aria-label", "Close the inspector");
  head.appendChild(close);
  panel.appendChild(head);
  if (!state) {
    panel.appendChild(el(doc, "p", "wb-empty", "This execution's data has no state of that name."));
    return;
  }
  var meta = el(doc, "div", "wb-inspector-meta");
  meta.appendChild(badge(doc, state.status));
  var ids = state.visits || [];
  meta.appendChild(el(doc, "span", null, (state.type || "state") + " · " + ids.length + " visit" +
    (ids.length === 1 ? "" : "s") + (state.retries ? " · " + state.retries + " retr" + (state.retries === 1 ? "y" : "ies")
      : "")));
  panel.appendChild(meta);
  if (!ids.length) {
    panel.appendChild(el(doc, "p", "wb-empty", "Not reached in this execution."));
    return;
  }
  ids.slice(0, this.visitLimit).forEach(function (id, i) {
    var v = self.visitById[id];
    if (v) panel.appendChild(self.visitSection(v, i === 0));
  });
  if (ids.length > this.visitLimit) {
    var more = el(doc, "button", "wb-visits-more", "show " + Math.min(VISIT_PAGE, ids.length - this.visitLimit) +
      " more of " + (ids.length - this.visitLimit) + " visits");
    more.type = "button";
    panel.appendChild(more);
  }
};

Inspector.prototype.visitSection = function (v, first) {
  var doc = this.doc, self = this;
  var sec = el(doc, "section", "wb-visit");
  sec.setAttribute("data-visit-id", String(v.id));
  sec.setAttribute("data-status", String(v.status || ""));
  var head = el(doc, "div", "wb-visit-head");
  head.appendChild(el(doc, "span", "wb-visit-path", v.path ? v.path : "top level"));
  head.appendChild(badge(doc, v.status));
  sec.appendChild(head);
  var dl = el(doc, "dl", "wb-visit-facts");
  fact(doc, dl, "entered", fmtTime(v.entered));
  fact(doc, dl, "exited", fmtTime(v.exited));
  fact(doc, dl, "duration", fmtMs(v.duration_ms));
  if (v.attempts && v.attempts.length) fact(doc, dl, "attempts", String(v.attempts.length));
  sec.appendChild(dl);
  if (v.attempts && v.attempts.length) {   // the tries first: when and how long, then the visit's values
    var box = el(doc, "div", "wb-attempts");
    box.appendChild(el(doc, "div", "wb-attempts-title", "Attempts"));
    v.attempts.forEach(function (a) { box.appendChild(self.attemptRow(v, a)); });
    sec.appendChild(box);
  }
  this.values(sec, v, "v" + v.id + ":", first);
  return sec;
};

Inspector.prototype.attemptRow = function (v, a) {
  var doc = this.doc;
  var row = el(doc, "div", "wb-attempt");
  row.setAttribute("data-attempt", String(a.n));
  row.setAttribute("data-backoff-ms", a.backoff_ms === null || a.backoff_ms === undefined ? "" : String(a.backoff_ms));
  row.setAttribute("data-status", String(a.status || ""));
  var line = el(doc, "div", "wb-attempt-line");
  line.appendChild(el(doc, "span", "wb-attempt-n", "#" + a.n));
  line.appendChild(badge(doc, a.status));
  line.appendChild(el(doc, "span", "wb-attempt-start", "start " + fmtTime(a.start)));
  line.appendChild(el(doc, "span", "wb-attempt-end", "end " + fmtTime(a.end)));
  line.appendChild(el(doc, "span", "wb-attempt-duration", fmtMs(a.duration_ms)));
  line.appendChild(el(doc, "span", "wb-attempt-backoff", a.backoff_ms === null || a.backoff_ms === undefined ?
    "no back-off" : "back-off " + fmtMs(a.backoff_ms)));
  row.appendChild(line);
  var failed = a.status && a.status !== "succeeded" && a.status !== "running";
  this.values(row, a, "v" + v.id + ":a" + a.n + ":", false);
  if (failed) {
    var blocks = row.querySelectorAll("details.wb-json[data-label=error], details.wb-json[data-label=cause]");
    for (var i = 0; i < blocks.length; i++) {
      var key = blocks[i].getAttribute("data-key");
      if (!this.closed[key]) blocks[i].open = true;
    }
  }
  return row;
};

Inspector.prototype.bindValues = function (container) {
  var self = this;
  this.on(container, "click", function (e) {
    var b = e.target.closest ? e.target.closest("button") : null;
    if (!b || !container.contains(b)) return;
    if (b.classList.contains("wb-show-all")) {
      var block = b.closest("details.wb-json");
      var key = block.getAttribute("data-key");
      var full = b.getAttribute("data-expanded") !== "true";
      if (full) self.expanded[key] = true; else delete self.expanded[key];
      self.showValue(block, full);
    } else if (b.classList.contains("wb-inspector-close")) {
      self.select(null, {user: true});
    } else if (b.classList.contains("wb-visits-more")) {
      self.visitLimit += VISIT_PAGE;
      self.renderPanel();
    }
  });
  this.on(container, "toggle", function (e) {
    var d = e.target;
    if (!d || !d.classList || !d.classList.contains("wb-json")) return;
    var key = d.getAttribute("data-key");
    if (d.open) { self.open[key] = true; delete self.closed[key]; }
    else { self.closed[key] = true; delete self.open[key]; }
  }, true);
};
