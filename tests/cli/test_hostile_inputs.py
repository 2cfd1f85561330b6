"""Every subcommand against hostile inputs: a one-line error naming the file or field, the right exit code,
never a traceback.

Exit codes: 2 for input or options that cannot be used, 1 for a failed check (``analyze`` and ``report``
answer 1 for any unusable history: their documented contract). Cases run in-process through typer's
runner, which calls the app directly: the top-level safety net of ``main()`` is not involved, so an
exception a command did not handle fails the case (with its traceback) instead of being turned into a
bug report. ``test_smoke_through_the_console_entry`` runs a few cases through ``main()`` with
``WORKBENCH_DEBUG=1`` (the net disabled). The YAML budget cases (alias bombs, block nesting) of lint,
import, graph, run --faults and --subs live in ``test_input_budgets.py``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fake_sfn import MACHINE_ARN, execution_arn, fake_step_functions
from workbench.cli import _show_warning, app

REPO = Path(__file__).resolve().parents[2]
AS_ROOT = pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
PROGRESS = re.compile(r"\[\d\d:\d\d.*/s.*\]")  # tqdm bars on stderr
ERROR_LINE = re.compile(r"^(error[: ]|\S.*?: error [A-Z][A-Za-z0-9-]*: )")
HISTORY = {"events": [{"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1.7e9},
                      {"id": 2, "previousEventId": 1, "type": "ExecutionSucceeded", "timestamp": 1.7e9 + 1}]}
ASL = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def _port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every hostile input, by name (use as ``{name}`` in a case's arguments and needle)."""
    d = tmp_path_factory.mktemp("hostile")
    raw: dict[str, bytes | str] = {
        "empty_yaml": b"", "empty_json": b"",
        "binary_yaml": b"\x89PNG\r\n\x1a\n\x00\xff" + bytes(range(256)), "binary_json": bytes(range(256)) * 2,
        "utf16_yaml": "mission: m\nsteps:\n  - {id: a, pass: 1}\n".encode("utf-16"),
        "utf16_json": json.dumps(ASL).encode("utf-16"), "utf16_input": '{"a": 1}'.encode("utf-16"),
        "latin1_yaml": "mission: m\ndescription: café\nsteps:\n  - {id: a, pass: 1}\n".encode("latin-1"),
        "float_asl": '{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1e400, "End": true}}}',
        "bigint_asl": '{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": ' + "9" * 5000 + ', "End": 1}}}',
        "nan_asl": '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": NaN, "End": true}}}',
        "bigint_mission": "mission: m\nsteps:\n  - {id: a, wait: " + "9" * 5000 + "}\n",
        "nan_mission": "mission: m\nsteps:\n  - {id: a, wait: .nan}\n",
        "deep_json": "[" * 1000 + "]" * 1000, "deep_yaml": "mission: " + "[" * 1000 + "]" * 1000 + "\n",
        "html_json": "<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>",
        "events_dict": '{"events": {"0": {"id": 1}}}', "events_strings": '{"events": ["started", "done"]}',
        "events_number": '{"events": 5}', "list_asl": "[1, 2, 3]",
        "unknown_mission": "mission: m\nbogus_field: 1\nsteps:\n  - {id: a, pass: 1}\n",
        "unknown_asl": '{"StartAt": "A", "Stats": {}, "States": {"A": {"Type": "Pass", "End": true, "Nxet": 1}}}',
        "not_states": '{"StartAt": "A", "States": ["A"]}',
        "good_mission": (REPO / "missions" / "incident_triage.yaml").read_bytes(),
        "good_asl": json.dumps(ASL), "good_history": json.dumps(HISTORY),
    }
    paths = {}
    for name, content in raw.items():
        suffix = {"yaml": ".yaml", "json": ".json", "asl": ".asl.json", "mission": ".yaml"}.get(
            name.rsplit("_", 1)[-1], ".json")
        path = d / f"{name}{suffix}"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        paths[name] = str(path)
    for name in ("folder", "empty_folder", "runs"):
        (d / name).mkdir()
        paths[name] = str(d / name)
    (d / "runs" / "run-1.json").write_text(json.dumps(HISTORY))
    paths["run_in_folder"] = str(d / "runs" / "run-1.json")
    (d / "runs" / "ab").mkdir()  # the layout `history fetch -o DIR` writes: one level of shards
    (d / "runs" / "ab" / "run-2.json").write_text(json.dumps(HISTORY))
    paths["run_in_subfolder"] = str(d / "runs" / "ab" / "run-2.json")
    (d / "loop.yaml").symlink_to(d / "loop.yaml")
    (d / "dangling.yaml").symlink_to(d / "nowhere.yaml")
    unreadable = d / "unreadable.yaml"
    unreadable.write_text("mission: m\n")
    unreadable.chmod(0)
    paths.update(loop=str(d / "loop.yaml"), dangling=str(d / "dangling.yaml"), unreadable=str(unreadable),
                 missing=str(d / "missing.yaml"), below_file=paths["empty_json"] + "/x.yaml",
                 cache=str(d / "cache"), closed=_port(), exe=execution_arn("run-1"), machine=MACHINE_ARN,
                 deep_input="[" * 100_000 + "]" * 100_000, big_input="9" * 5000)
    with fake_step_functions("html") as fake:
        paths["html_url"] = fake.url
        yield paths


