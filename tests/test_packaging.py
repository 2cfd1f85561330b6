"""pyproject.toml and environment.yml must list the same dependencies (conda users get what pip users get)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    have: set[str] = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            have |= {_name(d) for d in dep["pip"] if not d.startswith("-")}
        elif not dep.startswith(("python", "pip")) or dep.startswith("pip:"):
            have.add(_name(dep))
    assert wanted - have == set(), f"in pyproject.toml but not environment.yml: {sorted(wanted - have)}"
    assert have - wanted == set(), f"in environment.yml but not pyproject.toml: {sorted(have - wanted)}"


def test_moto_is_pinned_exactly() -> None:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    moto = [d for d in deps if d.startswith("moto")]
    assert moto and "==" in moto[0], "moto's internals are adapted: pin it exactly"
