"""Composing a Mission: the MissionComposer widget (``widget``), the kind-specific editor of one step
(``step_form``) and the pure edits of a Mission's plain data that both apply (``mission_edit``). The form,
the YAML box and the live ASL preview stay in sync because every edit goes through ``mission_edit``.
"""
