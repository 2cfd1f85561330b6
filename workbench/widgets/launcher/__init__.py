"""Launching a Mission: the Launcher widget (``widget``), the pure checks of its input, fault and target
boxes (``launch_settings``), the mapping of those settings to an engine Target (``mission_run``) and the
reducer that folds a running execution's history into live progress (``live``).
"""
