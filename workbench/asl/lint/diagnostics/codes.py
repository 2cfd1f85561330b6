"""The stable diagnostic codes of the ASL linter, each with its default severity and a one-line meaning.

Codes never change meaning once published: users filter on them (``--ignore ASL322``) and tests assert
them. Families: ``ASL0xx`` reading the file, ``ASL1xx`` graph structure, ``ASL2xx`` fields and values,
``ASL3xx`` JSONPath / intrinsic functions / JSONata, ``ASL4xx`` service limits, and ``W-ENGINE0xx``:
warnings about definitions valid on AWS that the embedded engine cannot run yet (see ``engine.py``).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from workbench.core.diagnostics import Severity


class CodeInfo(NamedTuple):
    """Default severity and a one-line meaning of a code."""

    severity: Severity
    meaning: str


E, W = Severity.ERROR, Severity.WARNING

CODES: Final[dict[str, CodeInfo]] = {
    # -- reading -------------------------------------------------------------------------------------
    "ASL001": CodeInfo(E, "the file cannot be read (missing, unreadable or not UTF-8)"),
    "ASL002": CodeInfo(E, "the text is not valid JSON / YAML"),
    "ASL003": CodeInfo(E, "the same key appears twice in one JSON object (the last one silently wins)"),
    "ASL004": CodeInfo(W, "a number is written in a form the local engine cannot read (1e-06, or an integer "
                          "ToleratedFailurePercentage)"),
    # -- structure -----------------------------------------------------------------------------------
    "ASL100": CodeInfo(E, "the definition (or a branch / item processor) is not a JSON object"),
    "ASL101": CodeInfo(E, "a required field of the state machine or inner graph is missing"),
    "ASL102": CodeInfo(E, "StartAt does not name a state of its graph"),
    "ASL103": CodeInfo(E, "unknown field at the top level of a state machine or inner graph"),
    "ASL104": CodeInfo(E, "States is not an object, is empty, or a state is not an object"),
    "ASL105": CodeInfo(E, "a transition (Next, Default, Choices[].Next, Catch[].Next) names no state"),
    "ASL106": CodeInfo(E, "a transition leaves its Parallel branch or Map item processor"),
    "ASL107": CodeInfo(E, "a state can never be reached from StartAt"),
    "ASL108": CodeInfo(E, "no terminal state (End: true, Succeed, Fail) is reachable from StartAt"),
    "ASL109": CodeInfo(W, "some states can never reach a terminal state (a loop with no way out)"),
    "ASL110": CodeInfo(E, "a state has both End and Next, or neither"),
    "ASL111": CodeInfo(E, "the same state name is used twice in the state machine (names are global)"),
    "ASL112": CodeInfo(E, "a state has no Type or an unknown Type"),
    "ASL113": CodeInfo(E, "a Choice state has no Choices, or Choices is not a non-empty list"),
    "ASL114": CodeInfo(E, "a Parallel state has no Branches, or a branch is not an object"),
    "ASL115": CodeInfo(E, "a Map state has neither or both of ItemProcessor and Iterator"),
    # -- fields --------------------------------------------------------------------------------------
    "ASL200": CodeInfo(E, "a field is not allowed in this kind of state (or object)"),
    "ASL201": CodeInfo(E, "a field has the wrong JSON type"),
    "ASL202": CodeInfo(E, "a number is out of its allowed range"),
    "ASL203": CodeInfo(E, "two mutually exclusive fields are both present"),
    "ASL204": CodeInfo(E, "a required field is missing"),
    "ASL205": CodeInfo(E, "a value is not one of the allowed words"),
    "ASL206": CodeInfo(E, "ErrorEquals is missing or empty"),
    "ASL207": CodeInfo(E, "States.ALL is not alone in its ErrorEquals, or its retrier/catcher is not last"),
    "ASL208": CodeInfo(E, "HeartbeatSeconds is not smaller than TimeoutSeconds"),
    "ASL209": CodeInfo(W, "an error name starts with 'States.' but is not a predefined Step Functions error"),
    "ASL210": CodeInfo(E, "a Choice rule is malformed (comparators, Next, And/Or/Not nesting)"),
    "ASL211": CodeInfo(E, "a Task Resource is not a valid ARN"),
    "ASL212": CodeInfo(W, "a Task Resource has an unfamiliar shape (not a known ARN pattern)"),
    "ASL213": CodeInfo(E, "a timestamp is not RFC 3339 (2016-03-14T01:59:00Z)"),
    "ASL214": CodeInfo(W, "a field has no effect in this configuration"),
    "ASL215": CodeInfo(E, "a workflow variable name in Assign is not valid"),
    "ASL216": CodeInfo(W, "an unfamiliar field in a service configuration object (may be newer than this linter)"),
    # -- paths, intrinsic functions, JSONata ---------------------------------------------------------
    "ASL300": CodeInfo(E, "a JSONata-only field is used in a JSONPath state"),
    "ASL301": CodeInfo(E, "a JSONPath-only field is used in a JSONata state"),
    "ASL302": CodeInfo(E, "a state uses JSONPath although the state machine's QueryLanguage is JSONata"),
    "ASL310": CodeInfo(E, "a Path is not valid JSONPath syntax"),
    "ASL311": CodeInfo(E, "a Reference Path uses an operator that can select several nodes"),
    "ASL312": CodeInfo(E, "a path kind (context $$ or variable $name) is not allowed in this field"),
    "ASL313": CodeInfo(E, "a '.$' key's value is not a Path or an intrinsic function call"),
    "ASL314": CodeInfo(E, "an intrinsic function is unknown or called with the wrong number of arguments"),
    "ASL315": CodeInfo(E, "an intrinsic function call is malformed (parentheses, quotes, commas)"),
    "ASL316": CodeInfo(E, "a payload template has both 'key' and 'key.$'"),
    "ASL320": CodeInfo(E, "a JSONata expression does not parse"),
    "ASL321": CodeInfo(E, "a JSONata expression is not enclosed in '{%' ... '%}'"),
    "ASL322": CodeInfo(W, "a JSONata expression appears in a JSONPath state, where it is plain text"),
    "ASL323": CodeInfo(E, "a '.$' key is used in a JSONata state (JSONPath syntax)"),
    "ASL324": CodeInfo(E, "a field that must be a constant holds a JSONata expression"),
    "ASL325": CodeInfo(W, "a JSONata function that Step Functions does not provide ($eval)"),
    "ASL340": CodeInfo(W, "a variable is read that no state in its scope assigns (fails at run time)"),
    "ASL341": CodeInfo(W, "a state in a Parallel branch or Map iteration assigns a variable of an outer scope"),
    # -- limits --------------------------------------------------------------------------------------
    "ASL400": CodeInfo(E, "the definition is larger than the 1 MiB Step Functions limit"),
    "ASL401": CodeInfo(W, "the definition is close to the 1 MiB Step Functions limit"),
    "ASL402": CodeInfo(E, "a literal payload is larger than the 256 KiB state input/output limit"),
    "ASL403": CodeInfo(W, "a literal payload is close to the 256 KiB state input/output limit"),
    "ASL404": CodeInfo(E, "a state name is longer than 80 characters"),
    "ASL405": CodeInfo(W, "a state name is close to the 80 character limit"),
    "ASL406": CodeInfo(E, "a Map Label is longer than 40 characters or has forbidden characters"),
    # -- the embedded engine (valid on AWS; moto's interpreter refuses the definition) ---------------
    # W-ENGINE001 (a Map ItemBatcher) is retired: the engine runs ItemBatcher (interpreter/distributed_map/).
    # W-ENGINE002 (EXPRESS child workflows of a Distributed Map) is retired: the engine runs them as Express.
    "W-ENGINE003": CodeInfo(W, "valid on AWS; the embedded engine cannot run it yet: an ErrorEquals name "
                               "starting with 'States.' that it does not predefine"),
    "W-ENGINE004": CodeInfo(W, "valid on AWS; the embedded engine cannot run it yet: a Task integration it "
                               "does not know (such as http:invoke)"),
    "W-ENGINE005": CodeInfo(W, "valid on AWS; the embedded engine cannot run it yet: an ItemReader setting "
                               "its grammar lacks, or a ResultWriter WriterConfig given by an expression"),
}

ENGINE_CODES: Final = frozenset({"ASL004", *(code for code in CODES if code.startswith("W-ENGINE"))})
"""Codes saying the embedded engine will refuse a definition that AWS accepts (``workbench run`` shows them)."""


def describe(code: str) -> str:
    """The one-line meaning of ``code`` (empty for unknown codes).

    Example:
        >>> describe("ASL105")
        'a transition (Next, Default, Choices[].Next, Catch[].Next) names no state'
    """
    info = CODES.get(code)
    return info.meaning if info else ""
