"""The state-machine drawing: a self-contained SVG of an ASL graph, with execution overlays.

:mod:`~workbench.viz.graph.svg` writes the picture (``draw``, ``render_svg``) from the geometry that
:mod:`~workbench.viz.graph.layout` computes; :mod:`~workbench.viz.graph.style` holds the colours,
:mod:`~workbench.viz.graph.legend` the key under an overlaid graph and :mod:`~workbench.viz.graph.svgtext`
the safe-text primitives. :mod:`~workbench.viz.graph.overlay` says what colours each state
(one run's statuses, or a heat map), and :mod:`~workbench.viz.graph.overlay_from_history` builds
those overlays from history frames. Nothing here imports plotly; this package re-exports nothing
(use ``workbench.viz``).
"""
