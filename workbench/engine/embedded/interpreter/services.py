"""Service integrations (``arn:aws:states:::SERVICE:ACTION`` and ``aws-sdk:``) with the AWS API's member names."""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Service integrations speak the AWS API's member names, as on AWS.

    ASL writes parameters in PascalCase (``StateMachineArn``) and expects PascalCase results
    (``ExecutionArn``); boto3 wants the API's own casing (``stateMachineArn``). moto's
    ``StateTaskService._normalise_parameters`` / ``_normalise_response`` are empty stubs, so e.g.
    ``states:startExecution`` failed with ``States.Runtime: 'StateMachineArn'``. We map both ways through
    the botocore service model (moto already has the shape walkers ``_to_boto_request`` /
    ``_from_boto_response``).
    """
    import functools

    import botocore.session
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
        StateTaskService,
    )
    from moto.stepfunctions.parser.utils import camel_to_snake_case

    loader = botocore.session.get_session()

    @functools.lru_cache(maxsize=256)
    def operation_model(service: str, action: str) -> Any:
        model = loader.get_service_model(service)
        names = {camel_to_snake_case(name): name for name in model.operation_names}
        name = names.get(action)
        return model.operation_model(name) if name else None

    def _operation(self: Any, boto_service_name: str | None, service_action_name: str | None) -> Any:
        try:
            return operation_model(self._get_boto_service_name(boto_service_name),
                                   self._get_boto_service_action(service_action_name))
        except Exception:  # unknown service or action: leave the request as written
            return None

    def _normalise_parameters(self: Any, parameters: dict[str, Any], boto_service_name: str | None = None,
                              service_action_name: str | None = None) -> None:
        operation = _operation(self, boto_service_name, service_action_name)
        if operation is not None and operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    def _normalise_response(self: Any, response: Any, boto_service_name: str | None = None,
                            service_action_name: str | None = None) -> None:
        operation = _operation(self, boto_service_name, service_action_name)
        if operation is not None and operation.output_shape is not None:
            self._from_boto_response(response, operation.output_shape)

    StateTaskService._normalise_parameters = _normalise_parameters  # type: ignore[method-assign]
    StateTaskService._normalise_response = _normalise_response  # type: ignore[method-assign]

    # aws-sdk error names: AWS prefixes the SDK's service name ("S3.NoSuchKeyException",
    # "SecretsManager.SecretsManagerException"); moto knows two services and falls back to the lowercase
    # resource name ("s3.NoSuchKeyException"), so a Catch on "S3.NoSuchKeyException" never matched.
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_aws_sdk

    original_service_error_name = state_task_service_aws_sdk.StateTaskServiceAwsSdk._normalise_service_error_name

    def _normalise_service_error_name(service_name: str) -> str:
        boto_name = StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES.get(service_name, service_name)
        try:
            service_id = str(loader.get_service_model(boto_name).service_id)
        except Exception:
            return str(original_service_error_name(service_name))
        return sdk_service_name(service_id)

    state_task_service_aws_sdk.StateTaskServiceAwsSdk._normalise_service_error_name = staticmethod(  # type: ignore[method-assign]
        _normalise_service_error_name)


def sdk_service_name(service_id: str) -> str:
    """The AWS SDK's class-style service name: ``"Secrets Manager"`` -> ``SecretsManager``, ``SFN`` -> ``Sfn``.

    Example:
        >>> [sdk_service_name(s) for s in ("S3", "DynamoDB", "EC2", "Secrets Manager", "API Gateway")]
        ['S3', 'DynamoDb', 'Ec2', 'SecretsManager', 'ApiGateway']
    """
    import re

    def word(text: str) -> str:
        return re.sub(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|$)", lambda m: m.group(0).capitalize(), text)

    return "".join(word(part) for part in service_id.split())
