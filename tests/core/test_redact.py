"""The redaction table: every secret shape is hidden, wherever it sits; ordinary data stays as it was.

Each positive case names the secret text that must be gone and the text beside it that must
survive, so a redactor that hides too little and one that hides everything both fail.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from workbench.core.redact import REDACTED, Redactor, redact, redact_frame, redact_text

JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFubiJ9"
       ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
GHP = "ghp_1A2b3C4d5E6f7G8h9I0jKlMnOpQrStUvWxYz"
GHO = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
GH_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
XOXB = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
XOXP = "xoxp-2222222222-3333333333-4444444444-abcdef0123456789abcdef0123456789"
AKIA = "AKIAIOSFODNN7EXAMPLE"
ASIA = "ASIAY34FZKBOKMUTVV7A"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_SECRET_2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
PEM_BODY = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB"
RSA_PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\naGVsbG8=\n-----END RSA PRIVATE KEY-----"
SHA1 = "9fceb02d0ae598e95dc970b74767f19372d61af8"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
UUID = "550e8400-e29b-41d4-a716-446655440000"
EXEC_ARN = "arn:aws:states:us-east-1:123456789012:execution:Triage:run-20240501"

# (case id, input, secrets that must be gone, neighbours that must stay)
POSITIVE: list[tuple[str, Any, list[str], list[str]]] = [
    # --- field names
    ("password", {"password": "hunter2-pw", "user": "ann"}, ["hunter2-pw"], ["ann", "password"]),
    ("passwd", {"db": {"passwd": "pw-0001", "host": "db1.internal"}}, ["pw-0001"], ["db1.internal"]),
    ("secret", {"Secret": "s3cr3t-value", "name": "svc"}, ["s3cr3t-value"], ["svc"]),
    ("client_secret", {"client_secret": "cs-abcdef", "client_id": "app-1"}, ["cs-abcdef"], ["app-1"]),
    ("x-api-key", {"X-Api-Key": "ak-123456", "Accept": "application/json"}, ["ak-123456"], ["application/json"]),
    ("apikey", {"apikey": "ak-654321", "region": "eu-west-1"}, ["ak-654321"], ["eu-west-1"]),
    ("auth-not-author", {"auth": "auth-val-1", "author": "ann-writer"}, ["auth-val-1"], ["ann-writer"]),
    ("authorization", {"Authorization": "Digest nonce-99", "Host": "api.example.com"}, ["nonce-99"],
     ["api.example.com"]),
    ("bearer-field", {"bearer": "b-tok-1", "scope": "read"}, ["b-tok-1"], ["read"]),
    ("jwt-field", {"idJwt": "opaque-jwt-1", "id": "order-12345"}, ["opaque-jwt-1"], ["order-12345"]),
    ("cookie-field", {"cookie": "sid=abc987", "path": "/home"}, ["abc987"], ["/home"]),
    ("session-token", {"sessionToken": "st-555", "sessionCount": 3, "user": "ann"}, ["st-555"], ["ann", ": 3"]),
    ("session_id", {"session_id": "sid-777", "status": "open"}, ["sid-777"], ["open"]),
    ("passphrase", {"passphrase": "correct horse battery", "kdf": "scrypt"}, ["correct horse"], ["scrypt"]),
    ("private_key", {"privateKey": "pk-abc-1", "publicKey": "pub-abc-1"}, ["pk-abc-1"], ["pub-abc-1"]),
    ("ssh_key", {"ssh_key": "ssh-data-1", "host": "bastion"}, ["ssh-data-1"], ["bastion"]),
    ("signing_key", {"SigningKey": "sign-1", "alg": "HS256"}, ["sign-1"], ["HS256"]),
    ("connectionString", {"connectionString": "Server=db;User=app;Password=pw9", "pool": 5},
     ["pw9", "User=app"], ["pool"]),
    ("connection-string-variants", {"connection-string": "cs-2", "CONNECTION_STRING": "cs-3", "ok": "yes"},
     ["cs-2", "cs-3"], ["yes"]),
    ("dsn", {"sentry_dsn": "https://k3y@o1.ingest.sentry.io/1", "env": "prod"}, ["k3y"], ["prod"]),
    ("pin-number", {"userPin": 4321, "pinned": True, "spinner": "dots"}, ["4321"], ["dots", "pinned"]),
    ("pin_code", {"pin_code": "0007", "shipping": "express"}, ["0007"], ["express"]),
    ("otp", {"otp": 918273, "topic": "billing"}, ["918273"], ["billing"]),
    ("credentials-object", {"credentials": {"AccessKeyId": "AKIA-not-real", "SecretAccessKey": "sak-1",
                                            "Expiration": "2024-05-01T10:00:00Z"}, "role": "reader"},
     ["AKIA-not-real", "sak-1"], ["Expiration", "reader"]),
    ("x-auth-token", {"X-Auth-Token": "xat-1", "X-Request-Id": "req-1"}, ["xat-1"], ["req-1"]),
    # --- name/value pairs
    ("header-list", {"headers": [{"name": "Authorization", "value": "Bearer tok-abc-123"},
                                 {"name": "Accept", "value": "text/html"}]}, ["tok-abc-123"], ["text/html"]),
    ("Name-Value", {"Name": "X-Api-Key", "Value": "xak-999"}, ["xak-999"], ["X-Api-Key"]),
    ("ssm-parameter", {"Parameter": {"Name": "/prod/db/password", "Value": "ssm-pw-1", "Version": 3}},
     ["ssm-pw-1"], ["/prod/db/password"]),
    ("header-tuples", {"headers": [["Cookie", "a=b1x"], ["Accept", "gzip"]]}, ["a=b1x"], ["gzip"]),
    # --- JSON inside strings
    ("json-in-string", {"body": json.dumps({"token": "tk-nested", "ok": "fine"})}, ["tk-nested"], ["fine"]),
    ("json-in-json-in-string", {"event": json.dumps({"body": json.dumps({"password": "deep-pw", "n": "x1"})}),
                                "id": "order-12345"}, ["deep-pw"], ["order-12345", "x1"]),
    ("json-text", '{"api_key": "ak-json", "user": "ann"}', ["ak-json"], ["ann"]),
    ("json-in-free-text", "could not be found in the input '{\"secret\": \"s-in-text\", \"user\": \"ann\"}'",
     ["s-in-text"], ["could not be found", "ann"]),
    ("escaped-json-in-text", 'body was {\\"token\\": \\"tk-esc\\", \\"user\\": \\"ann\\"}', ["tk-esc"],
     ["body was", "ann"]),
    ("name-value-repr", "sent [{'Name': 'X-Api-Key', 'Value': 'xak-repr'}, {'name': 'Accept', 'value': 'gzip'}]",
     ["xak-repr"], ["X-Api-Key", "gzip"]),
    ("python-repr", "bad event {'password': 'pw-repr', 'user': 'ann'}", ["pw-repr"], ["bad event", "ann"]),
    # --- value shapes in free text
    ("jwt-text", f"token rejected: {JWT} expired", [JWT, JWT.split(".")[2]], ["token rejected", "expired"]),
    ("jwt-under-plain-field", {"note": f"use {JWT}", "id": UUID}, [JWT.split(".")[1]], [UUID, "use"]),
    ("ghp", f"clone failed with {GHP} for org/repo", [GHP], ["clone failed", "org/repo"]),
    ("gho", {"message": f"oauth {GHO} revoked"}, [GHO], ["revoked"]),
    ("github_pat", f"GH_PAT={GH_PAT} rest", [GH_PAT], ["rest"]),
    ("slack-bot", f"posting with {XOXB} to #ops", [XOXB], ["#ops"]),
    ("slack-user-nested", {"cfg": json.dumps({"webhook": "none", "note": f"user {XOXP}"})}, [XOXP], ["webhook"]),
    ("aws-key-id", f"signed by {AKIA} at 10:00", [AKIA], ["signed by", "at 10:00"]),
    ("aws-secret-near-id", f"creds {ASIA} {AWS_SECRET} region us-east-1", [ASIA, AWS_SECRET],
     ["creds", "us-east-1"]),
    ("aws-secret-after-name", f"aws_secret_access_key = {AWS_SECRET_2}\nregion = eu-west-1", [AWS_SECRET_2],
     ["region = eu-west-1"]),
    ("aws-secret-json-text", f'{{"SecretAccessKey": "{AWS_SECRET}", "Region": "eu-west-1"}}', [AWS_SECRET],
     ["eu-west-1"]),
    ("pem-rsa", f"key:\n{RSA_PEM}\nend of file", [PEM_BODY, "PRIVATE KEY"], ["end of file"]),
    ("pem-escaped-in-field", {"note": f"cfg {json.dumps(RSA_PEM.replace('RSA', 'EC'))} tail"}, [PEM_BODY],
     ["cfg", "tail"]),
    ("pem-openssh-unterminated", f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}", [PEM_BODY], []),
    ("url-userinfo", "connect postgres://app:pg-pass-1@db.internal:5432/orders failed", ["pg-pass-1"],
     ["postgres://app:", "@db.internal:5432/orders", "failed"]),
    ("url-userinfo-in-field", {"target": {"url": "https://bot:w3bh00k@hooks.example.com/x"}}, ["w3bh00k"],
     ["hooks.example.com/x"]),
    ("url-empty-user", "redis://:r3dis-pw@cache:6379/0", ["r3dis-pw"], ["cache:6379/0"]),
    ("authorization-header-line", "GET /v1 HTTP/1.1\nAuthorization: Bearer abc.def.123\nAccept: */*",
     ["abc.def.123"], ["GET /v1", "Accept: */*"]),
    ("proxy-authorization", "Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==\nVia: proxy",
     ["dXNlcjpwYXNzd29yZA=="], ["Via: proxy"]),
    ("set-cookie", "Set-Cookie: sid=c00kie-1; Path=/; HttpOnly\nContent-Type: text/html", ["c00kie-1"],
     ["Content-Type: text/html"]),
    ("cookie-header", "Cookie: session=s3ss-1; theme=dark\nHost: a.example.com", ["s3ss-1"],
     ["Host: a.example.com"]),
    ("loose-bearer", "retrying with Bearer a1B2c3D4e5F6 now", ["a1B2c3D4e5F6"], ["retrying with", "now"]),
    ("key=value", "login failed: password=hunter2 for ann", ["hunter2"], ["login failed", "for ann"]),
    ("query-string", "GET https://api.example.com/cb?access_token=at-123&x=1", ["at-123"],
     ["api.example.com/cb?", "x=1"]),
    ("pin-in-text", "pin: 1234, max_tokens: 512", ["1234"], ["max_tokens: 512"]),
]

NEGATIVE: list[tuple[str, Any]] = [
    ("uuid", f"request {UUID} done"),
    ("git-sha", f"commit {SHA1} by ann"),
    ("sha1-json", {"sha": SHA1, "etag": SHA1.upper()}),
    ("sha256", f"sha256:{SHA256}"),
    ("execution-arn", f"{EXEC_ARN} failed"),
    ("lambda-arn", {"Resource": "arn:aws:lambda:us-east-1:123456789012:function:probe", "attempt": 2}),
    ("iso-time", "started 2024-05-01T10:00:00.123Z, stopped 2024-05-01T10:05:00+02:00"),
    ("order-id", {"order": "order-12345", "items": [1, 2, 3]}),
    ("base64-short", "payload aGVsbG8gd29ybGQ= decoded"),
    ("email", "notify ann@example.com and mailto:bob@example.org"),
    ("plain-url", "https://example.com/path?x=1"),
    ("url-without-password", "ssh://git@github.com/org/repo.git and postgres://db.example.com:5432/orders"),
    ("words", "the author pinned a tokenizer spinner topic about shipping options"),
    ("token-counts", "max_tokens: 512, token_count: 12, tokens_used: 340"),
    ("prose-schemes", "basic settings; Bearer Instruments; the session ended; auth failed"),
    ("public-key", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n"
                   "-----END PUBLIC KEY-----"),
    ("certificate", "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END "
                    "CERTIFICATE-----"),
    ("harmless-names", {"author": "ann", "authored_at": "2024-01-01T00:00:00Z", "pinned": True, "spinner": "dots",
                        "shipping": "express", "options": {"topic": "billing"}, "authentication": "sso"}),
    ("counts-and-flags", {"max_tokens": 512, "token_count": 3, "tokens_used": 99, "session_timeout": 30,
                          "password_set": True, "tokenizer": "cl100k_base", "secret": None, "token": ""}),
    ("jwt-header-alone", "header eyJhbGciOiJIUzI1NiJ9 only"),
    ("prefixes-mentioned", "keys start with AKIA, ghp_ or xoxb- and tokens look like eyJ"),
    ("json-text-unchanged", '{"id": "order-12345",  "status": "ok", "count": 2}'),
    ("error-message", "States.TaskFailed in state Charge after 3 attempts (see request 1-5f3c-abc)"),
    ("s3-key", "Key: orders/2024/05/01.json, Bucket: data-lake"),
    ("headers-harmless", {"headers": [{"name": "Accept", "value": "text/html"}, ["X-Request-Id", "r-1"]]}),
]


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _redacted(value: Any) -> str:
    return redact_text(value) if isinstance(value, str) else _shown(redact(value))


def test_the_table_is_big_enough() -> None:
    assert len(POSITIVE) >= 40 and len(NEGATIVE) >= 20
    assert len({c[0] for c in POSITIVE}) == len(POSITIVE) and len({c[0] for c in NEGATIVE}) == len(NEGATIVE)


@pytest.mark.parametrize(("value", "secrets", "kept"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_secret_is_hidden_and_its_neighbours_stay(value: Any, secrets: list[str], kept: list[str]) -> None:
    for secret in secrets:
        assert secret in _shown(value)  # the case really holds the secret
    out = _redacted(value)
    assert REDACTED in out
    for secret in secrets:
        assert secret not in out, out
    for word in kept:
        assert word in out, out


@pytest.mark.parametrize("value", [c[1] for c in NEGATIVE], ids=[c[0] for c in NEGATIVE])
def test_ordinary_data_comes_back_unchanged(value: Any) -> None:
    if isinstance(value, str):
        assert redact_text(value) == value
    else:
        assert redact(value) == value


def test_report_redactor_applies_the_same_rules_then_cuts_and_hides_paths() -> None:
    r = Redactor(max_bytes=64)
    assert GHP not in r.payload(json.dumps({"note": GHP})) and "[truncated: " in r.text("x" * 100)
    assert "pg-pass-1" not in r.text("postgres://app:pg-pass-1@db/orders")


def test_key_names_compare_without_case_or_separators() -> None:
    r = Redactor()
    secret = ["password", "DB_PASSWORD", "dbPassword", "x-api-key", "apiKey", "API Key", "ConnectionString",
              "connection-string", "CONNECTION_STRING", "userPin", "pin_code", "PIN", "otp", "OTPCode", "X-Auth-Token",
              "auth", "basicAuth", "session", "session_id", "sessionToken", "JSESSIONID", "sentry_dsn", "jwt",
              "accesstoken", "client-secret", "ssh_key", "SigningKey", "private_key", "credentials", "Set-Cookie"]
    plain = ["pinned", "spinner", "author", "authored_at", "shipping", "options", "topic", "max_tokens",
             "tokens_used", "tokenizer", "sessions", "authentication", "pinyin", "laptop", "keyboard", "id"]
    assert [k for k in secret if not r.is_secret(k)] == []
    assert [k for k in plain if r.is_secret(k)] == []


def test_numbers_and_flags_are_kept_except_under_pin_like_names_and_own_keys() -> None:
    assert redact({"token_count": 7, "password": 123456, "otp": 42, "secret": True}) == \
        {"token_count": 7, "password": REDACTED, "otp": REDACTED, "secret": True}
    assert Redactor(keys=("ssn",)).value({"ssn": 123456789, "password": "p"}) == {"ssn": REDACTED, "password": "p"}


def test_value_shapes_are_found_even_with_custom_keys() -> None:
    out = Redactor(keys=("ssn",)).text(f"{JWT} {GHP} {AKIA}")
    assert out == f"{REDACTED} {REDACTED} {REDACTED}"


def test_unchanged_nested_json_keeps_its_formatting() -> None:
    body = '{ "id" : "order-1" }'
    assert redact({"body": body}) == {"body": body}


def test_frame_redaction_covers_text_and_category_columns_and_keeps_numbers() -> None:
    df = pd.DataFrame({
        "cause": pd.Series([f"token={GHP}", None, "plain"], dtype="str"),
        "error": pd.Categorical([AKIA, "States.Timeout", AKIA]),
        "input": [json.dumps({"password": "pw-1", "n": 1}), None, "{}"],
        "retries": [1, 2, 3],
    })
    out = redact_frame(df)
    text = out.to_csv(index=False)
    assert GHP not in text and AKIA not in text and "pw-1" not in text
    assert "plain" in text and "States.Timeout" in text and '""n"": 1' in text
    assert out["retries"].tolist() == [1, 2, 3] and df["cause"].iloc[0] == f"token={GHP}"  # the input is untouched
    only = redact_frame(df, ["cause"])
    assert AKIA in only["error"].tolist()
