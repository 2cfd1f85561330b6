"""Geometry of the state-machine graph, with no drawing and no fonts: pure numbers in, boxes and routes out.

:mod:`~workbench.viz.graph.layout.nested` lays out a whole graph, nesting Parallel branches and Map
iterators inside their owner states; each flat level is placed by
:mod:`~workbench.viz.graph.layout.sugiyama` (layering, then :mod:`~workbench.viz.graph.layout.ordering`
for crossings and :mod:`~workbench.viz.graph.layout.placement` for x positions) and its edges by
:mod:`~workbench.viz.graph.layout.routing`; :mod:`~workbench.viz.graph.layout.metrics` sizes text and
nodes for both the layout and the SVG writer. This package re-exports nothing.
"""