def case(name: str, args: str, codes: int | set[int], needle: str, *marks: pytest.MarkDecorator) -> object:
    return pytest.param(args.split(" "), {codes} if isinstance(codes, int) else codes, needle, id=name, marks=marks)


CASES = [
    # compile: a Mission in, ASL out
    case("compile-empty", "compile {empty_yaml}", 1, "{empty_yaml}"),
    case("compile-folder", "compile {folder}", 2, "{folder}"),
    case("compile-missing", "compile {missing}", 2, "{missing}"),
    case("compile-symlink-loop", "compile {loop}", 2, "{loop}"),
    case("compile-below-a-file", "compile {below_file}", 2, "{below_file}"),
    case("compile-binary", "compile {binary_yaml}", 2, "{binary_yaml}"),
    case("compile-utf16-bom", "compile {utf16_yaml}", 2, "{utf16_yaml}"),
    case("compile-nesting-1000", "compile {deep_yaml}", 2, "{deep_yaml}"),
    case("compile-10^5000", "compile {bigint_mission}", 2, "{bigint_mission}"),
    case("compile-o-is-the-input", "compile {good_mission} -o {good_mission}", 2, "is an input"),
    case("compile-o-below-a-file", "compile {good_mission} -o {below_file}", 2, "{empty_json} is a file"),
    case("compile-o-folder", "compile {good_mission} -o {folder}", 2, "{folder} is a folder"),
    # validate
    case("validate-unreadable", "validate {unreadable}", 2, "{unreadable}", AS_ROOT),
    case("validate-dangling-symlink", "validate {dangling}", 2, "{dangling}"),
    case("validate-latin1", "validate {latin1_yaml}", 2, "{latin1_yaml}"),
    case("validate-unknown-keys", "validate {unknown_mission}", 1, "bogus_field"),
    case("validate-nan", "validate {nan_mission}", 1, "NaN"),
    case("validate-html", "validate {html_json}", 1, "{html_json}"),
    case("validate-nesting-1000-json", "validate {deep_json}", 2, "{deep_json}"),
    case("validate-good-and-missing", "validate {good_mission} {missing}", 2, "{missing}"),
    # lint: any ASL file
    case("lint-empty", "lint {empty_json}", 2, "{empty_json}"),
    case("lint-folder", "lint {folder}", 2, "{folder}"),
    case("lint-html", "lint {html_json}", 2, "{html_json}"),
    case("lint-nesting-1000-json", "lint {deep_json}", 2, "{deep_json}"),
    case("lint-1e400", "lint {float_asl}", 1, "Seconds"),
    case("lint-NaN", "lint {nan_asl}", {1, 2}, "NaN"),
    case("lint-10^5000", "lint {bigint_asl}", 2, "{bigint_asl}"),
    case("lint-utf16-bom", "lint {utf16_json}", 2, "{utf16_json}"),
    case("lint-not-an-object", "lint {list_asl}", 1, "{list_asl}"),
    case("lint-unknown-keys", "lint {unknown_asl}", 1, "Stats"),
    # schema takes no input
    case("schema-extra-argument", "schema {good_mission}", 2, "unexpected extra argument"),
    # import: ASL in, Mission out
    case("import-empty", "import {empty_json}", 2, "{empty_json}"),
    case("import-binary", "import {binary_json}", 2, "{binary_json}"),
    case("import-html", "import {html_json}", 2, "{html_json}"),
    case("import-latin1", "import {latin1_yaml}", 2, "{latin1_yaml}"),
    case("import-not-an-object", "import {list_asl}", 1, "{list_asl}"),
    case("import-o-is-the-input", "import {good_asl} -o {good_asl}", 2, "is an input"),
    case("import-o-below-a-file", "import {good_asl} -o {below_file}", 2, "{empty_json} is a file"),
    # graph
    case("graph-folder", "graph {folder} -o {cache}/g.svg", 2, "{folder}"),
    case("graph-html", "graph {html_json} -o {cache}/g.svg", 2, "{html_json}"),
    case("graph-not-an-object", "graph {list_asl} -o {cache}/g.svg", 1, "{list_asl}"),
    case("graph-states-not-an-object", "graph {not_states} -o {cache}/g.svg", 1, "States"),
    case("graph-o-is-the-input", "graph {good_asl} -o {good_asl}", 2, "is an input"),
    case("graph-o-folder", "graph {good_asl} -o {folder}", 2, "{folder} is a folder"),
    # run (every case fails before an execution starts)
    case("run-missing", "run {missing}", 2, "{missing}"),
    case("run-binary", "run {binary_yaml}", 2, "{binary_yaml}"),
    case("run-input-binary", "run {good_mission} --input @{binary_json}", 2, "{binary_json} is not UTF-8"),
    case("run-input-utf16-bom", "run {good_mission} --input @{utf16_input}", 2, "{utf16_input} is not UTF-8"),
    case("run-input-NaN", "run {good_mission} --input NaN", 2, "NaN is not a JSON number"),
    case("run-input-1e400", "run {good_mission} --input 1e400", 2, "1e400 is too large"),
    case("run-input-10^5000", "run {good_mission} --input {big_input}", 2, "a number has 5000 digits"),
    case("run-input-nesting-100000", "run {good_mission} --input {deep_input}", 2, "nests too deeply"),
    case("run-input-html", "run {good_mission} --input @{html_json}", 2, "{html_json} is not valid JSON"),
    case("run-input-missing", "run {good_mission} --input @{missing}", 2, "{missing}"),
    case("run-input-folder", "run {good_mission} --input @{folder}", 2, "{folder}"),
    case("run-closed-port", "run {good_mission} --target {closed}", 2, "{closed}"),
    case("run-unknown-target", "run {good_mission} --target ftp://x", 2, "ftp://x"),
    case("run-unknown-type", "run {good_mission} --type BATCH", 2, "--type 'BATCH'"),
    case("run-mock-config-html", "run {good_mission} --mock-config {html_json}", 2, "{html_json}"),
    # engine serve: only its arguments
    case("serve-port-too-big", "engine serve --port 99999", 2, "--port 99999"),
    case("serve-port-negative", "engine serve --port -1", 2, "--port -1"),
    case("serve-port-not-a-number", "engine serve --port abc", 2, "'--port'"),
    # history fetch
    case("fetch-closed-port", "history fetch --execution {exe} --target {closed} -o {cache}", 2, "{closed}"),
    case("fetch-closed-port-listing", "history fetch --state-machine {machine} --target {closed} -o {cache}", 2,
         "cannot reach {closed}"),
    case("fetch-html-endpoint", "history fetch --execution {exe} --target {html_url} -o {cache}", 2, "text/html"),
    case("fetch-not-an-arn", "history fetch --execution run-1 --target {closed}", 2, "'run-1'"),
    case("fetch-limit-0", "history fetch --state-machine {machine} --limit 0 --target {closed}", 2, "--limit 0"),
    case("fetch-max-pages-0", "history fetch --state-machine {machine} --max-pages 0", 2, "--max-pages 0"),
    case("fetch-since-words", "history fetch --state-machine {machine} --since yesterday", 2, "'yesterday'"),
    case("fetch-since-huge", "history fetch --state-machine {machine} --since 99999999999d", 2, "99999999999d"),
    case("fetch-bad-status", "history fetch --state-machine {machine} --status DONE", 2, "'DONE'"),
    case("fetch-o-below-a-file", "history fetch --execution {exe} --target {closed} -o {below_file}", 2,
         "{empty_json} is a file"),
    case("fetch-o-is-a-file", "history fetch --execution {exe} --target {closed} -o {good_asl}", 2, "{good_asl}"),
    # analyze (1 for every unusable history: its documented contract)
    case("analyze-empty", "analyze {empty_json}", 2, "{empty_json}"),
    case("analyze-missing", "analyze {missing}", 2, "{missing}"),
    case("analyze-binary", "analyze {binary_json}", 2, "{binary_json}"),
    case("analyze-html", "analyze {html_json}", 2, "{html_json}"),
    case("analyze-events-not-a-list", "analyze {events_dict}", 2, "{events_dict}"),
    case("analyze-events-are-strings", "analyze {events_strings}", 2, "events[0]"),
    case("analyze-events-a-number", "analyze {events_number}", 2, "{events_number}"),
    case("analyze-nesting-1000", "analyze {deep_json}", 2, "{deep_json}"),
    case("analyze-empty-folder", "analyze {empty_folder}", 2, "{empty_folder}"),
    case("analyze-arn-not-cached", "analyze {exe} --cache {cache}", 2, "{exe} is not in the cache"),
    # report (1 with no file for every unusable input; 2 for an unusable -o)
    case("report-empty", "report {empty_json} -o {cache}/r.html", 2, "{empty_json}"),
    case("report-html", "report {html_json} -o {cache}/r.html", 2, "{html_json}"),
    case("report-events-are-strings", "report {events_strings} -o {cache}/r.html", 2, "events[0]"),
    case("report-closed-port", "report --execution {exe} --target {closed} -o {cache}/r.html", 2, "{closed}"),
    case("report-mission-binary", "report {good_history} --mission {binary_yaml} -o {cache}/r.html", 2,
         "{binary_yaml}"),
    case("report-mission-10^5000", "report {good_history} --mission {bigint_mission} -o {cache}/r.html", 2,
         "{bigint_mission}"),
    case("report-o-is-the-input", "report {good_history} -o {good_history}", 2, "is an input"),
    case("report-o-in-an-input-folder", "report {runs} -o {run_in_folder}", 2, "is an input"),
    case("report-o-in-an-input-subfolder", "report {runs} -o {run_in_subfolder}", 2, "is an input"),
    case("report-o-is-the-mission", "report {good_history} --mission {good_mission} -o {good_mission}", 2,
         "is an input"),
    case("report-o-below-a-file", "report {good_history} -o {below_file}", 2, "{empty_json} is a file"),
    # demo
    case("demo-mission-missing", "demo --mission {missing} --report {cache}/d.html", 2, "{missing}"),
    case("demo-mission-binary", "demo --mission {binary_yaml} --report {cache}/d.html", 2, "{binary_yaml}"),
    case("demo-report-is-the-mission", "demo --mission {good_mission} --report {good_mission}", 2, "is an input"),
    case("demo-report-below-a-file", "demo --report {below_file}", 2, "{empty_json} is a file"),
    case("demo-report-folder", "demo --report {folder}", 2, "{folder} is a folder"),
    # the command line itself
    case("unknown-command", "frobnicate {good_mission}", 2, "No such command 'frobnicate'"),
    case("unknown-option", "compile {good_mission} --frob", 2, "No such option: --frob"),
]
ENV = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
       "AWS_MAX_ATTEMPTS": "1", "WORKBENCH_DEBUG": "1"}


