"""ItemReader as AWS reads S3 objects: JSON by default, JSONL, and CSV with a delimiter.

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html: an ``s3:getObject`` reader
without ``ReaderConfig`` reads a JSON array; a JSON file that is not an array fails the Map Run with
``States.ItemReaderFailed``. moto's ``ItemReader._eval_body`` transforms the object only when a ReaderConfig
is declared, so without one the Map iterated over the characters of the file (an object "succeeded"), and
its grammar has no ``JSONL`` input type nor ``CSVDelimiter`` (``definition.py`` takes them out of the
definition; we read them here). Everything moto reads correctly (CSV, JSON with a ReaderConfig) still goes
through moto.

An ``s3:listObjectsV2`` reader lists every object of the prefix (moto's handler reads one page and fails on
an empty listing), and each item is the S3 object as Step Functions' Java SDK names it: ``Etag`` (not the API's
``ETag``), ``LastModified``, ``Key``, ``Size``, ``StorageClass``, without the checksum members moto's S3 adds
(recorded on AWS: ``test_map_item_reader_base_list_objects_v2``).

AWS checks a ``MaxItemsPath`` value before the Map Run starts: one that is not an integer fails the execution
with ``States.Runtime`` right after ``MapStateStarted`` (no ``MapRunStarted``); moto checks it while reading,
inside the Map Run (``MapRunFailed``, ``States.ItemReaderFailed``). :func:`check_max_items` runs first.

An ``s3:getObject`` reader with ``"InputType": "MANIFEST"`` reads an S3 Inventory ``manifest.json`` (moto's grammar
has no such input type): the items are the objects the inventory lists, one per row of its data files (read from
the manifest's ``destinationBucket``, gzip-compressed or not), each an object keyed by the manifest's
``fileSchema`` columns, all values strings as in the CSV (``{"Bucket": ..., "Key": ..., "Size": "3399671",
"LastModifiedDate": ...}``). AWS reads only CSV inventories; another ``fileFormat``, a manifest that is missing or
is not one, or a data file that cannot be read fails the Map Run with ``States.ItemReaderFailed``. ``MaxItems`` counts
objects (rows), not data files. See :func:`manifest_items`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from typing import Any, Final

from workbench.asl.json_text import dumps_json
from workbench.core.arn import Arn
from workbench.engine.embedded.interpreter.distributed_map.definition import MapSpec, spec_of
from workbench.engine.embedded.interpreter.distributed_map.map_run import map_run_failure
from workbench.engine.embedded.interpreter.fidelity import event_details

NOT_A_LIST: Final = "Attempting to map over non-iterable node."
# The S3 listing members as an item has them on AWS, in AWS's order; others (Owner, RestoreStatus) follow.
_LISTING_ORDER: Final = ("Etag", "LastModified", "Key", "Size", "StorageClass")
_LISTING_DROPPED: Final = frozenset({"ChecksumAlgorithm", "ChecksumType"})
_DELIMITERS: Final = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def parse_items(text: str, input_type: str, config: dict[str, Any], extra: dict[str, Any]) -> list[Any] | str:
    """The items of an S3 object's text, or the ItemReaderFailed cause (a str).

    Example:
        >>> parse_items('{"a": 1}\\n{"a": 2}\\n', "JSONL", {}, {})
        [{'a': 1}, {'a': 2}]
        >>> parse_items('{"a": 1}', "JSON", {}, {})
        'Attempting to map over non-iterable node.'
        >>> parse_items('x|y\\n1|2\\n', "CSV", {"CSVHeaderLocation": "FIRST_ROW"}, {"CSVDelimiter": "PIPE"})
        [{'x': '1', 'y': '2'}]
    """
    try:
        if input_type == "JSONL":
            items: list[Any] = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif input_type == "CSV":
            rows = csv.reader(io.StringIO(text), delimiter=_DELIMITERS.get(str(extra.get("CSVDelimiter")), ","))
            headers = next(rows, []) if config.get("CSVHeaderLocation") != "GIVEN" else config.get("CSVHeaders") or []
            if len(set(headers)) < len(headers):
                return "CSV headers cannot contain duplicates."
            items = [{h: row[i] if i < len(row) else "" for i, h in enumerate(headers)} for row in rows]
        else:
            parsed = json.loads(text)
            if not isinstance(parsed, list):
                return NOT_A_LIST
            items = parsed
    except ValueError as exc:
        return f"Cannot read the S3 object as {input_type}: {exc}"
    return items


def _manifest(text: str) -> tuple[str, list[str], list[str]] | str:
    """The destination bucket, the column names and the data file keys of an S3 Inventory manifest (or why not)."""
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        return f"Cannot read the S3 object as an S3 inventory manifest: {exc}"
    if not isinstance(manifest, dict):
        return "Cannot read the S3 object as an S3 inventory manifest: it is not a JSON object"
    file_format = manifest.get("fileFormat")
    if file_format != "CSV":
        return f"The S3 inventory fileFormat must be CSV, not {dumps_json(file_format)}"
    destination, schema, files = manifest.get("destinationBucket"), manifest.get("fileSchema"), manifest.get("files")
    arn = Arn.try_parse(destination)
    bucket = arn.resource if arn is not None and arn.service == "s3" else destination
    keys = [entry.get("key") for entry in files] if isinstance(files, list) and all(
        isinstance(entry, dict) for entry in files) else None
    if not isinstance(bucket, str) or not bucket or ":" in bucket or "/" in bucket:
        return f"The S3 inventory manifest's destinationBucket is not an S3 bucket: {dumps_json(destination)}"
    if not isinstance(schema, str) or not schema.strip():
        return "The S3 inventory manifest has no fileSchema"
    if keys is None or not all(isinstance(key, str) and key for key in keys):
        return "The S3 inventory manifest's files must each have a key"
    return bucket, [column.strip() for column in schema.split(",")], keys


def manifest_items(text: str, read: Callable[[str, str], bytes], config: dict[str, Any], extra: dict[str, Any],
                   limit: int | None = None) -> list[Any] | str:
    """The objects an S3 Inventory manifest lists, or the ItemReaderFailed cause (a str).

    ``read(bucket, key)`` returns an object's bytes (and raises when it cannot); data files are read in the
    manifest's order, a gzip-compressed one decompressed, until ``limit`` items are read. The columns are the
    ``fileSchema`` (``CSVHeaders`` with ``"CSVHeaderLocation": "GIVEN"``); ``CSVDelimiter`` applies.

    Example:
        >>> manifest = json.dumps({"sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inv",
        ...                        "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size",
        ...                        "files": [{"key": "inv/data/a.csv.gz"}]})
        >>> data = {("inv", "inv/data/a.csv.gz"): gzip.compress(b'"src","a.txt","3"\\n"src","b/c.txt","0"\\n')}
        >>> manifest_items(manifest, lambda bucket, key: data[bucket, key], {}, {})
        [{'Bucket': 'src', 'Key': 'a.txt', 'Size': '3'}, {'Bucket': 'src', 'Key': 'b/c.txt', 'Size': '0'}]
        >>> manifest_items(manifest.replace('"CSV"', '"ORC"'), lambda bucket, key: b"", {}, {})
        'The S3 inventory fileFormat must be CSV, not "ORC"'
    """
    read_manifest = _manifest(text)
    if isinstance(read_manifest, str):
        return read_manifest
    bucket, columns, keys = read_manifest
    if config.get("CSVHeaderLocation") == "GIVEN":
        columns = list(config.get("CSVHeaders") or [])
    if len(set(columns)) < len(columns):
        return "CSV headers cannot contain duplicates."
    delimiter = _DELIMITERS.get(str(extra.get("CSVDelimiter")), ",")
    items: list[Any] = []
    for key in keys:
        if limit is not None and len(items) >= limit:
            break
        try:
            body = read(bucket, key)
            text_of_file = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8")
        except Exception as exc:  # any failure to read a data file (missing, not gzip, not UTF-8) fails the run
            return f"Cannot read the S3 inventory data file {key} in bucket {bucket}: {exc}"
        for row in csv.reader(io.StringIO(text_of_file), delimiter=delimiter):
            if row:
                items.append({column: row[i] if i < len(row) else "" for i, column in enumerate(columns)})
    return items


def listing_item(entry: dict[str, Any]) -> dict[str, Any]:
    """One ``ListObjectsV2`` ``Contents`` entry as a Distributed Map item (Java SDK member names).

    Example:
        >>> listing_item({"Key": "a", "ETag": '"x"', "Size": 1, "ChecksumAlgorithm": ["CRC32"], "StorageClass": "S"})
        {'Etag': '"x"', 'Key': 'a', 'Size': 1, 'StorageClass': 'S'}
    """
    renamed = {("Etag" if name == "ETag" else name): value for name, value in entry.items()
               if name not in _LISTING_DROPPED}
    ordered: dict[str, Any] = {name: renamed.pop(name) for name in _LISTING_ORDER if name in renamed}
    return {**ordered, **renamed}


def _s3_client(reader: Any, env: Any) -> Any:
    """The S3 client moto's own S3 reader uses (the resource's region, the execution's role)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
    from moto.stepfunctions.parser.asl.utils import boto_client

    reader.resource_eval.resource.eval(env=env)
    runtime = env.stack.pop()
    return boto_client.boto_client_for(region=runtime.region, service="s3",
                                       state_credentials=StateCredentials(role_arn=env.aws_execution_details.role_arn))


