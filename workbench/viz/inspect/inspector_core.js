/* Mission Workbench execution inspector: plain JavaScript, no libraries, no network, no eval.
 *
 * Works as a classic <script> (the HTML report, under a CSP that allows it by its sha256) and inside an
 * ES module (anywidget: INSPECTOR_JS + "export default {...}"): everything lives in one function scope
 * and the only global is globalThis.WorkbenchInspector. Text from the payload is only ever inserted with
 * textContent / setAttribute; the one markup inserted is the SVG our own renderer made (update(svgText)).
 * The source is four files (core, graph, panel, views) joined in that order inside one function by
 * workbench/viz/inspect/assets.py.
 *
 * API
 *   WorkbenchInspector.mount(root, payload, {onSelect?: (stateName|null) => void}) -> handle
 *   WorkbenchInspector.mountAll(document) -> [handle]   every .wb-inspect with its script.wb-inspect-data
 *   handle.update(payload, svgText?)  new data (and graph); keeps selection, zoom, tab, filters, open blocks
 *   handle.select(stateName|null)     select a state (graph highlight, inspector, events filter)
 *   handle.showTab("graph"|"events"|"table")
 *   handle.filterEvents({text?, state?, type?})   undefined keeps a filter, "" or null clears it
 *   handle.zoom(factor), handle.fit(), handle.resetView(), handle.view() -> {scale, x, y}
 *   handle.destroy()
 *   onSelect is called when the user selects (graph click, events row, table row) or clears a state.
 *
 * DOM contract (tests and widgets rely on it)
 *   root                 .wb-inspect, data-tab = active tab, data-selected = selected state name
 *   tabs                 button[data-tab="graph"|"events"|"table"], the active one .wb-active
 *   panes                .wb-pane[data-pane="graph"|"events"|"table"] (hidden when inactive)
 *   graph                .wb-canvas > svg.workbench-graph; nodes g.node[data-state][data-path]; the
 *                        selected state's node gets .wb-selected; root data-scale = zoom scale
 *   zoom                 button.wb-zoom-in, button.wb-zoom-out, button.wb-zoom-fit, button.wb-zoom-reset;
 *                        wheel zooms at the cursor, drag pans (the SVG viewBox)
 *   legend               .wb-legend > .wb-legend-item[data-status] (succeeded, retried, failed, caught,
 *                        aborted, running, not_reached; incomplete when present)
 *   inspector            aside.wb-inspector (beside the graph): h3.wb-inspector-title = state name,
 *                        button.wb-inspector-close; one .wb-visit[data-visit-id] per visit with
 *                        .wb-visit-path; in it .wb-attempt[data-attempt=n][data-backoff-ms] rows
 *                        (.wb-attempt-start, -end, -duration, -backoff) and details.wb-json[data-label=
 *                        input|output|error|cause] blocks (pre.wb-json-text); a value longer than 2,000
 *                        characters shows cut, with button.wb-show-all
 *   events               table.wb-events, tbody rows tr[data-event-id][data-state] (type, state,
 *                        timestamp, +elapsed, +since previous, details); filters input.wb-events-filter,
 *                        select.wb-events-state, select.wb-events-type, button.wb-events-clear;
 *                        .wb-events-count; button.wb-events-more shows more rows
 *   table                table.wb-visits, rows tr[data-visit-id][data-state]; th[data-sort] sorts
 *                        (aria-sort ascending|descending)
 */
var LONG = 2000;          // characters of a value shown before "show all"
var EVENT_PAGE = 500;     // event rows rendered per "show more"
var VISIT_PAGE = 30;      // visits listed in the inspector per "show more"
var TABS = ["graph", "events", "table"];

