"""Parallel and Map states: their inner graphs, and the Map's item source, batching and Distributed config.

The functions return the inner graphs (``(graph, location, kind)``) for the caller's work list rather
than recursing, so nesting depth never turns into Python recursion.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from workbench.asl.lint.diagnostics.report import Loc, Reporter
from workbench.asl.lint.rules.numbers import check_percentage_form
from workbench.asl.lint.rules.resources import check_resource
from workbench.asl.lint.rules.spec import (
    DISTRIBUTED_ONLY,
    EXECUTION_TYPES,
    INPUT_TYPES,
    ITEM_BATCHER_FIELDS,
    ITEM_READER_FIELDS,
    JSONATA,
    MAP_MODES,
    MAX_LABEL,
    PAYLOAD_LIMIT,
    PROCESSOR_CONFIG_FIELDS,
    READER_CONFIG_FIELDS,
    RESULT_WRITER_FIELDS,
)
from workbench.asl.lint.rules.templates import walk_template
from workbench.asl.lint.rules.values import check_enum, check_int, check_number, check_path, check_unknown, type_word
from workbench.asl.lint.syntax.jsonata import check_jsonata_string, is_jsonata

_LABEL_BAD = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


class Graph(NamedTuple):
    """An inner state graph to lint: the object, where it is, and what holds it."""

    obj: Any
    loc: Loc
    kind: str  # "machine", "branch", "processor" or "iterator"


def check_parallel(state: dict[str, Any], loc: Loc, rep: Reporter) -> list[Graph]:
    """Check ``Branches``; return the branches to lint as graphs."""
    if "Branches" not in state:
        rep.add("ASL114", loc, "a Parallel state needs \"Branches\": a list of {\"StartAt\", \"States\"} objects")
        return []
    branches = state["Branches"]
    if not isinstance(branches, list) or not branches:
        shown = "an empty list" if branches == [] else type_word(branches)
        rep.add("ASL114", (*loc, "Branches"), "Branches must be a non-empty list of {\"StartAt\", \"States\"} "
                                               f"objects, not {shown}")
        return []
    out: list[Graph] = []
    for i, branch in enumerate(branches):
        if isinstance(branch, dict):
            out.append(Graph(branch, (*loc, "Branches", i), "branch"))
        else:
            rep.add("ASL114", (*loc, "Branches", i), f"each branch must be an object with StartAt and States, "
                                                     f"not {type_word(branch)}")
    return out


def check_map(state: dict[str, Any], loc: Loc, ql: str, rep: Reporter) -> list[Graph]:
    """Check a Map state's own fields; return its item processor (and/or legacy Iterator) as graphs."""
    jsonata = ql == JSONATA
    out: list[Graph] = []
    has_proc, has_iter = "ItemProcessor" in state, "Iterator" in state
    if not has_proc and not has_iter:
        rep.add("ASL115", loc, "a Map state needs \"ItemProcessor\" with StartAt and States (the steps run for "
                               "each item)")
    elif has_proc and has_iter:
        rep.add("ASL115", (*loc, "Iterator"), "a Map state may have only one of [\"Iterator\", \"ItemProcessor\"]; "
                                               "Iterator is the old name, keep ItemProcessor")
    mode = "INLINE"
    for field, kind in (("ItemProcessor", "processor"), ("Iterator", "iterator")):
        if field not in state:
            continue
        graph = state[field]
        if not isinstance(graph, dict):
            rep.add("ASL100", (*loc, field), f"{field} must be an object with StartAt and States, "
                                              f"not {type_word(graph)}")
            continue
        out.append(Graph(graph, (*loc, field), kind))
        config = graph.get("ProcessorConfig")
        if config is not None:
            mode = _processor_config(config, (*loc, field, "ProcessorConfig"), rep) or mode
    if mode == "INLINE":
        for field in DISTRIBUTED_ONLY:
            if field in state:
                rep.add("ASL214", (*loc, field), f"{field} only applies to Distributed Map; set "
                                                  "ItemProcessor.ProcessorConfig.Mode to \"DISTRIBUTED\"")
    check_path(state, "ItemsPath", loc, rep, reference=True)
    if "Items" in state and not (isinstance(state["Items"], list | dict) or is_jsonata(state["Items"])):
        rep.add("ASL201", (*loc, "Items"), "Items must be a list or a \"{% expression %}\" giving one, "
                                            f"not {type_word(state['Items'])}")
    if "ItemSelector" in state:
        walk_template(state["ItemSelector"], (*loc, "ItemSelector"), rep, jsonata=jsonata)
    check_int(state, "MaxConcurrency", loc, rep, minimum=0, jsonata=jsonata)
    check_int(state, "ToleratedFailureCount", loc, rep, minimum=0, jsonata=jsonata)
    check_number(state, "ToleratedFailurePercentage", loc, rep, minimum=0, maximum=100, jsonata=jsonata)
    check_percentage_form(state, loc, rep)
    for field in ("MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"):
        check_path(state, field, loc, rep, reference=True)
    _label(state, loc, rep)
    if "ItemReader" in state:
        _item_reader(state["ItemReader"], (*loc, "ItemReader"), jsonata, rep)
    if "ResultWriter" in state:
        _result_writer(state["ResultWriter"], (*loc, "ResultWriter"), jsonata, rep)
    if "ItemBatcher" in state:
        _item_batcher(state["ItemBatcher"], (*loc, "ItemBatcher"), jsonata, rep)
    return out


