"""What a report is built from: history files, histories, executions or frames (:mod:`.data`), and where the
``workbench report`` command finds them: files, execution ARNs or a state machine's runs (:mod:`.sources`).

Example:
    >>> from workbench.report.inputs.data import ReportError
    >>> issubclass(ReportError, Exception)
    True
"""
