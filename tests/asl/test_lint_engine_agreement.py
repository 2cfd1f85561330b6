"""Lint and the embedded engine agree on every AWS sample definition of the corpus.

Each of the 147 samples (``${...}`` placeholders filled in: a Lambda ARN where the placeholder is a whole
``Resource``, the account/region/partition for ``AWS::*``, else the placeholder's name) is created on the
embedded engine. A sample the engine refuses must get a lint error (invalid on AWS too) or a warning that
says why the engine cannot run it (``W-ENGINE…``, or ``ASL004`` for numbers); a sample with such a
warning must really be refused, so the warnings stay true as the engine improves.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workbench.asl import find_placeholders, substitute
from workbench.asl.lint import ENGINE_CODES, lint, load_asl

ACCOUNT, REGION = "123456789012", "us-east-1"
_WHOLE = re.compile(r"\$\{([^${}\s]+)\}")
_AWS = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"}


def _resource_placeholders(definition: Any) -> set[str]:
    """Placeholders that are a whole ``Resource`` value (they stand for a Lambda function ARN)."""
    found: set[str] = set()
    stack = [definition]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            resource = item.get("Resource")
            match = _WHOLE.fullmatch(resource) if isinstance(resource, str) else None
            if match:
                found.add(match.group(1))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def filled(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with every placeholder replaced by a value of the kind it stands for."""
    functions = _resource_placeholders(definition)
    values = {name: _AWS.get(name) or (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
                                       f"{re.sub(r'[^A-Za-z0-9_-]', '-', name)}" if name in functions else name)
              for name in find_placeholders(definition)}
    return substitute(definition, values)


def _samples(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "asl").glob("*.json") if p.name != "INDEX.json")


@pytest.fixture(scope="module")
def verdicts(corpus: Path) -> dict[str, tuple[str | None, set[str]]]:
    """Per sample: why the engine refused it (None when it accepted it), and the codes lint reported."""
    from workbench.engine.embedded import shared_engine

    sfn = shared_engine(time_warp=True).client()
    out: dict[str, tuple[str | None, set[str]]] = {}
    for i, path in enumerate(_samples(corpus)):
        definition = filled(json.loads(path.read_text()))
        refusal = None
        try:
            arn = sfn.create_state_machine(name=f"agree-{i}", definition=json.dumps(definition),
                                           roleArn=f"arn:aws:iam::{ACCOUNT}:role/agree")["stateMachineArn"]
            sfn.delete_state_machine(stateMachineArn=arn)
        except sfn.exceptions.ClientError as exc:
            refusal = str(exc)
        out[path.name] = (refusal, {d.code for d in lint(load_asl(path)) if d.is_error or d.code in ENGINE_CODES})
    return out


def test_the_whole_corpus_is_checked(verdicts: dict[str, tuple[str | None, set[str]]]) -> None:
    assert len(verdicts) == 147
    refused = [name for name, (why, _) in verdicts.items() if why]
    print(f"\nembedded engine refuses {len(refused)} of {len(verdicts)} AWS samples")
    assert refused, "the engine refuses none: the agreement below proves nothing"


def test_every_refusal_is_explained_by_lint(verdicts: dict[str, tuple[str | None, set[str]]]) -> None:
    unexplained = [f"{name}: {why[:300]}" for name, (why, codes) in verdicts.items() if why and not codes]
    assert not unexplained, "refused by the engine, yet lint says nothing:\n" + "\n".join(unexplained)


def test_every_engine_warning_is_a_real_refusal(verdicts: dict[str, tuple[str | None, set[str]]]) -> None:
    false = [f"{name}: {sorted(codes & ENGINE_CODES)}" for name, (why, codes) in verdicts.items()
             if codes & ENGINE_CODES and not why]
    assert not false, "warned that the engine cannot run it, but the engine accepts it:\n" + "\n".join(false)


def test_engine_warnings_say_valid_on_aws(corpus: Path) -> None:
    path = corpus / "asl" / "either-or-parallel-pattern__statemachine.asl.json"
    warning = next(d for d in lint(load_asl(path)) if d.code.startswith("W-ENGINE"))
    assert (warning.code, warning.location) == (
        "W-ENGINE003", "States.Wait Either For Process Completion Or Timeout.Catch[0].ErrorEquals[0]")
    assert warning.message.startswith("valid on AWS; the embedded engine cannot run it yet: it refuses "
                                      "'States.FauxFailure1' in ErrorEquals")