def _processor_config(config: Any, loc: Loc, rep: Reporter) -> str | None:
    if not isinstance(config, dict):
        rep.add("ASL201", loc, f"ProcessorConfig must be an object, not {type_word(config)}")
        return None
    check_unknown(config, PROCESSOR_CONFIG_FIELDS, loc, rep, "ProcessorConfig", code="ASL216")
    mode = check_enum(config, "Mode", MAP_MODES, loc, rep)
    check_enum(config, "ExecutionType", EXECUTION_TYPES, loc, rep)
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        rep.add("ASL204", loc, "a DISTRIBUTED Map needs \"ExecutionType\": \"STANDARD\" or \"EXPRESS\" "
                               "for its child workflows")
    if mode != "DISTRIBUTED" and "ExecutionType" in config:
        rep.add("ASL214", (*loc, "ExecutionType"), "ExecutionType only applies when Mode is \"DISTRIBUTED\"")
    return mode


def _label(state: dict[str, Any], loc: Loc, rep: Reporter) -> None:
    label = state.get("Label")
    if "Label" not in state:
        return
    if not isinstance(label, str):
        rep.add("ASL201", (*loc, "Label"), f"Label must be a string, not {type_word(label)}")
    elif len(label) > MAX_LABEL or _LABEL_BAD.search(label):
        rep.add("ASL406", (*loc, "Label"), f"Label '{label}' must be at most {MAX_LABEL} characters without "
                                            "spaces, brackets, wildcards or punctuation such as :/\\|$&,;")


def _service_object(value: Any, loc: Loc, what: str, fields: frozenset[str], jsonata: bool,
                    rep: Reporter) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        rep.add("ASL201", loc, f"{what} must be an object, not {type_word(value)}")
        return None
    check_unknown(value, fields, loc, rep, what, code="ASL216")
    for field, code, lang in (("Parameters", "ASL301", "JSONPath"), ("Arguments", "ASL300", "JSONata")):
        if field in value:
            if (lang == "JSONata") != jsonata:
                other = "Arguments" if field == "Parameters" else "Parameters"
                rep.add(code, (*loc, field), f"{what}.{field} is {lang}-only; this state uses the other query "
                                              f"language, so write {other}")
            walk_template(value[field], (*loc, field), rep, jsonata=jsonata)
    return value


