"""What a replay tells: the recorded execution beside its replay, the invented outcomes, the divergences.

Plain frozen dataclasses of JSON values and tuples: picklable (a replay can run in a worker process) and
JSON-able through :meth:`ReplayResult.to_dict`. Values are kept as the executions produced them; whoever
shows them (the CLI, reports) passes them through :mod:`workbench.core.redact` first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class InventedCall:
    """A call the recording did not cover, and what the ``unrecorded`` policy gave it.

    ``visit`` is 1-based in words ("the state's second visit"); ``path`` the visit path in the replay (Map
    iteration, Parallel branch) when the replay's history shows it, else the state name; ``outcome`` what
    the invention answered: ``succeeded``, ``failed`` or ``timed_out`` (a recorded outcome repeated), ``local``
    (the Mission's code ran), or ``Replay.Unrecorded`` (the error, when the policy had nothing to give).

    Example:
        >>> InventedCall("check_status", "check_status", 2, 2, "deploy-check-status", "repeat", "failed").describe()
        'check_status (visit 2, attempt 2): repeat → failed'
    """

    state: str
    path: str
    visit: int
    attempt: int
    tool: str
    policy: str
    outcome: str

    def describe(self) -> str:
        """The invention in words."""
        return f"{self.path} (visit {self.visit}, attempt {self.attempt}): {self.policy} → {self.outcome}"


@dataclass(frozen=True)
class ReplayResult:
    """One recorded execution replayed on the embedded engine, beside the recording.

    ``recorded_path``/``replayed_path`` are the state names in order of entry; ``path_match`` compares them
    per scope (top level, each Parallel branch, each Map iteration), so concurrent branches may interleave.
    ``output_match``/``error_match`` are None when the dimension does not apply (neither side succeeded, or
    neither failed). Durations are milliseconds, the replay's on its virtual clock. ``invented`` counts the
    calls the recording did not cover (listed in ``invented_calls``); ``served`` the calls answered from it.
    ``divergences`` explains every difference in a sentence; ``notes`` say what else the reader should know.

    Example:
        >>> result = workbench.replay("run.json")[0]          # doctest: +SKIP
        >>> result.reproduced, result.invented                # doctest: +SKIP
        (True, 0)
    """

    recorded_arn: str
    name: str
    replayed_arn: str
    subject: str  # "recorded definition", or the Mission's name
    edited: bool  # the replay ran another definition than the recorded one
    unrecorded: str
    recorded_status: str
    replayed_status: str
    recorded_path: tuple[str, ...]
    replayed_path: tuple[str, ...]
    path_match: bool
    recorded_output: Any = None  # Any: the execution's JSON output
    replayed_output: Any = None  # Any: the execution's JSON output
    output_match: bool | None = None
    recorded_error: str | None = None
    recorded_cause: str | None = None
    replayed_error: str | None = None
    replayed_cause: str | None = None
    error_match: bool | None = None
    recorded_duration_ms: float | None = None
    replayed_duration_ms: float | None = None
    recorded_transitions: int = 0
    replayed_transitions: int = 0
    served: int = 0
    invented: int = 0
    invented_calls: tuple[InventedCall, ...] = ()
    divergences: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    definition: dict[str, Any] = field(default_factory=dict)  # Any: ASL
    replayed_events: tuple[dict[str, Any], ...] = field(default=(), repr=False)  # Any: raw history events

    @property
    def status_match(self) -> bool:
        """The replay ended with the recorded status."""
        return self.recorded_status == self.replayed_status

    @property
    def reproduced(self) -> bool:
        """Status and state path as recorded: what an unchanged-definition replay must give."""
        return self.status_match and self.path_match

    @property
    def recovered(self) -> bool:
        """A recorded failure (FAILED, TIMED_OUT, ABORTED) that the replay turned into SUCCEEDED."""
        return self.recorded_status != "SUCCEEDED" and self.replayed_status == "SUCCEEDED"

    @property
    def newly_failed(self) -> bool:
        """A recorded success that the replay did not repeat."""
        return self.recorded_status == "SUCCEEDED" and self.replayed_status != "SUCCEEDED"

    def to_dict(self, *, events: bool = False, definition: bool = False) -> dict[str, Any]:  # Any: JSON
        """The result as JSON values (times as ISO text); the raw events and the definition on request.

        Example:
            >>> sorted(result.to_dict())[:3]                  # doctest: +SKIP
            ['divergences', 'edited', 'error_match']
        """
        skip = {"replayed_events", *(() if definition else ("definition",))}
        data = {f.name: _jsonable(getattr(self, f.name)) for f in fields(self) if f.name not in skip}
        data["invented_calls"] = [asdict(call) for call in self.invented_calls]
        data["status_match"], data["reproduced"] = self.status_match, self.reproduced
        data["recovered"], data["newly_failed"] = self.recovered, self.newly_failed
        if events:
            data["replayed_events"] = [_jsonable(event) for event in self.replayed_events]
        return data


def _jsonable(value: Any) -> Any:  # Any: any JSON-like value from boto3 (datetimes inside)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
