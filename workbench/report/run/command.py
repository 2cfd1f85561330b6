"""``workbench report``: history files or execution/state machine ARNs in, one HTML file out.

The CLI wires this as ``workbench report (--execution ARN... | --state-machine ARN | HISTORY_FILE|DIR...)
[--mission MISSION|ASL] [--target ...] [--allow-incomplete] -o report.html``. Exit 0 with the file written
atomically; exit 1 with one clear message on stderr and no file when there is nothing to report (or with
the file when a history is INCOMPLETE, unless --allow-incomplete); 2 when an input cannot be read.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from workbench.core.diagnostics import DiagnosticError, WorkbenchError
from workbench.history.load.events import HistoryWarning
from workbench.report.inputs.data import ReportError
from workbench.report.inputs.sources import DEFAULT_LIMIT, executions_of, fetch_all, split_sources
from workbench.report.run.build import Report, build


def report_command(sources: Sequence[str | os.PathLike[str]] = (), mission: Path | None = None,
                   out: Path = Path("report.html"), *, executions: Sequence[str] = (),
                   state_machine: str | None = None, target: object = None, title: str | None = None,
                   limit: int = DEFAULT_LIMIT, progress: bool = True, err: TextIO | None = None,
                   allow_incomplete: bool = False) -> int:
    """Build a report and write it to ``out``; returns the exit code (0 written, 1 nothing to report or,
    unless ``allow_incomplete``, written but some history is INCOMPLETE; 2 an input cannot be read, a
    target cannot be reached or ``out`` cannot be written). Loading warnings go to ``err``.

    ``sources`` are history files or folders (read recursively: the layout ``workbench history fetch -o
    DIR`` writes included), and may also hold execution or state machine ARNs; ``mission`` is a Mission
    file or any ASL file;
    ``executions``/``state_machine`` are the ``--execution``/``--state-machine`` options. ARNs are
    fetched through ``target`` (a :class:`~workbench.engine.connect.targets.Target` or a spec such as
    ``"aws"``; default: the engine's default target). At most ``limit`` executions of a state machine.

    Example:
        >>> report_command(["runs/"], mission=Path("missions/triage.yaml"), out=Path("r.html"))  # doctest: +SKIP
        0
    """
    stream = err or sys.stderr
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HistoryWarning)
        code, report, path = _write(sources, mission, out, executions, state_machine, target, title, limit, progress,
                                    stream)
    for warning in caught:
        if issubclass(warning.category, HistoryWarning):  # what the inputs lack or get wrong: one line each
            print(f"warning: {warning.message}", file=stream)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    if report is None:
        return code
    print(f"wrote {path} ({report.executions:,} executions, {report.size / 1e6:.1f} MB)", file=stream)
    if report.incomplete and not allow_incomplete:
        print(f"error: {report.incomplete} of {report.executions} histories are INCOMPLETE (they stop before their "
              "execution ended; the report marks them so): fetch them again with `workbench history fetch`, or "
              "pass --allow-incomplete to accept them", file=stream)
        return 1
    return 0


def _write(sources: Sequence[str | os.PathLike[str]], mission: Path | None, out: Path, executions: Sequence[str],
           state_machine: str | None, target: object, title: str | None, limit: int, progress: bool,
           stream: TextIO) -> tuple[int, Report | None, Path | None]:
    """Build and save; (exit code, report, path) — the report is None when nothing was written."""
    try:
        files, arns, machines = split_sources([str(s) for s in sources])
        arns += list(executions)
        machines += [state_machine] if state_machine else []
        histories: list[object] = list(files)
        target_text = None
        if arns or machines:
            from workbench.engine.connect.targets import Target

            tgt = Target.parse(target) if not isinstance(target, Target) else target  # type: ignore[arg-type]
            for machine in machines:
                found = executions_of(tgt, machine, limit)
                if not found:
                    raise ReportError(f"nothing to report: state machine {machine} has no executions on this "
                                      "target. Fix: check the ARN and --target.")
                arns += found
            histories += fetch_all(tgt, list(dict.fromkeys(arns)), progress=progress)
            target_text = f"{tgt.kind} {tgt.region or ''}".strip()
        if not histories:
            raise ReportError("nothing to report: give history files, --execution ARN or --state-machine ARN.")
        report = build(histories, mission=mission, title=title, target=target_text, progress=progress)
        return 0, report, report.save(out)
    except ReportError as exc:  # nothing to report: the check failed
        print(f"error: {exc}", file=stream)
        return 1, None, None
    except DiagnosticError as exc:  # an input cannot be read: its diagnostics name the file and line
        for diagnostic in exc.diagnostics:
            print(diagnostic.render(), file=stream)
        return 2, None, None
    except WorkbenchError as exc:  # unusable input or unreachable target
        print(f"error: {exc}", file=stream)
        return 2, None, None
    except OSError as exc:
        print(f"error: cannot write {out}: {exc.strerror or exc}", file=stream)
        return 2, None, None
