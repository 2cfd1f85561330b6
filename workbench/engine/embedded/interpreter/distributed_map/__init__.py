"""Distributed Map as AWS runs it, on moto 5.2.5's interpreter.

``definition`` reads what moto's grammar refuses (ItemBatcher, JSONL, CSVDelimiter, WriterConfig),
``batching`` groups items, ``map_run`` runs each child workflow as an execution of its own under its Map Run
with failure tolerance, ``reader`` reads S3 items as AWS does, ``result_writer`` exports the results to S3 or
reshapes them (ResultWriter), ``api`` serves the Map Run and its children (ListExecutions by mapRunArn,
DescribeExecution of a child, Describe/UpdateMapRun).
"""

from __future__ import annotations

from workbench.engine.embedded.interpreter.distributed_map import api, definition, map_run, reader, result_writer


def install() -> None:
    """Install every part (``patches.install`` calls this once, holding its lock)."""
    definition.install()
    reader.install()
    map_run.install()
    result_writer.install()
    api.install()
