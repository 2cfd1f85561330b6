"""What the composer can open, turned into the Mission text it edits, and how it writes that text back.

A Mission file is opened as the text it holds (byte for byte, a leading BOM remembered so saving writes
it back), even when that text does not parse: the operator fixes it in the editor. A Mission object,
plain data and an ASL definition (imported) become fresh YAML.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.diagnostics import MissionLoadError
from workbench.core.files import SHARED_FILE, write_text_atomic
from workbench.core.yaml_load import read_text
from workbench.mission.loader import dump_yaml, mission_to_data
from workbench.mission.model import Mission
from workbench.mission.positions import parse_document
from workbench.widgets.composer.document import data_to_text
from workbench.widgets.preview.widget import is_asl

Source = str | Path | Mission | dict[str, Any]


@dataclass(frozen=True)
class Opened:
    """The text to edit, the file it came from (``None`` when it has none of its own) and whether it had a BOM."""

    text: str
    file: str | None
    bom: bool = False


def import_if_asl(data: dict[str, Any]) -> dict[str, Any]:
    """An ASL definition imported as Mission data; any other data as it is."""
    if not is_asl(data):
        return data
    from workbench.asl.importer import import_asl

    return mission_to_data(import_asl(data))


def _asl_in(text: str, file: str) -> dict[str, Any] | None:
    try:
        data = parse_document(text, file).data
    except MissionLoadError:
        return None
    return data if is_asl(data) else None


def open_source(source: Source) -> Opened:
    """The Mission text for ``source``; ``OSError``/``InputError`` when a file cannot be read.

    YAML text (a string with a line break) is taken as it is; an ASL file is imported and has no file
    of its own (saving it asks for a Mission file name, the ASL file is never overwritten).

    Example:
        >>> open_source({"mission": "m", "steps": [{"id": "a", "pass": None}]}).text.splitlines()[0]
        'mission: m'
    """
    if isinstance(source, Mission):
        return Opened(dump_yaml(source), None)
    if isinstance(source, dict):
        return Opened(data_to_text(import_if_asl(source)), None)
    if isinstance(source, str) and "\n" in source:
        return Opened(source, None)
    path = Path(source)
    text = read_text(path)
    with open(path, "rb") as handle:
        bom = handle.read(3) == b"\xef\xbb\xbf"
    asl = _asl_in(text, str(path))
    if asl is not None:
        return Opened(data_to_text(import_if_asl(asl)), None)
    return Opened(text, str(path), bom)


def save_text(target: Path, text: str, *, bom: bool = False) -> Path:
    """Write ``text`` exactly (with a leading BOM when the file had one), atomically; an existing file keeps
    its mode, a new one is :data:`~workbench.core.files.SHARED_FILE` (a Mission is source, not execution data).

    Example:
        >>> import tempfile
        >>> path = save_text(Path(tempfile.mkdtemp()) / "m.yaml", "mission: m  # kept\\n")
        >>> path.read_text(), oct(path.stat().st_mode & 0o777)
        ('mission: m  # kept\\n', '0o644')
    """
    mode = stat.S_IMODE(os.stat(target).st_mode) if target.is_file() else SHARED_FILE
    return write_text_atomic(target, ("\ufeff" if bom else "") + text, mode)
