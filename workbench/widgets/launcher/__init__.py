"""Launching a Mission: the Launcher widget (``widget``) and its background work (``runner``: launch behind a
stop gate, follow, redrive), the pure checks of its input, fault and target boxes (``launch_settings``), what
it launches (``source``: a path, a Mission or a composer followed live), the target and the stop gate
(``mission_run``), the follow loop where DescribeExecution gives the status (``follow``), the reducer that
folds a running execution's history into live progress (``live``) and how statuses read (``status``).
"""
