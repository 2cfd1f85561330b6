"""Activity tasks (``arn:aws:states:...:activity:...``) with workers polling ``GetActivityTask``.

moto's interpreter can run an Activity task, but the pieces are not connected: every execution gets an
empty activity store (so each Activity task fails at once with ``ActivityFailed``), and the HTTP layer has
no ``GetActivityTask`` (HTTP 500). We keep one process-wide store in step with CreateActivity and
DeleteActivity, hand it to every execution, and serve ``GetActivityTask`` with AWS's long poll (60 s).
"""

from __future__ import annotations

import threading
import time
from typing import Any

_store: dict[str, Any] = {}
_store_lock = threading.Lock()
_LONG_POLL_SECONDS = 60.0


def _install_heartbeat_without_heartbeat_seconds() -> None:
    """SendTaskHeartbeat for a live token whose task set no HeartbeatSeconds succeeds, as on AWS.

    AWS accepts a heartbeat for any task token still waiting (activity workers send them by habit); moto's
    ``CallbackEndpoint.notify_heartbeat`` answers False when the task has no heartbeat timer, and the
    backend turns that into ``InvalidToken`` for a perfectly valid token.
    """
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint

    original = CallbackEndpoint.notify_heartbeat

    def notify_heartbeat(self: Any) -> bool:
        original(self)
        return True  # the token names a waiting task: that is all AWS checks

    CallbackEndpoint.notify_heartbeat = notify_heartbeat  # type: ignore[method-assign]


def install() -> None:
    """Connect activities (idempotent via ``patches.install``)."""
    _install_heartbeat_without_heartbeat_seconds()
    from moto.core.responses import ActionResult
    from moto.stepfunctions.models import StepFunctionBackend
    from moto.stepfunctions.parser.asl.eval.callback.callback import ActivityCallbackEndpoint
    from moto.stepfunctions.parser.backend.activity import Activity
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.responses import StepFunctionResponse

    original_create = StepFunctionBackend.create_activity

    def create_activity(self: Any, name: str, tags: Any = None, encryption_configuration: Any = None) -> Any:
        activity = original_create(self, name, tags=tags, encryption_configuration=encryption_configuration)
        with _store_lock:
            _store.setdefault(activity.arn, Activity(arn=activity.arn, name=activity.name))
        return activity

    original_delete = StepFunctionBackend.delete_activity

    def delete_activity(self: Any, activity_arn: str) -> None:
        original_delete(self, activity_arn)
        with _store_lock:
            _store.pop(activity_arn, None)

    StepFunctionBackend.create_activity = create_activity  # type: ignore[method-assign]
    StepFunctionBackend.delete_activity = delete_activity  # type: ignore[method-assign]

    original_start = Execution.start

    def start(self: Any) -> None:
        self._activity_store = _store
        original_start(self)

    Execution.start = start  # type: ignore[method-assign]

    def get_activity_task(self: Any) -> Any:
        arn = self._get_param("activityArn")
        worker_name = self._get_param("workerName")
        backend = self.stepfunction_backend
        backend.describe_activity(arn)  # ActivityDoesNotExist, as on AWS
        activity = _store.get(arn)
        deadline = time.monotonic() + _LONG_POLL_SECONDS
        while activity is not None and time.monotonic() < deadline:
            try:
                task = activity.get_task()
            except IndexError:
                time.sleep(0.05)
                continue
            for execution in backend._get_executions():
                env = execution.exec_worker.env if execution.exec_worker else None
                endpoint = env.callback_pool_manager.get(callback_id=task.task_token) if env else None
                if isinstance(endpoint, ActivityCallbackEndpoint):
                    endpoint.notify_activity_task_start(worker_name=worker_name)
                    break
            return ActionResult({"taskToken": task.task_token, "input": task.task_input})
        return ActionResult({})

    StepFunctionResponse.get_activity_task = get_activity_task  # type: ignore[attr-defined]
