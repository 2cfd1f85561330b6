"""Lambda ``FunctionName`` references, which name a function without always being an ARN.

Lambda accepts ``NAME``, ``NAME:QUALIFIER``, ``ACCOUNT:function:NAME[:QUALIFIER]`` (with ``REGION:`` before it)
or a full function ARN; :class:`FunctionRef` reduces each to the name and qualifier, on top of
:class:`~workbench.core.arn.Arn` for the ARN form.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from workbench.core.arn import Arn
from workbench.core.arn_syntax import _FUNCTION, _QUALIFIER, _SCOPE, _SHAPES, ArnKind, _fields, _quote, looks_like_arn
from workbench.core.diagnostics import ArnError

__all__ = ["FunctionRef", "function_name"]


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
