"""Showing ASL: the AslPreview widget with its graph, ASL and problems (``widget``), the problems list with
places, codes and hints as visible text (``problems``) and the self-contained, syntax-highlighted JSON it
renders (``highlight``). The composer embeds it, and the launcher and the explorer reuse its graph and
validation helpers, so every widget draws a definition the same way.
"""
