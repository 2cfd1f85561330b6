"""Composing a Mission: the MissionComposer widget (``widget``) over a document whose YAML text is the single
source of truth (``document``: form edits patch the text in place, undo/redo are texts), the YAML editor with
line numbers (``editor``, a small anywidget), the step form and the Mission form (``step_form``,
``mission_form``, built from ``fields``), what can be opened (``sources``) and the step tree (``mission_edit``).
"""
