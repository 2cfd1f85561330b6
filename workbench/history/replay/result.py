"""From a finished replay to its :class:`~workbench.history.replay.model.ReplayResult`.

The replay's history is read like the recording (:mod:`~workbench.history.replay.compare`), each invented
outcome is placed on the replay's own visit path, and every difference gets the reasons that may explain it:
an edited definition, invented outcomes, recorded answers to calls with another input, recorded calls the
replay never made, Tasks of other services (run against the engine's local services, not their recorded
answers), a recording stopped from outside, a replay stopped at its deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.arn import Arn, ArnKind, short_name
from workbench.history.load.readers import load_history
from workbench.history.replay.compare import compare_sides, explain, side_of
from workbench.history.replay.model import InventedCall, ReplayResult
from workbench.history.replay.recorded import RecordedCall, is_lambda_invoke, recorded_calls
from workbench.history.replay.serve import ReplaySession, ServedCall

if TYPE_CHECKING:
    from workbench.history.replay.run import ReplayPlan


def _placed(served: list[ServedCall], replayed: list[RecordedCall]) -> list[tuple[ServedCall, RecordedCall | None]]:
    """Each call the session answered, with the attempt of the replay's history it was (when it can be told)."""
    pool = list(replayed)
    out = []
    for call in served:
        match = next((c for c in pool if c.state == call.state and c.attempt == call.attempt
                      and c.input_key == call.input_key), None) or next(
            (c for c in pool if c.state == call.state and c.attempt == call.attempt), None)
        if match is not None:
            pool.remove(match)
        out.append((call, match))
    return out


def service_tasks(definition: dict[str, Any]) -> dict[str, str]:  # Any: ASL
    """Task states that call something else than Lambda or an activity: state name -> the service API.

    Example:
        >>> service_tasks({"States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage"}}})
        {'Send': 'sqs:sendMessage'}
    """
    found: dict[str, str] = {}
    stack: list[Any] = [definition]  # Any: ASL nodes
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for name, state in (node.get("States") or {}).items():
                resource = state.get("Resource") if isinstance(state, dict) else None
                arn = Arn.try_parse(resource, ArnKind.INTEGRATION)
                if arn is not None and not is_lambda_invoke(resource):
                    found[str(name)] = arn.resource
            stack.extend(v for k, v in node.items() if k != "States")
            stack.extend((node.get("States") or {}).values())
    return found


def _listing(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _reasons(plan: ReplayPlan, session: ReplaySession, invented: list[InventedCall], services: dict[str, str],
             *, stopped: bool, deadline: float) -> list[str]:
    reasons: list[str] = []
    if plan.edited:
        reasons.append(f"the replay ran {plan.subject}, not the recorded definition: this is the edit's effect")
    if invented:
        reasons.append(f"{len(invented)} call(s) had no recording and got invented outcomes (--unrecorded "
                       f"{plan.unrecorded}): {_listing([c.describe() for c in invented])}")
    other_input = [c for c in session.served if c.rule == "same attempt"]
    if other_input:
        reasons.append(f"{len(other_input)} call(s) got the recorded outcome of a call with another input: "
                       f"{_listing(sorted({c.state for c in other_input}))}")
    served = {id(c.recorded) for c in session.served if c.recorded is not None and not c.invented}
    unmade = [c for c in plan.recorded if id(c) not in served]
    if unmade:
        reasons.append(f"{len(unmade)} recorded call(s) were not made by the replay: "
                       f"{_listing([c.describe() for c in unmade])}")
    if services:
        reasons.append("Tasks of other services ran against the embedded engine's local services, not their "
                       f"recorded answers: {_listing([f'{s} ({r})' for s, r in services.items()])}")
    if plan.stop_after_events is not None:
        reasons.append("the recording was stopped from outside; the replay was stopped once it had as many "
                       "events")
    if stopped:
        reasons.append(f"the replay did not end within {deadline:g} s and was stopped (a callback, activity or "
                       "wait nobody answers?)")
    return reasons


def result_of(plan: ReplayPlan, arn: str, status: str, events: list[dict[str, Any]], session: ReplaySession, *,
              stopped_at_deadline: bool, deadline: float) -> ReplayResult:  # Any: raw history events
    """The result of a finished replay (``events``: its raw history) beside the recording in ``plan``.

    Example:
        >>> result_of(plan, arn, "SUCCEEDED", events, session, stopped_at_deadline=False,  # doctest: +SKIP
        ...           deadline=120)
    """
    definition = plan.definition if plan.history.definition is not None else None
    replayed_history = load_history({"events": events}, execution_arn=arn, definition=definition)
    recorded, replayed = side_of(plan.history), side_of(replayed_history)
    compared = compare_sides(recorded, replayed)
    placed = _placed(session.served, list(recorded_calls(replayed_history))) if session.invented else []
    invented = [InventedCall(state=call.state, path=match.path if match else call.state, visit=call.visit,
                             attempt=call.attempt, tool=call.tool, policy=call.rule, outcome=call.outcome)
                for call, match in placed if call.invented]
    services = {**service_tasks(plan.history.definition or {}), **service_tasks(plan.definition)}
    reasons = _reasons(plan, session, invented, services, stopped=stopped_at_deadline, deadline=deadline)
    notes = [*plan.notes, *compared.notes]
    if stopped_at_deadline:
        notes.append(f"stopped after {deadline:g} s of real time")
    return ReplayResult(
        recorded_arn=plan.history.execution_arn, name=short_name(plan.history.execution_arn),
        replayed_arn=arn, subject=plan.subject, edited=plan.edited, unrecorded=plan.unrecorded,
        recorded_status=recorded.status, replayed_status=status if replayed.status == "RUNNING" else replayed.status,
        recorded_path=recorded.path, replayed_path=replayed.path, path_match=compared.path_match,
        recorded_output=recorded.output, replayed_output=replayed.output, output_match=compared.output_match,
        recorded_error=recorded.error, recorded_cause=recorded.cause, replayed_error=replayed.error,
        replayed_cause=replayed.cause, error_match=compared.error_match,
        recorded_duration_ms=recorded.duration_ms, replayed_duration_ms=replayed.duration_ms,
        recorded_transitions=recorded.transitions, replayed_transitions=replayed.transitions,
        served=sum(1 for c in session.served if not c.invented), invented=len(invented),
        invented_calls=tuple(invented), divergences=explain(compared.differences, reasons), notes=tuple(notes),
        definition=plan.definition, replayed_events=tuple(events))
