"""Every adaptation of moto's Step Functions interpreter, so executions behave and read like AWS's.

:func:`patches.install` is the one guarded, once-per-process place that installs them all; the other
modules each hold one concern it wires in: ``fidelity`` (histories as AWS writes them), ``jsonata_eval``
(JSONata), ``timewarp`` (virtual clocks), ``activities`` (Activity tasks and ``GetActivityTask``),
``mocking`` (mocked responses per test case), ``lambdas`` (tools as Python functions in place of Lambda)
and ``bindings`` (which engine, tools, clock and mocks an execution belongs to). Importing this package
does not import moto; ``patches.install()`` does.
"""
