"""Step Functions service limits that a definition can break on its own.

The 1 MiB definition size, 256 KiB literal payloads (state input/output cannot exceed it), and the
80-character state names. Warnings start at 90 % of a limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.spec import DEFINITION_LIMIT, MAX_STATE_NAME, NEAR_LIMIT, PAYLOAD_LIMIT

PAYLOAD_FIELDS = ("Result", "Parameters", "Arguments", "Output", "ItemSelector", "ResultSelector", "Assign")


def _kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB"


def json_size(value: Any) -> int:
    """UTF-8 bytes of the compact JSON text of a value (how Step Functions measures payloads)."""
    try:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))
    except RecursionError:  # absurdly deep data: the repr length is a fine estimate for a limit check
        return len(str(value).encode("utf-8"))


def check_definition_size(size: int, rep: Reporter) -> None:
    """Report a definition at or near the 1 MiB limit."""
    if size > DEFINITION_LIMIT:
        rep.add("ASL400", (), f"the definition is {_kib(size)}, over the 1 MiB (1,024 KiB) Step Functions limit; "
                              "move large literals to S3 or split the work into child state machines")
    elif size > DEFINITION_LIMIT * NEAR_LIMIT:
        rep.add("ASL401", (), f"the definition is {_kib(size)}, close to the 1 MiB Step Functions limit")


def check_payloads(states: Iterable[tuple[dict[str, Any], Loc]], rep: Reporter) -> None:
    """Report literal payload fields at or near 256 KiB (call only when the definition is that big)."""
    for state, loc in states:
        for field in PAYLOAD_FIELDS:
            if field not in state:
                continue
            size = json_size(state[field])
            if size > PAYLOAD_LIMIT:
                rep.add("ASL402", (*loc, field), f"{field} is {_kib(size)} of literal JSON, over the 256 KiB "
                                                  "state input/output limit; keep big data in S3 and pass a key")
            elif size > PAYLOAD_LIMIT * NEAR_LIMIT:
                rep.add("ASL403", (*loc, field), f"{field} is {_kib(size)} of literal JSON, close to the 256 KiB "
                                                  "state input/output limit")


def check_name(name: str, loc: Loc, rep: Reporter) -> None:
    """State names: at most 80 characters."""
    n = len(name)
    if n > MAX_STATE_NAME:
        rep.add("ASL404", loc, f"state name is {n} characters long; Step Functions allows at most {MAX_STATE_NAME}, "
                               "so shorten it (and every Next that names it)")
    elif n > MAX_STATE_NAME * NEAR_LIMIT:
        rep.add("ASL405", loc, f"state name is {n} characters long, close to the {MAX_STATE_NAME} character limit")
