"""Make execution data safe to share: redact secret-looking fields, cut large payloads, hide local paths.

Payloads are JSON text in histories. A payload that parses is redacted structurally: the value of
every key whose name looks secret (``password``, ``token``, ``api_key``, ``Authorization``... at
any depth, also inside JSON documents nested as strings) becomes ``[redacted]``. Free text (error
causes, non-JSON payloads) is scanned for ``password=...``-style pairs, ``Bearer`` tokens and AWS
access key ids. Then anything longer than ``max_bytes`` is cut with a visible marker.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Field names treated as secret by default (compared without case, ``_``/``-`` and spaces).
DEFAULT_SECRET_KEYS: tuple[str, ...] = (
    "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "authorization", "auth_header", "cookie",
    "credential", "private_key", "access_key", "session_key", "client_secret", "signature",
)
REDACTED = "[redacted]"
_NESTED_JSON_DEPTH = 4


def _norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


@dataclass(frozen=True)
class Redactor:
    """Redaction and truncation rules of one report.

    Example:
        >>> r = Redactor(max_bytes=80)
        >>> r.payload('{"user": "ann", "db": {"Password": "hunter2"}}')
        '{\\n  "user": "ann",\\n  "db": {\\n    "Password": "[redacted]"\\n  }\\n}'
        >>> r.text("login failed: password=hunter2 for ann")
        'login failed: password=[redacted] for ann'
    """

    keys: Sequence[str] = DEFAULT_SECRET_KEYS
    max_bytes: int = 4096
    hide_paths: bool = True

    def __post_init__(self) -> None:
        if self.max_bytes < 16:
            raise ValueError(f"max_bytes must be at least 16, got {self.max_bytes}")

    # -- rules -----------------------------------------------------------------------------------
    @property
    def _keys(self) -> tuple[str, ...]:
        return tuple(k for k in (_norm(k) for k in self.keys) if k)

    def is_secret(self, key: str) -> bool:
        """Does a field with this name hold a secret? (``x-api-key``, ``dbPassword``, ``AUTH_TOKEN``...)"""
        name = _norm(key)
        return any(k in name for k in self._keys)

    def _pairs(self) -> re.Pattern[str]:
        return _pair_pattern(tuple(sorted(set(self.keys), key=lambda k: (-len(k), k))))

    # -- values ----------------------------------------------------------------------------------
    def value(self, obj: Any, depth: int = 0) -> Any:
        """A parsed JSON value with secret fields replaced (nested JSON strings are parsed and redacted too)."""
        if isinstance(obj, dict):
            return {k: (REDACTED if self.is_secret(str(k)) and obj[k] not in (None, "") else self.value(v, depth))
                    for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.value(v, depth) for v in obj]
        if isinstance(obj, str):
            stripped = obj.strip()
            if depth < _NESTED_JSON_DEPTH and stripped[:1] in ("{", "[") and len(stripped) > 1:
                try:
                    inner = json.loads(stripped)
                except ValueError:
                    return self.text(obj, cut=False)
                if isinstance(inner, dict | list):
                    return json.dumps(self.value(inner, depth + 1), ensure_ascii=False)
            return self.text(obj, cut=False)
        return obj

    def text(self, text: str | None, *, cut: bool = True) -> str:
        """Free text with ``key=value`` secrets, Bearer tokens, AWS key ids (and local paths) masked."""
        if not text:
            return ""
        out = self._pairs().sub(lambda m: m.group(1) + REDACTED, text)
        out = re.sub(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", r"\1 " + REDACTED, out)
        out = re.sub(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", REDACTED, out)
        if self.hide_paths:
            out = hide_local_paths(out)
        return self.truncate(out) if cut else out

    def payload(self, text: str | None) -> str:
        """A JSON payload (pretty-printed) or any text, redacted then truncated to ``max_bytes``."""
        if text is None:
            return ""
        try:
            parsed = json.loads(text)
        except (ValueError, TypeError):
            return self.text(text)
        if isinstance(parsed, str):
            return self.text(parsed)
        pretty = json.dumps(self.value(parsed), indent=2, ensure_ascii=False)
        return self.truncate(hide_local_paths(pretty) if self.hide_paths else pretty)

    def truncate(self, text: str) -> str:
        """Cut at ``max_bytes`` UTF-8 bytes with a visible marker saying how much there was.

        Example:
            >>> Redactor(max_bytes=20).truncate("x" * 100)
            'xxxxxxxxxxxxxxxxxxxx\\n… [truncated: 100 bytes, first 20 shown]'
        """
        data = text.encode("utf-8")
        if len(data) <= self.max_bytes:
            return text
        head = data[: self.max_bytes].decode("utf-8", errors="ignore")
        return f"{head}\n… [truncated: {len(data):,} bytes, first {self.max_bytes:,} shown]"


@lru_cache(maxsize=16)
def _pair_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    """``<secret-ish key> = value`` / ``key: value`` / ``"key": "value"`` (an auth scheme is part of the value)."""
    words = "|".join(re.escape(k) for k in keys)
    value = r"(?:(?:bearer|basic|digest|token)\s+[^\s,;&}\]]+|\"[^\"]*\"|'[^']*'|[^\s,;&}\]]+)"
    return re.compile(rf"(?i)(\b[\w-]*(?:{words})[\w-]*\b[\"']?\s*[:=]\s*)({value})")


def hide_local_paths(text: str) -> str:
    """Replace this machine's home folder and working folder by ``~`` and ``.`` (they name people and hosts).

    Example:
        >>> import os
        >>> hide_local_paths(os.path.join(os.getcwd(), "tools", "x.py")) == os.path.join(".", "tools", "x.py")
        True
    """
    out = text
    for folder, short in ((os.getcwd(), "."), (str(Path.home()), "~")):
        if len(folder) > 1 and folder in out:
            out = out.replace(folder, short)
    return out
