"""Reading ASL documents with positions: JSON or YAML text into an ``AslDocument`` that can map locations back to lines.

``loader`` reads a file or string and raises ``AslError`` naming file, line and column when it cannot;
``source`` holds the position-tracking scanners (where each key starts, duplicate keys) that run only
when a diagnostic needs a line number. The public entry points are ``workbench.asl.lint.load_asl`` and
``parse_asl``.
"""
