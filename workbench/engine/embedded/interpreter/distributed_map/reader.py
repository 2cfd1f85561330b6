"""ItemReader as AWS reads S3 objects: JSON by default, JSONL, and CSV with a delimiter.

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html: an ``s3:getObject`` reader
without ``ReaderConfig`` reads a JSON array; a JSON file that is not an array fails the Map Run with
``States.ItemReaderFailed``. moto's ``ItemReader._eval_body`` transforms the object only when a ReaderConfig
is declared, so without one the Map iterated over the characters of the file (an object "succeeded"), and
its grammar has no ``JSONL`` input type nor ``CSVDelimiter`` (``definition.py`` takes them out of the
definition; we read them here). Everything moto reads correctly (CSV, JSON with a ReaderConfig,
ListObjectsV2) still goes through moto.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Final

from workbench.engine.embedded.interpreter.distributed_map.definition import MapSpec, spec_of
from workbench.engine.embedded.interpreter.distributed_map.map_run import map_run_failure

NOT_A_LIST: Final = "Attempting to map over non-iterable node."
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


def _read(reader: Any, env: Any, spec: MapSpec | None) -> None:
    config: dict[str, Any] = {}
    if reader.reader_config:
        reader.reader_config.eval(env=env)
        config = env.stack.pop()
    if reader.parargs:
        reader.parargs.eval(env=env)
    else:
        env.stack.append({})
    reader.resource_eval.eval_resource(env=env)
    content = env.stack.pop()
    if not isinstance(content, str):  # ListObjectsV2: already a list
        items: Any = content
    else:
        # moto's ReaderConfig output holds str(InputTypeValue.CSV): keep the member name
        declared = str(config.get("InputType") or "JSON").rsplit(".", 1)[-1]
        input_type = (spec.input_type if spec else None) or declared
        items = parse_items(content, input_type, config, spec.reader_extra if spec else {})
        if isinstance(items, str):
            raise map_run_failure(env, "StatesItemReaderFailed", items)
    max_items = config.get("MaxItemsValue")
    env.stack.append(items[:max_items] if isinstance(max_items, int) else items)


def install() -> None:
    """Wrap ``ItemReader._eval_body``: ours without ReaderConfig or with what moto's grammar lacks."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.item_reader_decl import (
        ItemReader,
    )

    original = ItemReader._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        spec = spec_of(self)
        own = self.reader_config is None or (spec is not None and (spec.input_type or spec.reader_extra))
        if not own:
            original(self, env)
            return
        _read(self, env, spec)

    ItemReader._eval_body = _eval_body  # type: ignore[method-assign]
