"""Where Step Functions calls go: a :class:`~workbench.engine.connect.targets.Target` (one boto3 client for the
embedded engine, AWS or any endpoint) and the endpoint settings read from ``--env-file`` or the environment."""
