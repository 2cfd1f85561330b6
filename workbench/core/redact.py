"""The one redaction module: every report, export and log line that shows execution data goes through it.

Why: execution inputs, outputs and error causes carry whatever the Mission was given, secrets
included, and reports and exported frames are made to be shared.

What is hidden (each replaced by ``[redacted]``):

* **secret fields**, at any depth of a JSON value, also inside JSON documents nested as strings and
  inside JSON found in free text. Names are compared without case or separators; short words
  (``pin``, ``otp``, ``auth``, ``dsn``, ``jwt``, ``pwd``) and ``session`` must be whole name parts,
  longer ones may appear anywhere (rule and key list: :mod:`workbench.core.redact_patterns`). A secret
  field's strings are hidden; containers keep their shape with every string inside hidden; numbers,
  booleans and null are kept (they are counts and flags: ``token_count``, ``max_tokens``) except under
  pin/otp/password-like names and under keys you add yourself;
* **name/value pairs** whose name is secret: ``{"name": "Authorization", "value": "..."}``,
  ``{"Name": "X-Api-Key", "Value": "..."}``, ``["Cookie", "..."]``;
* **secret shapes anywhere in any text**: JWTs, GitHub (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``,
  ``ghr_``, ``github_pat_``) and Slack (``xox[abprs]-``) tokens, AWS access key ids (``AKIA``/``ASIA``)
  and a 40-character secret key near one or after its name, PEM private key blocks, the password of
  ``scheme://user:password@host``, ``Cookie:``/``Set-Cookie:`` values, ``Bearer``/``Basic`` credentials
  and ``key=value`` / ``key: value`` / ``"key": "value"`` pairs with a secret key.

Ordinary ids, hashes (git SHAs, sha256), UUIDs, ARNs, timestamps, e-mail addresses and URLs without
a password stay as they are.

Example:
    >>> redact({"user": "ann", "headers": [{"name": "Authorization", "value": "Bearer abc.def"}]})
    {'user': 'ann', 'headers': [{'name': 'Authorization', 'value': '[redacted]'}]}
    >>> redact_text("connect postgres://app:hunter2@db:5432/orders failed")
    'connect postgres://app:[redacted]@db:5432/orders failed'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.redact_patterns import (
    AWS_SECRET_NAMED,
    COOKIE_HEADER,
    DEFAULT_SECRET_KEYS,
    LOOSE_SCHEME,
    NAMED_PAIR,
    PAIR_KEY,
    PAIR_NAME_FIELDS,
    PAIR_VALUE,
    PAIR_VALUE_FIELDS,
    PEM_BLOCK,
    REDACTED,
    URL_USERINFO,
    VALUE_RULES,
    KeyRule,
    aws_secrets_near_key_ids,
    credential_like,
    key_rule,
    norm,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_SECRET_KEYS", "REDACTED", "Redactor", "hide_local_paths", "redact", "redact_frame",
           "redact_text"]

_NESTED_JSON_DEPTH = 4  # JSON inside a string inside JSON... parsed this deep
_EMBEDDED_TRIES = 64  # JSON starts tried per free text
_EMBEDDED_MAX_CHARS = 262_144  # longer free text gets the pattern rules only
_JSON_START = re.compile(r"[{\[]")
_DECODER = json.JSONDecoder()
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_HEADER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_VALUE_GROUPS = ("ebody", "dbody", "sbody", "scheme", "bare")


@dataclass(frozen=True)
class Redactor:
    """Redaction and truncation rules (one per report; :func:`redact` and :func:`redact_text` use the defaults).

    ``keys``: secret field names; ``max_bytes``: :meth:`payload` and :meth:`text` cut longer results;
    ``hide_paths``: replace this machine's home and working folders (they name people and hosts).

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

    @property
    def _rule(self) -> KeyRule:
        return key_rule(tuple(self.keys))

    def is_secret(self, key: str) -> bool:
        """Does a field with this name hold a secret? Decides which JSON fields are hidden.

        Example:
            >>> r = Redactor()
            >>> [r.is_secret(k) for k in ("x-api-key", "dbPassword", "userPin", "sessionId", "ConnectionString")]
            [True, True, True, True, True]
            >>> [r.is_secret(k) for k in ("author", "pinned", "max_tokens", "topic", "shipping")]
            [False, False, False, False, False]
        """
        return self._rule.match(str(key)) is not None

    # -- structured values ----------------------------------------------------------------------
    def value(self, obj: object, depth: int = 0) -> object:
        """A parsed JSON value with secrets hidden (JSON nested in strings is parsed and redacted too).

        Example:
            >>> Redactor().value({"body": '{"token": "t-1", "n": 2}', "max_tokens": 512})
            {'body': '{"token": "[redacted]", "n": 2}', 'max_tokens': 512}
        """
        if isinstance(obj, dict):
            return self._dict(obj, depth)
        if isinstance(obj, list):
            return self._list(obj, depth)
        if isinstance(obj, str):
            return self._string(obj, depth)
        return obj

    def _dict(self, obj: dict[object, object], depth: int) -> dict[object, object]:
        rule = self._rule
        named = any(norm(str(k)) in PAIR_NAME_FIELDS and isinstance(v, str) and rule.match(v) is not None
                    for k, v in obj.items())
        out: dict[object, object] = {}
        for k, v in obj.items():
            name = str(k)
            word = rule.match(name)
            key = self._scrub(k, depth) if isinstance(k, str) and len(k) >= 12 else k
            if word is not None:
                out[key] = self._hidden(v, word in rule.numeric)
            elif named and norm(name) in PAIR_VALUE_FIELDS:
                out[key] = self._hidden(v, False)
            else:
                out[key] = self.value(v, depth)
        return out

    def _list(self, obj: list[object], depth: int) -> list[object]:
        if (len(obj) == 2 and isinstance(obj[0], str) and _HEADER_NAME.fullmatch(obj[0])
                and isinstance(obj[1], str | dict | list) and (word := self._rule.match(obj[0])) is not None):
            return [obj[0], self._hidden(obj[1], word in self._rule.numeric)]  # ["Authorization", "Bearer ..."]
        return [self.value(v, depth) for v in obj]

    def _hidden(self, obj: object, numeric: bool) -> object:
        """The value of a secret field: strings hidden, containers kept in shape, numbers if ``numeric``."""
        if isinstance(obj, str):
            return REDACTED if obj else obj
        if isinstance(obj, bool) or obj is None:
            return obj
        if isinstance(obj, int | float):
            return REDACTED if numeric else obj
        if isinstance(obj, dict):
            rule = self._rule
            return {k: self._hidden(v, numeric or rule.match(str(k)) in rule.numeric) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self._hidden(v, numeric) for v in obj]
        return REDACTED

    def _string(self, text: str, depth: int) -> str:
        stripped = text.strip()
        if depth < _NESTED_JSON_DEPTH and stripped[:1] in ("{", "[") and len(stripped) > 1:
            try:
                inner = json.loads(stripped)
                if isinstance(inner, dict | list):
                    red = self.value(inner, depth + 1)
                    return text if red == inner else json.dumps(red, ensure_ascii=False)
            except (ValueError, RecursionError):  # not JSON, or nested too deep to walk: the text rules
                pass
        return self._scrub(text, depth)

    # -- free text ------------------------------------------------------------------------------
    def _scrub(self, text: str, depth: int) -> str:
        """Every text rule, in order (no path hiding, no cut)."""
        out = self._embedded(text, depth) if depth < _NESTED_JSON_DEPTH else text
        out = PEM_BLOCK.sub(REDACTED, out)
        out = URL_USERINFO.sub(lambda m: m["head"] + REDACTED + "@", out)
        out = COOKIE_HEADER.sub(lambda m: m["head"] + REDACTED, out)
        out = AWS_SECRET_NAMED.sub(lambda m: m["head"] + REDACTED, out)
        out = aws_secrets_near_key_ids(out)
        out = self._pairs(out)
        out = NAMED_PAIR.sub(self._named_pair, out)
        out = LOOSE_SCHEME.sub(lambda m: m["head"] + REDACTED if credential_like(m["cred"]) else m[0], out)
        for _, pattern in VALUE_RULES:
            out = pattern.sub(REDACTED, out)
        return out

    def _embedded(self, text: str, depth: int) -> str:
        """JSON objects and arrays inside free text, redacted as structures (untouched when nothing is secret)."""
        if len(text) > _EMBEDDED_MAX_CHARS or ("{" not in text and "[" not in text):
            return text
        parts: list[str] = []
        last = pos = tries = 0
        while tries < _EMBEDDED_TRIES:
            m = _JSON_START.search(text, pos)
            if m is None:
                break
            tries += 1
            start = m.start()
            try:
                obj, end = _DECODER.raw_decode(text, start)
                red = self.value(obj, depth + 1) if isinstance(obj, dict | list) and obj else obj
            except (ValueError, RecursionError):
                pos = start + 1
                continue
            if red != obj:
                parts += [text[last:start], json.dumps(red, ensure_ascii=False)]
                last = end
            pos = end
        return "".join([*parts, text[last:]]) if parts else text

    def _pairs(self, text: str) -> str:
        """``key=value``-style pairs whose key is secret (the value only; quotes and separators stay)."""
        rule = self._rule
        if rule.words.search(text) is None:
            return text
        parts: list[str] = []
        last = pos = 0
        while (k := PAIR_KEY.search(text, pos)) is not None:
            pos = k.end("key")
            word = rule.match(k["key"])
            m = PAIR_VALUE.match(text, k.end()) if word is not None else None
            if m is None:
                continue
            group = next(g for g in _VALUE_GROUPS if m[g] is not None)
            start, end = m.start(group), (m.end("cred") if group == "scheme" else m.end(group))
            found = text[start:end]
            if not found or found == REDACTED or (
                    group == "bare" and (found.lower() in ("true", "false", "null", "none")
                                         or (_NUMBER.fullmatch(found) and word not in rule.numeric))):
                continue
            parts += [text[last:start], REDACTED]
            last = pos = end
        return "".join([*parts, text[last:]]) if parts else text

    def _named_pair(self, m: re.Match[str]) -> str:
        if not m["value"] or m["value"] == REDACTED or not self.is_secret(m["name"]):
            return m[0]
        return m[0][: m.start("value") - m.start()] + REDACTED + m[0][m.end("value") - m.start():]

    def text(self, text: str | None, *, cut: bool = True) -> str:
        """Free text (an error cause, a log line, a non-JSON payload) with every secret hidden.

        Local paths are hidden when ``hide_paths``; ``cut`` truncates to ``max_bytes``.

        Example:
            >>> Redactor().text("Authorization: Bearer abcdefghijkl and AKIAABCDEFGHIJKLMNOP")
            'Authorization: [redacted] and [redacted]'
        """
        if not text:
            return ""
        out = self._scrub(text, 0)
        if self.hide_paths:
            out = hide_local_paths(out)
        return self.truncate(out) if cut else out

    def payload(self, text: str | None) -> str:
        """A JSON payload pretty-printed (or any text) with secrets hidden, then cut to ``max_bytes``.

        Example:
            >>> print(Redactor().payload('{"jwt": "eyJhbGciOiJIUzI1NiJ9.e30.sig", "id": 7}'))
            {
              "jwt": "[redacted]",
              "id": 7
            }
        """
        if text is None:
            return ""
        try:
            parsed = json.loads(text)
            if isinstance(parsed, str):
                return self.text(parsed)
            pretty = json.dumps(self.value(parsed), indent=2, ensure_ascii=False)
        except (ValueError, TypeError, RecursionError):  # not JSON, or nested too deep to walk
            return self.text(text)
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


