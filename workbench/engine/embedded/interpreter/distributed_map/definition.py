"""Read the Distributed Map fields moto 5.2.5's grammar refuses, and hand them to the parsed Map state.

moto's ANTLR grammar has no ``ItemBatcher`` and only the ``CSV``/``JSON`` input types with
``CSVHeaderLocation``/``CSVHeaders``/``MaxItems(Path)`` in ``ReaderConfig``; a definition with any other of
these (or ``ProcessorConfig.ExecutionType`` ``EXPRESS``: the grammar knows only ``STANDARD``) fails
CreateStateMachine with ``ASLParserException``. We cannot extend a generated grammar,
so the parse takes them out of each DISTRIBUTED Map, parses the rest with moto, and attaches a
:class:`MapSpec` to the parsed Map state and its iteration component (attribute :data:`SPEC_ATTR`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from workbench.asl.json_text import dumps_json
from workbench.asl.lint.rules.numbers import padded_exponents

SPEC_ATTR: Final = "_workbench_distributed_map"
# ReaderConfig fields and input types moto's grammar lacks that reader.py reads.
READER_FIELDS: Final = frozenset({"CSVDelimiter"})
INPUT_TYPES: Final = frozenset({"JSONL", "MANIFEST"})


@dataclass
class MapSpec:
    """What moto's parse of one DISTRIBUTED Map state lacks.

    ``batcher``: the ``ItemBatcher`` object; ``input_type``: the ``ReaderConfig.InputType`` when moto's grammar
    does not know it (``JSONL``, ``MANIFEST``); ``reader_extra``: ReaderConfig fields it does not know
    (``CSVDelimiter``);
    ``writer_config``: a ``ResultWriter.WriterConfig`` (moto's grammar has none; a ResultWriter left empty by
    taking it out is removed: a preview); ``exports``: whether the ResultWriter writes to S3 (has a Resource);
    ``processor``: the ItemProcessor as a
    state machine definition (the child executions' definition); ``has_count``/``has_percentage``: whether a
    tolerated failure count / percentage was declared (moto defaults both to 0, which would make an
    undeclared count fail a run that only declares a percentage).
    """

    query_language: str = "JSONPath"
    batcher: dict[str, Any] | None = None
    input_type: str | None = None
    reader_extra: dict[str, Any] = field(default_factory=dict)
    processor: dict[str, Any] = field(default_factory=dict)
    has_count: bool = False
    has_percentage: bool = False
    batcher_eval: Any = None  # moto component that evaluates the batcher fields, see batching.py
    writer_config: dict[str, Any] | None = None  # a literal ResultWriter.WriterConfig, see result_writer.py
    exports: bool = False  # the ResultWriter has a Resource: results go to S3
    writer_component: Any = None  # moto's parsed ResultWriter (its Resource and Parameters)
    express: bool = False  # ProcessorConfig.ExecutionType EXPRESS: Express children (moto's grammar: STANDARD only)


# WriterConfig values result_writer.py implements.
TRANSFORMATIONS: Final = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES: Final = ("JSON", "JSONL")
WRITER_FIELDS: Final = frozenset({"Transformation", "OutputType"})


def literal_config(config: Any) -> bool:
    """Whether the engine reads this ``WriterConfig`` (known members, literal known values).

    Example:
        >>> literal_config({"Transformation": "FLATTEN", "OutputType": "JSONL"})
        True
        >>> literal_config({"OutputType": "{% $t %}"})
        False
    """
    if not isinstance(config, dict) or not set(config) <= WRITER_FIELDS:
        return False
    return (config.get("Transformation", "NONE") in TRANSFORMATIONS
            and config.get("OutputType", "JSON") in OUTPUT_TYPES)


def spec_of(component: Any) -> MapSpec | None:
    """The spec attached to a parsed Map state or its iteration component (None: inline Map)."""
    spec = getattr(component, SPEC_ATTR, None)
    return spec if isinstance(spec, MapSpec) else None


def _distributed(state: dict[str, Any]) -> dict[str, Any] | None:
    processor = state.get("ItemProcessor", state.get("Iterator"))
    if not isinstance(processor, dict):
        return None
    config = processor.get("ProcessorConfig")
    return processor if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED" else None


def _scopes(states: Any, path: tuple[Any, ...], language: str
            ) -> Iterator[tuple[tuple[Any, ...], dict[str, Any], str]]:
    """Every state with its path (state names, branch indexes) and its query language."""
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = (*path, name)
        own = str(state.get("QueryLanguage", language))
        yield here, state, own
        if state.get("Type") == "Map":
            processor = state.get("ItemProcessor", state.get("Iterator"))
            if isinstance(processor, dict):
                yield from _scopes(processor.get("States"), here, str(processor.get("QueryLanguage", own)))
        elif state.get("Type") == "Parallel":
            for i, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, dict):
                    yield from _scopes(branch.get("States"), (*here, i), str(branch.get("QueryLanguage", own)))


def extract(document: dict[str, Any]) -> dict[tuple[Any, ...], MapSpec]:
    """Take the fields moto cannot parse out of ``document`` (in place); a spec per DISTRIBUTED Map path."""
    specs: dict[tuple[Any, ...], MapSpec] = {}
    top = document.get("QueryLanguage", "JSONPath")
    for path, state, language in list(_scopes(document.get("States"), (), top)):
        processor = _distributed(state) if state.get("Type") == "Map" else None
        if processor is None:
            continue
        child = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
        express = processor["ProcessorConfig"].get("ExecutionType") == "EXPRESS"
        if express:
            processor["ProcessorConfig"]["ExecutionType"] = "STANDARD"  # moto's grammar knows no other; map_run.py
        if language == "JSONata":
            child.setdefault("QueryLanguage", "JSONata")
        spec = MapSpec(query_language=language, processor=copy.deepcopy(child),
                       has_count=any(k in state for k in ("ToleratedFailureCount", "ToleratedFailureCountPath")),
                       has_percentage=any(k in state for k in ("ToleratedFailurePercentage",
                                                                "ToleratedFailurePercentagePath")),
                       express=express)
        batcher = state.pop("ItemBatcher", None)
        spec.batcher = batcher if isinstance(batcher, dict) else None
        writer = state.get("ResultWriter")
        if isinstance(writer, dict) and literal_config(writer.get("WriterConfig")):
            # Only a config result_writer.py reads leaves the definition; another is still refused by moto.
            spec.writer_config = dict(writer.pop("WriterConfig"))
            if not writer:
                del state["ResultWriter"]
        spec.exports = isinstance(state.get("ResultWriter"), dict) and "Resource" in state["ResultWriter"]
        reader = state.get("ItemReader")
        config = reader.get("ReaderConfig") if isinstance(reader, dict) else None
        if isinstance(config, dict):
            # Only what reader.py implements leaves the definition; the rest is still refused by moto.
            spec.reader_extra = {k: config.pop(k) for k in list(config) if k in READER_FIELDS}
            if config.get("InputType") in INPUT_TYPES:
                spec.input_type = config["InputType"]
                config["InputType"] = "JSON"  # read as text by moto; reader.py parses it
        specs[path] = spec
    return specs


def _parsed_states(program: Any) -> dict[str, Any]:
    states = getattr(getattr(program, "states", None), "states", None)
    return states if isinstance(states, dict) else {}


def _find(program: Any, path: tuple[Any, ...]) -> Any:
    """The parsed state at ``path`` (see :func:`_scopes`), or None."""
    states = _parsed_states(program)
    state: Any = None
    i = 0
    while i < len(path):
        state = states.get(path[i])
        i += 1
        if state is None:
            return None
        component = getattr(state, "iteration_component", None)
        branches = getattr(state, "branches", None)
        if component is not None:
            states = getattr(getattr(component, "_states", None), "states", None) or {}
        elif branches is not None and i < len(path) and isinstance(path[i], int):
            programs = getattr(branches, "programs", [])
            if path[i] >= len(programs):
                return None
            states = _parsed_states(programs[path[i]])
            i += 1
    return state


def attach(program: Any, specs: dict[tuple[Any, ...], MapSpec]) -> None:
    """Hang each spec on its parsed Map state, that state's iteration component, ItemReader and ResultWriter."""
    for path, spec in specs.items():
        state = _find(program, path)
        if state is not None:
            setattr(state, SPEC_ATTR, spec)
            setattr(state.iteration_component, SPEC_ATTR, spec)
            if getattr(state, "item_reader", None) is not None:
                setattr(state.item_reader, SPEC_ATTR, spec)
            if getattr(state, "result_writer", None) is not None:
                spec.writer_component = state.result_writer
                setattr(state.result_writer, SPEC_ATTR, spec)


def install() -> None:
    """Wrap ``AmazonStateLanguageParser.parse`` (already made thread-safe by ``patches.py``).

    Definitions without a DISTRIBUTED Map parse exactly as before (same text, same errors).
    """
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    from workbench.engine.embedded.interpreter.distributed_map import batching

    original = AmazonStateLanguageParser.parse

    def parse(definition: str) -> Any:
        try:
            document = json.loads(definition)
        except (TypeError, ValueError):
            return original(definition)
        if not isinstance(document, dict) or "DISTRIBUTED" not in definition or padded_exponents(definition):
            return original(definition)  # as written: the grammar refuses 1e-06 in every definition (ASL004)
        specs = extract(document)
        if not specs:
            return original(definition)
        program, tree = original(dumps_json(document))  # plain decimals: the grammar refuses 1e-06
        for spec in specs.values():
            spec.batcher_eval = batching.compile_batcher(spec, original)
        attach(program, specs)
        return program, tree

    AmazonStateLanguageParser.parse = staticmethod(parse)  # type: ignore[method-assign,assignment]
