"""The shape of the package: history has rooms; nothing that only makes test data ships, nothing imports tests."""

from __future__ import annotations

from pathlib import Path

WORKBENCH = Path(__file__).resolve().parents[1] / "workbench"


def test_history_is_split_into_sub_packages_by_job() -> None:
    rooms = {p.name for p in (WORKBENCH / "history").iterdir() if (p / "__init__.py").exists()}
    assert {"load", "frames", "analysis", "cost", "fetch"} <= rooms
    flat = [p.name for p in (WORKBENCH / "history").glob("*.py") if not p.name.startswith("_")]
    assert flat == [], f"history/ modules outside a sub-package: {flat}"


def test_no_simulator_or_test_import_ships_in_workbench() -> None:
    offenders = [str(p.relative_to(WORKBENCH)) for p in WORKBENCH.rglob("*.py")
                 if "synthetic" in p.name or "_sim" in p.stem
                 or any(line.lstrip().startswith(("from tests", "import tests", ">>> from tests"))
                        for line in p.read_text(encoding="utf-8").splitlines())]
    assert offenders == []



def test_report_is_split_into_sub_packages_by_job() -> None:
    rooms = {p.name for p in (WORKBENCH / "report").iterdir() if (p / "__init__.py").exists()}
    assert {"page", "inputs", "run", "whatif", "coverage"} <= rooms
    flat = [p.name for p in (WORKBENCH / "report").glob("*.py") if p.name != "__init__.py"]
    assert flat == [], f"report/ modules outside a sub-package: {flat}"


def test_cli_is_split_into_sub_packages_by_job() -> None:
    """cli/ keeps only the app (``__init__``), ``__main__`` and the output helpers every command shares."""
    flat = sorted(p.name for p in (WORKBENCH / "cli").glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert flat == ["output.py"], f"cli/ modules outside a sub-package: {flat}"


def test_engine_is_split_into_sub_packages_by_job() -> None:
    """engine/ keeps only its lazy ``__init__`` and the errors every part raises; the rest sits in rooms by job."""
    rooms = {p.name for p in (WORKBENCH / "engine").iterdir() if (p / "__init__.py").exists()}
    assert {"connect", "deploy", "run", "tools", "embedded"} <= rooms
    flat = sorted(p.name for p in (WORKBENCH / "engine").glob("*.py") if p.name != "__init__.py")
    assert flat == ["errors.py"], f"engine/ modules outside a sub-package: {flat}"
