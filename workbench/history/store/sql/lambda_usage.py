"""The Lambda and per-execution inputs of the cost analyses over a store: SQL rows, then the same pricing rules.

One query lists every Lambda attempt Step Functions recorded (``resource_type = 'lambda'``, an outcome AWS
bills) with whether Lambda throttled it (not billed) and its billed milliseconds (whole ms, at least 1;
NULL without timestamps). Which tool it is (and so its memory and architecture) comes from the function
ARN of the attempt's resource, else from the ``FunctionName`` of its ``TaskScheduled`` parameters when the
store holds payloads, else from the state, exactly as :func:`~workbench.history.cost.lambda_attempts`
does; that mapping, and every ARN read (region, Express or not), is done by the same Python functions on the
few distinct values, never re-implemented in SQL. Small tables of those values (per execution: region and
workflow type; per tool key: memory and architecture) are handed to the engine for the joins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from workbench.core.lambda_names import function_name as bare_function_name
from workbench.history.cost.lambdas import (
    BILLED_OUTCOMES,
    THROTTLE_ERRORS,
    LambdaConfig,
    ToolConfigs,
    _lambda_config,
    function_name,
    region_of,
)
from workbench.history.store.sql.engine import ONE, ZERO, Source, nn

_TOOL_KEYS = ("resource", "param_fn", "state")


def _in(src: Source, values: tuple[str, ...] | frozenset[str]) -> str:
    return "(" + ", ".join(src.dialect.lit(v) for v in sorted(values)) + ")"


def lambda_rows_sql(src: Source, *, billed_only: bool) -> str:
    """One row per Lambda attempt: execution, visit, attempt, state, tool keys, scheduled, billed, billed_ms."""
    run = nn("a.run_ms")
    billed = f"NOT (a.error IS NOT NULL AND trim(a.error) IN {_in(src, THROTTLE_ERRORS)})"
    billed_ms = (f"CASE WHEN {billed} THEN CASE WHEN {run} IS NULL THEN NULL ELSE "
                 f"greatest({ONE}, CAST(ceil(round({run}, 6)) AS DOUBLE)) END ELSE {ZERO} END")
    params, param_fn = "", "CAST(NULL AS STRING)"
    if "input" in src.columns("events"):
        fn = src.dialect.json_string("input", "FunctionName")
        params = (f" LEFT JOIN (SELECT execution, visit, row_number() OVER (PARTITION BY execution, visit ORDER BY id)"
                  f" AS attempt, {fn} AS fn FROM {src.table('events')} WHERE type = 'TaskScheduled') p "
                  f"ON a.execution = p.execution AND a.visit = p.visit AND a.attempt = p.attempt")
        param_fn = "p.fn"
    where = f"a.resource_type = 'lambda' AND a.outcome IN {_in(src, tuple(BILLED_OUTCOMES))}"
    if billed_only:
        where += f" AND {billed}"
    return (f"SELECT a.execution, a.visit, a.attempt, a.state, a.resource, {param_fn} AS param_fn, a.scheduled, "
            f"{billed} AS billed, {billed_ms} AS billed_ms FROM {src.table('attempts')} a{params} WHERE {where}")


@dataclass(frozen=True)
class Tool:
    """What one tool key (resource, FunctionName parameter, state) is billed as."""

    name: str
    config: LambdaConfig


def tool_of(resource: object, param_fn: object, state: object, tools: ToolConfigs | None) -> Tool:
    """The tool and its configuration for one key, by the rules of ``lambda_attempts``."""
    fn = function_name(resource if isinstance(resource, str) else None)
    if fn is None and isinstance(param_fn, str):
        fn = bare_function_name(param_fn)
    name = str(state)
    return Tool(fn or name, _lambda_config(tools, fn, name))


def tool_table(src: Source, tools: ToolConfigs | None) -> tuple[pa.Table, dict[tuple[object, ...], Tool]]:
    """The distinct tool keys of the store's Lambda attempts, each with memory (MB) and architecture."""
    keys = src.frame(f"SELECT DISTINCT resource, param_fn, state FROM ({lambda_rows_sql(src, billed_only=False)}) l")
    found: dict[tuple[object, ...], Tool] = {}
    for r, p, s in zip(keys["resource"], keys["param_fn"], keys["state"], strict=True):
        found[(_cell(r), _cell(p), _cell(s))] = tool_of(_cell(r), _cell(p), _cell(s), tools)
    table = pa.table({"resource": pa.array([k[0] for k in found], pa.string()),
                      "param_fn": pa.array([k[1] for k in found], pa.string()),
                      "state": pa.array([k[2] for k in found], pa.string()),
                      "tool": pa.array([t.name for t in found.values()], pa.string()),
                      "memory_mb": pa.array([float(t.config.memory_mb) for t in found.values()], pa.float64()),
                      "arch": pa.array([t.config.arch for t in found.values()], pa.string())})
    return table, found


def _cell(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def same(column: str, left: str, right: str) -> str:
    """NULL-safe equality of ``left.column`` and ``right.column``."""
    return f"{left}.{column} IS NOT DISTINCT FROM {right}.{column}"


def tool_join(alias: str, tools_name: str) -> str:
    """``JOIN`` of the tools table onto rows aliased ``alias`` that carry the tool keys."""
    return f" JOIN {tools_name} c ON " + " AND ".join(same(k, alias, "c") for k in _TOOL_KEYS)


def execution_dims(src: Source, region: str | None, types: str | Mapping[str, str] | None) -> pa.Table:
    """Per execution: its pricing region and workflow type, read from the ARN by the Python cost rules."""
    from workbench.history.cost.frame_costs import _types

    ex = src.frame(f"SELECT DISTINCT execution FROM {src.table('executions')}")
    arns = ex["execution"].astype(str) if len(ex) else pd.Series([], dtype="str")
    kinds = _types(pd.DataFrame({"execution": arns}), types)
    regions = [region or region_of(a) for a in arns]
    return pa.table({"execution": pa.array(list(arns), pa.string()), "region": pa.array(regions, pa.string()),
                     "kind": pa.array([str(k) for k in kinds], pa.string())})
