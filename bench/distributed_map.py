"""Benchmark: a Distributed Map over 10,000 items on the embedded engine (time warp on).

The items come from an S3 JSON list (the engine's own S3); ItemBatcher MaxItemsPerBatch 100 makes 100 child
executions, each a Wait of an hour (warped) and a Choice that fails the batch holding item 0 (one batch of
100 items = 1 %, under ToleratedFailurePercentage 5). Rows: wall time of the whole execution, child
executions (ListExecutions by mapRunArn), the Map Run's item counts, and the ratio to the 60 s target.

Run: ``.venv/bin/python bench/distributed_map.py [--items 10000] [--per-batch 100]``.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from typing import Any

from workbench.engine.embedded import EmbeddedEngine

ROLE = "arn:aws:iam::123456789012:role/bench"
TARGET_SECONDS = 60.0


def definition(bucket: str, key: str, per_batch: int) -> dict[str, Any]:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Hold",
                 "States": {
                     "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Check"},
                     "Check": {"Type": "Choice", "Choices": [
                         {"Variable": "$.Items[0]", "NumericEquals": 0, "Next": "Boom"}], "Default": "Done"},
                     "Boom": {"Type": "Fail", "Error": "Bench.Failure", "Cause": "the batch with item 0"},
                     "Done": {"Type": "Pass", "Result": "ok", "End": True}}}
    return {"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "ItemProcessor": processor, "Label": "bench", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": bucket, "Key": key}},
        "ItemBatcher": {"MaxItemsPerBatch": per_batch}, "ToleratedFailurePercentage": 5.0}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--per-batch", type=int, default=100)
    args = parser.parse_args()
    with EmbeddedEngine(time_warp=True) as engine:
        sfn, s3 = engine.client(), engine.client("s3")
        bucket, key = f"bench-{uuid.uuid4().hex[:8]}", "items.json"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(list(range(args.items))).encode())
        machine = sfn.create_state_machine(name=f"bench-dmap-{uuid.uuid4().hex[:8]}", roleArn=ROLE,
                                           definition=json.dumps(definition(bucket, key, args.per_batch)))
        begun = time.monotonic()
        arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")["executionArn"]
        while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            time.sleep(0.05)
        seconds = time.monotonic() - begun
        [run] = sfn.list_map_runs(executionArn=arn)["mapRuns"]
        pages = sfn.get_paginator("list_executions").paginate(mapRunArn=run["mapRunArn"])
        children = [c for page in pages for c in page["executions"]]
        counts = sfn.describe_map_run(mapRunArn=run["mapRunArn"])["itemCounts"]
    print(f"distributed map: {args.items} items, MaxItemsPerBatch {args.per_batch}, ToleratedFailurePercentage 5")
    print(f"  status               {described['status']}")
    print(f"  wall time            {seconds:.2f} s   "
          f"(target {TARGET_SECONDS:.0f} s, ratio {seconds / TARGET_SECONDS:.2f})")
    print(f"  child executions     {len(children)}   "
          f"({sum(c['status'] == 'FAILED' for c in children)} failed, as planned)")
    print(f"  items                {counts['total']} total, {counts['succeeded']} succeeded, {counts['failed']} failed")


if __name__ == "__main__":
    main()
