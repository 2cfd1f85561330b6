/* The events view (the raw history, filterable) and the table view (one sortable row per visit). */
var EVENT_COLUMNS = ["#", "type", "state", "timestamp (UTC)", "elapsed", "since previous", "details"];
var VISIT_COLUMNS = [["state", "state"], ["path", "path"], ["type", "type"], ["status", "status"],
  ["start", "start (UTC)"], ["duration", "duration"], ["attempts", "attempts"]];

function option(doc, value, label) {
  var o = el(doc, "option", null, label);
  o.value = value;
  return o;
}

function headRow(doc, table, cells) {
  var thead = el(doc, "thead"), tr = el(doc, "tr");
  cells.forEach(function (c) { tr.appendChild(c); });
  thead.appendChild(tr);
  table.appendChild(thead);
  var tbody = el(doc, "tbody");
  table.appendChild(tbody);
  return tbody;
}

Inspector.prototype.buildEvents = function (pane) {
  var doc = this.doc, self = this;
  var bar = el(doc, "div", "wb-events-bar");
  this.evText = el(doc, "input", "wb-events-filter");
  this.evText.type = "search";
  this.evText.placeholder = "filter events (type, state, details)";
  this.evText.setAttribute("aria-label", "Filter events by text");
  this.evState = el(doc, "select", "wb-events-state");
  this.evState.setAttribute("aria-label", "Filter events by state");
  this.evType = el(doc, "select", "wb-events-type");
  this.evType.setAttribute("aria-label", "Filter events by type");
  var clearBtn = el(doc, "button", "wb-events-clear", "clear");
  clearBtn.type = "button";
  this.evCount = el(doc, "span", "wb-events-count");
  [this.evText, this.evState, this.evType, clearBtn, this.evCount].forEach(function (n) { bar.appendChild(n); });
  pane.appendChild(bar);
  var wrap = el(doc, "div", "wb-events-wrap");
  this.evTable = el(doc, "table", "wb-events");
  this.evBody = headRow(doc, this.evTable, EVENT_COLUMNS.map(function (c) { return el(doc, "th", null, c); }));
  wrap.appendChild(this.evTable);
  pane.appendChild(wrap);
  this.evMore = el(doc, "button", "wb-events-more");
  this.evMore.type = "button";
  this.evMore.hidden = true;
  pane.appendChild(this.evMore);
  this.on(this.evText, "input", function () { self.filterEvents({text: self.evText.value}); });
  this.on(this.evState, "change", function () { self.filterEvents({state: self.evState.value}); });
  this.on(this.evType, "change", function () { self.filterEvents({type: self.evType.value}); });
  this.on(clearBtn, "click", function () { self.filterEvents({text: "", state: "", type: ""}); });
  this.on(this.evMore, "click", function () { self.eventLimit += EVENT_PAGE; self.renderEvents(); });
  this.on(this.evBody, "click", function (e) {
    if (e.target.closest && (e.target.closest("details") || e.target.closest("button"))) return;
    var tr = e.target.closest ? e.target.closest("tr[data-event-id]") : null;
    if (!tr) return;
    var prev = self.evBody.querySelector("tr.wb-row-selected");
    if (prev) prev.classList.remove("wb-row-selected");
    tr.classList.add("wb-row-selected");
    var state = tr.getAttribute("data-state");
    if (state) self.select(state, {user: true, filter: false, center: true});
  });
  this.bindValues(pane);
};

Inspector.prototype.filterEvents = function (f) {
  var changed = false;
  ["text", "state", "type"].forEach(function (k) {
    if (f[k] === undefined) return;
    var v = f[k] === null ? "" : String(f[k]);
    if (this.filters[k] !== v) { this.filters[k] = v; changed = true; }
  }, this);
  if (!changed) return;
  this.eventLimit = EVENT_PAGE;
  this.dirty.events = true;
  this.renderVisible();
  if (this.tab !== "events") this.syncFilterControls();
};

Inspector.prototype.syncFilterControls = function () {
  var doc = this.doc, events = this.payload.events || [], f = this.filters;
  var states = {}, types = {};
  events.forEach(function (e) {
    if (e.state) states[e.state] = true;
    types[e.type] = true;
  });
  if (f.state) states[f.state] = true;
  if (f.type) types[f.type] = true;
  [[this.evState, states, "all states", f.state], [this.evType, types, "all types", f.type]].forEach(function (s) {
    var select = s[0];
    clear(select);
    select.appendChild(option(doc, "", s[2]));
    Object.keys(s[1]).sort().forEach(function (v) { select.appendChild(option(doc, v, v)); });
    select.value = s[3];
  });
  if (this.evText.value !== f.text) this.evText.value = f.text;
};

Inspector.prototype.eventHaystack = function (e) {
  if (e.__wbHay === undefined) {
    e.__wbHay = [e.type, e.state || "", e.details || "", String(e.id)].join("\n").toLowerCase();
  }
  return e.__wbHay;
};