_SHARED = Redactor(hide_paths=False)


def redact(obj: object) -> object:
    """Any JSON-like value (dict, list, str, number) with secrets hidden, for callers outside reports.

    Nothing is cut and local paths stay; strings holding JSON are redacted inside.

    Example:
        >>> redact({"db": {"connectionString": "Server=db;Password=x"}, "userPin": 1234, "pinned": True})
        {'db': {'connectionString': '[redacted]'}, 'userPin': '[redacted]', 'pinned': True}
    """
    return _SHARED.value(obj)


def redact_text(text: str | None) -> str:
    """Free text or JSON text with secrets hidden: for log lines, messages and exported cells.

    Example:
        >>> redact_text("token=ghp_0123456789abcdefghijABCDEFGHIJ012345 for ann@example.com")
        'token=[redacted] for ann@example.com'
    """
    return _SHARED.text(text, cut=False)


def redact_frame(df: pd.DataFrame, columns: Sequence[str] | None = None, *,
                 redactor: Redactor | None = None) -> pd.DataFrame:
    """A copy of a frame with its text cells redacted, so an exported CSV or Parquet file holds no secret.

    ``columns`` defaults to every text column (``str``, ``object`` and ``category``); numbers and times
    are kept. Each distinct value is redacted once.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"cause": ["password=hunter2", None], "retries": [1, 2]})
        >>> redact_frame(frame)["cause"].tolist()
        ['password=[redacted]', nan]
    """
    r = redactor or _SHARED
    names = [c for c in (df.columns if columns is None else columns) if c in df.columns]
    out = df.copy(deep=False)
    for name in names:
        col = df[name]
        if _is_text(col):
            out[name] = _redact_column(col, r)
    return out


def _is_text(col: pd.Series) -> bool:
    import pandas as pd

    if isinstance(col.dtype, pd.CategoricalDtype):
        return bool(col.cat.categories.dtype == object or pd.api.types.is_string_dtype(col.cat.categories.dtype))
    return bool(col.dtype == object or pd.api.types.is_string_dtype(col.dtype))


def _redact_column(col: pd.Series, r: Redactor) -> pd.Series:
    import pandas as pd

    def one(v: object) -> object:
        if isinstance(v, str):
            return r.text(v, cut=False)
        return r.value(v) if isinstance(v, dict | list) else v

    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
        new = [one(c) for c in cats]
        if new == cats:
            return col
        return col.map(dict(zip(cats, new, strict=True)))
    try:
        uniques = col.dropna().unique()
    except TypeError:  # unhashable cells (dicts, lists): one by one
        return col.map(one)
    changed = {u: got for u in uniques if isinstance(u, str) and (got := one(u)) != u}
    if not changed:
        return col
    mask = col.isin(list(changed))
    out = col.copy()
    out[mask] = col[mask].map(changed)
    return out


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
