"""ARNs: the one place that parses, checks and writes the Amazon Resource Names the workbench meets.

:class:`Arn` covers state machines (with a version or an alias), standard and Express executions, Map
Runs, activities, Lambda functions (with or without a qualifier) and ``arn:aws:states:::service:action``
integrations; any other well-formed ARN parses too, with kind :attr:`ArnKind.OTHER`. :class:`FunctionRef`
reads what Lambda accepts as ``FunctionName`` (a name, ``NAME:QUALIFIER``, a partial or a full ARN).

Templated ARNs parse: a ``${Placeholder}`` (CloudFormation, ``--sub``) or a ``<placeholder>`` (redacted
histories) stands for one field, even when it holds a colon, as in ``arn:${AWS::Partition}:...``.
Parsing is cached (:meth:`Arn.try_parse`), so per-event callers pay once for each distinct ARN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from workbench.core.diagnostics import ArnError

__all__ = ["ARN_IN_TEXT", "EXECUTION_KINDS", "STATE_MACHINE_KINDS", "Arn", "ArnError", "ArnKind", "FunctionRef",
           "Integration", "find_arns", "function_name", "looks_like_arn", "short_name"]

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


class Integration(NamedTuple):
    """A service integration Resource: ``arn:aws:states:::SERVICE:ACTION[.PATTERN]``.

    ``sdk`` is True for ``aws-sdk:SERVICE:ACTION``; ``pattern`` is ``""``, ``sync``, ``sync:2`` or
    ``waitForTaskToken``.

    Example:
        >>> Arn.parse("arn:aws:states:::aws-sdk:s3:getObject").integration
        Integration(service='s3', action='getObject', pattern='', sdk=True)
    """

    service: str
    action: str
    pattern: str = ""
    sdk: bool = False


@dataclass(frozen=True, slots=True)
class Arn:
    """One ARN: ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``, checked when made; ``str()`` writes it back.

    ``resource_type`` is the resource's first field (``stateMachine``, ``function``, ``role``...; ``""`` when
    it has one field only) and ``parts`` the fields after it.

    Example:
        >>> arn = Arn.parse("arn:aws:states:eu-west-1:123456789012:execution:triage:run-1")
        >>> arn.kind, arn.region, arn.resource_type, arn.parts
        (<ArnKind.EXECUTION: 'execution'>, 'eu-west-1', 'execution', ('triage', 'run-1'))
        >>> str(arn.state_machine)
        'arn:aws:states:eu-west-1:123456789012:stateMachine:triage'
    """

    partition: str
    service: str
    region: str
    account: str
    resource: str
    resource_type: str = field(init=False, compare=False, repr=False)
    parts: tuple[str, ...] = field(init=False, compare=False, repr=False)
    kind: ArnKind = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        why = _problem(self.partition, self.service, self.region, self.account, self.resource)
        if why:
            raise ArnError(f"{_quote(str(self))} is not an ARN: {why}")
        fields = _fields(self.resource)
        if len(fields) > 1:
            rtype, parts = fields[0], tuple(fields[1:])
        elif "/" in self.resource and not _PLACEHOLDER.fullmatch(self.resource):
            rtype, _, rest = self.resource.partition("/")
            parts = (rest,)
        else:
            rtype, parts = "", (self.resource,)
        object.__setattr__(self, "resource_type", rtype)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "kind", _kind_of(self.service, self.region, self.account, rtype, parts))

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    # -- reading ------------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, *kinds: ArnKind) -> Arn:
        """The ARN in ``text``; with ``kinds``, it must be one of them. Raises :class:`ArnError`.

        Example:
            >>> Arn.parse("arn:aws:lambda:us-east-1:123456789012:function:fetch:live").qualifier
            'live'
            >>> Arn.parse("stateMachine:M")
            Traceback (most recent call last):
            ...
            workbench.core.diagnostics.ArnError: 'stateMachine:M' is not an ARN: expected \
arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
            >>> Arn.parse("arn:aws:iam::1:role/x", ArnKind.EXECUTION)
            Traceback (most recent call last):
            ...
            workbench.core.diagnostics.ArnError: 'arn:aws:iam::1:role/x' is not an execution ARN: expected \
arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME
        """
        arn = _cached(text) if isinstance(text, str) else None
        if arn is None:
            _parse(text)  # raises, saying why
            raise AssertionError("unreachable")  # pragma: no cover
        if kinds and arn.kind not in kinds:
            names = [k.value for k in kinds]
            what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
            raise ArnError(f"{_quote(text)} is not {_article(what)} ARN: expected "
                           + " or ".join(_SHAPES[k] for k in kinds))
        return arn

    @classmethod
    def try_parse(cls, text: object, *kinds: ArnKind) -> Arn | None:
        """:meth:`parse`, or None when ``text`` is not an ARN (of one of ``kinds``). Cached.

        Example:
            >>> Arn.try_parse("fetch-alert") is None, Arn.try_parse("arn:aws:sns:eu-west-1:1:ops").kind
            (True, <ArnKind.OTHER: 'other'>)
            >>> Arn.try_parse("arn:aws:states:eu-west-1:1:activity:review", ArnKind.FUNCTION) is None
            True
        """
        arn = _cached(text) if isinstance(text, str) else None
        if arn is None or (kinds and arn.kind not in kinds):
            return None
        return arn

    # -- building -----------------------------------------------------------------------------------
    @classmethod
    def of_state_machine(cls, name: str, *, region: str, account: str, partition: str = "aws") -> Arn:
        """A state machine's ARN.

        Example:
            >>> str(Arn.of_state_machine("triage", region="eu-west-1", account="123456789012"))
            'arn:aws:states:eu-west-1:123456789012:stateMachine:triage'
        """
        return cls._made(ArnKind.STATE_MACHINE, partition, "states", region, account, f"stateMachine:{name}")

    @classmethod
    def of_function(cls, name: str, *, region: str, account: str, qualifier: str | None = None,
                    partition: str = "aws") -> Arn:
        """A Lambda function's ARN, qualified when ``qualifier`` is given.

        Example:
            >>> str(Arn.of_function("fetch", region="us-east-1", account="123456789012", qualifier="live"))
            'arn:aws:lambda:us-east-1:123456789012:function:fetch:live'
        """
        tail = f":{qualifier}" if qualifier else ""
        return cls._made(ArnKind.FUNCTION, partition, "lambda", region, account, f"function:{name}{tail}")

    @classmethod
    def of_activity(cls, name: str, *, region: str, account: str, partition: str = "aws") -> Arn:
        """An activity's ARN.

        Example:
            >>> str(Arn.of_activity("review", region="eu-west-1", account="1"))
            'arn:aws:states:eu-west-1:1:activity:review'
        """
        return cls._made(ArnKind.ACTIVITY, partition, "states", region, account, f"activity:{name}")

    @classmethod
    def _made(cls, kind: ArnKind, partition: str, service: str, region: str, account: str, resource: str) -> Arn:
        arn = cls(partition, service, region, account, resource)
        if arn.kind is not kind:
            raise ArnError(f"{_quote(str(arn))} is not {_article(kind.value)} ARN: expected {_SHAPES[kind]}")
        return arn

    def execution(self, name: str) -> Arn:
        """The ARN of the (standard) execution ``name`` of this state machine, version or alias.

        Example:
            >>> str(Arn.parse("arn:aws:states:eu-west-1:1:stateMachine:M:prod").execution("run-1"))
            'arn:aws:states:eu-west-1:1:execution:M:run-1'
        """
        if self.kind not in _MACHINE_KINDS:
            raise ArnError(f"{_quote(str(self))} is not a state machine ARN: expected {_SHAPES[ArnKind.STATE_MACHINE]}")
        return self._made(ArnKind.EXECUTION, self.partition, self.service, self.region, self.account,
                          f"execution:{self.parts[0]}:{name}")

    # -- views --------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """What people call it: the machine's, execution's, activity's or function's name, a Map Run's label.

        An integration gives ``SERVICE:ACTION``; any other ARN its last field.

        Example:
            >>> Arn.parse("arn:aws:states:us-east-1:1:express:M:run-7:5f0e").name
            'run-7'
            >>> Arn.parse("arn:aws:states:us-east-1:1:stateMachine:M:3").name
            'M'
        """
        kind, parts = self.kind, self.parts
        if kind in _RUN_KINDS:
            return parts[1]
        if kind is ArnKind.MAP_RUN:
            return parts[0].partition("/")[2]
        if kind is ArnKind.INTEGRATION:
            return self.resource
        if kind is ArnKind.OTHER:
            return next((p for p in reversed(parts) if p), self.resource)
        return parts[0]

    @property
    def qualifier(self) -> str | None:
        """A version number or alias name (state machines), a version or alias (Lambda); else None.

        Example:
            >>> Arn.parse("arn:aws:states:us-east-1:1:stateMachine:M:3").qualifier
            '3'
        """
        if self.kind in (ArnKind.VERSION, ArnKind.ALIAS) or (self.kind is ArnKind.FUNCTION and len(self.parts) == 2):
            return self.parts[1]
        return None

    @property
    def state_machine(self) -> Arn | None:
        """The unqualified state machine of a machine, version, alias, execution or Map Run ARN; else None.

        Example:
            >>> str(Arn.parse("arn:aws:states:us-east-1:1:mapRun:M/Fan:7c1d").state_machine)
            'arn:aws:states:us-east-1:1:stateMachine:M'
        """
        return self if self.kind is ArnKind.STATE_MACHINE else _machine_of(self)

    @property
    def execution_id(self) -> str | None:
        """The id AWS adds after an Express execution's name (a Map Run's id too); else None.

        Example:
            >>> Arn.parse("arn:aws:states:us-east-1:1:express:M:run-7:5f0e").execution_id
            '5f0e'
        """
        if self.kind is ArnKind.EXPRESS_EXECUTION:
            return self.parts[2] if len(self.parts) == 3 else None
        return self.parts[1] if self.kind is ArnKind.MAP_RUN else None

    @property
    def integration(self) -> Integration | None:
        """The service, action and pattern of a well-formed integration ARN; else None.

        Example:
            >>> Arn.parse("arn:aws:states:::states:startExecution.sync:2").integration
            Integration(service='states', action='startExecution', pattern='sync:2', sdk=False)
            >>> Arn.parse("arn:aws:states:::lambda").integration is None
            True
        """
        if self.kind is not ArnKind.INTEGRATION:
            return None
        sdk = _SDK.fullmatch(self.resource)
        if sdk:
            return Integration(sdk["service"], sdk["action"], sdk["pattern"] or "", True)
        found = _INTEGRATION.fullmatch(self.resource)
        if found:
            return Integration(found["service"], found["action"], found["pattern"] or "", False)
        return None

    @property
    def has_placeholder(self) -> bool:
        """True when a ``${...}`` or ``<...>`` placeholder stands for some field.

        Example:
            >>> Arn.parse("arn:${AWS::Partition}:states:::lambda:invoke").has_placeholder
            True
        """
        return _PLACEHOLDER.search(str(self)) is not None


@lru_cache(maxsize=1 << 14)
def _machine_of(arn: Arn) -> Arn | None:
    if arn.kind in _MACHINE_KINDS or arn.kind in _RUN_KINDS:
        machine = arn.parts[0]
    elif arn.kind is ArnKind.MAP_RUN:
        machine = arn.parts[0].partition("/")[0]
    else:
        return None
    return Arn(arn.partition, arn.service, arn.region, arn.account, f"stateMachine:{machine}")


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


def _parse(text: str) -> Arn:
    if not isinstance(text, str):
        raise ArnError(f"{text!r} is not an ARN: expected a string like {_SHAPES[ArnKind.OTHER]}")
    fields = _fields(text, 5)
    if len(fields) < 6 or fields[0] != "arn":
        raise ArnError(f"{_quote(text)} is not an ARN: expected {_SHAPES[ArnKind.OTHER]}")
    return Arn(*fields[1:])  # checks the fields


@lru_cache(maxsize=1 << 16)
def _cached(text: str) -> Arn | None:
    try:
        return _parse(text)
    except ArnError:
        return None


class FunctionRef(NamedTuple):
    """A Lambda ``FunctionName`` as AWS accepts it: ``NAME``, ``NAME:QUALIFIER``, ``ACCOUNT:function:NAME[:Q]``
    (also with ``REGION:`` before it) or a full function ARN, reduced to the name and the qualifier.

    Example:
        >>> FunctionRef.parse("123456789012:function:fetch:prod")
        FunctionRef(name='fetch', qualifier='prod')
        >>> str(FunctionRef.parse("arn:aws:lambda:us-east-1:123456789012:function:fetch"))
        'fetch'
    """

    name: str
    qualifier: str | None = None

    def __str__(self) -> str:
        return self.name if self.qualifier is None else f"{self.name}:{self.qualifier}"

    @classmethod
    def parse(cls, text: str) -> FunctionRef:
        """The function named by ``text``; raises :class:`ArnError` when Lambda would not accept it.

        Example:
            >>> FunctionRef.parse("fetch:$LATEST"), FunctionRef.parse("${FetchArn}")
            (FunctionRef(name='fetch', qualifier='$LATEST'), FunctionRef(name='${FetchArn}', qualifier=None))
            >>> FunctionRef.parse("a:b:c")
            Traceback (most recent call last):
            ...
            workbench.core.diagnostics.ArnError: 'a:b:c' is not a Lambda function name: expected NAME, \