def _item_reader(value: Any, loc: Loc, jsonata: bool, rep: Reporter) -> None:
    reader = _service_object(value, loc, "ItemReader", ITEM_READER_FIELDS, jsonata, rep)
    if reader is None:
        return
    check_resource(reader, loc, rep)
    config = reader.get("ReaderConfig")
    if config is None:
        return
    cloc = (*loc, "ReaderConfig")
    if not isinstance(config, dict):
        rep.add("ASL201", cloc, f"ReaderConfig must be an object, not {type_word(config)}")
        return
    check_unknown(config, READER_CONFIG_FIELDS, cloc, rep, "ReaderConfig", code="ASL216")
    check_enum(config, "InputType", INPUT_TYPES, cloc, rep)
    header = check_enum(config, "CSVHeaderLocation", ("FIRST_ROW", "GIVEN"), cloc, rep)
    if header == "GIVEN" and "CSVHeaders" not in config:
        rep.add("ASL204", cloc, "CSVHeaderLocation \"GIVEN\" needs \"CSVHeaders\": the list of column names")
    if jsonata:
        _jsonata_strings(config, cloc, rep, skip=("MaxItems",))
    check_int(config, "MaxItems", cloc, rep, minimum=0, maximum=100_000_000, jsonata=jsonata)
    check_path(config, "MaxItemsPath", cloc, rep, reference=True)
    _exclusive(config, "MaxItems", "MaxItemsPath", cloc, rep, jsonata)


def _result_writer(value: Any, loc: Loc, jsonata: bool, rep: Reporter) -> None:
    writer = _service_object(value, loc, "ResultWriter", RESULT_WRITER_FIELDS, jsonata, rep)
    if writer is not None and "Resource" in writer:
        check_resource(writer, loc, rep)
    config = writer.get("WriterConfig") if writer is not None else None
    if jsonata and isinstance(config, dict):
        _jsonata_strings(config, (*loc, "WriterConfig"), rep)


def _jsonata_strings(config: dict[str, Any], loc: Loc, rep: Reporter, skip: tuple[str, ...] = ()) -> None:
    """Parse every ``{% %}`` string of a JSONata state's reader/writer configuration (CSVHeaders, OutputType...)."""
    for key, item in config.items():
        if isinstance(item, str) and key not in skip:
            check_jsonata_string(item, (*loc, key), rep)


def _item_batcher(value: Any, loc: Loc, jsonata: bool, rep: Reporter) -> None:
    if not isinstance(value, dict):
        rep.add("ASL201", loc, f"ItemBatcher must be an object, not {type_word(value)}")
        return
    check_unknown(value, ITEM_BATCHER_FIELDS, loc, rep, "ItemBatcher", code="ASL216")
    check_int(value, "MaxItemsPerBatch", loc, rep, minimum=1, jsonata=jsonata)
    check_int(value, "MaxInputBytesPerBatch", loc, rep, minimum=1, maximum=PAYLOAD_LIMIT, jsonata=jsonata)
    for field in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
        check_path(value, f"{field}Path", loc, rep, reference=True)
        _exclusive(value, field, f"{field}Path", loc, rep, jsonata)
    if "BatchInput" in value:
        walk_template(value["BatchInput"], (*loc, "BatchInput"), rep, jsonata=jsonata)


def _exclusive(obj: dict[str, Any], a: str, b: str, loc: Loc, rep: Reporter, jsonata: bool) -> None:
    """``a`` (fixed value) and ``b`` (its JSONPath-only ``*Path`` twin) exclude each other."""
    if jsonata and b in obj:
        rep.add("ASL301", (*loc, b), f"\"{b}\" is JSONPath-only but this state uses JSONata; write "
                                     f"\"{a}\": \"{{% expression %}}\" instead")
    if a in obj and b in obj:
        rep.add("ASL203", (*loc, b), f"may have only one of [\"{a}\", \"{b}\"]; keep {a} for a fixed value or "
                                      f"{b} to read it from the input")
