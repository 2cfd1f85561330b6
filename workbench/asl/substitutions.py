"""Deployment placeholders (``${LambdaArn}``) in ASL definitions: find them and fill them in.

SAM, CloudFormation ``DefinitionSubstitutions`` and Terraform ``templatefile`` leave ``${Name}`` in
definitions; real AWS needs them replaced before a deploy, and the embedded engine binds a placeholder
that names a Lambda to a local tool. Both functions are pure: the definition is never modified.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import Any

from workbench.core.diagnostics import AslError, Diagnostic, Severity

PLACEHOLDER = re.compile(r"\$\{([^${}\s]+)\}")
"""``${Name}``; names may hold ``:``/``.``/``-`` as CloudFormation's do (``${AWS::Region}``)."""


def find_placeholders(definition: Any) -> set[str]:
    """Every placeholder name used in a definition (in values and in keys).

    Example:
        >>> sorted(find_placeholders({"States": {"A": {"Resource": "${FetchArn}", "Next": "${AWS::Region}-x"}}}))
        ['AWS::Region', 'FetchArn']
    """
    found: set[str] = set()
    stack: list[Any] = [definition]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.update(PLACEHOLDER.findall(item))
        elif isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str):
                    found.update(PLACEHOLDER.findall(key))
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def substitute(definition: dict[str, Any], mapping: Mapping[str, str], *, strict: bool = False) -> dict[str, Any]:
    """A copy of ``definition`` with each ``${Name}`` in ``mapping`` replaced by its value.

    Placeholders not in ``mapping`` stay as they are, unless ``strict`` is set: then an
    :class:`AslError` names every unknown placeholder (and where it is first used).

    Example:
        >>> substitute({"Resource": "arn:aws:lambda:${Region}:1:function:f"}, {"Region": "eu-west-1"})
        {'Resource': 'arn:aws:lambda:eu-west-1:1:function:f'}
    """
    if strict:
        missing = sorted(find_placeholders(definition) - set(mapping))
        if missing:
            raise AslError([_unknown(name, first_use(definition, name)) for name in missing])

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: mapping.get(m.group(1), m.group(0)), text)

    def copy(value: Any) -> Any:
        if isinstance(value, str):
            return fill(value)
        if isinstance(value, dict):
            return {fill(k) if isinstance(k, str) else k: copy(v) for k, v in value.items()}
        if isinstance(value, list):
            return [copy(v) for v in value]
        return value

    result: dict[str, Any] = copy(definition)
    return result


def parse_substitutions(pairs: list[str]) -> dict[str, str]:
    """``["Name=value", ...]`` (as given to ``--sub``) → a mapping; a pair without ``=`` is an error.

    Example:
        >>> parse_substitutions(["FetchArn=arn:aws:lambda:eu-west-1:1:function:fetch", "Env=prod"])
        {'FetchArn': 'arn:aws:lambda:eu-west-1:1:function:fetch', 'Env': 'prod'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise AslError([Diagnostic(code="SUB002", severity=Severity.ERROR,
                                       message=f"'{pair}' is not a substitution",
                                       hint="write NAME=value, e.g. --sub FetchArn=arn:aws:lambda:...")])
        out[name.strip()] = value
    return out


def first_use(definition: Any, name: str) -> str:
    """The path of the first string that uses ``${name}`` (breadth first, so the shallowest use)."""
    queue: deque[tuple[str, Any]] = deque([("", definition)])
    token = "${" + name + "}"
    while queue:
        path, item = queue.popleft()
        if isinstance(item, str) and token in item:
            return path
        if isinstance(item, dict):
            for key, value in item.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and token in key:
                    return where
                queue.append((where, value))
        elif isinstance(item, list):
            queue.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
    return ""


def _unknown(name: str, where: str) -> Diagnostic:
    return Diagnostic(code="SUB001", severity=Severity.ERROR, location=where,
                      message=f"no value for the placeholder ${{{name}}}",
                      hint=f"pass --sub {name}=VALUE (or bind it to a local tool)")
