"""Task ``Resource`` shapes: Lambda function ARNs, activities, and ``arn:aws:states:::service:action`` integrations.

Malformed Lambda ARNs are errors (they fail at deploy time); strings that are not ARNs at all, or
integration ARNs of an unfamiliar shape, are warnings, since the statelint spec accepts any URI.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.values import type_word
from workbench.asl.lint.syntax.jsonata import is_jsonata
from workbench.asl.lint.syntax.paths import has_placeholder
from workbench.core.arn import Arn, ArnKind

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def check_resource(state: dict[str, Any], loc: Loc, rep: Reporter, field: str = "Resource") -> None:
    """Check a Task (or ItemReader / ResultWriter) ``Resource``."""
    where = (*loc, field)
    if field not in state:
        rep.add("ASL204", loc, f"\"{field}\" is required (for example \"arn:aws:states:::lambda:invoke\")")
        return
    value = state[field]
    if has_placeholder(value):
        return
    if not isinstance(value, str):
        rep.add("ASL201", where, f"{field} must be an ARN string, but it is {type_word(value)}")
        return
    if is_jsonata(value):
        rep.add("ASL324", where, f"{field} must be a constant ARN, not a JSONata expression; pass dynamic values "
                                 "in Arguments (for Lambda: \"FunctionName\")")
        return
    arn = Arn.try_parse(value)
    if arn is not None and arn.service == "lambda":
        if arn.kind is not ArnKind.FUNCTION:
            rep.add("ASL211", where, f"'{value}' is not a valid Lambda function ARN; write "
                                     "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS|:VERSION|:$LATEST]")
        return
    if arn is not None and arn.kind is ArnKind.INTEGRATION:
        if arn.integration is None:
            rep.add("ASL212", where, f"'{value}' does not look like a service integration; expected "
                                     "arn:aws:states:::SERVICE:ACTION[.sync|.waitForTaskToken] or "
                                     "arn:aws:states:::aws-sdk:SERVICE:ACTION")
        return
    if arn is not None:
        return
    if _URI.fullmatch(value):
        rep.add("ASL212", where, f"'{value}' is not an ARN; Step Functions expects an ARN such as "
                                 "arn:aws:states:::lambda:invoke")
        return
    rep.add("ASL211", where, f"'{value}' is not an ARN; use e.g. arn:aws:states:::lambda:invoke or a function ARN")
