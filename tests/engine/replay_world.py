"""The AWS resources a recorded scenario expected, recreated in moto, and the workers that answered it.

The recorder replaced resource names by placeholders (``<sqs_queue_url>``, ``<ArnPart_0idx>``...). Here
each one becomes a real moto resource: a queue, a DynamoDB table, a bucket, a child state machine that
ends the way the recorded child ended. Callback tokens are answered by a worker thread with the recorded
outcome, the way the test's worker did.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from typing import Any

from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/replay"
_GENERIC = {"<partition>": "aws", "<region>": REGION, "111111111111": ACCOUNT}
# Recordings name the same buckets and keys ("bucket-name", "file.json") and the engine's S3 is shared by
# concurrent replays: a replay holds this from writing its objects until it ends.
_S3_LOCK = threading.Lock()


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}


def json_text(value: Any) -> str:
    """What a worker sends as ``output``/``cause``: the recorded JSON text, or JSON for a decoded value.

    The recorder decoded JSON text one level where it held an object, and kept scalars as their text
    (``'"done"'``), so a string that parses is already the text that was sent.

    Example:
        >>> json_text('"done"'), json_text({"a": 1}), json_text("plain words")
        ('"done"', '{"a": 1}', '"plain words"')
    """
    if isinstance(value, str):
        try:
            json.loads(value)
            return value
        except json.JSONDecodeError:
            pass
    return json.dumps(value)


def _has_token(value: Any) -> bool:
    return "$$.Task.Token" in json.dumps(value)


class World:
    """Resources and workers of one replayed scenario on one engine."""

    def __init__(self, engine: Any, tag: str, definition: dict[str, Any] | None,
                 history: list[dict[str, Any]]) -> None:
        self.engine = engine
        self.tag = tag
        self.history = history
        self._definition = definition or {}
        self._queues: list[str] = []
        self._machines: list[str] = []
        self._activities: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._callbacks = self._recorded_callbacks()
        self._s3_locked = False

    # ------------------------------------------------------------ substitutions
    def substitute_template(self, text: str) -> str:
        text = text.replace("${AWS::Partition}", "aws").replace("${AWS::Region}", REGION)
        for placeholder in set(re.findall(r"\$\{(queue[A-Za-z0-9]*)\}", text)):
            text = text.replace("${" + placeholder + "}", self.queue_url())
        return text

    def substitute_value(self, value: str) -> str:
        for placeholder, real in _GENERIC.items():
            value = value.replace(placeholder, real)
        return value

    def prepare_input(self, value: Any) -> Any:
        """Create what the input names (queues, tables, child machines, buckets) and point at it."""
        if isinstance(value, list):
            return [self.prepare_input(item) for item in value]
        if not isinstance(value, dict):
            return value
        out = {key: self.prepare_input(item) for key, item in value.items()}
        if isinstance(out.get("QueueUrl"), str) and "queue_url" in out["QueueUrl"]:
            out["QueueUrl"] = self.queue_url()
        if isinstance(out.get("StateMachineArn"), str):
            out["StateMachineArn"] = self.child_machine(out)
        name = out.get("Name")
        if isinstance(name, str) and re.fullmatch(r"<resource:\d+>", name):
            # The recorder hid the child execution's name; '<', '>' and ':' are not allowed in names (InvalidName).
            out["Name"] = f"{self.tag}-{name[1:-1].replace(':', '-')}"
        if isinstance(out.get("TableName"), str) and isinstance(out.get("Key"), dict):
            self.table(out["TableName"], out["Key"])
        if isinstance(out.get("Bucket"), str):
            self.bucket(out["Bucket"])
            self.objects(out["Bucket"], out.get("Key"))
        return out

    # ------------------------------------------------------------ resources
    def queue_url(self) -> str:
        if not self._queues:
            sqs = self.engine.client("sqs")
            self._queues.append(sqs.create_queue(QueueName=f"replay-{self.tag}")["QueueUrl"])
            self._start(self._answer_callbacks)
        return self._queues[0]

    def table(self, name: str, key: dict[str, Any]) -> None:
        ddb = self.engine.client("dynamodb")
        attribute, typed = next(iter(key.items()))
        with contextlib.suppress(ddb.exceptions.ResourceInUseException):
            ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": attribute, "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": attribute,
                                                    "AttributeType": next(iter(typed))}])

    def bucket(self, name: str) -> None:
        if not self._s3_locked:
            _S3_LOCK.acquire()
            self._s3_locked = True
        s3 = self.engine.client("s3")
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
            s3.create_bucket(Bucket=name)

    def objects(self, bucket: str, key: Any) -> None:
        """The objects an ItemReader read, rebuilt from the items the recorded Map returned."""
        output = self._final_output()
        items = output if isinstance(output, list) else []
        if any("ItemBatcher" in state for state in _all_states(self._definition)):
            # A batching Map returned one {"BatchInput", "Items"} per child: the file held the items.
            items = [item for batch in items if isinstance(batch, dict) for item in batch.get("Items") or []]
        s3 = self.engine.client("s3")
        if isinstance(key, str) and key.endswith(".csv"):
            rows = [item for item in items if isinstance(item, dict)] or [{"a": "1", "b": "2"}]
            header = list(rows[0])
            text = "\n".join([",".join(header)] + [",".join(str(row.get(h, "")) for h in header) for row in rows])
            s3.put_object(Bucket=bucket, Key=key, Body=text.encode())
        elif isinstance(key, str):
            s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(items).encode())
        else:
            for item in items:
                if isinstance(item, dict) and "Key" in item:
                    s3.put_object(Bucket=bucket, Key=item["Key"], Body=b"x" * int(item.get("Size", 1)))

    def _final_output(self) -> Any:
        output = _details(self.history[-1]).get("output")
        if isinstance(output, str):
            try:
                return json.loads(output)
            except json.JSONDecodeError:
                return output
        return output

    def definition_buckets(self) -> None:
        """Buckets named literally in the definition (e.g. a ResultWriter's)."""
        for state in _all_states(self._definition):
            for block in (state.get("ResultWriter"), state.get("ItemReader")):
                bucket = ((block or {}).get("Parameters") or {}).get("Bucket")
                if isinstance(bucket, str):
                    self.bucket(bucket)

    def activity_arn(self) -> str:
        """An activity, and a worker that answers its first task the way the recorded worker did."""
        sfn = self.engine.client()
        arn = str(sfn.create_activity(name=f"replay-{self.tag}")["activityArn"])
        self._activities.append(arn)
        self._start(lambda: self._work_activity(arn))
        return arn

    def _work_activity(self, arn: str) -> None:
        sfn = self.engine.client()
        outcome = next((e for e in self.history if e["type"] in (
            "ActivitySucceeded", "ActivityFailed", "ActivityTimedOut")), None)
        while not self._stop.is_set():
            task = sfn.get_activity_task(activityArn=arn, workerName="replay-worker")
            token = task.get("taskToken")
            if not token:
                continue
            if outcome is not None and outcome["type"] == "ActivitySucceeded":
                sfn.send_task_success(taskToken=token, output=json_text(_details(outcome).get("output")))
            elif outcome is not None and outcome["type"] == "ActivityFailed":
                self._answer(sfn, token, {"type": "TaskFailed", **_details(outcome)})
            return

    def child_machine(self, parent_input: dict[str, Any]) -> str:
        """A child that ends like the recorded one: Pass with the recorded output, or Fail."""
        definition: dict[str, Any] = {"StartAt": "End", "States": {"End": {"Type": "Pass", "End": True}}}
        for event in self.history:
            details = _details(event)
            if details.get("resourceType") != "states":
                continue
            if event["type"] == "TaskSucceeded" and isinstance(details.get("output"), dict):
                output = details["output"].get("Output")
                if isinstance(output, str):
                    definition["States"]["End"]["Result"] = json.loads(output)
            if event["type"] == "TaskFailed" and isinstance(details.get("cause"), dict):
                cause = details["cause"]
                definition["States"]["End"] = {"Type": "Fail", "Error": cause.get("Error", "Failed"),
                                               "Cause": cause.get("Cause", "")}
                if cause.get("Error") == "States.Timeout":
                    # The recorded child's task timed out (a Fail state cannot raise States.*): hold a task
                    # nobody answers for one second.
                    definition["States"]["End"] = self._hold(1)
        if _has_token(self._definition):
            # The parent passes its own task token to the child, which hands it to a worker through SQS and
            # then waits (for longer than the worker takes to answer the parent).
            definition = {"StartAt": "Send", "States": {
                "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                         "Parameters": {"QueueUrl.$": "$.QueueUrl", "MessageBody.$": "$"}, "Next": "Hold"},
                "Hold": self._hold(30)}}
        sfn = self.engine.client()
        created = sfn.create_state_machine(name=f"replay-child-{self.tag}", definition=json.dumps(definition),
                                           roleArn=ROLE_ARN)
        self._machines.append(str(created["stateMachineArn"]))
        return str(created["stateMachineArn"])

    def _hold(self, seconds: int) -> dict[str, Any]:
        """A final Task state on an activity no worker polls: it ends with States.Timeout after ``seconds``
        of real time (task timeouts are not warped)."""
        sfn = self.engine.client()
        arn = str(sfn.create_activity(name=f"replay-hold-{self.tag}")["activityArn"])
        self._activities.append(arn)
        return {"Type": "Task", "Resource": arn, "TimeoutSeconds": seconds, "End": True}

    def own(self, machine_arn: str) -> None:
        """Delete this machine on close (moto's backends are shared by the whole test process)."""
        self._machines.append(machine_arn)

    # ------------------------------------------------------------ callback workers
    def _recorded_callbacks(self) -> list[dict[str, Any]]:
        """Outcomes of the token-waiting tasks, in recorded order."""
        token_resources = set()
        for state in _all_states(self._definition):
            resource = state.get("Resource")
            if isinstance(resource, str) and _has_token(state.get("Parameters", state.get("Arguments"))):
                token_resources.add(resource.rsplit(":", 1)[-1])
        outcomes = []
        for event in self.history:
            details = _details(event)
            if event["type"] in ("TaskSucceeded", "TaskFailed", "TaskTimedOut") and \
                    details.get("resource") in token_resources:
                outcomes.append({"type": event["type"], **details})
        return outcomes

    def _answer_callbacks(self) -> None:
        sqs = self.engine.client("sqs")
        sfn = self.engine.client()
        while not self._stop.is_set():
            messages = sqs.receive_message(QueueUrl=self._queues[0], WaitTimeSeconds=1,
                                           MaxNumberOfMessages=10).get("Messages", [])
            for message in messages:
                token = _find_token(message.get("Body", ""))
                if token is None or not self._callbacks:
                    continue
                outcome = self._callbacks.pop(0)
                try:
                    self._answer(sfn, token, outcome)
                except ClientError as exc:
                    # A token of an execution that already ended (a message left from an earlier replay
                    # on a shared queue): AWS answers InvalidToken/TaskTimedOut too; nothing to answer.
                    if exc.response.get("Error", {}).get("Code") not in ("InvalidToken", "TaskTimedOut",
                                                                           "TaskDoesNotExist"):
                        raise
                    self._callbacks.insert(0, outcome)

    @staticmethod
    def _answer(sfn: Any, token: str, outcome: dict[str, Any]) -> None:
        if outcome["type"] == "TaskSucceeded":
            sfn.send_task_success(taskToken=token, output=json_text(outcome.get("output")))
        elif outcome["type"] == "TaskFailed":
            # An error is a name and a cause free text (the recorder decoded a cause that was JSON text).
            failure = {k: v if isinstance(v, str) else json.dumps(v)
                       for k, v in (("error", outcome.get("error")), ("cause", outcome.get("cause")))
                       if v is not None}
            sfn.send_task_failure(taskToken=token, **failure)

    def _start(self, target: Any) -> None:
        thread = threading.Thread(target=target, daemon=True, name=f"replay-{self.tag}")
        self._threads.append(thread)
        thread.start()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        sfn = self.engine.client()
        for arn in self._machines:
            # A child still holding (see _hold) is stopped, not left to time out after the replay.
            for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING"):
                for execution in page["executions"]:
                    sfn.stop_execution(executionArn=execution["executionArn"])
            sfn.delete_state_machine(stateMachineArn=arn)
        for arn in self._activities:
            sfn.delete_activity(activityArn=arn)
        for url in self._queues:
            self.engine.client("sqs").delete_queue(QueueUrl=url)
        if self._s3_locked:
            self._s3_locked = False
            _S3_LOCK.release()


def _all_states(definition: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for state in (definition.get("States") or {}).values():
        found.append(state)
        for branch in state.get("Branches", []) or []:
            found.extend(_all_states(branch))
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                found.extend(_all_states(state[key]))
    return found


def _find_token(body: str) -> str | None:
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key.lower() == "tasktoken" and isinstance(value, str):
                    return value
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return None
