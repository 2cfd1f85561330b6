"""Nothing lost: ``-o`` never names an input, files are written atomically with the right modes,
Ctrl-C and unexpected errors end in one line.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

REPO = Path(__file__).resolve().parents[2]
MISSION = REPO / "missions" / "incident_triage.yaml"
ASL = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
HISTORY = {"events": [
    {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.7e9,
     "executionStartedEventDetails": {"input": "{}"}},
    {"id": 2, "previousEventId": 1, "type": "PassStateEntered", "timestamp": 1.7e9 + 1,
     "stateEnteredEventDetails": {"name": "A", "input": "{}"}},
    {"id": 3, "previousEventId": 2, "type": "PassStateExited", "timestamp": 1.7e9 + 2,
     "stateExitedEventDetails": {"name": "A", "output": "{}"}},
    {"id": 4, "previousEventId": 3, "type": "ExecutionSucceeded", "timestamp": 1.7e9 + 3,
     "executionSucceededEventDetails": {"output": "{}"}},
]}
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    mission = tmp_path / "triage.yaml"
    mission.write_bytes(MISSION.read_bytes())
    asl = tmp_path / "sm.asl.json"
    asl.write_text(json.dumps(ASL))
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "run-1.json").write_text(json.dumps(HISTORY))
    return {"mission": mission, "asl": asl, "runs": runs, "history": runs / "run-1.json"}


def same_output_cases(files: dict[str, Path], tmp_path: Path) -> list[tuple[list[str], Path]]:
    hard = tmp_path / "hard-link.yaml"
    os.link(files["mission"], hard)
    link = tmp_path / "sym-link.yaml"
    link.symlink_to(files["mission"])
    return [
        (["compile", str(files["mission"]), "-o", str(files["mission"])], files["mission"]),
        (["compile", str(files["mission"]), "-o", str(hard)], files["mission"]),  # a hard link to the input
        (["compile", str(link), "-o", str(files["mission"])], files["mission"]),  # the input via a symlink
        (["compile", str(files["mission"]), "-o", str(tmp_path / "." / "triage.yaml")], files["mission"]),
        (["import", str(files["asl"]), "-o", str(files["asl"])], files["asl"]),
        (["graph", str(files["asl"]), "-o", str(files["asl"])], files["asl"]),
        (["report", str(files["history"]), "-o", str(files["history"])], files["history"]),
        (["report", str(files["runs"]), "-o", str(files["history"])], files["history"]),  # a file of an input folder
        (["report", str(files["history"]), "--mission", str(files["mission"]), "-o", str(files["mission"])],
         files["mission"]),
        (["demo", "--mission", str(files["mission"]), "--report", str(files["mission"])], files["mission"]),
    ]


def test_o_naming_an_input_is_refused_before_anything_is_written(inputs: dict[str, Path], tmp_path: Path) -> None:
    for args, victim in same_output_cases(inputs, tmp_path):
        before = (victim.read_bytes(), victim.stat().st_mtime_ns)
        code, _out, err = invoke(*args)
        lines = [x for x in err.splitlines() if x.strip()]
        assert code == 2, (args, err)
        assert len(lines) == 1 and "is an input of this command" in lines[0] and "nothing was written" in lines[0]
        assert (victim.read_bytes(), victim.stat().st_mtime_ns) == before, args
        assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_missions_asl_and_graphs_are_shared_files_reports_are_private(inputs: dict[str, Path], tmp_path: Path) -> None:
    old_umask = os.umask(0o077)  # shared files are 0644 whatever the umask
    try:
        written = {
            "compile": (["compile", str(inputs["mission"]), "-o", str(tmp_path / "o" / "sm.asl.json")], 0o644),
            "import": (["import", str(inputs["asl"]), "-o", str(tmp_path / "o" / "m.yaml")], 0o644),
            "graph": (["graph", str(inputs["asl"]), "-o", str(tmp_path / "o" / "g.svg")], 0o644),
            "report": (["report", str(inputs["runs"]), "-o", str(tmp_path / "o" / "r.html")], 0o600),
        }
        for name, (args, expected) in written.items():
            code, _, err = invoke(*args)
            assert code == 0, (name, err)
            assert mode(Path(args[-1])) == expected, name
    finally:
        os.umask(old_umask)


def test_frame_exports_are_private(tmp_path: Path) -> None:
    from workbench.history import frames, load_history
    from workbench.widgets.explorer.data import export_frames

    paths = export_frames(frames([load_history(HISTORY, execution_arn="arn:x")]), tmp_path / "out", "csv")
    assert paths and all(mode(p) == 0o600 for p in paths)


@pytest.mark.parametrize("target", ["file", "folder", "below-a-file"])
@pytest.mark.parametrize("command", ["compile", "import", "graph", "report", "demo"])
def test_an_unusable_output_path_is_one_line_exit_2(inputs: dict[str, Path], tmp_path: Path, command: str,
                                                    target: str) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("keep me")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    output = {"file": blocker / "x.out", "folder": folder, "below-a-file": blocker / "deeper" / "x.out"}[target]
    args = {"compile": ["compile", str(inputs["mission"]), "-o"], "import": ["import", str(inputs["asl"]), "-o"],
            "graph": ["graph", str(inputs["asl"]), "-o"], "report": ["report", str(inputs["runs"]), "-o"],
            "demo": ["demo", "--mission", str(inputs["mission"]), "--report"]}[command]
    code, _out, err = invoke(*args, str(output))
    lines = [x for x in err.splitlines() if x.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error:") and str(output) in lines[0], err
    assert blocker.read_text() == "keep me" and not list(folder.iterdir())


def test_a_read_only_output_folder_is_one_line_exit_2(inputs: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.cli import output

    def denied(path: object, *_: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    target = tmp_path / "read-only" / "sm.asl.json"
    if os.geteuid() == 0:  # root writes into read-only folders: make the write itself fail
        monkeypatch.setattr(output, "write_text_atomic", denied)
    else:
        target.parent.mkdir()
        target.parent.chmod(0o500)
    code, out, err = invoke("compile", str(inputs["mission"]), "-o", str(target))
    assert code == 2 and out == ""
    assert err.strip() == (f"error: cannot write {target}: permission denied; choose a -o path in a folder you can "
                           "write to")
    assert not target.exists()


def test_ctrl_c_in_any_command_is_one_line_exit_130(monkeypatch: pytest.MonkeyPatch, inputs: dict[str, Path]) -> None:
    from workbench.cli import build

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "validate_file", interrupted)
    code, _, err = invoke("compile", str(inputs["mission"]))
    assert code == 130 and err.strip() == "interrupted"


BUGGY = ("import sys, workbench.cli.compose.build as b\n"
         "def boom(*a, **k): raise ZeroDivisionError('division by zero')\n"
         "b.validate_file = boom\n"
         "from workbench.cli import main\n"
         "sys.argv = ['workbench', 'compile', sys.argv[1]]\n"
         "main()\n")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_one_line_unless_debugging(debug: bool, inputs: dict[str, Path]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DEBUG"}
    if debug:
        env["WORKBENCH_DEBUG"] = "1"
    proc = subprocess.run([sys.executable, "-c", BUGGY, str(inputs["mission"])], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    if debug:
        assert proc.returncode == 1 and "Traceback" in proc.stderr and "ZeroDivisionError" in proc.stderr
    else:
        assert proc.returncode == 70 and "Traceback" not in proc.stderr
        assert proc.stderr.strip().splitlines() == [
            "error: ZeroDivisionError: division by zero; this is a bug in workbench — please report it with the "
            "command you ran (WORKBENCH_DEBUG=1 shows the traceback)"]


def test_usage_errors_are_one_line_exit_2() -> None:
    for args, needle in [(["frobnicate"], "No such command 'frobnicate'"), (["compile"], "Missing argument"),
                         (["engine", "serve", "--port", "abc"], "Invalid value for '--port'"),
                         (["--bogus"], "No such option: --bogus")]:
        code, _, err = invoke(*args)
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and needle in err, err
