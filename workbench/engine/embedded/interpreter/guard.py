"""The guard around our moto adaptations: the pinned version, the sources they were written against, all or none.

The patches in this package replace functions inside moto 5.2.5. A different moto, or a moto whose
replaced functions changed, would not fail at once: executions would go wrong later, in ways that look
like bugs of the Mission. So before anything is patched, :func:`verify` checks

* that the installed moto is :data:`PINNED_MOTO`, and
* that every attribute the patches replace (``moto_contract.json``: ``module:Owner.attr`` -> a hash of the
  original's source) still has the source it was written against,

and :func:`all_or_none` applies the patches so that a failure restores every replaced attribute: the
process is left with moto as it was, never half adapted. Each failure is one line naming the patch.

``moto_contract.json`` is written by ``python -m workbench.engine.embedded.interpreter.guard --write`` in a
fresh process: :func:`survey` imports moto's Step Functions modules, records every module and class
attribute, installs the patches and lists what changed. ``tests/engine/test_moto_contract.py`` runs the
same survey and fails when the file is stale, so the list of replaced attributes is always complete.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import json
import pkgutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.core.diagnostics import WorkbenchError

PINNED_MOTO = "5.2.5"
CONTRACT_FILE = Path(__file__).with_name("moto_contract.json")
# Modules outside moto.stepfunctions whose attributes the patches may touch (the survey watches them too).
_OTHER_MODULES = ("moto.core.responses", "moto.core.utils", "moto.core.models", "moto.logs.models",
                  "moto.moto_server.werkzeug_app", "moto.server", "moto.settings", "moto.s3.models",
                  "moto.awslambda.models")
_MISSING = object()


class MotoMismatch(WorkbenchError):
    """The installed moto is not the one the embedded engine's adaptations were written for."""


def installed_moto() -> str:
    """The version of the installed moto distribution."""
    return importlib.metadata.version("moto")


def verify(contract: dict[str, Any] | None = None, *, moto_version: str | None = None) -> None:
    """Refuse to adapt a moto other than the pinned one, or one whose replaced functions changed.

    Example:
        >>> verify(moto_version="5.1.0")
        Traceback (most recent call last):
        ...
        workbench.engine.embedded.interpreter.guard.MotoMismatch: the embedded engine adapts moto 5.2.5 ...
    """
    version = moto_version or installed_moto()
    if version != PINNED_MOTO:
        raise MotoMismatch(f"the embedded engine adapts moto {PINNED_MOTO} internals, but moto {version} is "
                           f"installed; run: pip install 'moto[server,stepfunctions]=={PINNED_MOTO}'")
    for target, expected in (contract or load_contract())["replaced"].items():
        if expected is None:
            continue  # an attribute the patches add: nothing to compare
        found = source_hash(resolve(target))
        if found != expected:
            raise MotoMismatch(f"the embedded engine's patch of {target} was written against other source "
                               f"(moto {version} has {found}, the patch expects {expected}); reinstall "
                               f"moto=={PINNED_MOTO}, or re-check that patch and rewrite moto_contract.json")


def load_contract() -> dict[str, Any]:
    """The replaced attributes and their source hashes, as written by ``--write``."""
    return dict(json.loads(CONTRACT_FILE.read_text()))


def resolve(target: str) -> Any:
    """The object ``module:Owner.attr`` names, or ``_MISSING`` when it does not exist (yet)."""
    owner, attr = _owner(target)
    return _MISSING if owner is None else owner.__dict__.get(attr, _MISSING) if isinstance(owner, type) \
        else getattr(owner, attr, _MISSING)


def _owner(target: str) -> tuple[Any, str]:
    module_name, _, path = target.partition(":")
    parts = path.split(".")
    obj: Any = importlib.import_module(module_name)
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None, parts[-1]
    return obj, parts[-1]


def source_hash(obj: Any) -> str | None:
    """A short hash of an object's source (functions, classes), else of its repr; None when it is missing."""
    if obj is _MISSING:
        return None
    inner = obj.__func__ if isinstance(obj, (staticmethod, classmethod)) else obj
    try:
        text = inspect.getsource(inner)
    except (OSError, TypeError):
        text = repr(inner)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@contextmanager
def all_or_none(contract: dict[str, Any] | None = None) -> Iterator[None]:
    """Apply patches inside this block; if one raises, every attribute in the contract gets its original back."""
    targets = list((contract or load_contract())["replaced"])
    originals = {target: resolve(target) for target in targets}
    try:
        yield
    except BaseException:
        for target, original in originals.items():
            owner, attr = _owner(target)
            if owner is None:
                continue
            if original is _MISSING:
                if attr in vars(owner):
                    delattr(owner, attr)
            else:
                setattr(owner, attr, original)
        raise


def run_steps(steps: Sequence[tuple[str, Callable[[], None]]]) -> None:
    """Run the named install steps in order; a failing step is reported by name, in one line."""
    for name, step in steps:
        try:
            step()
        except MotoMismatch:
            raise
        except Exception as exc:
            raise MotoMismatch(f"the embedded engine could not apply its patch '{name}' to moto {installed_moto()}: "
                               f"{type(exc).__name__}: {exc}") from exc


# --- the survey (a fresh process: what do the patches replace?) -------------------------------------------------
def _watched_modules() -> list[Any]:
    import moto.stepfunctions as package

    names = [info.name for info in pkgutil.walk_packages(package.__path__, "moto.stepfunctions.")]
    modules = []
    for name in [*names, *_OTHER_MODULES]:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:  # LocalStack-only modules moto ships but cannot import
            continue
    return modules


def _snapshot(modules: list[Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for module in modules:
        for attr, value in list(vars(module).items()):
            seen[f"{module.__name__}:{attr}"] = value
            if isinstance(value, type) and value.__module__ == module.__name__:
                for member, inner in list(vars(value).items()):
                    seen[f"{module.__name__}:{attr}.{member}"] = inner
    return seen


def survey(install: Callable[[], None]) -> dict[str, str | None]:
    """Every module or class attribute of moto that ``install`` replaces or adds, with its original's hash.

    Must run in a process where the patches were never installed (``--write`` and the contract test
    start a fresh interpreter).
    """
    modules = _watched_modules()
    before = _snapshot(modules)
    install()
    after = _snapshot(_watched_modules())
    changed = sorted(key for key, value in after.items() if before.get(key, _MISSING) is not value)
    return {key: source_hash(before.get(key, _MISSING)) for key in changed}


def main(argv: Sequence[str] | None = None) -> int:
    """``--write`` regenerates moto_contract.json; ``--print`` shows the survey."""
    from workbench.engine.embedded.interpreter import patches

    args = list(argv if argv is not None else sys.argv[1:])
    replaced = survey(lambda: patches.install(verify_contract=False))
    if "--write" in args:
        CONTRACT_FILE.write_text(json.dumps({"moto": installed_moto(), "replaced": replaced}, indent=1) + "\n")
        print(f"wrote {CONTRACT_FILE} ({len(replaced)} replaced attributes)")
    else:
        print(json.dumps(replaced, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
