"""A Mission's tools on a local engine: Python functions bound to Lambda names (``bindings``), reproducible
faults (``faults``), Step Functions Local mocked responses (``mocks``), and who serves them on an endpoint
(``serving``)."""
