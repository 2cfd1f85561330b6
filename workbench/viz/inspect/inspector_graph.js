/* Graph: the SVG in a zoomable, pannable canvas; node clicks select states; the legend. */
var MIN_READABLE = 0.8;   // default scale never below this: 13 px names stay >= 10 px on screen
var MIN_SCALE = 0.01, MAX_SCALE = 6;
var COLOUR = /^#[0-9a-fA-F]{3,8}$/;     // legend colours: plain hex only, never a url()

function stateNode(target) {
  var g = target && target.closest ? target.closest("g.node") : null;
  if (!g) return null;
  var path = g.getAttribute("data-path") || "";
  return path.charAt(0) === "@" ? null : g;   // Start / End are not states
}

Inspector.prototype.setSvg = function (svg) {
  var vb = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
  var w = vb.length === 4 && vb[2] > 0 ? vb[2] : parseFloat(svg.getAttribute("width")) || 600;
  var h = vb.length === 4 && vb[3] > 0 ? vb[3] : parseFloat(svg.getAttribute("height")) || 400;
  this.graphSize = [w, h];
  svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
  if (svg.parentNode !== this.canvas) {
    clear(this.canvas);
    this.canvas.appendChild(svg);
  }
  this.svg = svg;
  var nodes = svg.querySelectorAll("g.node");
  for (var i = 0; i < nodes.length; i++) {
    if (stateNode(nodes[i])) {
      nodes[i].setAttribute("tabindex", "0");
      nodes[i].setAttribute("role", "button");
      nodes[i].classList.add("wb-clickable");
    }
  }
  this.markSelection();
  this.layout();
};

Inspector.prototype.replaceSvg = function (svgText) {
  var parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
  var fresh = parsed.documentElement;
  if (!fresh || fresh.nodeName.toLowerCase() !== "svg") return;   // not an SVG (a parser error document)
  this.svgText = svgText;
  var node = this.doc.importNode(fresh, true);
  if (this.svg && this.svg.parentNode) this.svg.parentNode.removeChild(this.svg);
  this.svg = null;
  var keep = this.view;
  this.setSvg(node);
  if (keep) { this.view = keep; this.apply(); }
};

Inspector.prototype.size = function () {
  return [this.canvas.clientWidth, this.canvas.clientHeight];
};

Inspector.prototype.layout = function () {
  if (!this.svg || !this.graphSize) return;
  var c = this.size();
  if (c[0] <= 0) return;                  // not displayed yet: the resize observer calls again
  if (!this.sized) {
    var s0 = Math.max(MIN_READABLE, Math.min(1, c[0] / this.graphSize[0]));
    var want = this.graphSize[1] * s0 + 12;
    var tall = Math.max(320, Math.round((window.innerHeight || 900) * 0.75));
    this.canvas.style.height = Math.round(Math.max(220, Math.min(want, tall))) + "px";
    this.sized = true;
    c = this.size();
  }
  if (!this.view) this.view = this.defaultView(c);
  this.apply();
};

Inspector.prototype.defaultView = function (c) {
  var w = this.graphSize[0], h = this.graphSize[1];
  var s = Math.max(MIN_READABLE, Math.min(1, c[0] / w, c[1] / h));
  var x = (w - c[0] / s) / 2;                        // centred when it fits across...
  if (w * s > c[0]) {                                 // ...else the Start node in the middle, within the drawing
    var start = this.svg && this.svg.querySelector('g.node[data-path="@start"]');
    var b = start ? (start.getAttribute("data-bbox") || "").split(" ").map(Number) : [];
    x = b.length === 4 ? Math.max(0, Math.min(w - c[0] / s, b[0] + b[2] / 2 - c[0] / s / 2)) : 0;
  }
  return {s: s, x: x, y: h * s < c[1] ? (h - c[1] / s) / 2 : 0};
};

Inspector.prototype.apply = function () {
  if (!this.svg || !this.view) return;
  var c = this.size();
  if (c[0] <= 0 || c[1] <= 0) return;
  var v = this.view;
  this.svg.setAttribute("width", String(c[0]));
  this.svg.setAttribute("height", String(c[1]));
  this.svg.setAttribute("viewBox", [v.x, v.y, c[0] / v.s, c[1] / v.s].map(function (n) {
    return Math.round(n * 100) / 100;
  }).join(" "));
  this.root.setAttribute("data-scale", String(Math.round(v.s * 1000) / 1000));
};

Inspector.prototype.zoomAt = function (factor, px, py) {
  if (!this.view) this.layout();
  if (!this.view) return;
  var v = this.view;
  var s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, v.s * factor));
  var gx = v.x + px / v.s, gy = v.y + py / v.s;
  this.view = {s: s, x: gx - px / s, y: gy - py / s};
  this.apply();
};

Inspector.prototype.zoomBy = function (factor) {
  var c = this.size();
  this.zoomAt(factor, c[0] / 2, c[1] / 2);
};

