"""The ASL linter: checks any Amazon States Language document, not only the ones we compile.

Typical use in a notebook:

    >>> from workbench.asl.lint import load_asl, lint      # doctest: +SKIP
    >>> for d in lint(load_asl("statemachine.asl.json")):  # doctest: +SKIP
    ...     print(d.render())

Codes and their meanings are in :data:`CODES` (``ASL1xx`` structure, ``ASL2xx`` fields, ``ASL3xx``
paths and JSONata, ``ASL4xx`` limits).
"""

from workbench.asl.lint.codes import CODES, CodeInfo, describe
from workbench.asl.lint.core import lint
from workbench.asl.lint.loader import AslDocument, load_asl, parse_asl
from workbench.asl.lint.report import parse_location, render_location

__all__ = ["CODES", "AslDocument", "CodeInfo", "describe", "lint", "load_asl", "parse_asl", "parse_location",
           "render_location"]
