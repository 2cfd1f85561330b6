"""Hypothesis strategies: random valid Missions (both query languages, nested parallel/map, every step kind).

Missions are built so ``check_mission`` finds no errors: jumps only go forward (no loops), a choose step
always has a following step as its ``otherwise``, and ``succeed``/``fail`` steps only end a list, so
every step stays reachable. Use ``missions()``.

Numbers are drawn to catch formatting bugs: floats Python writes in exponent form (``1e-06``, ``5e-324``,
``1e+16``), ones near a range's ends (``99.99999``) and large integers, in number fields and in data.
``TRICKY_PERCENTAGES`` / ``TRICKY_BACKOFF_RATES`` list the ones every run must try (the strategies also
draw them, but a derandomised run only tries what its seed reaches).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from workbench.mission.model import Mission

IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s != "states")
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
# Python writes every float below 1e-4 or from 1e16 on in exponent form; moto's grammar rejects 1e-05 .. 1e-09.
TRICKY_PERCENTAGES = (1e-06, 1e-05, 1e-09, 1e-10, 2.5e-07, 5e-324, 0.0001, 99.99999, 0.0, 100.0, 5.0, 33.3)
TRICKY_BACKOFF_RATES = (1.0, 2.0, 1.0000001, 1e16, 1.5e16, 1e300)
PERCENTAGES = st.one_of(st.sampled_from(TRICKY_PERCENTAGES), st.floats(0, 100))
BACKOFF_RATES = st.one_of(st.sampled_from(TRICKY_BACKOFF_RATES), st.floats(1, 1e20))
JSON_NUMBERS = st.one_of(st.integers(-5, 5), st.sampled_from([*TRICKY_PERCENTAGES, -1e-06, 1e16, 2**53 + 1, -(2**63)]),
                         st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**64), 2**64))
SCALAR = st.one_of(st.none(), st.booleans(), JSON_NUMBERS, TEXT)
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(IDENT, inner, max_size=3)), max_leaves=6)
FUNCTIONS = st.sampled_from(["${FetchArn}", "triage-fetch", "arn:aws:lambda:eu-west-1:123456789012:function:score",
                             "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Notify}"])
RESOURCES = st.sampled_from(["arn:aws:states:::sns:publish", "arn:aws:states:::aws-sdk:s3:getObject",
                             "arn:aws:states:::ecs:runTask.sync", "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                             "arn:aws:states:us-east-1:123456789012:activity:review", "arn:aws:states:::http:invoke",
                             "arn:aws:lambda:us-east-1:123456789012:function:legacy", "${QueueArn}"])
ERRORS = st.lists(st.sampled_from(["States.Timeout", "Lambda.TooManyRequestsException", "Custom.Error"]),
                  min_size=1, max_size=2, unique=True)


class _Ids:
    """Unique step ids within one Mission (ASL state names are global)."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, kind: str) -> str:
        self.n += 1
        return f"{kind}_{self.n}"


def _expr(ql: str, field: str = "x") -> str:
    return f"{{% $states.input.{field} %}}" if ql == "JSONata" else f"$.{field}"


def _retry(draw: Any) -> list[dict[str, Any]]:
    policies = draw(st.lists(st.fixed_dictionaries({"errors": ERRORS}, optional={
        "interval": st.integers(1, 30), "max_attempts": st.integers(0, 5), "backoff": BACKOFF_RATES,
        "max_delay": st.integers(1, 60), "jitter": st.sampled_from(["FULL", "NONE"]), "comment": TEXT}), max_size=2))
    if draw(st.booleans()):
        policies.append({"errors": ["States.ALL"]})
    return policies


def _common(draw: Any, ids: _Ids, kind: str, ql: str) -> dict[str, Any]:
    step: dict[str, Any] = {"id": ids.next(kind)}
    if draw(st.booleans()):
        step["comment"] = draw(TEXT)
    if draw(st.integers(0, 4)) == 0:
        step["assign"] = {draw(IDENT): draw(st.sampled_from([1, "two", _expr(ql)]))}
    return step


def _handling(draw: Any, step: dict[str, Any]) -> None:
    if draw(st.booleans()):
        step["retry"] = _retry(draw)
    if draw(st.booleans()):  # the goto is chosen by _steps, among the later steps of the list
        catch: dict[str, Any] = {"errors": ["States.ALL"], "goto": "?"}
        if draw(st.booleans()):
            catch["save_as"] = draw(IDENT)
        step["catch"] = [catch]
    if draw(st.booleans()):
        step["save_as"] = draw(IDENT)


