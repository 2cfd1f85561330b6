"""Hostile input files given to the real ``workbench`` command: exit 2 with one line on stderr, never a traceback.

Each case runs the console entry point in a separate process (as a user would), so a recursion or a
memory blow-up would show as it really happens. Nothing is timed here: an unbounded loader would take
minutes on the alias bomb, and pytest-timeout stops that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MISSION = REPO / "missions" / "incident_triage.yaml"


def alias_bomb() -> bytes:
    """The classic billion laughs: 9 levels of 9 aliases, 387,420,489 strings once expanded."""
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


def nesting() -> bytes:
    """1,000 levels of block mappings."""
    return ("".join("  " * i + "a:\n" for i in range(999)) + "  " * 999 + "a: x\n").encode()


INPUTS = {
    "alias-bomb": alias_bomb(),
    "nesting-1000": nesting(),
    "binary": b"\x00\xff\xfe\x01\x02\x89PNG\r\n\x1a\n" + bytes(range(256)),
}
COMMANDS = {
    "lint": lambda f: ["lint", str(f)],
    "import": lambda f: ["import", str(f)],
    "graph": lambda f: ["graph", str(f), "-o", str(f.with_suffix(".svg"))],
    "run --faults": lambda f: ["run", str(MISSION), "--faults", str(f)],
    "run --subs": lambda f: ["run", str(MISSION), "--subs", str(f)],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(INPUTS))
def test_hostile_input_exits_2_with_one_line_naming_the_file(tmp_path: Path, command: str, kind: str) -> None:
    path = tmp_path / "x.asl.yaml"
    path.write_bytes(INPUTS[kind])
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", *COMMANDS[command](path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0]
    expected = {"alias-bomb": "INPUT002", "nesting-1000": "INPUT004", "binary": "is not UTF-8 text"}[kind]
    assert expected in lines[0]
    assert not path.with_suffix(".svg").exists()


def run_cli(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    return proc.returncode, [line for line in proc.stderr.splitlines() if line.strip()], proc.stderr + proc.stdout


@pytest.mark.parametrize("command", ["lint", "import", "graph"])
def test_deep_json_state_machines_are_refused_before_json_recurses(tmp_path: Path, command: str) -> None:
    path = tmp_path / "x.asl.json"
    path.write_text('{"StartAt": "A", "States": ' + "[" * 1000 + "]" * 1000 + "}")
    code, lines, everything = run_cli(tmp_path, *COMMANDS[command](path))
    assert code == 2 and len(lines) == 1 and "Traceback" not in everything
    assert lines[0].startswith(f"{path}: error INPUT004: the document nests deeper than 200 levels")


@pytest.mark.parametrize("command", ["validate", "compile", "graph"])
@pytest.mark.parametrize("kind", list(INPUTS))
def test_mission_commands_refuse_hostile_missions(tmp_path: Path, command: str, kind: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(INPUTS[kind])
    args = [command, str(path), *(["-o", str(tmp_path / "g.svg")] if command == "graph" else [])]
    code, lines, everything = run_cli(tmp_path, *args)
    assert code == 2 and len(lines) == 1 and "Traceback" not in everything
    assert str(path) in lines[0]
