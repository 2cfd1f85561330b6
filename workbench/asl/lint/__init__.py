"""The ASL linter: checks any Amazon States Language document, not only the ones we compile.

Typical use in a notebook:

    >>> from workbench.asl.lint import load_asl, lint      # doctest: +SKIP
    >>> for d in lint(load_asl("statemachine.asl.json")):  # doctest: +SKIP
    ...     print(d.render())

Codes and their meanings are in :data:`CODES` (``ASL1xx`` structure, ``ASL2xx`` fields, ``ASL3xx``
paths and JSONata, ``ASL4xx`` limits, ``W-ENGINE0xx`` what the embedded engine cannot run yet).
"""

from workbench.asl.lint.core import engine_notes, lint
from workbench.asl.lint.diagnostics.codes import CODES, ENGINE_CODES, CodeInfo, describe
from workbench.asl.lint.diagnostics.report import parse_location, render_location
from workbench.asl.lint.load.loader import AslDocument, load_asl, parse_asl

__all__ = ["CODES", "ENGINE_CODES", "AslDocument", "CodeInfo", "describe", "engine_notes", "lint", "load_asl",
           "parse_asl", "parse_location", "render_location"]