NAME:QUALIFIER, ACCOUNT:function:NAME[:QUALIFIER] or arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        """
        found = cls.try_parse(text)
        if found is None:
            raise ArnError(f"{_quote(str(text))} is not a Lambda function name: expected NAME, NAME:QUALIFIER, "
                           f"ACCOUNT:function:NAME[:QUALIFIER] or {_SHAPES[ArnKind.FUNCTION]}")
        return found

    @classmethod
    def try_parse(cls, text: object) -> FunctionRef | None:
        """:meth:`parse`, or None.

        Example:
            >>> FunctionRef.try_parse("eu-west-1:123456789012:function:fetch"), FunctionRef.try_parse("")
            (FunctionRef(name='fetch', qualifier=None), None)
        """
        return _function_ref(text) if isinstance(text, str) else None


@lru_cache(maxsize=1 << 12)
def _function_ref(text: str) -> FunctionRef | None:
    if looks_like_arn(text):
        arn = Arn.try_parse(text, ArnKind.FUNCTION)
        return FunctionRef(arn.parts[0], arn.qualifier) if arn else None
    fields = _fields(text)
    at = fields.index("function") if "function" in fields[:3] else -1
    if 0 <= at < len(fields) - 1:  # [REGION:][ACCOUNT:]function:NAME[:QUALIFIER]
        head, fields = fields[:at], fields[at + 1:]
        if not all(f and _SCOPE.fullmatch(f) for f in head):
            return None
    if not 1 <= len(fields) <= 2 or not _FUNCTION.fullmatch(fields[0]):
        return None
    if len(fields) == 2 and not _QUALIFIER.fullmatch(fields[1]):
        return None
    return FunctionRef(fields[0], fields[1] if len(fields) == 2 else None)


def function_name(text: str) -> str:
    """The bare function name in a ``FunctionName`` or Lambda ARN; other ARNs give :func:`short_name`, other
    text comes back as it is.

    Example:
        >>> function_name("123456789012:function:fetch:prod"), function_name("fetch:3"), function_name("${Fn}")
        ('fetch', 'fetch', '${Fn}')
    """
    ref = FunctionRef.try_parse(text)
    if ref is not None:
        return ref.name
    arn = Arn.try_parse(text)
    if arn is None:
        return text
    return arn.parts[0] if arn.service == "lambda" and arn.resource_type == "function" else arn.name


def short_name(text: str) -> str:
    """The name an ARN is known by (:attr:`Arn.name`); for other text, its last ``:`` field.

    Example:
        >>> short_name("arn:aws:states:eu-west-1:1:execution:triage:run-1"), short_name("run-2")
        ('run-1', 'run-2')
    """
    arn = Arn.try_parse(text)
    return arn.name if arn is not None else _fields(text)[-1]


def find_arns(text: str) -> list[str]:
    """The ARNs written in ``text`` (an error message, a failure cause), in order.

    Example:
        >>> find_arns("Execution Already Exists: 'arn:aws:states:us-east-1:1:execution:M:run-1'")
        ['arn:aws:states:us-east-1:1:execution:M:run-1']
    """
    return ARN_IN_TEXT.findall(text)
