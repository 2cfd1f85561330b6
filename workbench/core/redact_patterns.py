"""The tables behind :mod:`workbench.core.redact`: secret field names, how names are compared, value shapes.

Field names are split into parts (camelCase, snake_case, kebab-case, dots, spaces and digits all
separate parts; ``X-Auth-Token`` → ``x auth token``, ``userPIN`` → ``user pin``) and compared without
case or separators:

* a key of at most four letters (``pin``, ``otp``, ``dsn``, ``pwd``, ``auth``, ``jwt``), and ``session``,
  must be one whole part: ``userPin``, ``pin_code``, ``X-Auth-Token``, ``sessionId`` are secret;
  ``pinned``, ``spinner``, ``shipping``, ``author``, ``authored_at``, ``topic``, ``options`` are not;
* a longer key may appear anywhere in the name: ``dbPassword``, ``accesstoken``, ``ConnectionString``,
  ``connection-string`` and ``CONNECTION_STRING`` are all secret;
* the parts ``tokens``, ``tokenizer``... (counts and text-processing words of agent Missions) are dropped
  first, so ``max_tokens``, ``tokens_used`` and ``tokenizer`` are not secret.

Value shapes are found anywhere in any text, whatever field holds it: see ``VALUE_RULES``.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Field names treated as secret by default (compared without case, ``_``/``-``/``.`` and spaces).
DEFAULT_SECRET_KEYS: tuple[str, ...] = (
    "password", "passwd", "pwd", "passphrase", "passcode", "secret", "client_secret", "token", "api_key", "apikey",
    "auth", "authorization", "auth_header", "bearer", "jwt", "cookie", "session", "sessionid", "session_key",
    "credential", "credentials", "private_key", "ssh_key", "signing_key", "access_key", "signature",
    "connection_string", "dsn", "pin", "otp",
)
#: Keys matched as whole name parts even though they are longer than four letters.
WHOLE_PART_KEYS = frozenset({"session"})
#: Name parts that never make a name secret on their own (token counts, tokenizers).
BENIGN_PARTS = frozenset({"tokens", "tokenizer", "tokenizers", "tokenize", "tokenized", "tokenization",
                          "tokeniser", "tokenise", "tokenised"})
#: Names under which a number is a secret too (elsewhere numbers, booleans and null are kept: they are
#: counts, limits and flags such as ``token_count``, ``session_timeout``, ``password_set``).
NUMERIC_SECRET_KEYS = frozenset({"password", "passwd", "pwd", "passphrase", "passcode", "pin", "otp"})
#: In ``{"name": "Authorization", "value": "..."}`` shapes: the fields that name, and the fields that hold.
PAIR_NAME_FIELDS = frozenset({"name", "key", "header", "headername", "field", "param", "parameter", "variable"})
PAIR_VALUE_FIELDS = frozenset({"value", "values", "val", "headervalue", "content"})

REDACTED = "[redacted]"

_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def norm(key: str) -> str:
    """A key or name without case and separators, so spellings of one key compare equal.

    Example:
        >>> norm("Connection-String"), norm("CONNECTION_STRING")
        ('connectionstring', 'connectionstring')
    """
    return re.sub(r"[^a-z0-9]", "", key.lower())


def name_parts(name: str) -> list[str]:
    """The lower-case parts of a field name: ``X-Auth-Token`` → ``['x', 'auth', 'token']``.

    Example:
        >>> name_parts("userPINCode"), name_parts("CONNECTION_STRING"), name_parts("sessionId2")
        (['user', 'pin', 'code'], ['connection', 'string'], ['session', 'id', '2'])
    """
    return [p.lower() for p in _PART.findall(name)]


class KeyRule:
    """Which field names are secret under one list of keys (the rule in this module's docstring).

    Example:
        >>> rule = KeyRule(("pin", "password"))
        >>> rule.match("userPin"), rule.match("DB_PASSWORD"), rule.match("pinned")
        ('pin', 'password', None)
    """

    def __init__(self, keys: tuple[str, ...]) -> None:
        normed = {norm(k) for k in keys} - {""}
        self.whole = frozenset(k for k in normed if len(k) <= 4 or k in WHOLE_PART_KEYS)
        self.anywhere = tuple(sorted(normed - self.whole, key=lambda k: (-len(k), k)))
        extra = normed - {norm(k) for k in DEFAULT_SECRET_KEYS}
        self.numeric = frozenset(NUMERIC_SECRET_KEYS | extra)  # keys you add yourself cover numbers too
        words = sorted({k.replace("_", "[-_. ]?") for k in (re.escape(k.lower()) for k in keys if norm(k))},
                       key=lambda w: (-len(w), w))
        #: finds texts that may hold a secret ``key=value`` pair at all (the others skip that rule)
        self.words = re.compile("(?i)" + "|".join(words) if words else r"(?!x)x")

    def match(self, name: str) -> str | None:
        """The key that makes ``name`` secret, or None (the key decides whether numbers are hidden too).

        Example:
            >>> KeyRule(("token", "auth")).match("X-Auth-Token"), KeyRule(("token",)).match("max_tokens")
            ('auth', None)
        """
        parts = [p for p in name_parts(name) if p not in BENIGN_PARTS]
        if not parts:
            return None
        for p in parts:
            if p in self.whole:
                return p
        joined = "".join(parts)
        for k in self.anywhere:
            if k in joined:
                return k
        return None


@lru_cache(maxsize=32)
def key_rule(keys: tuple[str, ...]) -> KeyRule:
    """The rule of one key list, built once (every redactor with the same keys shares it).

    Example:
        >>> key_rule(("otp",)) is key_rule(("otp",))
        True
    """
    return KeyRule(keys)


AUTH_SCHEMES = r"bearer|basic|digest|negotiate|ntlm|token|aws4-hmac-sha256|hmac|apikey|sso-key"
#: ``key = value``, ``key: value``, ``"key": "value"``, ``\\"key\\": \\"value\\"`` in free text. The key is
#: one or two words (``API key: ...``); whether it is secret is decided by :class:`KeyRule`, and only then is the value
#: read: a quoted string, an auth scheme with its credential, or a bare word (this keeps it linear).
PAIR_KEY = re.compile(r"(?i)(?<![\w.-])(?P<key>[\w.-]++(?: [\w.-]++)?)\\*+[\"']?\s*+[:=]\s*+")
PAIR_VALUE = re.compile(
    r"(?i)(?P<esc>\\+)\"(?P<ebody>.*?)(?P=esc)\"|\"(?P<dbody>(?:[^\"\\\n]|\\.)*+)\"|'(?P<sbody>[^'\n]*+)'"
    rf"|(?P<scheme>(?:{AUTH_SCHEMES})\s+)(?P<cred>[^\s,;&\"'\\]+)"
    r"|(?P<bare>[^\s,;&}\]{\[\"'\\][^\s,;&}\]\"'\\]*+)")

#: ``'name': 'X-Api-Key', 'value': '...'`` in free text (a Python repr, JSON that did not parse): the
#: value goes when the name is secret.
NAMED_PAIR = re.compile(
    r"(?i)(?<![\w\\-])\\*[\"']?(?:name|key|header|headername|field|param|parameter|variable)\\*[\"']?\s*[:=]\s*"
    r"(?P<nq>\\*[\"'])(?P<name>[^\"'\\\n]{1,80})(?P=nq)\s*,\s*"
    r"\\*[\"']?(?:value|values|val|headervalue|content)\\*[\"']?\s*[:=]\s*"
    r"(?P<vq>\\*[\"'])(?P<value>.*?)(?P=vq)")
#: PEM private keys: the whole block, BEGIN and END lines included (also with ``\n`` escapes; an
#: unterminated block is cut to the end of its base64 body).
PEM_BLOCK = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----"
    r"(?:.*?-----END (?P=kind)PRIVATE KEY( BLOCK)?-----|[A-Za-z0-9+/=\s\\:,-]*)", re.S)
#: ``scheme://user:password@host``: the password goes (the user and the host stay).
URL_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])(?P<head>[a-z][a-z0-9+.-]*://[^\s/@:'\"<>\\]*:)(?P<pw>[^\s/'\"<>\\]+)@")
#: ``Cookie:`` / ``Set-Cookie:`` header values, to the end of the line (or of a quoted string).
COOKIE_HEADER = re.compile(r"(?im)\b(?P<head>(?:set-)?cookie[\"']?\s*:\s*[\"']?)(?P<value>[^\r\n\"'\\]+)")
#: ``Bearer``/``Basic`` credentials outside any ``Authorization`` field (kept when :func:`credential_like`
#: says the word is prose: "basic settings", "Bearer Instruments").
LOOSE_SCHEME = re.compile(r"\b(?P<head>(?i:bearer|basic)\s+)(?P<cred>[A-Za-z0-9._~+/=-]{8,})")
#: AWS access key ids; a 40-character secret key near one, or right after its name.
AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
AWS_SECRET_CANDIDATE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
AWS_SECRET_NAMED = re.compile(r"(?i)(?P<head>(?:secret[_ .-]?access[_ .-]?key|aws[_ .-]?secret(?:[_ .-]?key)?)"
                              r"[\"'\\]*[\s:=]{1,4}[\"'\\]*)(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])")
AWS_NEAR = 200  # characters either side of a key id searched for its secret key

#: Token shapes redacted wherever they appear.
VALUE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{2,}+\.[A-Za-z0-9_-]*+")),
    ("github", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b")),
    ("slack", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("aws-key-id", AWS_KEY_ID),
)


def looks_like_aws_secret(text: str) -> bool:
    """A 40-character AWS secret key, not a git SHA or another hex digest: mixed case and a digit or ``/+``.

    Example:
        >>> looks_like_aws_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        True
        >>> looks_like_aws_secret("9fceb02d0ae598e95dc970b74767f19372d61af8")
        False
    """
    return (len(text) == 40 and re.search(r"[A-Z]", text) is not None and re.search(r"[a-z]", text) is not None
            and re.search(r"[0-9/+]", text) is not None and re.fullmatch(r"[0-9a-fA-F]+", text) is None)


def credential_like(word: str) -> bool:
    """Could this word after ``Bearer``/``Basic`` be a credential (a digit, mixed case, or ``+/=_~.``)?

    Example:
        >>> credential_like("dXNlcjpwYXNzd29yZA=="), credential_like("settings"), credential_like("Instruments")
        (True, False, False)
    """
    upper = sum(c.isupper() for c in word)
    lower = sum(c.islower() for c in word)
    return (any(c.isdigit() for c in word) or any(c in "+/=_~." for c in word)
            or (upper >= 2 and lower >= 2))


def aws_secrets_near_key_ids(text: str) -> str:
    """Hide 40-character AWS secret keys within ``AWS_NEAR`` characters of an access key id (a pasted key pair).

    Example:
        >>> aws_secrets_near_key_ids("AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        'AKIAIOSFODNN7EXAMPLE [redacted]'
    """
    ids = [m.span() for m in AWS_KEY_ID.finditer(text)]
    if not ids:
        return text

    def hide(m: re.Match[str]) -> str:
        near = any(a - AWS_NEAR <= m.start() <= b + AWS_NEAR for a, b in ids)
        return REDACTED if near and looks_like_aws_secret(m[0]) else m[0]

    return AWS_SECRET_CANDIDATE.sub(hide, text)