def _list_objects(reader: Any, env: Any, parameters: dict[str, Any]) -> list[Any]:
    """Every object the ``ListObjectsV2`` parameters select, page after page, as items."""
    s3 = _s3_client(reader, env)
    items: list[Any] = []
    request = dict(parameters)
    while True:
        response = s3.list_objects_v2(**request)
        items.extend(listing_item(entry) for entry in response.get("Contents") or [])
        token = response.get("NextContinuationToken")
        if not response.get("IsTruncated") or not token:
            return items
        request["ContinuationToken"] = token


def _read_manifest(reader: Any, env: Any, config: dict[str, Any], extra: dict[str, Any]) -> list[Any] | str:
    """The items of the S3 Inventory whose manifest moto's ``s3:getObject`` reads (a missing one: the cause)."""
    from botocore.exceptions import ClientError

    try:
        reader.resource_eval.eval_resource(env=env)
    except ClientError as exc:
        return f"Cannot read the S3 inventory manifest: {exc}"
    text = env.stack.pop()
    s3 = _s3_client(reader, env)
    limit = config.get("MaxItemsValue")
    return manifest_items(text, lambda bucket, key: s3.get_object(Bucket=bucket, Key=key)["Body"].read(),
                          config, extra, limit if isinstance(limit, int) else None)


