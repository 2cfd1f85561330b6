"""ItemBatcher: group a Distributed Map's items into batches, one child execution per batch.

AWS (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html): each child
receives ``{"BatchInput": ..., "Items": [...]}`` (``BatchInput`` only when declared), at most
``MaxItemsPerBatch`` items and at most ``MaxInputBytesPerBatch`` bytes (256 KiB at most); ``ItemSelector``
applies to each item before batching. The fields may be JSONPath (``MaxItemsPerBatchPath``, ``BatchInput``
with ``.$`` keys) or JSONata (``{% %}``) expressions of the Map state's input. We evaluate them with moto's own
components: a one-state Pass machine (``Parameters`` for JSONPath, ``Output`` for JSONata) parsed once per
definition, whose payload component we run in a frame of the Map state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from workbench.asl.json_text import dumps_json
from workbench.engine.embedded.interpreter.distributed_map.definition import MapSpec

MAX_BATCH_BYTES: Final = 256 * 1024
_FIELDS: Final = ("MaxItemsPerBatch", "MaxInputBytesPerBatch")


def compile_batcher(spec: MapSpec, parse: Callable[[str], Any]) -> Any:
    """A moto payload component evaluating the batcher's fields to one object (None: no ItemBatcher)."""
    batcher = spec.batcher
    if batcher is None:
        return None
    jsonata = spec.query_language == "JSONata"
    payload: dict[str, Any] = {}
    for name in (*_FIELDS, "BatchInput"):
        if name in batcher:
            payload[name] = batcher[name]
        if not jsonata and f"{name}Path" in batcher:
            payload[f"{name}.$"] = batcher[f"{name}Path"]
    if not payload:
        payload["MaxInputBytesPerBatch"] = MAX_BATCH_BYTES
    state = {"Type": "Pass", "End": True, **({"Output": payload} if jsonata else {"Parameters": payload})}
    machine = {"QueryLanguage": spec.query_language, "StartAt": "Batcher", "States": {"Batcher": state}}
    program = parse(dumps_json(machine))[0]
    parsed = program.states.states["Batcher"]
    return parsed.output.jsonata_template_value if jsonata else parsed.parameters


def evaluate(env: Any, spec: MapSpec, map_input: Any) -> dict[str, Any]:
    """The batcher's fields evaluated against the Map state's input (in a frame of ``env``)."""
    frame = env.open_inner_frame()
    try:
        frame.states.reset(input_value=map_input)
        frame.stack.append(map_input)
        spec.batcher_eval.eval(env=frame)
        value = frame.stack.pop()
    finally:
        env.close_frame(frame)
    return dict(value) if isinstance(value, dict) else {}


def _positive(config: dict[str, Any], name: str, default: int | None) -> int | None:
    value = config.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"The {name} field refers to value \"{value}\" which is not a valid positive integer")
    return value


def batches(items: list[Any], config: dict[str, Any]) -> list[dict[str, Any]]:
    """Split ``items`` into child inputs as AWS does (sizes measured on the compact JSON of the batch)."""
    per_batch = _positive(config, "MaxItemsPerBatch", None)
    max_bytes = min(_positive(config, "MaxInputBytesPerBatch", MAX_BATCH_BYTES) or MAX_BATCH_BYTES,
                    MAX_BATCH_BYTES)
    head: dict[str, Any] = {"BatchInput": config["BatchInput"]} if "BatchInput" in config else {}
    overhead = len(json.dumps({**head, "Items": []}, separators=(",", ":")).encode())
    out: list[dict[str, Any]] = []
    current: list[Any] = []
    size = overhead
    for item in items:
        item_size = len(json.dumps(item, separators=(",", ":")).encode()) + (1 if current else 0)
        if current and ((per_batch is not None and len(current) >= per_batch) or size + item_size > max_bytes):
            out.append({**head, "Items": current})
            current, size = [], overhead
            item_size -= 1
        current.append(item)
        size += item_size
    if current:
        out.append({**head, "Items": current})
    return out