Inspector.prototype.fit = function () {
  if (!this.graphSize) return;
  var c = this.size();
  if (c[0] <= 0) return;
  var w = this.graphSize[0], h = this.graphSize[1];
  var s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, Math.min(c[0] / w, c[1] / h) * 0.98));
  this.view = {s: s, x: (w - c[0] / s) / 2, y: (h - c[1] / s) / 2};
  this.apply();
};

Inspector.prototype.resetView = function () {
  var c = this.size();
  if (c[0] <= 0 || !this.graphSize) return;
  this.view = this.defaultView(c);
  this.apply();
};

Inspector.prototype.nodesOf = function (name) {
  var out = [];
  if (!this.svg || name === null) return out;
  var nodes = this.svg.querySelectorAll("g.node");
  for (var i = 0; i < nodes.length; i++) {
    if (nodes[i].getAttribute("data-state") === name && stateNode(nodes[i])) out.push(nodes[i]);
  }
  return out;
};

Inspector.prototype.markSelection = function () {
  if (!this.svg) return;
  var old = this.svg.querySelectorAll("g.node.wb-selected");
  for (var i = 0; i < old.length; i++) old[i].classList.remove("wb-selected");
  this.nodesOf(this.selected).forEach(function (g) { g.classList.add("wb-selected"); });
};

Inspector.prototype.centerOn = function (name) {
  var g = this.nodesOf(name)[0];
  if (!g || !this.view) return;
  var b = (g.getAttribute("data-bbox") || "").split(" ").map(Number);
  if (b.length !== 4) return;
  var c = this.size(), v = this.view;
  var left = v.x, top = v.y, right = v.x + c[0] / v.s, bottom = v.y + c[1] / v.s;
  if (b[0] >= left && b[0] + b[2] <= right && b[1] >= top && b[1] + b[3] <= bottom) return;  // already in view
  this.view = {s: v.s, x: b[0] + b[2] / 2 - c[0] / v.s / 2, y: b[1] + b[3] / 2 - c[1] / v.s / 2};
  this.apply();
};

Inspector.prototype.bindGraph = function (tools) {
  var self = this, canvas = this.canvas, drag = null, moved = false;
  this.on(tools, "click", function (e) {
    var b = e.target.closest ? e.target.closest("button") : null;
    if (!b) return;
    if (b.classList.contains("wb-zoom-in")) self.zoomBy(1.25);
    else if (b.classList.contains("wb-zoom-out")) self.zoomBy(0.8);
    else if (b.classList.contains("wb-zoom-fit")) self.fit();
    else if (b.classList.contains("wb-zoom-reset")) self.resetView();
  });
  this.on(canvas, "wheel", function (e) {
    if (!self.view) return;
    e.preventDefault();
    var r = canvas.getBoundingClientRect();
    var delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    self.zoomAt(Math.exp(-delta * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, {passive: false});
  var move = function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.cx, dy = e.clientY - drag.cy;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    moved = true;
    canvas.classList.add("wb-dragging");
    self.view = {s: drag.v.s, x: drag.v.x - dx / drag.v.s, y: drag.v.y - dy / drag.v.s};
    self.apply();
  };
  var up = function () {
    drag = null;
    canvas.classList.remove("wb-dragging");
    var win = self.doc.defaultView || window;
    win.removeEventListener("pointermove", move);
    win.removeEventListener("pointerup", up);
  };
  this.on(canvas, "pointerdown", function (e) {
    if (e.button !== 0 || !self.view) return;
    drag = {cx: e.clientX, cy: e.clientY, v: self.view};
    moved = false;
    var win = self.doc.defaultView || window;
    win.addEventListener("pointermove", move);
    win.addEventListener("pointerup", up);
  });
  this.on(canvas, "click", function (e) {
    if (moved) { moved = false; return; }   // the end of a drag, not a click
    var g = stateNode(e.target);
    self.select(g ? g.getAttribute("data-state") : null, {user: true});
  });
  this.on(canvas, "keydown", function (e) {
    if (e.key !== "Enter" && e.key !== " ") return;
    var g = stateNode(e.target);
    if (!g) return;
    e.preventDefault();
    self.select(g.getAttribute("data-state"), {user: true});
  });
  if (typeof ResizeObserver === "function") {
    this.resizer = new ResizeObserver(function () { self.layout(); });
    this.resizer.observe(canvas);
  }
};

Inspector.prototype.renderLegend = function () {
  var doc = this.doc, legend = this.legend, counts = {};
  var states = this.payload.states || {};
  for (var name in states) counts[states[name].status] = (counts[states[name].status] || 0) + 1;
  clear(legend);
  (this.payload.legend || []).forEach(function (item) {
    var span = el(doc, "span", "wb-legend-item");
    span.setAttribute("data-status", String(item.status));
    var sw = el(doc, "span", "wb-swatch");
    if (COLOUR.test(String(item.fill))) sw.style.background = String(item.fill);
    if (COLOUR.test(String(item.stroke))) sw.style.borderColor = String(item.stroke);
    if (item.dash) sw.style.borderStyle = "dashed";
    span.appendChild(sw);
    span.appendChild(doc.createTextNode(String(item.label) + (counts[item.status] ? " " + counts[item.status] : "")));
    legend.appendChild(span);
  });
};
