"""ARNs: the one place that parses, checks and writes the Amazon Resource Names the workbench meets.

:class:`Arn` covers state machines (with a version or an alias), standard and Express executions, Map
Runs, activities, Lambda functions (with or without a qualifier) and ``arn:aws:states:::service:action``
integrations; any other well-formed ARN parses too, with kind :attr:`ArnKind.OTHER`. :class:`FunctionRef`
reads what Lambda accepts as ``FunctionName`` (a name, ``NAME:QUALIFIER``, a partial or a full ARN).

Templated ARNs parse: a ``${Placeholder}`` (CloudFormation, ``--sub``) or a ``<placeholder>`` (redacted
histories) stands for one field, even when it holds a colon, as in ``arn:${AWS::Partition}:...``.
Parsing is cached (:meth:`Arn.try_parse`), so per-event callers pay once for each distinct ARN.

:class:`ArnKind`, :class:`Integration`, the field patterns, the kind tuples, :func:`find_arns`,
:func:`mask_arns` and :func:`looks_like_arn` live in :mod:`workbench.core.arn_syntax` (it imports nothing from
here: no cycle) and are re-exported, so ``from workbench.core.arn import NAME`` works for every name in
``__all__``. Lambda ``FunctionName`` references (``FunctionRef``, ``function_name``) are in
:mod:`workbench.core.lambda_names`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from workbench.core.arn_syntax import (
    _INTEGRATION,
    _MACHINE_KINDS,
    _PLACEHOLDER,
    _RUN_KINDS,
    _SDK,
    _SHAPES,
    ARN_IN_TEXT,
    EXECUTION_KINDS,
    STATE_MACHINE_KINDS,
    ArnKind,
    Integration,
    _article,
    _fields,
    _kind_of,
    _problem,
    _quote,
    find_arns,
    looks_like_arn,
    mask_arns,
)
from workbench.core.diagnostics import ArnError

__all__ = ["ARN_IN_TEXT", "EXECUTION_KINDS", "STATE_MACHINE_KINDS", "Arn", "ArnError", "ArnKind", "Integration",
           "find_arns", "looks_like_arn", "mask_arns", "short_name"]

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

    def express_execution(self, name: str, execution_id: str) -> Arn:
        """The ARN AWS gives the Express execution ``name`` of this state machine (with its id).

        Example:
            >>> str(Arn.parse("arn:aws:states:eu-west-1:1:stateMachine:M").express_execution("run-1", "5f0e"))
            'arn:aws:states:eu-west-1:1:express:M:run-1:5f0e'
        """
        if self.kind not in _MACHINE_KINDS:
            raise ArnError(f"{_quote(str(self))} is not a state machine ARN: expected {_SHAPES[ArnKind.STATE_MACHINE]}")
        return self._made(ArnKind.EXPRESS_EXECUTION, self.partition, self.service, self.region, self.account,
                          f"express:{self.parts[0]}:{name}:{execution_id}")

    # -- views --------------------------------------------------------------------------------------
    @property
    def log_group(self) -> str | None:
        """The log group name of a CloudWatch Logs log-group ARN (``...:log-group:NAME[:*]``); else None.

        Example:
            >>> Arn.parse("arn:aws:logs:us-east-1:1:log-group:/aws/vendedlogs/states/M:*").log_group
            '/aws/vendedlogs/states/M'
        """
        if self.service != "logs" or self.resource_type != "log-group" or not self.parts:
            return None
        return self.parts[0]

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


def short_name(text: str) -> str:
    """The name an ARN is known by (:attr:`Arn.name`); for other text, its last ``:`` field.

    Example:
        >>> short_name("arn:aws:states:eu-west-1:1:execution:triage:run-1"), short_name("run-2")
        ('run-1', 'run-2')
    """
    arn = Arn.try_parse(text)
    return arn.name if arn is not None else _fields(text)[-1]

