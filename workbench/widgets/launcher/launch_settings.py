"""What the launcher's boxes mean: execution input, fault settings and the target, checked in plain words.

Pure functions (text → value or a message naming the line, column or field), so the launcher can
check as the operator types and tests can check the messages without a widget.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from workbench.core.arn import Arn
from workbench.core.yaml_load import InputError, load_yaml, yaml_problem
from workbench.engine.errors import TargetError
from workbench.engine.tools.faults import FaultPlan

TargetKind = Literal["embedded", "aws", "endpoint"]
MAX_INPUT_BYTES = 256 * 1024
FAULT_FIELDS = "fail_rate, error, message, latency, throttle, timeout_rate"


@dataclass(frozen=True)
class Checked:
    """A parsed box: its value, or ``error`` (plain words) when it cannot be used."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_input(text: str) -> Checked:
    """Parse the execution input as JSON; an error names the line and column.

    Example:
        >>> check_input('{"alert_id": "A-1"}').value
        {'alert_id': 'A-1'}
        >>> check_input('{"alert_id": }').error
        'input, line 1, column 14: Expecting value'
    """
    if not text.strip():
        return Checked(value={})
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Checked(error=f"input, line {exc.lineno}, column {exc.colno}: {exc.msg}")
    size = len(text.encode("utf-8"))
    if size > MAX_INPUT_BYTES:
        return Checked(error=f"input is {size / 1024:.1f} KiB; Step Functions accepts at most 256 KiB. "
                             "Store large data elsewhere (e.g. S3) and pass a reference.")
    return Checked(value=value)


def input_text(value: Any) -> str:
    """The input as the JSON text shown in the box (indented, Unicode kept)."""
    return json.dumps({} if value is None else value, indent=2, ensure_ascii=False)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "tools":
        parts = parts[1:]
    return " → ".join(parts) or "faults"


def check_faults(text: str, seed: int | None = None, tools: Iterable[str] | None = None) -> Checked:
    """Parse the fault box (YAML or JSON ``{tool: {fail_rate, error, latency, throttle, timeout_rate}}``).

    Returns a :class:`FaultPlan` (``None`` for an empty box); unknown tools and bad fields are named.

    Example:
        >>> plan = check_faults("search_logs: {fail_rate: 0.5}", seed=7, tools=["search_logs"]).value
        >>> plan.tools["search_logs"].fail_rate, plan.seed
        (0.5, 7)
        >>> check_faults("search_logs: {fail_rate: 2}", tools=["search_logs"]).error
        'faults, search_logs → fail_rate: Input should be less than or equal to 1'
    """
    if not text.strip():
        return Checked(value=None)
    try:
        data = load_yaml(text, file="faults")
    except yaml.YAMLError as exc:
        problem, line, column = yaml_problem(exc)
        where = f", line {line}, column {column}" if line else ""
        return Checked(error=f"faults{where}: not valid YAML/JSON ({problem})")
    except InputError as exc:  # an alias bomb or a too deep nesting pasted into the box
        return Checked(error=f"faults: {exc.diagnostics[0].message}")
    if data is None:
        return Checked(value=None)
    if not isinstance(data, dict):
        return Checked(error="faults: expected a mapping of tool name → settings, e.g. "
                             "{search_logs: {fail_rate: 0.3, error: Lambda.ServiceException}}")
    known = list(tools) if tools is not None else None
    if known is not None:
        unknown = [str(name) for name in data if name not in known]
        if unknown:
            return Checked(error=f"faults: no tool named {', '.join(repr(u) for u in unknown)} in this Mission; "
                                 f"its tools are {', '.join(known) or 'none'}")
    for name, spec in data.items():
        if not isinstance(spec, dict):
            return Checked(error=f"faults, {name}: expected settings such as {{fail_rate: 0.3}} ({FAULT_FIELDS})")
    try:
        return Checked(value=FaultPlan.model_validate({"seed": seed, "tools": data}))
    except ValidationError as exc:
        first = exc.errors()[0]
        hint = f" (fields: {FAULT_FIELDS})" if first.get("type") == "extra_forbidden" else ""
        return Checked(error=f"faults, {_where(tuple(first['loc']))}: {first['msg']}{hint}")


def check_seed(text: str) -> Checked:
    """The fault seed: empty (a fresh random seed each run) or a whole number.

    Example:
        >>> check_seed("42").value, check_seed("").value, check_seed("x").ok
        (42, None, False)
    """
    text = text.strip()
    if not text:
        return Checked(value=None)
    try:
        return Checked(value=int(text))
    except ValueError:
        return Checked(error=f"seed: '{text}' is not a whole number (leave it empty for a random seed)")


def faults_text(faults: dict[str, Any]) -> str:
    """A Mission's ``local.faults`` as the YAML shown in the fault box."""
    if not faults:
        return ""
    plain = {name: (spec.model_dump(exclude_defaults=True) if hasattr(spec, "model_dump") else spec)
             for name, spec in faults.items()}
    return yaml.safe_dump(plain, sort_keys=False, default_flow_style=None).strip()


@dataclass(frozen=True)
class TargetChoice:
    """The target part of the launcher: which engine, and its settings."""

    kind: TargetKind = "embedded"
    time_warp: bool = False
    profile: str = ""
    region: str = ""
    role_arn: str = ""
    url: str = ""
    env_file: str = ""  # written by `workbench engine serve --env-file`: endpoint credentials

    @staticmethod
    def parse(spec: str) -> TargetChoice:
        """``"embedded"``, ``"aws"`` or an endpoint URL, as accepted by ``Launcher(target=...)``.

        Example:
            >>> TargetChoice.parse("http://127.0.0.1:4599").kind
            'endpoint'
        """
        text = (spec or "embedded").strip()
        if text.lower().startswith(("http://", "https://")):
            return TargetChoice(kind="endpoint", url=text)
        if text.lower() == "aws":
            return TargetChoice(kind="aws")
        if text.lower() in {"embedded", "local", "moto"}:
            return TargetChoice(kind="embedded")
        raise TargetError(f"target '{text}': use 'embedded', 'aws' or an endpoint URL such as http://127.0.0.1:4599")

    def problem(self) -> str | None:
        """What is missing before a launch can go ahead, in plain words (None when complete)."""
        if (self.kind == "endpoint" and not self.env_file.strip()
                and not self.url.strip().lower().startswith(("http://", "https://"))):
            return ("endpoint: enter the URL of a Step Functions endpoint, e.g. http://127.0.0.1:4599, or the env "
                    "file `workbench engine serve --env-file` wrote")
        role = Arn.try_parse(self.role_arn.strip())
        if self.kind == "aws" and (role is None or role.service != "iam" or role.resource_type != "role"):
            return ("aws: enter the IAM role ARN the state machine runs as "
                    "(arn:aws:iam::ACCOUNT:role/NAME)")
        return None

    def describe(self) -> str:
        """A short line saying where the run goes."""
        if self.kind == "embedded":
            return f"embedded engine{' with time warp' if self.time_warp else ''}"
        if self.kind == "aws":
            where = ", ".join(x for x in (self.profile and f"profile {self.profile}", self.region) if x)
            return f"AWS{f' ({where})' if where else ''}"
        return f"endpoint {self.url or self.env_file}"