Inspector.prototype.renderEvents = function () {
  var doc = this.doc, self = this, f = this.filters;
  this.syncFilterControls();
  var needle = f.text.toLowerCase();
  var all = this.payload.events || [];
  var shown = all.filter(function (e) {
    return (!f.state || e.state === f.state) && (!f.type || e.type === f.type) &&
      (!needle || self.eventHaystack(e).indexOf(needle) >= 0);
  });
  clear(this.evBody);
  shown.slice(0, this.eventLimit).forEach(function (e) {
    var tr = el(doc, "tr");
    tr.setAttribute("data-event-id", String(e.id));
    tr.setAttribute("data-state", e.state ? String(e.state) : "");
    tr.setAttribute("data-type", String(e.type));
    if (e.state && e.state === self.selected) tr.classList.add("wb-row-state");
    [String(e.id), e.type, e.state || "–", fmtTime(e.timestamp), fmtPlus(e.elapsed_ms), fmtPlus(e.since_previous_ms)]
      .forEach(function (c, i) { tr.appendChild(el(doc, "td", i === 0 || i > 3 ? "num" : null, c)); });
    var td = el(doc, "td", "wb-event-details");
    if (e.details && e.details !== "{}") td.appendChild(self.jsonBlock("details", e.details, "e" + e.id, false, preview(e.details)));
    tr.appendChild(td);
    self.evBody.appendChild(tr);
  });
  var total = this.payload.events_total || all.length;
  this.evCount.textContent = shown.length + " of " + all.length + " events" +
    (total > all.length ? " (the first " + all.length + " of " + total + " are included)" : "");
  var rest = shown.length - Math.min(shown.length, this.eventLimit);
  this.evMore.hidden = rest <= 0;
  this.evMore.textContent = "show " + Math.min(rest, EVENT_PAGE) + " more (" + rest + " hidden)";
};

function preview(details) {
  var flat = String(details).replace(/\s+/g, " ").replace(/^\{ ?/, "").replace(/ ?\}$/, "");
  return flat.length > 90 ? flat.slice(0, 89) + "…" : flat;
}

Inspector.prototype.buildTable = function (pane) {
  var doc = this.doc, self = this;
  var wrap = el(doc, "div", "wb-visits-wrap");
  this.vTable = el(doc, "table", "wb-visits");
  this.vBody = headRow(doc, this.vTable, VISIT_COLUMNS.map(function (c) {
    var th = el(doc, "th", null, c[1]);
    th.setAttribute("data-sort", c[0]);
    th.setAttribute("role", "button");
    th.tabIndex = 0;
    return th;
  }));
  wrap.appendChild(this.vTable);
  pane.appendChild(wrap);
  var sortBy = function (th) {
    var key = th.getAttribute("data-sort");
    self.sort = {key: key, dir: self.sort.key === key ? -self.sort.dir : 1};
    self.renderTable();
  };
  this.on(this.vTable, "click", function (e) {
    var th = e.target.closest ? e.target.closest("th[data-sort]") : null;
    if (th) { sortBy(th); return; }
    var tr = e.target.closest ? e.target.closest("tr[data-visit-id]") : null;
    if (tr) self.select(tr.getAttribute("data-state"), {user: true, center: true});
  });
  this.on(this.vTable, "keydown", function (e) {
    var th = e.target.closest ? e.target.closest("th[data-sort]") : null;
    if (th && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); sortBy(th); }
  });
};

Inspector.prototype.markRows = function () {
  var name = this.selected;
  [this.evBody, this.vBody].forEach(function (body) {
    var rows = body.querySelectorAll("tr[data-state]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle("wb-row-state", name !== null && rows[i].getAttribute("data-state") === name);
    }
  });
};

function sortValue(v, key) {
  switch (key) {
    case "duration": return v.duration_ms;
    case "attempts": return v.attempts && v.attempts.length ? v.attempts.length : (v.retries || 0) + 1;
    case "start": return v.entered;
    default: return v[key];
  }
}

Inspector.prototype.renderTable = function () {
  var doc = this.doc, self = this, key = this.sort.key, dir = this.sort.dir;
  var rows = (this.payload.visits || []).map(function (v, i) { return [sortValue(v, key), i, v]; });
  rows.sort(function (a, b) {
    var x = a[0], y = b[0];
    var nx = x === null || x === undefined || x === "", ny = y === null || y === undefined || y === "";
    if (nx || ny) return nx === ny ? a[1] - b[1] : (nx ? 1 : -1);       // unknown values last, either way
    if (x < y) return -dir;
    if (x > y) return dir;
    return a[1] - b[1];
  });
  var ths = this.vTable.querySelectorAll("th[data-sort]");
  for (var i = 0; i < ths.length; i++) {
    if (ths[i].getAttribute("data-sort") === key) ths[i].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    else ths[i].removeAttribute("aria-sort");
  }
  clear(this.vBody);
  rows.forEach(function (r) {
    var v = r[2];
    var tr = el(doc, "tr");
    tr.setAttribute("data-visit-id", String(v.id));
    tr.setAttribute("data-state", String(v.state));
    if (v.state === self.selected) tr.classList.add("wb-row-state");
    var tries = sortValue(v, "attempts");
    [[v.state], [v.path || "top level"], [v.type], [statusWord(v.status) + (v.retries ? ", " + v.retries + (v.retries === 1 ? " retry" : " retries") : ""),
     "wb-status"], [fmtTime(v.entered)],
     [fmtMs(v.duration_ms), "num"], [String(tries), "num"]].forEach(function (c) {
      var td = el(doc, "td", c[1] || null, c[0]);
      if (c[1] === "wb-status") td.setAttribute("data-status", String(v.status || ""));
      tr.appendChild(td);
    });
    self.vBody.appendChild(tr);
  });
};
