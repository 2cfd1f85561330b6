"""Showing ASL: the AslPreview widget with its graph and problems (``widget``) and the self-contained,
syntax-highlighted JSON it renders (``highlight``). The composer embeds it, and the launcher and the
explorer reuse its graph and validation helpers, so every widget draws a definition the same way.
"""
