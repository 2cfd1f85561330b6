"""Diagnostics of the ASL linter: the stable codes and where findings are collected.

``codes`` lists every published code (``ASL0xx`` reading, ``ASL1xx`` structure, ``ASL2xx`` fields,
``ASL3xx`` paths and JSONata, ``ASL4xx`` limits, ``W-ENGINE0xx`` engine gaps) with its default severity
and meaning; ``report`` holds the :class:`Reporter` the rules write to and the location tuples it renders
as ``States.Fetch.Retry[0].BackoffRate``. Nothing here knows the ASL rules themselves.
"""
