"""Where ``workbench report`` gets its executions: history files, execution ARNs, or a state machine's runs.

Files are read by :mod:`workbench.history.load`. ARNs are fetched through a
:class:`~workbench.engine.connect.targets.Target` (every page of ``GetExecutionHistory``, plus the definition
the execution ran, so the graph and Retry policies are known).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tqdm.auto import tqdm

from workbench.core.arn import EXECUTION_KINDS, STATE_MACHINE_KINDS, Arn
from workbench.engine.connect.targets import Target
from workbench.engine.run.watch import fetch_events
from workbench.history.load import load_history
from workbench.history.load.events import ExecutionHistory
from workbench.report.inputs.data import ReportError

DEFAULT_LIMIT = 1000


def is_execution_arn(text: str) -> bool:
    """``arn:<partition>:states:<region>:<account>:execution:...`` (or ``:express:``).

    Example:
        >>> is_execution_arn("arn:aws:states:eu-west-1:123456789012:execution:M:run-1"), is_execution_arn("a.json")
        (True, False)
    """
    return Arn.try_parse(text, *EXECUTION_KINDS) is not None


def is_state_machine_arn(text: str) -> bool:
    """``arn:<partition>:states:<region>:<account>:stateMachine:Name`` (a version or alias suffix allowed)."""
    return Arn.try_parse(text, *STATE_MACHINE_KINDS) is not None


def fetch_history(target: Target, arn: str) -> ExecutionHistory:
    """One execution's complete history (all pages), with its state machine ARN and definition when known."""
    events = fetch_events(target, arn, include_execution_data=True)
    described = target.try_call("describe_execution", executionArn=arn) or {}
    machine = target.try_call("describe_state_machine_for_execution", executionArn=arn) or {}
    doc: dict[str, Any] = {"events": events, "executionArn": arn}
    if described.get("stateMachineArn"):
        doc["stateMachineArn"] = described["stateMachineArn"]
    if isinstance(machine.get("definition"), str):
        doc["definition"] = machine["definition"]
    if not events:
        raise ReportError(f"execution {arn} has no history events on this target. Fix: check the ARN and --target.")
    return load_history(doc, execution_arn=arn)


def executions_of(target: Target, state_machine_arn: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """The ARNs of a state machine's most recent executions (at most ``limit``), newest first."""
    arns: list[str] = []
    for page in target.pages("list_executions", stateMachineArn=state_machine_arn,
                             maxResults=min(limit, 1000)):
        arns.extend(str(e["executionArn"]) for e in page.get("executions", []))
        if len(arns) >= limit:
            break
    return arns[:limit]


def fetch_all(target: Target, arns: Sequence[str], *, progress: bool = True) -> list[ExecutionHistory]:
    """Histories of many executions, with a progress bar."""
    return [fetch_history(target, arn) for arn in tqdm(arns, desc="fetching histories", unit="execution",
                                                       disable=not progress or len(arns) < 2)]


def split_sources(sources: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """Command-line sources → (history files, execution ARNs, state machine ARNs)."""
    files: list[str] = []
    executions: list[str] = []
    machines: list[str] = []
    for s in sources:
        text = str(s)
        if is_execution_arn(text):
            executions.append(text)
        elif is_state_machine_arn(text):
            machines.append(text)
        else:
            files.append(text)
    return files, executions, machines
