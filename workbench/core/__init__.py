"""The bottom of the stack: what every stage shares and nothing else imports into.

``diagnostics`` (the ``WorkbenchError`` family and located diagnostics), ``files`` (atomic writes, private
modes), ``yaml_load`` (the one YAML/JSON reader, with size, depth and alias budgets), ``redact`` (the one
redaction module), ``arn`` (the one ARN parser and formatter) and ``money`` (the one way dollars are
written). Modules here import only the standard library, third-party packages and each other
(``tests/core/test_arn_parsers.py`` checks it); mypy checks them with the ``--strict`` flags
(``pyproject.toml``), as it does ``workbench.history``.
"""
