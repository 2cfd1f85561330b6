"""ARN syntax below :class:`~workbench.core.arn.Arn`: the field patterns, :class:`ArnKind` and the shape of
each kind, :class:`Integration`, splitting on the colons outside placeholders, and the ARNs in free text
(:func:`find_arns`, and :func:`mask_arns` to compare two runs' messages).

Part of the one ARN parser with :mod:`workbench.core.arn`, which re-exports every public name here; import
them from there. This module imports no other ARN code, so :mod:`workbench.core.arn` builds on it without a
cycle.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

__all__ = ["ARN_IN_TEXT", "EXECUTION_KINDS", "STATE_MACHINE_KINDS", "ArnKind", "Integration", "find_arns",
           "looks_like_arn", "mask_arns"]

_PH = r"\$\{[^${}\s]+\}|<[^<>\s]+>"  # one placeholder: ${Name} or <name>; may hold colons
_PLACEHOLDER = re.compile(_PH)
_SPLIT = re.compile(rf"({_PH})|:")
_PARTITION = re.compile(rf"aws(?:-[a-z0-9]+)*|{_PH}")
_SERVICE = re.compile(rf"[a-z0-9][a-z0-9.-]*|{_PH}")
_SCOPE = re.compile(rf"(?:[A-Za-z0-9-]|{_PH})*")  # region, account: may be empty
_RESOURCE = re.compile(r"\S+")
_FUNCTION = re.compile(rf"[A-Za-z0-9_-]{{1,140}}|(?:[A-Za-z0-9_-]|{_PH})+")
_QUALIFIER = re.compile(rf"\$LATEST|(?:[A-Za-z0-9_-]|{_PH})+")
_SDK = re.compile(r"aws-sdk:(?P<service>[a-z0-9.-]+):(?P<action>[A-Za-z0-9_]+)(?:\.(?P<pattern>waitForTaskToken))?")
_INTEGRATION = re.compile(r"(?P<service>[a-z0-9-]+):(?P<action>[A-Za-z0-9_-]+(?::[A-Za-z0-9_-]+)*)"
                          r"(?:\.(?P<pattern>sync(?::2)?|waitForTaskToken))?")

#: An ARN inside free text (an error message, a cause): up to a blank, quote, comma, semicolon or ``)``.
ARN_IN_TEXT = re.compile(r"\barn:[\w<>-]+:[^\s\"',;)]+")
# What ties an ARN in free text to one run (mask_arns): a state machine, execution, Express execution or Map
# Run of a real (12-digit) account, up to a blank or quote; the partition, region and account of any other.
_RUN_ARN = re.compile(r"arn:[\w-]+:states:[\w-]*:\d{12}:(execution|stateMachine|express|mapRun):[^\s\"']+")
_ACCOUNT_HEAD = re.compile(r"arn:[\w-]+:([\w-]+):[\w-]*:\d{12}:")
_RUN_TAGS = {"execution": "<execution arn>", "stateMachine": "<state machine arn>", "express": "<express arn>",
             "mapRun": "<mapRun arn>"}


class ArnKind(StrEnum):
    """What an ARN names; :attr:`OTHER` for any other well-formed ARN (an IAM role, an SNS topic...)."""

    STATE_MACHINE = "state machine"
    VERSION = "state machine version"
    ALIAS = "state machine alias"
    EXECUTION = "execution"
    EXPRESS_EXECUTION = "Express execution"
    MAP_RUN = "Map Run"
    ACTIVITY = "activity"
    FUNCTION = "Lambda function"
    INTEGRATION = "service integration"
    OTHER = "other"


_SHAPES = {
    ArnKind.STATE_MACHINE: "arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME",
    ArnKind.VERSION: "arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME:VERSION",
    ArnKind.ALIAS: "arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME:ALIAS",
    ArnKind.EXECUTION: "arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME",
    ArnKind.EXPRESS_EXECUTION: "arn:PARTITION:states:REGION:ACCOUNT:express:MACHINE:NAME[:ID]",
    ArnKind.MAP_RUN: "arn:PARTITION:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID",
    ArnKind.ACTIVITY: "arn:PARTITION:states:REGION:ACCOUNT:activity:NAME",
    ArnKind.FUNCTION: "arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]",
    ArnKind.INTEGRATION: "arn:PARTITION:states:::SERVICE:ACTION[.sync|.sync:2|.waitForTaskToken]",
    ArnKind.OTHER: "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
}
#: The kinds that name a state machine (to start or describe), and those that name one run of it.
STATE_MACHINE_KINDS = _MACHINE_KINDS = (ArnKind.STATE_MACHINE, ArnKind.VERSION, ArnKind.ALIAS)
EXECUTION_KINDS = _RUN_KINDS = (ArnKind.EXECUTION, ArnKind.EXPRESS_EXECUTION)


def _fields(text: str, maxsplit: int = -1) -> list[str]:
    """``text`` split on the colons that are outside placeholders."""
    if "${" not in text and "<" not in text:
        return text.split(":", maxsplit)
    out: list[str] = []
    start = 0
    for m in _SPLIT.finditer(text):
        if m.group(1) is not None:
            continue
        if 0 <= maxsplit <= len(out):
            break
        out.append(text[start:m.start()])
        start = m.end()
    out.append(text[start:])
    return out


def _quote(text: str) -> str:
    return repr(text if len(text) <= 120 else text[:117] + "...")


def looks_like_arn(text: str) -> bool:
    """True when ``text`` starts like an ARN (``arn:``), well-formed or not: it is meant as one.

    Example:
        >>> looks_like_arn("arn:aws:states:eu-west-1:1:stateMachine:M"), looks_like_arn("triage")
        (True, False)
    """
    return text.startswith("arn:")


def _article(what: str) -> str:
    return ("an " if what[:1].lower() in "aeiou" else "a ") + what


def _problem(partition: str, service: str, region: str, account: str, resource: str) -> str | None:
    """Why these fields do not make an ARN, or None."""
    if not _PARTITION.fullmatch(partition):
        return f"partition '{partition}' is not aws, aws-cn, aws-us-gov or another aws-* partition"
    if not _SERVICE.fullmatch(service):
        return f"service '{service}' is not a service name such as states or lambda"
    if not _SCOPE.fullmatch(region):
        return f"region '{region}' is not a region such as us-east-1"
    if not _SCOPE.fullmatch(account):
        return f"account '{account}' is not an account id such as 123456789012"
    if not _RESOURCE.fullmatch(resource):
        return "the resource after the account is empty or has blanks"
    return None


def _kind_of(service: str, region: str, account: str, rtype: str, parts: tuple[str, ...]) -> ArnKind:
    n = len(parts)
    if service == "lambda":
        if rtype == "function" and n <= 2 and _FUNCTION.fullmatch(parts[0]) and (
                n == 1 or _QUALIFIER.fullmatch(parts[1])):
            return ArnKind.FUNCTION
        return ArnKind.OTHER
    if service != "states":
        return ArnKind.OTHER
    if not region and not account:
        return ArnKind.INTEGRATION
    if not all(parts):
        return ArnKind.OTHER
    if rtype == "stateMachine" and n == 1:
        return ArnKind.STATE_MACHINE
    if rtype == "stateMachine" and n == 2:
        return ArnKind.VERSION if parts[1].isdigit() else ArnKind.ALIAS
    if rtype == "execution" and n == 2:
        return ArnKind.EXECUTION
    if rtype == "express" and n in (2, 3):  # AWS always adds the id; hand-written ARNs may not
        return ArnKind.EXPRESS_EXECUTION
    if rtype == "mapRun" and n == 2 and "/" in parts[0]:
        return ArnKind.MAP_RUN
    if rtype == "activity" and n == 1:
        return ArnKind.ACTIVITY
    return ArnKind.OTHER


def find_arns(text: str) -> list[str]:
    """The ARNs written in ``text`` (an error message, a failure cause), in order.

    Example:
        >>> find_arns("Execution Already Exists: 'arn:aws:states:us-east-1:1:execution:M:run-1'")
        ['arn:aws:states:us-east-1:1:execution:M:run-1']
    """
    return ARN_IN_TEXT.findall(text)


def mask_arns(text: str) -> str:
    """``text`` with what ties its ARNs to one run or account masked, so a recording's message and its replay's
    compare equal when only that differs.

    A state machine, execution, Express execution or Map Run ARN becomes ``<execution arn>``, ``<state machine
    arn>``, ``<express arn>`` or ``<mapRun arn>`` (up to the next blank or quote); any other ARN keeps its
    service and resource, with ``<partition>``, ``<region>`` and ``<account>``. Only ARNs with a 12-digit
    account are touched: integrations (``arn:aws:states:::...``) and already redacted ARNs stay as they are.

    Example:
        >>> mask_arns("arn:aws:states:eu-west-1:111122223333:execution:m:run-1 called "
        ...           "arn:aws:lambda:eu-west-1:111122223333:function:fetch")
        '<execution arn> called arn:<partition>:lambda:<region>:<account>:function:fetch'
    """
    text = _RUN_ARN.sub(lambda m: _RUN_TAGS[m[1]], text)
    return _ACCOUNT_HEAD.sub(lambda m: f"arn:<partition>:{m[1]}:<region>:<account>:", text)


class Integration(NamedTuple):
    """A service integration Resource: ``arn:aws:states:::SERVICE:ACTION[.PATTERN]``.

    ``sdk`` is True for ``aws-sdk:SERVICE:ACTION``; ``pattern`` is ``""``, ``sync``, ``sync:2`` or
    ``waitForTaskToken``.

    Example:
        >>> from workbench.core.arn import Arn
        >>> Arn.parse("arn:aws:states:::aws-sdk:s3:getObject").integration
        Integration(service='s3', action='getObject', pattern='', sdk=True)
    """

    service: str
    action: str
    pattern: str = ""
    sdk: bool = False
