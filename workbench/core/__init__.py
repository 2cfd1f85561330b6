"""The bottom of the stack: what every stage shares and nothing else imports into.

``diagnostics`` (the ``WorkbenchError`` family and located diagnostics), ``files`` (atomic writes, private
modes), ``yaml_load`` (the one YAML/JSON reader, with size, depth and alias budgets) and ``redact`` (the one
redaction module). Modules here import only the standard library and third-party packages.
"""