def _step(draw: Any, ids: _Ids, ql: str, depth: int) -> dict[str, Any]:
    kinds = ["tool", "task", "pass", "wait"] + (["parallel", "map"] if depth > 0 else [])
    kind = draw(st.sampled_from(kinds))
    step = _common(draw, ids, kind, ql)
    if kind == "tool":
        step["tool"] = draw(st.sampled_from(["fetch", "score", "notify"]))
        step["args"] = draw(st.sampled_from([None, {"k": 1}, _expr(ql)]))
        if ql == "JSONPath" and draw(st.booleans()):
            step["result"] = {"value.$": "$.Payload"}
        if draw(st.booleans()):
            step["timeout"] = draw(st.integers(10, 100))
            step["heartbeat"] = draw(st.one_of(st.none(), st.integers(1, 9)))
        _handling(draw, step)
    elif kind == "task":
        step["task"] = draw(RESOURCES)
        if draw(st.booleans()):
            step["asl"] = {"Arguments" if ql == "JSONata" else "Parameters": draw(st.dictionaries(IDENT, VALUE,
                                                                                                   max_size=2))}
        _handling(draw, step)
    elif kind == "pass":
        step["pass"] = draw(VALUE)
        if draw(st.booleans()):
            step["save_as"] = draw(IDENT)
    elif kind == "wait":
        step["wait"] = draw(st.sampled_from([{"seconds": 5}, {"seconds": "1m"}, {"seconds": _expr(ql)},
                                             {"until": "2030-01-01T00:00:00Z"}, {"until": _expr(ql, "t")}]))
    elif kind == "parallel":
        names = draw(st.lists(IDENT, min_size=1, max_size=2, unique=True))
        step["parallel"] = {name: _steps(draw, ids, ql, depth - 1) for name in names}
        step["branch_comments"] = draw(st.booleans())
        _handling(draw, step)
    else:
        spec: dict[str, Any] = {"items": draw(st.sampled_from([None, _expr(ql, "items")])),
                                "steps": _steps(draw, ids, ql, depth - 1)}
        if draw(st.booleans()):
            spec.update(mode="distributed", execution_type=draw(st.sampled_from(["STANDARD", "EXPRESS"])),
                        tolerated_failures=draw(st.integers(0, 3)), label=draw(st.sampled_from(["Fan", None])),
                        tolerated_failure_percentage=draw(st.none() | PERCENTAGES))
        else:
            spec["legacy"] = draw(st.sampled_from([None, "iterator", "no_config"]))
        spec["max_concurrency"] = draw(st.one_of(st.none(), st.integers(0, 10)))
        step["map"] = spec
        _handling(draw, step)
    return step


def _steps(draw: Any, ids: _Ids, ql: str, depth: int) -> list[dict[str, Any]]:
    """A list of steps: plain steps, maybe a choose among the later ones, maybe a final succeed/fail."""
    body = [_step(draw, ids, ql, depth) for _ in range(draw(st.integers(1, 3)))]
    ending = draw(st.sampled_from([None, "succeed", "fail"]))
    if ending == "succeed":
        body.append({**_common(draw, ids, ending, ql), "succeed": True})
    elif ending == "fail":
        body.append({**_common(draw, ids, ending, ql), "fail": {"error": "Broken", "cause": draw(TEXT)}})
    if len(body) >= 2 and draw(st.booleans()):  # a choose in front, jumping forward
        later = [s["id"] for s in body]
        rule_when: Any = ({"Variable": "$.n", "NumericGreaterThan": 1} if ql == "JSONPath"
                          else "{% $states.input.n > 1 %}")
        choose = {**_common(draw, ids, "choose", ql), "otherwise": later[0],
                  "choose": [{"when": rule_when, "goto": draw(st.sampled_from(later))}]}
        body.insert(0, choose)
    for i, step in enumerate(body):  # catches may jump to any later step of the list
        if "catch" in step:
            later = [s["id"] for s in body[i + 1:]]
            if later:
                step["catch"][0]["goto"] = draw(st.sampled_from(later))
            else:
                del step["catch"]
    return body


@st.composite
def missions(draw: Any, max_depth: int = 2) -> Mission:
    """A random valid Mission."""
    ql = draw(st.sampled_from(["JSONata", "JSONPath"]))
    ids = _Ids()
    data: dict[str, Any] = {
        "mission": "random",
        "query_language": ql,
        "tools": {"fetch": {"lambda": "${FetchArn}"}, "score": {"lambda": "score-fn"},
                  "notify": {"lambda": "arn:aws:lambda:eu-west-1:123456789012:function:notify"}},
        "steps": _steps(draw, ids, ql, max_depth),
    }
    if draw(st.booleans()):
        data["description"] = draw(TEXT)
    if draw(st.booleans()):
        data["timeout"] = draw(st.integers(60, 3600))
    if draw(st.booleans()):
        data["defaults"] = {"retry": _retry(draw), "timeout": 30}
    return Mission.model_validate(data)
