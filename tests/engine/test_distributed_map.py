"""Distributed Map as AWS runs it: S3 item readers, ItemBatcher, failure tolerance, child executions, Map Runs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.engine.embedded_support import Run, run, unique

DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
PASS = {"ProcessorConfig": DISTRIBUTED, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
# Items below 2 fail; a batch fails when its first item does.
FAIL_SMALL = {"ProcessorConfig": DISTRIBUTED, "StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericLessThan": 2, "Next": "F"}], "Default": "P"},
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "small"}, "P": {"Type": "Pass", "End": True}}}
BUCKET = "wb-distributed-map"


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    from workbench.engine import EmbeddedEngine

    with EmbeddedEngine(time_warp=True) as e:
        e.client("s3").create_bucket(Bucket=BUCKET)
        yield e


def _map(processor: dict[str, Any] = PASS, **fields: Any) -> dict[str, Any]:
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}}}


def _reader(engine: Any, body: str, **config: Any) -> dict[str, Any]:
    key = f"{unique('items')}.txt"
    engine.client("s3").put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    reader: dict[str, Any] = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": BUCKET, "Key": key}}
    if config:
        reader["ReaderConfig"] = config
    return reader


def _map_run_arn(engine: Any, result: Run) -> str:
    [item] = engine.client().list_map_runs(executionArn=result.arn)["mapRuns"]
    return str(item["mapRunArn"])


def test_a_json_object_is_not_a_list_of_items(engine: Any) -> None:
    result = run(engine, _map(ItemReader=_reader(engine, '{"a": 1}')))
    assert result.status == "FAILED"
    assert "MapRunFailed" in result.types
    assert (result.describe["error"], result.describe["cause"]) == ("States.ItemReaderFailed",
                                                                      "Attempting to map over non-iterable node.")


def test_a_json_list_without_reader_config_is_read_as_json(engine: Any) -> None:
    result = run(engine, _map(ItemReader=_reader(engine, '[{"a": 1}, {"a": 2}]')))
    assert (result.status, result.output) == ("SUCCEEDED", [{"a": 1}, {"a": 2}])


def test_jsonl_and_csv_delimiter_readers(engine: Any) -> None:
    jsonl = run(engine, _map(ItemReader=_reader(engine, '{"a": 1}\n\n{"a": 2}\n', InputType="JSONL", MaxItems=5)))
    assert (jsonl.status, jsonl.output) == ("SUCCEEDED", [{"a": 1}, {"a": 2}])
    csv = run(engine, _map(ItemReader=_reader(engine, "x|y\n1|2\n3|4\n", InputType="CSV",
                                              CSVHeaderLocation="FIRST_ROW", CSVDelimiter="PIPE")))
    assert (csv.status, csv.output) == ("SUCCEEDED", [{"x": "1", "y": "2"}, {"x": "3", "y": "4"}])


def test_item_batcher_groups_selected_items_with_batch_input(engine: Any) -> None:
    definition = _map(ItemsPath="$.items", ItemSelector={"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                      ItemBatcher={"MaxItemsPerBatchPath": "$.per", "BatchInput": {"tag.$": "$.tag"}})
    result = run(engine, definition, {"items": ["a", "b", "c"], "per": 2, "tag": "t"})
    assert result.status == "SUCCEEDED", result.describe
    assert result.output == [{"BatchInput": {"tag": "t"}, "Items": [{"v": "a", "i": 0}, {"v": "b", "i": 1}]},
                             {"BatchInput": {"tag": "t"}, "Items": [{"v": "c", "i": 2}]}]


def test_item_batcher_bytes_limit_and_jsonata(engine: Any) -> None:
    definition = {"QueryLanguage": "JSONata", **_map(
        Items="{% $states.input.items %}", ItemBatcher={"MaxInputBytesPerBatch": "{% $states.input.bytes %}"})}
    items = ["x" * 10] * 4
    one = len(json.dumps({"Items": items[:1]}, separators=(",", ":")))
    result = run(engine, definition, {"items": items, "bytes": one + 14})  # room for two items, not three
    assert result.status == "SUCCEEDED", result.describe
    assert result.output == [{"Items": items[:2]}, {"Items": items[2:]}]


@pytest.mark.parametrize(("tolerance", "status"), [
    ({}, "FAILED"),
    ({"ToleratedFailureCount": 2}, "SUCCEEDED"),
    ({"ToleratedFailureCount": 1}, "FAILED"),
    ({"ToleratedFailurePercentage": 20.0}, "SUCCEEDED"),
    ({"ToleratedFailurePercentage": 19.5}, "FAILED"),
])
def test_tolerated_failures(engine: Any, tolerance: dict[str, Any], status: str) -> None:
    """Two of ten items fail: the run fails only when that exceeds a declared threshold (any failure if none)."""
    result = run(engine, _map(FAIL_SMALL, **tolerance), list(range(10)))
    assert result.status == status, result.describe
    if status == "FAILED":
        assert (result.describe["error"], result.describe["cause"]) == (
            "States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")
        assert result.types[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    else:
        assert result.output == [None, None, *range(2, 10)]


def test_failed_items_of_a_batch_count_each(engine: Any) -> None:
    """Tolerance counts items: one failed batch of 3 exceeds a tolerated count of 2."""
    fail_first = {**FAIL_SMALL, "States": {**FAIL_SMALL["States"], "C": {
        "Type": "Choice", "Choices": [{"Variable": "$.Items[0]", "NumericLessThan": 2, "Next": "F"}],
        "Default": "P"}}}
    failed = run(engine, _map(fail_first, ToleratedFailureCount=2, ItemBatcher={"MaxItemsPerBatch": 3}),
                 list(range(6)))
    assert failed.describe["error"] == "States.ExceedToleratedFailureThreshold"
    tolerated = run(engine, _map(fail_first, ToleratedFailureCount=3, ItemBatcher={"MaxItemsPerBatch": 3}),
                    list(range(6)))
    assert (tolerated.status, tolerated.output) == ("SUCCEEDED", [None, {"Items": [3, 4, 5]}])


def test_children_are_executions_of_the_map_run(engine: Any) -> None:
    sfn = engine.client()
    result = run(engine, _map(FAIL_SMALL, Label="Chunk", ToleratedFailureCount=5), list(range(5)))
    assert result.status == "SUCCEEDED"
    map_run = _map_run_arn(engine, result)
    machine = result.describe["stateMachineArn"].split(":stateMachine:")[1]
    children = sfn.list_executions(mapRunArn=map_run, maxResults=100)["executions"]
    assert len(children) == 5
    pattern = re.compile(rf"arn:aws:states:us-east-1:123456789012:execution:{machine}/Chunk:[0-9a-f-]{{36}}")
    assert all(pattern.fullmatch(c["executionArn"]) and c["mapRunArn"] == map_run for c in children)
    assert sorted(c["status"] for c in children) == ["FAILED"] * 2 + ["SUCCEEDED"] * 3
    failed = sfn.list_executions(mapRunArn=map_run, statusFilter="FAILED")["executions"]
    assert len(failed) == 2
    described = sfn.describe_execution(executionArn=failed[0]["executionArn"])
    assert (described["status"], described["error"], described["mapRunArn"]) == ("FAILED", "Boom", map_run)
    assert described["stateMachineArn"].endswith(f":stateMachine:{machine}/Chunk")
    events = sfn.get_execution_history(executionArn=failed[0]["executionArn"])["events"]
    assert [e["type"] for e in events][0::len(events) - 1] == ["ExecutionStarted", "ExecutionFailed"]
    page = sfn.list_executions(mapRunArn=map_run, maxResults=2)
    assert len(page["executions"]) == 2 and page["nextToken"]


def test_describe_list_and_update_map_run(engine: Any) -> None:
    sfn = engine.client()
    result = run(engine, _map(MaxConcurrency=2, ItemBatcher={"MaxItemsPerBatch": 2}), list(range(5)))
    map_run = _map_run_arn(engine, result)
    described = sfn.describe_map_run(mapRunArn=map_run)
    assert (described["status"], described["executionArn"], described["maxConcurrency"]) == (
        "SUCCEEDED", result.arn, 2)
    assert (described["itemCounts"]["total"], described["itemCounts"]["succeeded"]) == (5, 5)
    assert (described["executionCounts"]["total"], described["executionCounts"]["succeeded"]) == (3, 3)
    sfn.update_map_run(mapRunArn=map_run, maxConcurrency=7, toleratedFailureCount=3, toleratedFailurePercentage=4.5)
    updated = sfn.describe_map_run(mapRunArn=map_run)
    assert (updated["maxConcurrency"], updated["toleratedFailureCount"], updated["toleratedFailurePercentage"]) == (
        7, 3, 4.5)


def test_unknown_map_run_is_not_found(engine: Any) -> None:
    sfn = engine.client()
    arn = "arn:aws:states:us-east-1:123456789012:mapRun:nope/x:00000000-0000-0000-0000-000000000000"
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_executions(mapRunArn=arn)


def test_lint_no_longer_warns_about_item_batcher() -> None:
    from workbench.asl.lint import lint

    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"},
              "ReaderConfig": {"InputType": "JSONL", "CSVDelimiter": "PIPE"}}
    definition = _map(ItemBatcher={"MaxItemsPerBatch": 2}, ItemReader=reader)
    assert not [d.code for d in lint(definition) if d.code.startswith("W-ENGINE")]


def _s3_json(engine: Any, bucket: str, key: str) -> Any:
    return json.loads(engine.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def test_list_objects_v2_items_have_the_java_sdk_member_names(engine: Any) -> None:
    s3, prefix = engine.client("s3"), unique("listing")
    for name in ("a", "b"):
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{name}.txt", Body=b"twelve bytes")
    reader = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": BUCKET, "Prefix.$": "$.p"}}
    listed = run(engine, _map(ItemReader=reader), {"p": prefix})
    assert listed.status == "SUCCEEDED", listed.describe
    assert [list(item) for item in listed.output] == [["Etag", "LastModified", "Key", "Size", "StorageClass"]] * 2
    assert [(item["Key"], item["Size"]) for item in listed.output] == [(f"{prefix}/a.txt", 12), (f"{prefix}/b.txt", 12)]
    empty = run(engine, _map(ItemReader=reader), {"p": unique("nothing")})
    assert (empty.status, empty.output) == ("SUCCEEDED", [])


@pytest.mark.parametrize("max_items", [1.5, "two"])
def test_a_max_items_path_that_is_no_integer_fails_before_the_map_run(engine: Any, max_items: Any) -> None:
    reader = _reader(engine, "a\n1\n2\n3\n", InputType="CSV", CSVHeaderLocation="FIRST_ROW", MaxItemsPath="$.max")
    result = run(engine, _map(ItemReader=reader), {"max": max_items})
    assert result.types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "ExecutionFailed"]
    entered = result.first("MapStateEntered")["id"]
    assert result.describe["error"] == "States.Runtime"
    assert result.describe["cause"] == (
        f"An error occurred while executing the state 'M' (entered at the event id #{entered}). The MaxItemsPath "
        f"field refers to value \"{max_items}\" which is not a valid integer: $.max")
    counted = run(engine, _map(ItemReader=reader), {"max": "2"})
    assert (counted.status, counted.output) == ("SUCCEEDED", [{"a": "1"}, {"a": "2"}])


def test_result_writer_exports_results_and_a_manifest(engine: Any) -> None:
    prefix = unique("jobs")
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket.$": "$.bucket", "Prefix": prefix}}
    items = [5, 1, 7]
    result = run(engine, _map(FAIL_SMALL, ItemsPath="$.items", ResultWriter=writer, ToleratedFailureCount=1),
                 {"bucket": BUCKET, "items": items})
    assert result.status == "SUCCEEDED", result.describe
    map_run = _map_run_arn(engine, result)
    run_id = map_run.rsplit(":", 1)[1]
    assert result.output == {"MapRunArn": map_run, "ResultWriterDetails": {
        "Bucket": BUCKET, "Key": f"{prefix}/{run_id}/manifest.json"}}
    manifest = _s3_json(engine, BUCKET, f"{prefix}/{run_id}/manifest.json")
    files = manifest["ResultFiles"]
    assert (manifest["DestinationBucket"], manifest["MapRunArn"], files["PENDING"]) == (BUCKET, map_run, [])
    assert [f["Key"] for f in files["SUCCEEDED"] + files["FAILED"]] == [
        f"{prefix}/{run_id}/SUCCEEDED_0.json", f"{prefix}/{run_id}/FAILED_0.json"]
    succeeded = _s3_json(engine, BUCKET, files["SUCCEEDED"][0]["Key"])
    body = engine.client("s3").get_object(Bucket=BUCKET, Key=files["SUCCEEDED"][0]["Key"])["Body"].read()
    assert files["SUCCEEDED"][0]["Size"] == len(body)
    assert sorted(json.loads(r["Output"]) for r in succeeded) == [5, 7]
    children = {c["executionArn"]: c for c in engine.client().list_executions(mapRunArn=map_run)["executions"]}
    for record in succeeded:
        assert children[record["ExecutionArn"]]["status"] == record["Status"] == "SUCCEEDED"
        assert (record["Name"], record["InputDetails"], record["OutputDetails"]) == (
            children[record["ExecutionArn"]]["name"], {"Included": True}, {"Included": True})
        assert record["Input"] == record["Output"] and record["StartDate"] <= record["StopDate"]
    [failed] = _s3_json(engine, BUCKET, files["FAILED"][0]["Key"])
    assert (failed["Status"], failed["Error"], failed["Cause"], json.loads(failed["Input"])) == (
        "FAILED", "Boom", "small", 1)
    assert "Output" not in failed


@pytest.mark.parametrize(("transformation", "expected"), [
    ("COMPACT", [["a", "b"], "c"]),
    ("FLATTEN", ["a", "b", "c"]),
])
def test_writer_config_reshapes_the_results(engine: Any, transformation: str, expected: list[Any]) -> None:
    preview = run(engine, _map(ResultWriter={"WriterConfig": {"Transformation": transformation}}), [["a", "b"], "c"])
    assert (preview.status, preview.output) == ("SUCCEEDED", expected)
    prefix = unique("lines")
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": BUCKET, "Prefix": prefix},
              "WriterConfig": {"Transformation": transformation, "OutputType": "JSONL"}}
    exported = run(engine, _map(ResultWriter=writer), [["a", "b"], "c"])
    manifest = _s3_json(engine, BUCKET, exported.output["ResultWriterDetails"]["Key"])
    [written] = manifest["ResultFiles"]["SUCCEEDED"]
    lines = engine.client("s3").get_object(Bucket=BUCKET, Key=written["Key"])["Body"].read().decode().splitlines()
    assert sorted(map(json.dumps, map(json.loads, lines))) == sorted(map(json.dumps, expected))


def test_writer_config_none_previews_the_execution_records(engine: Any) -> None:
    preview = run(engine, _map(ResultWriter={"WriterConfig": {"Transformation": "NONE"}}), ["x"])
    [record] = preview.output
    assert (record["Status"], json.loads(record["Output"]), record["RedriveStatus"]) == (
        "SUCCEEDED", "x", "NOT_REDRIVABLE")


def test_a_result_writer_that_cannot_write_fails_the_map_run(engine: Any) -> None:
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": unique("missing"), "Prefix": "p"}}
    result = run(engine, _map(ResultWriter=writer), [1])
    assert result.status == "FAILED"
    assert result.types[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    assert result.describe["error"] == "States.ResultWriterFailed"
    assert "NoSuchBucket" in result.describe["cause"]


def test_lint_warns_only_about_a_writer_config_the_engine_cannot_read() -> None:
    from workbench.asl.lint import lint

    def engine_codes(config: dict[str, Any]) -> list[str]:
        return [d.code for d in lint(_map(ResultWriter={"WriterConfig": config})) if d.code.startswith("W-ENGINE")]

    assert engine_codes({"Transformation": "FLATTEN", "OutputType": "JSONL"}) == []
    assert engine_codes({"Transformation": "{% $t %}"}) == ["W-ENGINE005"]


def _inventory(engine: Any, rows: list[bytes], **manifest: Any) -> dict[str, Any]:
    """An S3 Inventory in BUCKET: one data file per entry of ``rows`` (gzip-compressed from the second on)."""
    import gzip

    s3, prefix = engine.client("s3"), unique("inventory")
    keys = []
    for i, body in enumerate(rows):
        key = f"{prefix}/data/{i}.csv" + (".gz" if i else "")
        s3.put_object(Bucket=BUCKET, Key=key, Body=gzip.compress(body) if i else body)
        keys.append(key)
    document = {"sourceBucket": "src", "destinationBucket": f"arn:aws:s3:::{BUCKET}", "version": "2016-11-30",
                "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, LastModifiedDate",
                "files": [{"key": key, "size": 1, "MD5checksum": "0"} for key in keys], **manifest}
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/manifest.json", Body=json.dumps(document).encode())
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
            "Parameters": {"Bucket": BUCKET, "Key": f"{prefix}/manifest.json"}}


_ROWS = [b'"src","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n"src","a,b.txt","0","2022-11-15"\n',
         b'"src","imageDataset/pic.jpg","27034","2022-11-15T20:02:16.000Z"\n']


def test_an_s3_inventory_manifest_maps_over_the_objects_its_data_files_list(engine: Any) -> None:
    result = run(engine, _map(ItemReader=_inventory(engine, _ROWS)))
    assert result.status == "SUCCEEDED", result.describe
    assert result.output == [
        {"Bucket": "src", "Key": "csvDataset/titles.csv", "Size": "3399671",
         "LastModifiedDate": "2022-11-16T00:29:32.000Z"},
        {"Bucket": "src", "Key": "a,b.txt", "Size": "0", "LastModifiedDate": "2022-11-15"},
        {"Bucket": "src", "Key": "imageDataset/pic.jpg", "Size": "27034",
         "LastModifiedDate": "2022-11-15T20:02:16.000Z"},
    ]
    reader = _inventory(engine, _ROWS)
    reader["ReaderConfig"]["MaxItems"] = 2
    limited = run(engine, _map(ItemReader=reader))
    assert [item["Key"] for item in limited.output] == ["csvDataset/titles.csv", "a,b.txt"]


@pytest.mark.parametrize(("manifest", "missing", "cause"), [
    ({"fileFormat": "Parquet"}, None, 'The S3 inventory fileFormat must be CSV, not "Parquet"'),
    ({}, "data/0.csv", "Cannot read the S3 inventory data file "),
    ({}, "manifest.json", "Cannot read the S3 inventory manifest: An error occurred (NoSuchKey)"),
    ({"files": "none"}, None, "The S3 inventory manifest's files must each have a key"),
])
def test_an_unreadable_s3_inventory_fails_the_map_run(engine: Any, manifest: dict[str, Any], missing: str | None,
                                                      cause: str) -> None:
    reader = _inventory(engine, _ROWS, **manifest)
    if missing:
        engine.client("s3").delete_object(Bucket=BUCKET, Key=reader["Parameters"]["Key"].replace(
            "manifest.json", missing))
    result = run(engine, _map(ItemReader=reader))
    assert result.status == "FAILED"
    assert result.types[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    assert result.describe["error"] == "States.ItemReaderFailed"
    assert result.describe["cause"].startswith(cause)


def test_lint_no_longer_warns_about_a_manifest_reader() -> None:
    from workbench.asl.lint import lint

    def engine_codes(input_type: str) -> list[str]:
        reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"},
                  "ReaderConfig": {"InputType": input_type}}
        return [d.code for d in lint(_map(ItemReader=reader)) if d.code.startswith("W-ENGINE")]

    assert engine_codes("MANIFEST") == []
    assert engine_codes("PARQUET") == ["W-ENGINE005"]


# ---------------------------------------------------------------- EXPRESS child workflows

EXPRESS = {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}
FAIL_SMALL_EXPRESS = {**FAIL_SMALL, "ProcessorConfig": EXPRESS}


def _express_children(engine: Any, map_run: str) -> list[dict[str, Any]]:
    """The Map Run's children from ListExecutions(mapRunArn), each checked to have an Express ARN of its run."""
    from workbench.core.arn import Arn, ArnKind

    children = engine.client().list_executions(mapRunArn=map_run, maxResults=1000)["executions"]
    for item in children:
        arn = Arn.parse(item["executionArn"])
        assert arn.kind is ArnKind.EXPRESS_EXECUTION, item
        assert (arn.parts[0], arn.parts[1], item["mapRunArn"]) == (Arn.parse(map_run).parts[0], item["name"], map_run)
    return list(children)


