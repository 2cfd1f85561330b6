"""Task tokens, activities and tags as AWS answers them (the real-client trial of issue 13).

**Task tokens.** moto looks a token up only among the callback endpoints of running executions and never
forgets one, so a token whose task already closed was answered inconsistently: SendTaskSuccess and
SendTaskHeartbeat said ``InvalidToken`` once the execution had ended, SendTaskFailure answered 200 and a
second SendTaskSuccess on a running execution was accepted again. AWS answers ``TaskTimedOut`` ("The task
token has either expired or the task associated with the token has already been closed.") for a token it
issued whose task is closed, and keeps ``InvalidToken`` for a token it never issued. We keep a record of
every token the engine issues (:data:`_tokens`): open while its task waits, closed once the task was
answered (SendTaskSuccess/Failure), its attempt ended (timed out, heartbeat missed, failed) or its
execution stopped. SendTaskSuccess also checks that ``output`` is JSON (``InvalidOutput``: "The provided
JSON output data is not valid."); moto accepted it and the execution failed later with States.Runtime.
Its size bound (262144) is the service model's, answered by ``model_checks`` as ValidationException.

**Tags.** moto tagged any string (an unknown machine, an execution, ``not-an-arn``) and answered 200.
AWS's TagResource, UntagResource and ListTagsForResource take "the ARN for the Step Functions state
machine or activity" and answer ``InvalidArn`` for what is not a Step Functions ARN and ``ResourceNotFound``
("Could not find the referenced resource. Only state machine and activity ARNs are supported.", the
service model's text) for a machine or activity that does not exist and for the other Step Functions
resources (executions, versions, aliases, Map Runs). More than 50 tags on one resource is ``TooManyTags``
(TagResource, CreateStateMachine, CreateActivity: the errors the model lists for each). The Step Functions
API reference documents no refusal of ``aws:`` tag keys, so none is made.

**CreateActivity** is idempotent on the name (API reference: "Subsequent requests won't create a duplicate
resource ... tags will not be updated"); ``ActivityAlreadyExists`` ("Activity already exists.
EncryptionConfiguration may not be updated.") only when the encryption configuration differs.
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from workbench.core.arn import Arn, ArnKind
from workbench.engine.embedded.interpreter.api.errors import aws_error

MAX_TAGS = 50  # Step Functions quota: tags per resource
_TASK_TIMED_OUT = "The task token has either expired or the task associated with the token has already been closed."
_INVALID_OUTPUT = "The provided JSON output data is not valid."
_TOO_MANY_TAGS = ("You've exceeded the number of tags allowed for a resource. See the Limits Topic in the AWS Step "
                  "Functions Developer Guide.")
_NOT_TAGGABLE = "Could not find the referenced resource. Only state machine and activity ARNs are supported."
_ACTIVITY_EXISTS = "Activity already exists. EncryptionConfiguration may not be updated."
_DEFAULT_ENCRYPTION = {"type": "AWS_OWNED_KEY"}


@dataclass
class _Token:
    """One task token the engine issued: the environment of the flow waiting for it, and whether it closed."""

    env: weakref.ref[Any] | None
    closed: bool = False

    def is_closed(self) -> bool:
        if self.closed:
            return True
        if self.env is None:
            return False
        env = self.env()
        return env is None or not env.is_running()


_tokens: dict[str, _Token] = {}
_tokens_lock = threading.Lock()
_issuing = threading.local()  # .env: the environment of the Task state issuing a token on this thread


def token_state(token: str) -> str | None:
    """``"open"`` or ``"closed"`` for a token the engine issued; None for one it never issued.

    Example:
        >>> token_state("never-issued") is None
        True
    """
    with _tokens_lock:
        entry = _tokens.get(token)
        return None if entry is None else ("closed" if entry.is_closed() else "open")


def _issue(token: str) -> None:
    env = getattr(_issuing, "env", None)
    with _tokens_lock:
        _tokens[token] = _Token(env=weakref.ref(env) if env is not None else None)


def _close(token: str | None) -> None:
    with _tokens_lock:
        entry = _tokens.get(token) if token else None
        if entry is not None:
            entry.closed = True


def _open_entry(token: str, *, closing: bool) -> bool:
    """True when ``token`` was issued and is still open (closing it if ``closing``); False when never issued.

    A token issued whose task is closed raises TaskTimedOut.
    """
    with _tokens_lock:
        entry = _tokens.get(token)
        if entry is None:
            return False
        if entry.is_closed():
            raise aws_error("TaskTimedOut", _TASK_TIMED_OUT)
        if closing:
            entry.closed = True
        return True


def check_output(output: Any) -> None:
    """InvalidOutput unless ``output`` is a JSON text (SendTaskSuccess).

    Example:
        >>> check_output('{"ok": true}')
        >>> check_output("{not json")
        Traceback (most recent call last):
        ...
        moto.core.exceptions.AWSError: 400 Bad Request: ...
    """
    try:
        json.loads(output)
    except (TypeError, ValueError):
        raise aws_error("InvalidOutput", _INVALID_OUTPUT) from None


def check_tag_count(count: int, resource: str) -> None:
    """TooManyTags when a resource would carry more than :data:`MAX_TAGS` tags."""
    if count > MAX_TAGS:
        raise aws_error("TooManyTags", f"{_TOO_MANY_TAGS} Resource: '{resource}'")


def taggable(backend: Any, text: Any) -> str:
    """The ARN of an existing state machine or activity in ``backend``; InvalidArn or ResourceNotFound otherwise."""
    arn = Arn.try_parse(text)
    if arn is None or arn.service != "states":
        raise aws_error("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {text}'")
    if arn.kind is ArnKind.OTHER or arn.kind is ArnKind.INTEGRATION:
        raise aws_error("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn.resource_type}'")
    if arn.kind is ArnKind.STATE_MACHINE:
        found = any(machine.arn == text for machine in backend.state_machines)
    elif arn.kind is ArnKind.ACTIVITY:
        found = text in backend.activities
    else:  # an execution, version, alias or Map Run: not taggable
        raise aws_error("ResourceNotFound", f"{_NOT_TAGGABLE} Resource: '{text}'")
    if not found:
        raise aws_error("ResourceNotFound", f"Resource not found: '{text}'")
    return str(text)


def install() -> None:
    """Apply the task-token, tag and activity fixes (called once by ``api.install``)."""
    _install_token_record()
    _install_send_task()
    _install_tags()
    _install_create_activity()


def _install_token_record() -> None:
    """Record each token as ``CallbackPoolManager.add``/``add_activity_task`` issue it, and close it with its task.

    The issuing Task state's environment comes from ``StateTaskServiceCallback._eval_body`` (waitForTaskToken:
    the token lives for the whole state, retries included) and ``StateTaskActivity._eval_execution`` (an
    activity: one token per attempt, its environment the attempt's frame, ended on timeout); when either
    returns or raises, its token is closed.
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
        StateTaskServiceCallback,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_activitiy import StateTaskActivity
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackPoolManager

    original_add = CallbackPoolManager.add
    original_add_activity_task = CallbackPoolManager.add_activity_task

    def add(self: Any, callback_id: str) -> Any:
        endpoint = original_add(self, callback_id)
        _issue(callback_id)
        _issuing.issued = callback_id
        return endpoint

    def add_activity_task(self: Any, callback_id: str, activity_arn: str, activity_input: str) -> Any:
        endpoint = original_add_activity_task(self, callback_id, activity_arn, activity_input)
        _issue(callback_id)
        _issuing.issued = callback_id
        return endpoint

    CallbackPoolManager.add = add  # type: ignore[method-assign]
    CallbackPoolManager.add_activity_task = add_activity_task  # type: ignore[method-assign]

    def issuing(original: Any) -> Any:
        def run(self: Any, env: Any) -> Any:
            outer = getattr(_issuing, "env", None), getattr(_issuing, "issued", None)
            _issuing.env, _issuing.issued = env, None
            try:
                return original(self, env)
            finally:
                _close(_issuing.issued)
                _issuing.env, _issuing.issued = outer
        return run

    StateTaskServiceCallback._eval_body = issuing(StateTaskServiceCallback._eval_body)  # type: ignore[method-assign]
    StateTaskActivity._eval_execution = issuing(StateTaskActivity._eval_execution)  # type: ignore[method-assign]


def _install_send_task() -> None:
    """SendTaskSuccess/Failure/Heartbeat: TaskTimedOut for a closed token, InvalidOutput for output not JSON.

    Replaces ``StepFunctionsParserBackend.send_task_success``, ``send_task_failure`` and ``send_task_heartbeat``
    (the HTTP layer's methods call them); a token the engine never issued goes to moto's, which answers
    InvalidToken.
    """
    from moto.stepfunctions.parser.api import InvalidToken
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original_success = StepFunctionsParserBackend.send_task_success
    original_failure = StepFunctionsParserBackend.send_task_failure
    original_heartbeat = StepFunctionsParserBackend.send_task_heartbeat

    def answered(call: Any) -> Any:
        try:
            return call()
        except InvalidToken:  # issued by this engine, but no running execution waits for it any more
            raise aws_error("TaskTimedOut", _TASK_TIMED_OUT) from None

    def send_task_success(self: Any, task_token: str, outcome: str) -> Any:
        with _tokens_lock:
            issued = task_token in _tokens
        if not issued:
            return original_success(self, task_token, outcome)
        _open_entry(task_token, closing=False)
        check_output(outcome)
        _open_entry(task_token, closing=True)
        return answered(lambda: original_success(self, task_token, outcome))

    def send_task_failure(self: Any, task_token: str, error: Any = None, cause: Any = None) -> Any:
        if not _open_entry(task_token, closing=True):
            return original_failure(self, task_token, error=error, cause=cause)
        return answered(lambda: original_failure(self, task_token, error=error, cause=cause))

    def send_task_heartbeat(self: Any, task_token: str) -> Any:
        if not _open_entry(task_token, closing=False):
            return original_heartbeat(self, task_token)
        return answered(lambda: original_heartbeat(self, task_token))

    StepFunctionsParserBackend.send_task_success = send_task_success  # type: ignore[method-assign]
    StepFunctionsParserBackend.send_task_failure = send_task_failure  # type: ignore[method-assign]
    StepFunctionsParserBackend.send_task_heartbeat = send_task_heartbeat  # type: ignore[method-assign]


def _install_tags() -> None:
    """TagResource, UntagResource and ListTagsForResource on ``StepFunctionResponse`` check the resource first.

    CreateStateMachine and CreateActivity refuse more than 50 tags before creating anything.
    """
    from moto.stepfunctions.responses import StepFunctionResponse

    original_tag = StepFunctionResponse.tag_resource
    original_untag = StepFunctionResponse.untag_resource
    original_list = StepFunctionResponse.list_tags_for_resource
    original_create_machine = StepFunctionResponse.create_state_machine
    original_create_activity = StepFunctionResponse.create_activity

    def tag_resource(self: Any) -> Any:
        backend = self.stepfunction_backend
        arn = taggable(backend, self._get_param("resourceArn"))
        existing = backend.tagger.get_tag_dict_for_resource(arn)
        keys = set(existing) | {tag.get("key") for tag in self._get_param("tags") or [] if isinstance(tag, dict)}
        check_tag_count(len(keys), arn)
        return original_tag(self)

    def untag_resource(self: Any) -> Any:
        taggable(self.stepfunction_backend, self._get_param("resourceArn"))
        return original_untag(self)

    def list_tags_for_resource(self: Any) -> Any:
        taggable(self.stepfunction_backend, self._get_param("resourceArn"))
        return original_list(self)

    def creating(original: Any, kind: str) -> Any:
        def create(self: Any) -> Any:
            tags = self._get_param("tags") or []
            keys = {tag.get("key") for tag in tags if isinstance(tag, dict)}
            check_tag_count(len(keys), f"{kind} {self._get_param('name')}")
            return original(self)
        return create

    StepFunctionResponse.tag_resource = tag_resource  # type: ignore[method-assign]
    StepFunctionResponse.untag_resource = untag_resource  # type: ignore[method-assign]
    StepFunctionResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[method-assign]
    StepFunctionResponse.create_state_machine = creating(original_create_machine,  # type: ignore[method-assign]
                                                         "state machine")
    StepFunctionResponse.create_activity = creating(original_create_activity, "activity")  # type: ignore[method-assign]


def _install_create_activity() -> None:
    """``StepFunctionBackend.create_activity``: a name taken answers the existing activity (tags ignored).

    moto answered ActivityAlreadyExists for every second CreateActivity of a name; AWS only when the
    encryption configuration differs (absent means AWS_OWNED_KEY).
    """
    from moto.stepfunctions.models import StepFunctionBackend

    original_create = StepFunctionBackend.create_activity

    def create_activity(self: Any, name: str, tags: Any = None, encryption_configuration: Any = None) -> Any:
        self._validate_name(name)
        if encryption_configuration is not None:
            self._validate_encryption_configuration(encryption_configuration)
        existing = next((a for a in self.activities.values() if a.name == name), None)
        if existing is None:
            return original_create(self, name, tags=tags, encryption_configuration=encryption_configuration)
        if (encryption_configuration or _DEFAULT_ENCRYPTION) != (existing.encryption_configuration
                                                                 or _DEFAULT_ENCRYPTION):
            raise aws_error("ActivityAlreadyExists", _ACTIVITY_EXISTS)
        return existing

    StepFunctionBackend.create_activity = create_activity  # type: ignore[method-assign]
