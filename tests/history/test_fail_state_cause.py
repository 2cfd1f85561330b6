"""A Fail state shows the evaluated error and cause from the history, never the template (issue #12).

A Fail state's ``Error``/``Cause`` may be JSONata templates (or ``ErrorPath``/``CausePath``), evaluated at
run time; ``FailStateEntered`` carries no error, the execution's end event does. The definition's text
counts only when it is fixed text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tests.history.hand_histories import Builder, exec_arn
from workbench.history import frames, load_history
from workbench.viz.graph.overlay_from_history import overlay_for_execution

TEMPLATE = '{% "deploy " & $deploy.id & " failed and was rolled back" %}'
EVALUATED = "deploy d-42 failed and was rolled back"


def top_level(error: Any = "DeployFailed") -> dict[str, Any]:
    fail: dict[str, Any] = {"Type": "Fail", "Cause": TEMPLATE}
    if error is not None:
        fail["Error"] = error
    b = Builder({"QueryLanguage": "JSONata", "StartAt": "Check", "States": {
        "Check": {"Type": "Pass", "Next": "Failed"}, "Failed": fail}})
    e = b.execution_started()
    e = b.simple("Pass", "Check", 0, 5, e)
    e = b.fail_state("Failed", 5, e)
    b.failed(6, e, "DeployFailed", EVALUATED)
    return b.doc()


def in_a_map(tolerated_first: bool = False) -> dict[str, Any]:
    """Items (a Map) fails because iteration 0 reaches Bad, a Fail state with templated Error and Cause."""
    b = Builder({"QueryLanguage": "JSONata", "StartAt": "Items", "States": {"Items": {
        "Type": "Map", "End": True, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Bad",
                                                      "States": {"Bad": {"Type": "Fail", "Error": "{% $e %}",
                                                                        "Cause": "{% $c %}"}}}}}})
    e = b.execution_started()
    m = b.ev(0, e, "MapStateEntered", stateEnteredEventDetails={"name": "Items", "input": "[]"})
    ms = b.ev(1, m, "MapStateStarted", mapStateStartedEventDetails={"length": 1})
    it = b.ev(2, ms, "MapIterationStarted", mapIterationStartedEventDetails={"name": "Items", "index": 0})
    bad = b.fail_state("Bad", 3, it)
    done = b.ev(4, bad, "MapIterationFailed", mapIterationFailedEventDetails={"name": "Items", "index": 0})
    failed = b.ev(5, done, "MapStateFailed")
    b.failed(6, failed, "Item.Bad", "item 17 is bad")
    return b.doc()


def test_a_top_level_fail_state_shows_the_evaluated_cause() -> None:
    f = frames(load_history(top_level(), execution_arn=exec_arn("Deploy", "r1")))
    fail = f.states.set_index("state").loc["Failed"]
    assert (fail["status"], fail["error"], fail["cause"]) == ("failed", "DeployFailed", EVALUATED)
    overlay = overlay_for_execution(f)
    assert (overlay["Failed"].error, overlay["Failed"].cause) == ("DeployFailed", EVALUATED)


def test_without_the_history_s_values_the_template_is_never_shown() -> None:
    doc = top_level(error="{% $err %}")
    doc["history"][-1]["executionFailedEventDetails"] = {}  # an end event without error or cause
    f = frames(load_history(doc, execution_arn=exec_arn("Deploy", "r2")))
    fail = f.states.set_index("state").loc["Failed"]
    assert pd.isna(fail["error"]) and pd.isna(fail["cause"])  # unknown, rather than the template


def test_a_fail_state_inside_a_failing_map_gets_the_evaluated_values() -> None:
    f = frames(load_history(in_a_map(), execution_arn=exec_arn("Items", "r1")))
    st = f.states.set_index("state")
    assert (st.loc["Bad", "error"], st.loc["Bad", "cause"]) == ("Item.Bad", "item 17 is bad")
    assert (st.loc["Items", "status"], st.loc["Items", "error"]) == ("failed", "Item.Bad")


def test_static_fail_text_from_the_definition_still_counts() -> None:
    doc = top_level()
    doc["definition"]["States"]["Failed"]["Cause"] = "fixed cause"
    doc["history"][-1]["executionFailedEventDetails"] = {"error": "DeployFailed"}
    fail = frames(load_history(doc, execution_arn=exec_arn("Deploy", "r3"))).states.set_index("state").loc["Failed"]
    assert (fail["error"], fail["cause"]) == ("DeployFailed", "fixed cause")