def test_express_children_are_listed_and_described_but_have_no_history(engine: Any) -> None:
    """AWS DescribeExecution: "Executions of an EXPRESS state machine aren't supported ... unless a Map Run
    dispatched them"; GetExecutionHistory has no such exception."""
    sfn = engine.client()
    result = run(engine, _map(FAIL_SMALL_EXPRESS, Label="Chunk", ToleratedFailureCount=5), list(range(5)))
    assert (result.status, result.output) == ("SUCCEEDED", [None, None, 2, 3, 4]), result.describe
    map_run = _map_run_arn(engine, result)
    children = _express_children(engine, map_run)
    assert sorted(c["status"] for c in children) == ["FAILED"] * 2 + ["SUCCEEDED"] * 3
    [failed, _] = sfn.list_executions(mapRunArn=map_run, statusFilter="FAILED")["executions"]
    described = sfn.describe_execution(executionArn=failed["executionArn"])
    assert (described["executionArn"], described["status"], described["error"], described["mapRunArn"]) == (
        failed["executionArn"], "FAILED", "Boom", map_run)
    assert described["stateMachineArn"] == f"{result.describe['stateMachineArn']}/Chunk"
    with pytest.raises(sfn.exceptions.ClientError) as caught:
        sfn.get_execution_history(executionArn=failed["executionArn"])
    assert caught.value.response["Error"]["Code"] == "InvalidArn"
    counts = sfn.describe_map_run(mapRunArn=map_run)
    for kind in ("itemCounts", "executionCounts"):
        assert {k: counts[kind][k] for k in ("total", "succeeded", "failed", "resultsWritten")} == {
            "total": 5, "succeeded": 3, "failed": 2, "resultsWritten": 3}


