"""Lazy package attributes (PEP 562): names load their module on first use, so imports stay instant."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_attributes(package: str, table: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` serving each name of ``table`` from its module.

    A name whose source is ``<package>.<name>`` is that module itself (a public sub-module such as
    ``workbench.store``).
    """
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        source = table.get(name)
        if source is None:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        imported = importlib.import_module(source)
        value = imported if source == f"{package}.{name}" else getattr(imported, name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted([*vars(module), *table])

    return __getattr__, __dir__
