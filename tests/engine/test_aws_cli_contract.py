"""The AWS CLI against `workbench engine serve`, with nothing but the lines the server prints.

Versions, aliases, StartSyncExecution, TestState and ValidateStateMachineDefinition: the last three are
sent to a ``sync-`` host prefix unless ``AWS_DISABLE_HOST_PREFIX_INJECTION=true``, which those lines set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.auth_support import Guarded, served_engine

ROLE = "arn:aws:iam::123456789012:role/workbench-local"
AWS = Path(sys.executable).with_name("aws")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Guarded, Path]]:
    with served_engine(tmp_path_factory.mktemp("cli")) as (engine, env_file, _proc):
        yield engine, env_file


def _clean_env() -> dict[str, str]:
    """The caller's environment without any AWS setting: only the sourced lines may point the CLI anywhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {"AWS_EC2_METADATA_DISABLED": "true"}


def test_the_env_lines_turn_off_host_prefixes(served: tuple[Guarded, Path]) -> None:
    _engine, env_file = served
    assert "export AWS_DISABLE_HOST_PREFIX_INJECTION=true" in env_file.read_text().splitlines()


def test_versions_aliases_sync_test_state_and_validation_from_the_aws_cli(served: tuple[Guarded, Path]) -> None:
    _engine, env_file = served
    if not AWS.exists():
        pytest.fail("the AWS CLI is a dev dependency (awscli in pyproject.toml); reinstall with `make install`")
    standard = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 1}, "End": True}}})
    state = json.dumps({"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True})
    script = textwrap.dedent(f"""
        set -euo pipefail
        source "{env_file}"
        sfn() {{ "{AWS}" stepfunctions "$@"; }}
        arn=$(sfn create-state-machine --name cli-versions --definition '{standard}' --role-arn {ROLE} \\
              --query stateMachineArn --output text)
        version=$(sfn publish-state-machine-version --state-machine-arn "$arn" --description first \\
                  --query stateMachineVersionArn --output text)
        echo "version=$version"
        alias=$(sfn create-state-machine-alias --name live \\
                --routing-configuration "stateMachineVersionArn=$version,weight=100" \\
                --query stateMachineAliasArn --output text)
        run=$(sfn start-execution --state-machine-arn "$alias" --name via-alias --query executionArn --output text)
        for _ in $(seq 600); do
          status=$(sfn describe-execution --execution-arn "$run" --query status --output text)
          [ "$status" != RUNNING ] && break
        done
        echo "alias-run=$status $(sfn describe-execution --execution-arn "$run" \\
              --query stateMachineAliasArn --output text)"
        express=$(sfn create-state-machine --name cli-express --type EXPRESS --definition '{standard}' \\
                  --role-arn {ROLE} --query stateMachineArn --output text)
        echo "sync=$(sfn start-sync-execution --state-machine-arn "$express" --input '{{}}' \\
              --query '[status, output]' --output text)"
        echo "test-state=$(sfn test-state --definition '{state}' --role-arn {ROLE} --input '{{"n": 21}}' \\
              --query '[status, output]' --output text)"
        echo "validate=$(sfn validate-state-machine-definition \\
              --definition '{{"StartAt": "Nowhere", "States": {{}}}}' \\
              --query '[result, diagnostics[0].severity]' --output text)"
    """)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    out = dict(line.split("=", 1) for line in done.stdout.strip().splitlines())
    assert out["version"].endswith(":stateMachine:cli-versions:1")
    status, alias_arn = out["alias-run"].split()
    assert (status, alias_arn.rsplit(":", 1)[-1]) == ("SUCCEEDED", "live")
    sync_status, sync_output = out["sync"].split("\t")
    assert (sync_status, json.loads(sync_output)) == ("SUCCEEDED", {"v": 1})
    test_status, test_output = out["test-state"].split("\t")
    assert (test_status, json.loads(test_output)) == ("SUCCEEDED", {"doubled": 42})
    assert out["validate"].split("\t") == ["FAIL", "ERROR"]