def _listing(reader: Any) -> bool:
    return str(getattr(reader.resource_eval.resource, "api_action", "")).lower() == "listobjectsv2"


def _read(reader: Any, env: Any, spec: MapSpec | None) -> None:
    config: dict[str, Any] = {}
    if reader.reader_config:
        reader.reader_config.eval(env=env)
        config = env.stack.pop()
    if reader.parargs:
        reader.parargs.eval(env=env)
    else:
        env.stack.append({})
    if _listing(reader):
        items: Any = _list_objects(reader, env, env.stack.pop())
    else:
        # moto's ReaderConfig output holds str(InputTypeValue.CSV): keep the member name
        declared = str(config.get("InputType") or "JSON").rsplit(".", 1)[-1]
        input_type = (spec.input_type if spec else None) or declared
        extra = spec.reader_extra if spec else {}
        if input_type == "MANIFEST":
            items = _read_manifest(reader, env, config, extra)
        else:
            reader.resource_eval.eval_resource(env=env)
            items = parse_items(env.stack.pop(), input_type, config, extra)
        if isinstance(items, str):
            raise map_run_failure(env, "StatesItemReaderFailed", items)
    max_items = config.get("MaxItemsValue")
    env.stack.append(items[:max_items] if isinstance(max_items, int) else items)


def _not_an_integer(value: Any) -> bool:
    if isinstance(value, str):
        try:
            int(value)
        except ValueError:
            return True
        return False
    return isinstance(value, bool) or not isinstance(value, int)


def check_max_items(reader: Any, env: Any) -> None:
    """Fail the execution (``States.Runtime``) when the ReaderConfig's ``MaxItemsPath`` selects no integer."""
    from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    sampler = getattr(getattr(reader.reader_config, "max_items_decl", None), "string_sampler", None)
    if sampler is None:  # MaxItems, a JSONata MaxItems or none: nothing to check before the run
        return
    sampler.eval(env=env)
    value = env.stack.pop()
    if not _not_an_integer(value):
        return
    shown = value if isinstance(value, str) else dumps_json(value)
    error = StatesErrorName(typ=StatesErrorNameType.StatesRuntime)
    failure = FailureEvent(
        env=env, error_name=error, event_type=HistoryEventType.ExecutionFailed,
        event_details=event_details(executionFailedEventDetails=ExecutionFailedEventDetails(
            error=error.error_name, cause=f'The MaxItemsPath field refers to value "{shown}" which is not a valid '
                                          f"integer: {sampler.literal_value}")))
    failure.source_event_id = _entered_event_id(env)  # type: ignore[misc]
    raise FailureEventException(failure)


def _entered_event_id(env: Any) -> int:
    """The id of the Map state's entered event (the cause names it): the one before ``MapStateStarted``."""
    manager = env.event_manager
    current = int(env.event_history_context.source_event_id)
    with manager._mutex:
        for event in reversed(manager._history_event_list):
            if event.get("id") == current:
                return int(event.get("previousEventId", current))
    return current


def install() -> None:
    """Wrap ``ItemReader._eval_body`` (ours for listings, without ReaderConfig, or with what moto's grammar lacks)
    and ``DistributedIterationComponent._eval_body`` (:func:`check_max_items` before ``MapRunStarted``)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.item_reader_decl import (
        ItemReader,
    )

    original = ItemReader._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        spec = spec_of(self)
        grammar_lacks = spec is not None and (spec.input_type or spec.reader_extra)
        own = self.reader_config is None or _listing(self) or grammar_lacks
        if not own:
            original(self, env)
            return
        _read(self, env, spec)

    ItemReader._eval_body = _eval_body  # type: ignore[method-assign]

    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
        DistributedIterationComponent,
    )

    original_run = DistributedIterationComponent._eval_body

    def _eval_run(self: Any, env: Any) -> None:
        reader = getattr(env.stack[-1] if env.stack else None, "item_reader", None)
        if reader is not None and reader.reader_config is not None:
            eval_input = env.stack.pop()  # the path reads the state's input, below it
            try:
                check_max_items(reader, env)
            finally:
                env.stack.append(eval_input)
        original_run(self, env)

    DistributedIterationComponent._eval_body = _eval_run  # type: ignore[method-assign]