function el(doc, tag, cls, text) {
  var e = doc.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function fmtMs(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return "–";
  if (ms < 1000) return (Math.round(ms * 10) / 10) + " ms";
  if (ms < 120000) return (ms / 1000).toFixed(2) + " s";
  if (ms < 7200000) return (ms / 60000).toFixed(1) + " min";
  return (ms / 3600000).toFixed(1) + " h";
}

function fmtPlus(ms) {
  return ms === null || ms === undefined ? "–" : "+" + fmtMs(ms);
}

function fmtTime(iso) {
  return iso ? String(iso).replace("T", " ").replace("Z", "") : "–";
}

function fmtSize(n) {
  return n < 1000 ? n + " chars" : (n < 1e6 ? (n / 1000).toFixed(1) + "k chars" : (n / 1e6).toFixed(1) + "M chars");
}

function statusWord(s) {
  return s ? String(s).replace(/_/g, " ") : "";
}

function emptyPayload() {
  return {execution: {}, states: {}, visits: [], events: [], events_total: 0, legend: []};
}

function Inspector(root, payload, options) {
  this.root = root;
  this.doc = root.ownerDocument || document;
  this.options = options || {};
  this.payload = payload || emptyPayload();
  this.selected = null;
  this.tab = "graph";
  this.view = null;            // {s, x, y}: scale and the SVG point at the canvas' top-left corner
  this.graphSize = null;       // [w, h] of the SVG's own viewBox
  this.open = {};              // keys of details blocks the user opened (kept across updates)
  this.closed = {};            // ... and closed
  this.expanded = {};          // keys of values shown in full
  this.filters = {text: "", state: "", type: ""};
  this.eventLimit = EVENT_PAGE;
  this.visitLimit = VISIT_PAGE;
  this.sort = {key: "start", dir: 1};
  this.dirty = {events: true, table: true};
  this.listeners = [];
  this.build();
  this.index();
  this.renderAll();
}

Inspector.prototype.on = function (target, type, fn, opts) {
  target.addEventListener(type, fn, opts || false);
  this.listeners.push([target, type, fn, opts || false]);
};

Inspector.prototype.build = function () {
  var doc = this.doc, root = this.root, self = this;
  if (!root.classList.contains("wb-inspect")) root.classList.add("wb-inspect");
  var svg = root.querySelector("svg.workbench-graph") || root.querySelector("svg");
  var data = root.querySelector("script.wb-inspect-data");
  var bar = el(doc, "div", "wb-tabs");
  bar.setAttribute("role", "tablist");
  var labels = {graph: "Graph", events: "Events", table: "Table"};
  TABS.forEach(function (t) {
    var b = el(doc, "button", "wb-tab", labels[t]);
    b.type = "button";
    b.setAttribute("data-tab", t);
    b.setAttribute("role", "tab");
    bar.appendChild(b);
  });
  this.summary = el(doc, "span", "wb-exec");
  bar.appendChild(this.summary);
  var graphPane = el(doc, "div", "wb-pane wb-pane-graph");
  graphPane.setAttribute("data-pane", "graph");
  var tools = el(doc, "div", "wb-graph-tools");
  [["wb-zoom-in", "+", "Zoom in"], ["wb-zoom-out", "−", "Zoom out"], ["wb-zoom-fit", "Fit", "Fit the graph"],
   ["wb-zoom-reset", "100%", "Readable size"]].forEach(function (z) {
    var b = el(doc, "button", "wb-zoom " + z[0], z[1]);
    b.type = "button";
    b.title = z[2];
    b.setAttribute("aria-label", z[2]);
    tools.appendChild(b);
  });
  this.legend = el(doc, "span", "wb-legend");
  tools.appendChild(this.legend);
  var area = el(doc, "div", "wb-graph-area");
  this.canvas = el(doc, "div", "wb-canvas");
  this.panel = el(doc, "aside", "wb-inspector");
  this.panel.hidden = true;
  this.bindValues(this.panel);
  area.appendChild(this.canvas);
  area.appendChild(this.panel);
  graphPane.appendChild(tools);
  graphPane.appendChild(area);
  var eventsPane = el(doc, "div", "wb-pane wb-pane-events");
  eventsPane.setAttribute("data-pane", "events");
  var tablePane = el(doc, "div", "wb-pane wb-pane-table");
  tablePane.setAttribute("data-pane", "table");
  // keep whatever the page put in the root out of the way, then lay out ours
  Array.prototype.slice.call(root.childNodes).forEach(function (n) {
    if (n !== data) root.removeChild(n);
  });
  root.insertBefore(bar, data || null);
  root.insertBefore(graphPane, data || null);
  root.insertBefore(eventsPane, data || null);
  root.insertBefore(tablePane, data || null);
  this.panes = {graph: graphPane, events: eventsPane, table: tablePane};
  this.buildEvents(eventsPane);
  this.buildTable(tablePane);
  if (svg) this.setSvg(svg);
  this.on(bar, "click", function (e) {
    var b = e.target.closest ? e.target.closest("button[data-tab]") : null;
    if (b) self.showTab(b.getAttribute("data-tab"));
  });
  this.bindGraph(tools);
  this.showTab("graph");
};

Inspector.prototype.index = function () {
  var byId = {};
  (this.payload.visits || []).forEach(function (v) { byId[v.id] = v; });
  this.visitById = byId;
};

Inspector.prototype.renderAll = function () {
  // a live view redraws every fraction of a second: whatever the reader scrolled to stays in place
  var scrolled = [this.panel, this.evBody && this.evBody.parentNode.parentNode, this.vBody &&
    this.vBody.parentNode.parentNode].filter(function (n) { return n; }).map(function (n) { return [n, n.scrollTop]; });
  this.renderSummary();
  this.renderLegend();
  this.markSelection();
  this.renderPanel();
  this.dirty.events = this.dirty.table = true;
  this.renderVisible();
  scrolled.forEach(function (s) { if (s[1]) s[0].scrollTop = s[1]; });
};

Inspector.prototype.renderVisible = function () {
  if (this.tab === "events" && this.dirty.events) { this.renderEvents(); this.dirty.events = false; }
  if (this.tab === "table" && this.dirty.table) { this.renderTable(); this.dirty.table = false; }
};

Inspector.prototype.renderSummary = function () {
  var x = this.payload.execution || {};
  var parts = [x.name || "", x.status || "", x.duration_ms !== null && x.duration_ms !== undefined ?
    fmtMs(x.duration_ms) : "", x.start ? "started " + fmtTime(x.start) + " UTC" : ""];
  this.summary.textContent = parts.filter(function (p) { return p; }).join(" · ");
  if (x.status) this.summary.setAttribute("data-status", String(x.status));
};

Inspector.prototype.showTab = function (tab) {
  if (TABS.indexOf(tab) < 0) return;
  this.tab = tab;
  this.root.setAttribute("data-tab", tab);
  var buttons = this.root.querySelectorAll(".wb-tabs button[data-tab]");
  for (var i = 0; i < buttons.length; i++) {
    var on = buttons[i].getAttribute("data-tab") === tab;
    buttons[i].classList.toggle("wb-active", on);
    buttons[i].setAttribute("aria-selected", on ? "true" : "false");
  }
  for (var t in this.panes) this.panes[t].hidden = t !== tab;
  if (tab === "graph") this.layout();
  this.renderVisible();
};

Inspector.prototype.select = function (name, how) {
  how = how || {};
  var states = this.payload.states || {};
  name = name === undefined || name === null || name === "" ? null : String(name);
  this.selected = name;
  this.visitLimit = VISIT_PAGE;
  if (name === null) this.root.removeAttribute("data-selected");
  else this.root.setAttribute("data-selected", name);
  this.markSelection();
  this.markRows();
  this.renderPanel();
  if (how.filter !== false && (name === null || states[name])) this.filterEvents({state: name || ""});
  if (how.center && name !== null) this.centerOn(name);
  if (how.user && typeof this.options.onSelect === "function") this.options.onSelect(name);
};

Inspector.prototype.update = function (payload, svgText) {
  this.payload = payload || emptyPayload();
  this.index();
  if (typeof svgText === "string" && svgText && svgText !== this.svgText) this.replaceSvg(svgText);
  this.renderAll();
};

Inspector.prototype.destroy = function () {
  this.listeners.forEach(function (l) { l[0].removeEventListener(l[1], l[2], l[3]); });
  this.listeners = [];
  if (this.resizer) this.resizer.disconnect();
  delete this.root.__wbInspector;
};

Inspector.prototype.handle = function () {
  var self = this;
  return {
    root: self.root,
    update: function (payload, svgText) { self.update(payload, svgText); },
    select: function (name) { self.select(name, {center: true}); },
    showTab: function (tab) { self.showTab(tab); },
    filterEvents: function (f) { self.filterEvents(f || {}); },
    zoom: function (factor) { self.zoomBy(factor); },
    fit: function () { self.fit(); },
    resetView: function () { self.resetView(); },
    view: function () { return self.view ? {scale: self.view.s, x: self.view.x, y: self.view.y} : null; },
    selected: function () { return self.selected; },
    destroy: function () { self.destroy(); }
  };
};

function mount(root, payload, options) {
  if (root.__wbInspector) {
    root.__wbInspector.update(payload);
    return root.__wbInspector;
  }
  var handle = new Inspector(root, payload, options).handle();
  root.__wbInspector = handle;
  return handle;
}

function mountAll(doc) {
  doc = doc || document;
  var out = [];
  var roots = doc.querySelectorAll(".wb-inspect");
  for (var i = 0; i < roots.length; i++) {
    var block = roots[i].querySelector("script.wb-inspect-data");
    if (!block || roots[i].__wbInspector) continue;
    var payload;
    try {
      payload = JSON.parse(block.textContent);
    } catch (err) {
      roots[i].setAttribute("data-error", "the inspector data is not JSON");
      continue;
    }
    out.push(mount(roots[i], payload, {}));
  }
  if (doc.body) doc.body.setAttribute("data-inspectors-mounted", String(out.length));
  return out;
}
