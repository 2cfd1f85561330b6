"""SVG drawing of state machines: corpus-wide geometry, safety, loops, determinism, overlays."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.asl.test_graph import corpus_definitions, expected_levels
from workbench.asl.graph import graph_of
from workbench.core.diagnostics import AslError, WorkbenchError
from workbench.viz import GraphView, Overlay, StateOverlay, draw, render_svg

NS = "{http://www.w3.org/2000/svg}"
Rect = tuple[float, float, float, float]


def bbox(el: ET.Element) -> Rect:
    x, y, w, h = (float(v) for v in el.attrib["data-bbox"].split())
    return x, y, w, h


def inside(inner: Rect, outer: Rect, tol: float = 0.05) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[0] + inner[2] <= outer[0] + outer[2] + tol and inner[1] + inner[3] <= outer[1] + outer[3] + tol)


def overlap(a: Rect, b: Rect, tol: float = 0.5) -> bool:
    return (a[0] + tol < b[0] + b[2] and b[0] + tol < a[0] + a[2]
            and a[1] + tol < b[1] + b[3] and b[1] + tol < a[1] + a[3])


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if cls in g.attrib.get("class", "").split()]


def shape_rect(node: ET.Element) -> Rect:
    """The drawn outline of a node, read from the shape element itself (not from data-bbox)."""
    for child in node:
        if child.tag == f"{NS}rect":
            return tuple(float(child.attrib[k]) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]
        if child.tag == f"{NS}polygon":
            pts = [tuple(map(float, p.split(","))) for p in child.attrib["points"].split()]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
        if child.tag == f"{NS}circle":
            cx, cy, r = (float(child.attrib[k]) for k in ("cx", "cy", "r"))
            return cx - r, cy - r, 2 * r, 2 * r
    raise AssertionError(f"node {node.attrib.get('data-path')} has no shape")


def check_drawing(name: str, definition: dict[str, Any]) -> None:
    svg = render_svg(graph_of(definition))
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg", name
    assert "<script" not in svg.lower() and not re.search(r"href\s*=\s*[\"']?https?:", svg), name
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    nodes = groups(root, "node")
    by_path = {n.attrib["data-path"]: n for n in nodes}
    containers = {c.attrib["data-path"]: c for c in groups(root, "container")}
    levels = expected_levels(definition)
    # every state drawn exactly once, in its own container, with an outline matching its bbox
    states = [n for n in nodes if n.attrib["class"].split()[1] not in ("state-start", "state-end", "state-missing")]
    assert len(states) == len({n.attrib["data-path"] for n in states}) == sum(len(v) for v in levels.values()), name
    for node in nodes:
        box = bbox(node)
        assert inside(box, (0, 0, width, height)), (name, node.attrib["data-path"])
        assert inside(shape_rect(node), box, tol=0.1), (name, node.attrib["data-path"])
    assert set(containers) == {k for k in levels if k}, name
    assert all(c.attrib["class"] == "container" for c in containers.values()), name
    # painter's order: owner box, then its containers, then what is inside them (nothing hidden)
    order = {id(g): i for i, g in enumerate(root.iter(f"{NS}g"))}
    for cid, container in containers.items():
        assert order[id(container)] > order[id(by_path[container.attrib["data-owner"]])], (name, cid)
    for node in nodes:
        if "data-container" in node.attrib:
            assert order[id(node)] > order[id(containers[node.attrib["data-container"]])], (name, node.attrib)
    for cid, container in containers.items():
        members = {n.attrib["data-path"] for n in states if n.attrib.get("data-container") == cid}
        assert members == levels[cid], (name, cid)
        cbox = bbox(container)
        for node in nodes:
            if node.attrib.get("data-container") == cid:
                assert inside(bbox(node), cbox), (name, cid, node.attrib["data-path"])
        assert inside(cbox, bbox(by_path[container.attrib["data-owner"]])), (name, cid)
    # siblings never overlap: nodes in the same level, containers of the same owner
    level_of: dict[str, list[Rect]] = {}
    for node in nodes:
        level_of.setdefault(node.attrib.get("data-container", ""), []).append(bbox(node))
    for boxes in level_of.values():
        for i, a in enumerate(boxes):
            assert not any(overlap(a, b) for b in boxes[i + 1:]), name
    owners: dict[str, list[Rect]] = {}
    for container in containers.values():
        owners.setdefault(container.attrib["data-owner"], []).append(bbox(container))
    for boxes in owners.values():
        for i, a in enumerate(boxes):
            assert not any(overlap(a, b) for b in boxes[i + 1:]), name
    # edge labels never cover a simple node
    simple = [bbox(n) for n in nodes if not n.attrib.get("class", "").startswith(("node state-parallel",
                                                                                   "node state-map"))]
    for edge in groups(root, "edge"):
        for rect in edge.findall(f"{NS}rect"):
            label = tuple(float(rect.attrib[k]) for k in ("x", "y", "width", "height"))
            assert not any(overlap(label, b) for b in simple), (name, edge.attrib["data-source"])  # type: ignore[arg-type]


def test_every_corpus_definition_draws_with_sound_geometry(corpus: Path) -> None:
    count = 0
    for name, definition in corpus_definitions(corpus):
        check_drawing(name, definition)
        count += 1
    assert count > 300


def test_hostile_names_conditions_and_comments_are_escaped() -> None:
    evil = "<script>alert(1)</script>"
    definition = {"StartAt": evil, "States": {
        evil: {"Type": "Choice", "Comment": 'say "hi" & <b>bye</b>', "Default": "x & y",
               "Choices": [{"Condition": "{% $x < 3 and $y > \"<a href='http://evil'>\" %}", "Next": "x & y"}]},
        "x & y": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke<img src=x onerror=alert(1)>",
                  "End": True}}}
    svg = render_svg(graph_of(definition))
    root = ET.fromstring(svg)
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert not list(root.iter(f"{NS}script"))
    node = next(n for n in groups(root, "node") if n.attrib.get("data-path") == evil)
    assert node.attrib["data-state"] == evil  # round-trips through the XML parser intact
    texts = "".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "<script>" in texts and "x & y" in texts
    titles = "".join(t.text or "" for t in root.iter(f"{NS}title"))
    assert 'say "hi" & <b>bye</b>' in titles
    assert "$x < 3" in titles
    check_drawing("hostile", definition)


def test_control_characters_in_names_still_give_wellformed_xml() -> None:
    svg = render_svg(graph_of({"StartAt": "bad\x01name", "States": {"bad\x01name": {"Type": "Pass", "End": True}}}))
    root = ET.fromstring(svg)  # raises on a control character XML cannot hold
    [node] = [n for n in groups(root, "node") if n.attrib.get("data-path") not in ("@start", "@end")]
    assert node.attrib["data-state"] == "bad\ufffdname"  # drawn, with the character replaced
    assert "bad\ufffdname" in [t.text for t in root.iter(f"{NS}text")]


LOOP = {"StartAt": "Submit", "States": {
    "Submit": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Wait"},
    "Wait": {"Type": "Wait", "Seconds": 10, "Next": "Poll"},
    "Poll": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done?"},
    "Done?": {"Type": "Choice", "Choices": [{"Variable": "$.status", "StringEquals": "RUNNING", "Next": "Wait"},
                                            {"Variable": "$.status", "StringEquals": "FAILED", "Next": "Failed"}],
              "Default": "Finish"},
    "Failed": {"Type": "Fail", "Error": "JobFailed"},
    "Finish": {"Type": "Succeed"}}}


def _path_points(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(nums[0::2], nums[1::2], strict=True))


def test_loop_back_edge_goes_up_beside_the_nodes_and_is_labelled() -> None:
    root = ET.fromstring(render_svg(graph_of(LOOP)))
    boxes = {n.attrib["data-path"]: bbox(n) for n in groups(root, "node")}
    # reads top to bottom
    tops = [boxes[k][1] for k in ("Submit", "Wait", "Poll", "Done?")]
    assert tops == sorted(tops) and len(set(tops)) == 4
    (back,) = [e for e in groups(root, "edge")
               if e.attrib["data-source"] == "Done?" and e.attrib["data-target"] == "Wait"]
    assert '$.status == "RUNNING"' in "".join(t.text or "" for t in back.iter(f"{NS}text"))
    line = back.find(f"{NS}path")
    assert line is not None
    points = _path_points(line.attrib["d"])
    assert min(y for _x, y in points) < boxes["Done?"][1]  # it climbs back up
    lane_x = max(x for x, _y in points)
    for key in ("Wait", "Poll", "Done?"):  # and runs beside the loop body, not through it
        x, _y, w, _h = boxes[key]
        assert lane_x > x + w
    check_drawing("loop", LOOP)


def test_same_input_same_bytes_across_processes() -> None:
    first = render_svg(graph_of(LOOP))
    assert render_svg(graph_of(json.loads(json.dumps(LOOP)))) == first
    code = ("import json,sys; from workbench.asl.graph import graph_of; from workbench.viz import render_svg;"
            "sys.stdout.write(render_svg(graph_of(json.loads(sys.stdin.read()))))")
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], input=json.dumps(LOOP), capture_output=True, text=True,
                              env=env, check=True, timeout=120)
        outs.add(done.stdout)
    assert outs == {first}


NESTED = {"StartAt": "Gather", "States": {
    "Gather": {"Type": "Parallel", "Next": "Fan", "Branches": [
        {"StartAt": "Pull", "States": {"Pull": {"Type": "Task", "Resource": "arn:x", "End": True}}},
        {"StartAt": "Pull", "States": {"Pull": {"Type": "Task", "Resource": "arn:x", "End": True}}}]},
    "Fan": {"Type": "Map", "Next": "Check", "ItemProcessor": {"StartAt": "Each", "States": {
        "Each": {"Type": "Task", "Resource": "arn:x", "End": True}}}},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
              "Default": "Broken"},
    "Done": {"Type": "Succeed"},
    "Broken": {"Type": "Fail"}}}


def _status_nodes(svg: str) -> dict[str, ET.Element]:
    return {n.attrib["data-path"]: n for n in groups(ET.fromstring(svg), "node")}


NESTED_DEEP = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": {
    "StartAt": "Scan", "States": {"Scan": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "Inner", "States": {"Inner": {"Type": "Map", "End": True, "Iterator": NESTED}}}]}}}}}}


def test_deeply_nested_containers_are_drawn_inside_each_other() -> None:
    check_drawing("nested-deep", NESTED_DEEP)
    root = ET.fromstring(render_svg(graph_of(NESTED_DEEP)))
    paths = {g.attrib["data-path"] for g in groups(root, "node")}
    assert "Each/iterator/Scan/branch[1]/Inner/iterator/Gather/branch[0]/Pull" in paths


def test_status_overlay_colours_badges_and_tooltips() -> None:
    overlay = Overlay({
        "Gather": StateOverlay("succeeded", duration_ms=1500),
        "Gather/branch[0]/Pull": StateOverlay("failed", retries=2, error="States.Timeout", duration_ms=30_000),
        "Pull": StateOverlay("caught"),  # by name: applies to the other branch's Pull only
        "Fan": StateOverlay("running", iterations=100),
        "Each": StateOverlay("succeeded", duration_ms=12),
    })
    svg = render_svg(graph_of(NESTED), overlay)
    nodes = _status_nodes(svg)
    status = {k: n.attrib.get("data-status") for k, n in nodes.items()}
    assert status["Gather/branch[0]/Pull"] == "failed"
    assert status["Gather/branch[1]/Pull"] == "caught"
    assert status["Fan"] == "running" and status["Fan/iterator/Each"] == "succeeded"
    assert status["Check"] is None  # absent from the overlay → drawn as not reached

    def outline(path: str) -> ET.Element:
        shape = nodes[path].find(f"{NS}rect")
        return shape if shape is not None else nodes[path][1]

    def stroke(path: str) -> str:
        return next(c.attrib["stroke"] for c in nodes[path] if "stroke" in c.attrib)

    assert stroke("Gather/branch[0]/Pull") == "#d13212"  # red
    assert stroke("Gather/branch[1]/Pull") == "#ec7211"  # orange
    assert stroke("Fan/iterator/Each") == "#1d8102"  # green
    assert stroke("Check") == "#c6cbcc"  # grey
    assert outline("Fan").find(f"{NS}animate") is not None  # running pulses
    failed = nodes["Gather/branch[0]/Pull"]
    assert "↻2" in "".join(failed.itertext())
    tooltip = failed.find(f"{NS}title")
    assert tooltip is not None and tooltip.text is not None
    assert "status: failed" in tooltip.text and "duration: 30.00 s" in tooltip.text
    assert "error: States.Timeout" in tooltip.text
    assert "×100" in "".join(nodes["Fan"].itertext())
    assert "duration: 12 ms" in (nodes["Fan/iterator/Each"].findtext(f"{NS}title") or "")
    # edges into states that never ran are muted
    root = ET.fromstring(svg)
    muted = {e.attrib["data-target"] for e in groups(root, "edge")
             if e.find(f"{NS}path") is not None and e.find(f"{NS}path").attrib["stroke"] == "#d5dbdb"}  # type: ignore[union-attr]
    assert {"Done", "Broken", "Check"} <= muted
    assert render_svg(graph_of(NESTED)) != svg
    assert 'data-status' not in render_svg(graph_of(NESTED))


def _fill(node: ET.Element) -> str:
    return next(c.attrib["fill"] for c in node if c.tag in (f"{NS}rect", f"{NS}polygon"))


def _luminance(color: str) -> float:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_heat_overlay_gets_redder_with_failures() -> None:
    hot = Overlay.heat({"Gather/branch[0]/Pull": 5, "Each": 1, "Check": 20}, retries={"Each": 8}, executions=20)
    assert hot["Check"].heat == 1.0 and hot["Each"].heat == pytest.approx(0.15)
    nodes = _status_nodes(render_svg(graph_of(NESTED), hot))
    lum = {k: _luminance(_fill(nodes[k])) for k in ("Check", "Gather/branch[0]/Pull", "Fan/iterator/Each", "Done")}
    assert lum["Check"] < lum["Gather/branch[0]/Pull"] < lum["Fan/iterator/Each"] < lum["Done"]
    text = "".join(nodes["Fan/iterator/Each"].itertext())
    assert "✕1" in text and "↻8" in text
    assert "failed 20 time(s) of 20 executions" in (nodes["Check"].findtext(f"{NS}title") or "")
    relative = Overlay.heat({"A": 2, "B": 4})
    assert (relative["A"].heat, relative["B"].heat) == (0.5, 1.0)


def test_overlay_rejects_bad_values_with_our_errors() -> None:
    with pytest.raises(WorkbenchError, match="status 'done'"):
        StateOverlay("done")  # type: ignore[arg-type]
    with pytest.raises(WorkbenchError, match="must be a StateOverlay"):
        Overlay({"A": "failed"})  # type: ignore[dict-item]
    with pytest.raises(WorkbenchError, match="positive"):
        Overlay.heat({"A": 1}, executions=0)


def test_graph_view_for_notebooks(tmp_path: Path) -> None:
    view = draw(LOOP, overlay={"Submit": StateOverlay("succeeded")})
    assert isinstance(view, GraphView)
    assert repr(view) == "GraphView(6 states, overlay=status)"
    assert view._repr_svg_().startswith("<svg") and view._repr_svg_() == view.svg
    html = view._repr_html_()
    assert html.startswith("<div") and view.svg in html
    assert draw(graph_of(LOOP)).svg == draw(json.dumps(LOOP)).svg == render_svg(graph_of(LOOP))
    saved = view.save(tmp_path / "loop.svg")
    assert saved.read_text(encoding="utf-8") == view.svg
    page = view.save(tmp_path / "loop.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and view.svg in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.html", "loop.svg"]  # no temp files left
    with pytest.raises(AslError):
        draw("{not json")
    with pytest.raises(WorkbenchError, match="draw\\(\\) needs"):
        draw(42)  # type: ignore[arg-type]


def test_large_generated_definitions_draw() -> None:
    """The benchmark's generated workflows (loops, catches to shared handlers, nesting) draw soundly."""
    script = Path(__file__).resolve().parents[2] / "bench" / "graph.py"
    spec = importlib.util.spec_from_file_location("bench_graph", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for size in (60, 400):
        check_drawing(f"generated-{size}", module.generate(size))


def test_legend_explains_overlay_colours() -> None:
    plain = ET.fromstring(render_svg(graph_of(LOOP)))
    assert not groups(plain, "legend")
    status = ET.fromstring(render_svg(graph_of(LOOP), {"Submit": StateOverlay("succeeded")}))
    (key,) = groups(status, "legend")
    assert [t.text for t in key.iter(f"{NS}text")] == ["succeeded", "retried", "failed", "caught", "aborted",
                                                       "running", "not reached"]
    fills = {g.attrib["data-status"]: g.find(f"{NS}rect").attrib["fill"]  # type: ignore[union-attr]
             for g in key.iter(f"{NS}g") if "data-status" in g.attrib}
    assert len(set(fills.values())) == len(fills) == 7  # seven distinct colours
    assert float(status.attrib["height"]) > float(plain.attrib["height"])
    heat = ET.fromstring(render_svg(graph_of(LOOP), Overlay.heat({"Poll": 3})))
    assert groups(heat, "legend")[0].attrib["data-mode"] == "heat"


def test_a_state_that_succeeded_after_retrying_is_drawn_retried() -> None:
    svg = ET.fromstring(render_svg(graph_of(LOOP), {"Submit": StateOverlay("succeeded", retries=2),
                                                    "Poll": StateOverlay("succeeded")}))
    nodes = {n.attrib["data-state"]: n for n in svg.iter(f"{NS}g") if n.attrib.get("class", "").startswith("node")}
    assert nodes["Submit"].attrib["data-status"] == "retried" and nodes["Poll"].attrib["data-status"] == "succeeded"
    fill = {k: n.find(f"{NS}rect").attrib["fill"]  # type: ignore[union-attr]
            for k, n in nodes.items() if k in ("Submit", "Poll")}
    assert fill["Submit"] != fill["Poll"]


@pytest.mark.parametrize("module", ["workbench.asl.graph", "workbench.asl.choice_text", "workbench.viz.graph.overlay",
                                    "workbench.viz.graph.svg", "workbench.viz.graph.layout.nested",
                                    "workbench.viz.graph.svgtext"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