def test_express_children_keep_tolerance_and_batching(engine: Any) -> None:
    failed = run(engine, _map(FAIL_SMALL_EXPRESS, ToleratedFailureCount=1), list(range(5)))
    assert (failed.status, failed.describe["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    batched = run(engine, _map({**PASS, "ProcessorConfig": EXPRESS}, ItemBatcher={"MaxItemsPerBatch": 2}),
                  list(range(5)))
    assert (batched.status, batched.output) == ("SUCCEEDED", [{"Items": [0, 1]}, {"Items": [2, 3]}, {"Items": [4]}])
    map_run = _map_run_arn(engine, batched)
    assert sorted(c["itemCount"] for c in _express_children(engine, map_run)) == [1, 2, 2]
    counts = engine.client().describe_map_run(mapRunArn=map_run)
    assert (counts["itemCounts"]["succeeded"], counts["executionCounts"]["succeeded"]) == (5, 3)


def test_express_children_results_go_to_the_result_writer(engine: Any) -> None:
    prefix = unique("express-jobs")
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": BUCKET, "Prefix": prefix}}
    result = run(engine, _map(FAIL_SMALL_EXPRESS, ResultWriter=writer, ToleratedFailureCount=1), [5, 1, 7])
    assert result.status == "SUCCEEDED", result.describe
    manifest = _s3_json(engine, BUCKET, result.output["ResultWriterDetails"]["Key"])
    succeeded = _s3_json(engine, BUCKET, manifest["ResultFiles"]["SUCCEEDED"][0]["Key"])
    [failed] = _s3_json(engine, BUCKET, manifest["ResultFiles"]["FAILED"][0]["Key"])
    children = {c["executionArn"]: c for c in _express_children(engine, result.output["MapRunArn"])}
    assert sorted(json.loads(r["Output"]) for r in succeeded) == [5, 7]
    assert (failed["Error"], json.loads(failed["Input"])) == ("Boom", 1)
    assert {r["ExecutionArn"] for r in [*succeeded, failed]} == set(children)


def test_express_children_log_to_the_parent_machines_log_group(engine: Any) -> None:
    from tests.engine.embedded_support import ROLE, finish
    from workbench.engine.embedded.interpreter.api.sync import express_log

    group = unique("/aws/vendedlogs/states/express-children")
    logging = {"level": "ALL", "includeExecutionData": True, "destinations": [
        {"cloudWatchLogsLogGroup": {"logGroupArn": f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"}}]}
    sfn = engine.client()
    machine = sfn.create_state_machine(name=unique("m"), definition=json.dumps(_map(FAIL_SMALL_EXPRESS)),
                                       roleArn=ROLE, loggingConfiguration=logging)["stateMachineArn"]
    result = finish(engine, sfn.start_execution(stateMachineArn=machine, input="[3]")["executionArn"])
    assert result.status == "SUCCEEDED", result.describe
    [child] = _express_children(engine, _map_run_arn(engine, result))
    kept = [record["type"] for record in express_log(child["executionArn"])]
    assert kept[0::len(kept) - 1] == ["ExecutionStarted", "ExecutionSucceeded"]
    events = engine.client("logs").filter_log_events(logGroupName=group)["events"]
    logged = [json.loads(e["message"]) for e in events]
    assert [r["type"] for r in logged if r["execution_arn"] == child["executionArn"]] == kept


def test_lint_no_longer_warns_about_express_children() -> None:
    from workbench.asl.lint import lint

    assert [d.code for d in lint(_map({**PASS, "ProcessorConfig": EXPRESS})) if d.code.startswith("W-ENGINE")] == []
