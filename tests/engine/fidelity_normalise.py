"""What may differ between a recorded AWS execution and its replay, and nothing else.

The fidelity suite compares a replay's final output, error and cause with the recording's. Some parts
must differ whatever the engine does: the recording was made in another account and region, at another
time, with resources named by the test that recorded it, and LocalStack's recorder then replaced those
parts by placeholders (``arn:<partition>:states:<region>:111111111111:...``, ``<uuid:1>``, ``"date"``).
Each kind of such part has one function below that rewrites it to one canonical token on both sides;
:func:`normalise` applies them all, in order. Everything else is compared as it is.

Example:
    >>> recorded = {"Id": "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:run",
    ...             "StartTime": "start-time"}
    >>> ours = {"Id": "arn:aws:states:us-east-1:123456789012:execution:replay-fid3:run",
    ...         "StartTime": "2026-01-02T03:04:05.678Z"}
    >>> normalise(recorded) == normalise(ours)
    True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

TIME, ID, ACCOUNT, PLACEHOLDER, STACK, INPUT = "<time>", "<id>", "<account>", "<placeholder>", "<stack>", "<input>"

_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")
# The recorder's stand-ins for a time (whole string values).
_RECORDED_TIMES = {"timestamp", "date", "<date>", "<timestamp>", "start-date", "stop-date", "start-time",
                   "<start-time>", "entered-time", "<entered-time>", "<headers-date>"}
_ARN = re.compile(r"arn:(?:aws[\w-]*|<partition>):([\w-]+):(?:[\w-]*|<region>):(?:\d{12}|<account>)?:")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_RECORDED_ID = re.compile(r"<(?:uuid:\d+|\w*ArnPart\w*|request_id|m-d5-of-message-body:\d+|Etag-[^<>]+|"
                          r"sqs_queue_url|resource:\d+|headers-[\w-]+)>")
# The recorder's bare stand-ins for names, ids and addresses (whole string values); the role ARN the
# recording ran with became "snf_role_arn".
_RECORDED_NAMES = {"snf_role_arn": "arn:aws:iam::111111111111:role/" + ID, "sqs_queue_url": ID,
                   "lambda_function_name": ID, "x-amzn-RequestId": ID, "RequestId": ID, "X-Amzn-Trace-Id": ID}
# What the replay creates: replay-fid3, replay-child-fid3 (names), the role "replay", local queue URLs.
_REPLAY_ID = re.compile(r"replay-(?:child-)?[a-z]+\d+|(?<=:role/)replay\b|http://127\.0\.0\.1:\d+/\d{12}/[\w-]+")
# Digests of content the recorder hid behind <m-d5-of-message-body:1>, <Etag-file_0.txt>.
_DIGEST_KEYS = frozenset({"MD5OfMessageBody", "MD5OfMessageAttributes", "ETag", "Etag"})
_SNS_REQUEST_ID = re.compile(r"(Request ID: )[\w-]+")
_QUOTED_INPUT = re.compile(r"(?<=the input ')[{\[].*[}\]](?=')")
_DOLLAR_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _strings(value: Any, fn: Callable[[str], Any]) -> Any:
    """Apply ``fn`` to every string value (keys are left alone) of a JSON value."""
    if isinstance(value, dict):
        return {key: _strings(item, fn) for key, item in value.items()}
    if isinstance(value, list):
        return [_strings(item, fn) for item in value]
    return fn(value) if isinstance(value, str) else value


def decode_json_text(value: Any) -> Any:
    """JSON text inside string values, compared as the value it encodes.

    The API returns ``output`` and ``cause`` as JSON text; the recorder decoded them one level and wrote
    JSON text found deeper (a Lambda error document inside a caught error's ``Cause``) back with its own
    separators. Whitespace in serialised JSON is not behaviour, so strings holding a JSON object or list
    are decoded (recursively) on both sides.

    Example:
        >>> decode_json_text({"Cause": '{"a": [1, 2]}'})
        {'Cause': {'a': [1, 2]}}
    """
    def decode(text: str) -> Any:
        stripped = text.strip()
        if stripped[:1] in "{[" and stripped[-1:] in "}]":
            try:
                return decode_json_text(json.loads(stripped))
            except json.JSONDecodeError:
                return text
        return text

    return _strings(value, decode)


def mask_timestamps(value: Any) -> Any:
    """Times: ISO-8601 timestamps anywhere in a string, and the recorder's stand-ins (``"date"``...).

    Example:
        >>> mask_timestamps({"StartDate": "start-date", "At": "2026-01-02T03:04:05Z"})
        {'StartDate': '<time>', 'At': '<time>'}
    """
    return _strings(value, lambda s: TIME if s in _RECORDED_TIMES else _ISO_TIME.sub(TIME, s))


def mask_arns(value: Any) -> Any:
    """ARNs: partition, region and account (the recording was made in another account and region).

    The service, resource type and resource names are kept (names are :func:`mask_ids`' business).

    Example:
        >>> mask_arns("arn:aws:states:us-east-1:123456789012:stateMachine:m")
        'arn:<partition>:states:<region>:<account>:stateMachine:m'
    """
    return _strings(value, lambda s: _ARN.sub(lambda m: f"arn:<partition>:{m.group(1)}:<region>:{ACCOUNT}:", s))


def mask_ids(value: Any) -> Any:
    """Ids and generated names: UUIDs, request ids, queue URLs, machine/execution names, and the digests
    (``MD5OfMessageBody``, ``ETag``) of messages and objects whose content the recorder hid.

    The recorder replaced these by ``<uuid:1>``, ``<ArnPart_0idx>``, ``sqs_queue_url``...; the replay
    names its resources ``replay-<tag>`` and moto makes fresh UUIDs. All become ``<id>``.

    Example:
        >>> mask_ids(["<uuid:1>", "0b240a22-b45c-4329-bdf3-ee4ed2717984", "replay-fid7", "sqs_queue_url"])
        ['<id>', '<id>', '<id>', '<id>']
    """
    def mask(text: str) -> str:
        if text in _RECORDED_NAMES:
            return _RECORDED_NAMES[text]
        text = _RECORDED_ID.sub(ID, text)
        text = _UUID.sub(ID, text)
        text = _REPLAY_ID.sub(ID, text)
        return _SNS_REQUEST_ID.sub(rf"\g<1>{ID}", text)

    def digests(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: ID if key in _DIGEST_KEYS and isinstance(sub, str) else digests(sub)
                    for key, sub in item.items()}
        return [digests(sub) for sub in item] if isinstance(item, list) else item

    return _strings(digests(value), mask)


def mask_placeholders(value: Any) -> Any:
    """Placeholders: ``${Name}`` definition substitutions, and the recorder's ``<json-input:N>``.

    The recorder replaced an execution's input quoted inside a message (``in the input '<json-input:1>'``);
    the replay's message quotes the JSON text itself.

    Example:
        >>> mask_placeholders(["${QueueUrl}", "not found in the input '<json-input:1>'", "in the input '{}'"])
        ['<placeholder>', "not found in the input '<input>'", "in the input '<input>'"]
    """
    def mask(text: str) -> str:
        text = _DOLLAR_PLACEHOLDER.sub(PLACEHOLDER, text)
        text = re.sub(r"<json-input:\d+>", INPUT, text)
        return _QUOTED_INPUT.sub(INPUT, text)

    return _strings(value, mask)


def mask_stack_traces(value: Any) -> Any:
    """Lambda error documents' ``stackTrace``: it lists the files of the code that raised.

    On AWS that is the recorded test's handler (``/var/task/handler.py``); in the replay it is the replay
    tool, so the lines must differ. ``errorType`` and ``errorMessage`` are still compared.

    Example:
        >>> mask_stack_traces({"errorType": "E", "stackTrace": ["  File \\"/var/task/handler.py\\""]})
        {'errorType': 'E', 'stackTrace': '<stack>'}
    """
    if isinstance(value, dict):
        return {key: STACK if key == "stackTrace" and isinstance(item, list) else mask_stack_traces(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [mask_stack_traces(item) for item in value]
    return value


NORMALISERS: tuple[Callable[[Any], Any], ...] = (decode_json_text, mask_timestamps, mask_ids, mask_arns,
                                                 mask_placeholders, mask_stack_traces)


def normalise(value: Any) -> Any:
    """Apply every normaliser above, in order (JSON text first, so the others see inside it; ids before ARNs,
    so a stand-in for a whole ARN gets its parts masked too).

    Example:
        >>> normalise('{"requestId": "<uuid:4>", "at": "date"}')
        {'requestId': '<id>', 'at': '<time>'}
    """
    for fn in NORMALISERS:
        value = fn(value)
    return value