def test_run_says_why_before_the_engine_refuses(corpus: Path) -> None:
    """``workbench run`` prints one warning line per reason on stderr, then the engine's refusal."""
    sample = corpus / "asl" / "either-or-parallel-pattern__statemachine.asl.json"
    result = subprocess.run([sys.executable, "-m", "workbench", "run", str(sample), "--time-warp", "--input", "{}"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert lines[0].startswith("warning: W-ENGINE003: valid on AWS; the embedded engine cannot run it yet: it "
                               "refuses 'States.FauxFailure1' in ErrorEquals"), result.stderr
    assert [line.split(":")[1].strip() for line in lines[:3]] == ["W-ENGINE003"] * 3, result.stderr
    assert "rejected the definition" in "\n".join(lines[3:]), result.stderr


def test_a_run_the_engine_accepts_has_no_engine_warning(recwarn: pytest.WarningsRecorder) -> None:
    from workbench.engine.run.mission import EngineNoteWarning, run_mission

    run = run_mission(Path(__file__).resolve().parents[2] / "missions" / "change_window.yaml", time_warp=True,
                      progress=False, name=unique_name())
    assert run.status == "SUCCEEDED"
    assert not [w for w in recwarn if issubclass(w.category, EngineNoteWarning) and "W-ENGINE" in str(w.message)]


def unique_name() -> str:
    import uuid

    return f"agree-{uuid.uuid4().hex[:8]}"


_PROCESSOR = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
              "States": {"P": {"Type": "Pass", "End": True}}}
_S3 = "arn:aws:states:::s3:getObject"
_LAMBDA = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"


def _map(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": _PROCESSOR, "End": True, **fields}}}


def _task(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": _LAMBDA, "End": True, **fields}}}


ONE_OF_EACH = {
    "W-ENGINE003": _task(Retry=[{"ErrorEquals": ["States.Http.Socket"]}]),
    "W-ENGINE004": _task(Resource="arn:aws:states:::http:invoke", Parameters={
        "ApiEndpoint": "https://example.com", "Method": "GET",
        "Authentication": {"ConnectionArn": f"arn:aws:events:{REGION}:{ACCOUNT}:connection/c/1"}}),
    "W-ENGINE005": _map(ItemReader={"Resource": _S3, "Parameters": {"Bucket": "b", "Key": "k"},
                                    "ReaderConfig": {"InputType": "PARQUET"}}),
}


@pytest.mark.parametrize("code", sorted(ONE_OF_EACH))
def test_each_engine_warning_stands_for_a_refusal(code: str) -> None:
    from workbench.engine.embedded import shared_engine

    definition = ONE_OF_EACH[code]
    diagnostics = lint(definition)
    assert [d.code for d in diagnostics if d.code in ENGINE_CODES] == [code]
    assert not [d for d in diagnostics if d.is_error], "valid on AWS: no lint error"
    sfn = shared_engine(time_warp=True).client()
    with pytest.raises(sfn.exceptions.ClientError):
        sfn.create_state_machine(name=f"refused-{code.lower()}", definition=json.dumps(definition),
                                 roleArn=f"arn:aws:iam::{ACCOUNT}:role/agree")


def test_express_child_workflows_are_no_engine_warning_and_the_engine_accepts_them(corpus: Path) -> None:
    """W-ENGINE002 is retired: EXPRESS child workflows of a Distributed Map run (as the Monte Carlo sample's do)."""
    from workbench.engine.embedded import shared_engine

    express = {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}
    definition = _map(ItemProcessor={**_PROCESSOR, "ProcessorConfig": express})
    sample = corpus / "asl" / "distributed-map-montecarlo__statemachine.asl.json"
    for diagnostics in (lint(definition), lint(load_asl(sample))):
        assert not [d for d in diagnostics if d.code in ENGINE_CODES or d.is_error]
    sfn = shared_engine(time_warp=True).client()
    arn = sfn.create_state_machine(name="accepted-express-children", definition=json.dumps(definition),
                                   roleArn=f"arn:aws:iam::{ACCOUNT}:role/agree")["stateMachineArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