@pytest.fixture(autouse=True)
def one_line_warnings(monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    monkeypatch.setattr(warnings, "showwarning", _show_warning)  # as main() does
    monkeypatch.setenv("WORKBENCH_CACHE", files["cache"])


def check(stdout: str, stderr: str, code: int, codes: set[int], needle: str) -> None:
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr
    assert code in codes, f"exit {code}, expected {codes}: {stderr}"
    lines = [line for line in stderr.splitlines() if line.strip() and not PROGRESS.search(line)]
    errors = [line for line in lines if ERROR_LINE.match(line)]
    assert errors, f"no error line on stderr: {stderr!r}"
    assert needle in errors[0], f"{needle!r} not in the first error line: {errors[0]}"
    continued = [line for line in lines if line[0].isspace() or line[0] in "│╭╰"]
    assert not continued, f"an error spread over several lines: {continued}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("template", "codes", "needle"), CASES)
def test_hostile_input(files: dict[str, str], template: list[str], codes: set[int], needle: str) -> None:
    args = [part.format_map(files) for part in template]
    result = CliRunner().invoke(app, args, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("unhandled exception:\n" + "".join(traceback.format_exception(result.exception)))
    check(result.stdout, result.stderr, result.exit_code, codes, needle.format_map(files))


SMOKE = ["compile-o-below-a-file", "run-input-binary", "fetch-closed-port", "analyze-events-not-a-list"]


@pytest.mark.timeout(600)
def test_smoke_through_the_console_entry(files: dict[str, str]) -> None:
    """A few cases through ``main()`` in a child process, with the safety net disabled (WORKBENCH_DEBUG=1)."""
    for param in CASES:
        if param.id not in SMOKE:  # type: ignore[attr-defined]
            continue
        template, codes, needle = param.values  # type: ignore[attr-defined]
        args = [part.format_map(files) for part in template]
        proc = subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
                              env={**os.environ, **ENV, "WORKBENCH_CACHE": files["cache"]}, timeout=120,
                              check=False)
        check(proc.stdout, proc.stderr, proc.returncode, codes, needle.format_map(files))
