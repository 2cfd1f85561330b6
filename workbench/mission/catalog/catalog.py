"""A catalog: a folder of reviewed Mission templates, each with a version and the plan kinds it serves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.diagnostics import Diagnostic, DiagnosticError
from workbench.mission.positions import error
from workbench.mission.template import MissionTemplate, load_template, state_machine_name

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json")
TEST_SUFFIXES = (".tests.yaml", ".tests.yml", ".tests.json")


class CatalogError(DiagnosticError):
    """A catalog folder that cannot be used at all (missing, not a folder, no templates)."""


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions the way people read them: ``2.10`` after ``2.9``; text parts after numbers.

    Example:
        >>> sorted(["2.10", "2.9", "10.0", "2.9b"], key=version_key)
        ['2.9', '2.9b', '2.10', '10.0']
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[A-Za-z]+", version))


@dataclass
class Catalog:
    """The templates of one folder, and the files that could not be loaded (with why).

    Example:
        >>> catalog = load_catalog("missions/catalog")
        >>> [t.label for t in catalog.templates]
        ['data_backfill 2.0', 'incident_triage 2.0']
    """

    directory: Path
    templates: list[MissionTemplate] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # label -> file

    def get(self, name: str, version: str | None = None) -> MissionTemplate:
        """The template called ``name`` (newest version unless ``version``); ``KeyError`` lists the templates."""
        found = [t for t in self.templates if t.name == name and (version is None or t.version == version)]
        if not found:
            have = ", ".join(t.label for t in self.templates) or "none"
            raise KeyError(f"no template '{name}{'@' + version if version else ''}' in {self.directory} "
                           f"(templates: {have})")
        return max(found, key=lambda t: version_key(t.version))


def template_files(directory: Path) -> list[Path]:
    """Template files under a folder (any depth), tests files left out, in a stable order."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name.lower().endswith(TEMPLATE_SUFFIXES)
                  and not p.name.lower().endswith(TEST_SUFFIXES) and not any(
                      part.startswith(".") for part in p.relative_to(directory).parts))


def load_catalog(directory: str | Path) -> Catalog:
    """Load every template of a folder. Files that fail are kept in :attr:`Catalog.problems`, not raised.

    Raises :class:`CatalogError` when the folder is missing or holds no template file.

    Example:
        >>> load_catalog("missions/catalog").get("incident_triage").version
        '2.0'
    """
    folder = Path(directory)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise CatalogError([error("CAT001", f"the catalog {what}", str(folder), None,
                                  hint="give the folder that holds the template files, e.g. missions/catalog")])
    catalog = Catalog(directory=folder)
    files = template_files(folder)
    if not files:
        raise CatalogError([error("CAT001", "the catalog folder holds no template (.yaml, .yml, .json)", str(folder),
                                  None, hint="add templates: see docs/catalog.md")])
    names: dict[str, MissionTemplate] = {}
    for path in files:
        try:
            template = load_template(path)
        except DiagnosticError as exc:
            catalog.problems += exc.diagnostics
            continue
        label = template.label
        machine = state_machine_name(template.name, template.version, None)  # "1.0" and "1_0" name alike
        if machine in names:
            catalog.problems.append(error(
                "CAT002", f"template '{label}' would deploy as the same state machines ({machine}-…) as "
                          f"'{names[machine].label}' in {names[machine].file}", str(path), (1, 1),
                hint="give one of them another name or version"))
            continue
        names[machine] = template
        catalog.files[label] = path
        catalog.templates.append(template)
    catalog.templates.sort(key=lambda t: (t.name, version_key(t.version)))
    return catalog
