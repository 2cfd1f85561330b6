"""What the linter reports for each validator fixture of ``corpus/statelint``, and where it disagrees.

``EXPECTED_ERRORS``: for every fixture the linter gives errors, each error in order as (code, message
fragment); every other fixture must lint without errors. ``tests/asl/test_lint_corpus.py`` checks these
and, separately, the counts and message fragments the fixtures' own test suites expect (awslabs/statelint's
and asl-validator's ``problem_count``, ``min_problem_count`` and substrings; taro-kayo/statelint's problem
lists), translating their wording with ``FRAGMENTS``. ``DISPUTED`` names the few expectations the linter
does not follow, each with the reason.
"""

from __future__ import annotations

# fixture -> (repository whose expectation is not followed, why)
DISPUTED: dict[str, tuple[str, str]] = {
    "taro-kayo__invalid-issue-127.json": ("taro-kayo/statelint", (
        "MaxConcurrency may be a JSONata expression in a JSONata state (AWS docs; CDK's jsonataMaxConcurrency); "
        "taro-kayo's own evaluate_jsonata mode expects 0 problems, which is what we report")),
    "asl-validator__invalid-json-surround-syntax-extra-spaces.json": ("ChristopheBougere/asl-validator", (
        "'{% \\n10 %}' is a well-formed JSONata expression; asl-validator refuses it only because its pattern "
        "'^\\{% .+ %\\}$' does not match across a newline. AWS requires only that the string start with '{%' "
        "and end with '%}' (Step Functions docs, 'Transforming data with JSONata'), and the interpreter the "
        "embedded engine runs (LocalStack's grammar, tested against AWS) parses it as the expression 10")),
    "asl-validator__valid-map-with-item-batcher-jsonata.json": ("ChristopheBougere/asl-validator", (
        "a JSONPath state inside a machine whose QueryLanguage is JSONata: the Step Functions docs say a JSONata "
        "machine cannot revert to JSONPath states (statemachine-structure: QueryLanguage; AWS CDK's QueryLanguage "
        "reference: 'If JSONata is specified at the top level, JSONPath cannot be used in the state machine "
        "definition'), so we report ASL302")),
    "awslabs__pass-with-intrinsic-function-inputpath.json": ("taro-kayo/statelint", (
        "linters_disagree: InputPath is a Path, and intrinsic functions belong in '.$' fields only (AWS docs, "
        "awslabs/statelint); we follow awslabs' 1 problem, not taro-kayo's 0")),
    "taro-kayo__invalid-jsonata-2.json": ("taro-kayo/statelint", (
        "taro-kayo counts 'Field \"Assign\" not allowed' in a JSONPath state, but Assign is valid in JSONPath "
        "states (AWS docs list it for Pass, Task, Map, Parallel, Choice and Wait in both query languages, and "
        "recorded AWS histories run it: test_assign_base__test_base_parallel_cases); we report its other two "
        "problems as errors and the JSONata text in that Assign as warning ASL322")),
    "taro-kayo__invalid-jsonata-3.json": ("taro-kayo/statelint", "the same definition as taro-kayo__invalid-jsonata-2"),
}

# A fixture suite's wording -> the fragment our message holds for the same problem.
FRAGMENTS: dict[str, str] = {
    "allowed minimum is 1": "the allowed minimum is 1",
    "allowed floor is 0": "MaxDelaySeconds is -1; it must be between 1",
    "not a JSONPath or intrinsic function expression": "must hold a Path or an intrinsic function call",
    '"ItemsPath"': "ItemsPath should be non-null",
    '"InputPath"': "InputPath must be a path",
    # asl-validator reports JSON-schema failures (AJV): the path that failed and the schema rule.
    "/States/PassState is invalid. must match exactly one schema in oneOf": (
        'Field "bugInputPath" is not allowed in a Pass state'),
    '/States/PassState/InputPath is invalid. must match format "asl_path"': (
        "InputPath 'bug$.library.movies' is not a valid Path"),
    '/States/Hello, World/Parameters/lorem.$ is invalid. must match format "asl_payload_template"': (
        "'lorem.$' must hold a Path or an intrinsic function call"),
}

EXPECTED_ERRORS: dict[str, tuple[tuple[str, str], ...]] = {
    'awslabs__backoff-with-backoffrate-negative.json': (('ASL202', 'BackoffRate is -2'),),
    'awslabs__backoff-with-invalid-jitter-on-retry.json': (('ASL205', "'PARTIAL'"),),
    'awslabs__choice-with-parameters.json': (('ASL200', '"Parameters"'),),
    'awslabs__choice-with-resultselector.json': (('ASL200', '"ResultSelector"'),),
    'awslabs__empty-error-equals-on-catch.json': (('ASL206', 'ErrorEquals is empty'),),
    'awslabs__empty-error-equals-on-retry.json': (('ASL206', 'ErrorEquals is empty'),),
    'awslabs__fail-with-resultpath.json': (('ASL200', '"ResultPath"'),),
    'awslabs__fail-with-resultselector.json': (('ASL200', '"ResultSelector"'),),
    'awslabs__fail-with-static-and-dynamic-error.json': (('ASL203', 'only one of ["Error", "ErrorPath"]'),),
    'awslabs__invalid-backoff-with-jitter-on-retry.json': (('ASL202', 'MaxDelaySeconds is -1'),),
    'awslabs__invalid-function-invocation.json': (('ASL314', "'abc.$'"),),
    'awslabs__linked-parallel.json': (
        ('ASL108', 'no terminal state found'),
        ('ASL106', "'Sub2_1'"),
        ('ASL106', "'Sub1_1'"),
        ('ASL106', "'Sub1_1'"),
    ),
    'awslabs__map-with-itemprocessor-and-iterator.json': (('ASL115', 'only one of'),),
    'awslabs__map-with-null-itemspath.json': (('ASL201', 'ItemsPath should be non-null;'),),
    'awslabs__map-with-parameters-and-itemselector.json': (
        ('ASL203', 'only one of ["Parameters", "ItemSelector"]'),
    ),
    'awslabs__no-terminal.json': (('ASL108', 'no terminal state found'),),
    'awslabs__parameter-path-problems.json': (
        ('ASL313', "'bad1.$'"),
        ('ASL313', "'bad2.$'"),
        ('ASL313', "'bad3.$'"),
        ('ASL313', "'bad4.$'"),
        ('ASL310', "'bad5.$'"),
    ),
    'awslabs__pass-with-intrinsic-function-inputpath.json': (('ASL310', "'States.Format'"),),
    'awslabs__pass-with-resultselector.json': (('ASL200', '"ResultSelector"'),),
    'awslabs__states-array-invocation-leftpad.json': (('ASL313', "'abc.$'"),),
    'awslabs__succeed-with-parameters.json': (('ASL200', '"Parameters"'),),
    'awslabs__succeed-with-resultpath.json': (('ASL200', '"ResultPath"'),),
    'awslabs__succeed-with-resultselector.json': (('ASL200', '"ResultSelector"'),),
    'awslabs__task-with-invalid-credentials.json': (('ASL201', 'Credentials must be an'),),
    'awslabs__task-with-static-and-dynamic-heartbeat.json': (
        ('ASL203', 'only one of ["HeartbeatSeconds", "HeartbeatSecondsPath"]'),
    ),
    'awslabs__wait-with-parameters.json': (('ASL200', '"Parameters"'),),
    'awslabs__wait-with-resultpath.json': (('ASL200', '"ResultPath"'),),
    'awslabs__wait-with-resultselector.json': (('ASL200', '"ResultSelector"'),),
    'taro-kayo__invalid-issue-127.json': (),
    'taro-kayo__invalid-jsonata-1.json': (('ASL200', '"Output"'),),
    'taro-kayo__invalid-jsonata-2.json': (('ASL300', '"Output"'), ('ASL201', 'Assign must be an')),
    'taro-kayo__invalid-jsonata-3.json': (('ASL300', '"Output"'), ('ASL201', 'Assign must be an')),
    'asl-validator__invalid-assign.asl.json': (('ASL215', "'top-level'"), ('ASL320', "'420.'")),
    'asl-validator__invalid-choice-state.json': (('ASL210', 'needs "Next"'), ('ASL200', "'End'")),
    'asl-validator__invalid-dupe-fields.asl.json': (('ASL316', "'conflict'"),),
    'asl-validator__invalid-duplicate-fields-nested.json': (('ASL316', "'type'"),),
    'asl-validator__invalid-duplicate-fields.json': (('ASL316', "'channel'"),),
    'asl-validator__invalid-error-equals.json': (
        ('ASL206', 'ErrorEquals is required'),
        ('ASL200', "'Error Equals'"),
    ),
    'asl-validator__invalid-exercise-ajv-additional-properties.asl.json': (('ASL200', '"bugInputPath"'),),
    'asl-validator__invalid-exercise-ajv.asl.json': (('ASL310', "'bug$.library.movies'"),),
    'asl-validator__invalid-fail-dupe-cause.json': (('ASL203', 'only one of ["Cause", "CausePath"]'),),
    'asl-validator__invalid-inexistant-state.json': (
        ('ASL108', 'no terminal state found'),
        ('ASL105', "'Finished'"),
    ),
    'asl-validator__invalid-json-path.json': (
        ('ASL310', "'.guid'"),
        ('ASL310', "'..guid'"),
        ('ASL310', "'()'"),
        ('ASL311', "'$...'"),
    ),
    'asl-validator__invalid-json-surround-syntax-extra-spaces.json': (),
    'asl-validator__invalid-jsonata-path-fields.asl.json': (('ASL301', '"OutputPath"'),),
    'asl-validator__invalid-jsonata-surround-syntax-no-close.json': (('ASL321', "'{% 10 %'"),),
    'asl-validator__invalid-jsonata-surround-syntax-no-open.json': (('ASL321', "'10 %}'"),),
    'asl-validator__invalid-jsonata-syntax-arithmetic.json': (('ASL320', "'10 + * 2'"),),
    'asl-validator__invalid-jsonata-syntax-mismatched-parens.json': (
        ('ASL320', "'$sum($states.input.items.numbers'"),
    ),
    'asl-validator__invalid-map-distributed.asl.json': (('ASL203', 'only one of ["MaxItems", "MaxItemsPath"]'),),
    'asl-validator__invalid-map-dupe-state.json': (('ASL111', "'Final State'"),),
    'asl-validator__invalid-map-item-batcher-dupe-subfields.json': (
        ('ASL203', 'only one of ["MaxItemsPerBatch", "MaxItemsPerBatchPath"]'),
        ('ASL203', 'only one of ["MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"]'),
    ),
    'asl-validator__invalid-map-items.asl.json': (('ASL301', '"ItemsPath"'),),
    'asl-validator__invalid-map-missing-iterator.json': (('ASL115', 'needs "ItemProcessor"'),),
    'asl-validator__invalid-map-ob-link.json': (('ASL106', "'Final State'"),),
    'asl-validator__invalid-map-tolerated.json': (
        ('ASL203', 'only one of ["ToleratedFailureCount", "ToleratedFailureCountPath"]'),
    ),
    'asl-validator__invalid-missing-terminal-map.json': (
        ('ASL108', 'no terminal state found'),
        ('ASL110', 'needs "Next"'),
    ),
    'asl-validator__invalid-missing-terminal-parallel.json': (
        ('ASL108', 'no terminal state found'),
        ('ASL110', 'needs "Next"'),
    ),
    'asl-validator__invalid-missing-terminal.json': (('ASL108', 'no terminal state found'),),
    'asl-validator__invalid-next-with-end.json': (('ASL110', 'both "End": true and "Next"'),),
    'asl-validator__invalid-parallel-branch-type.json': (('ASL114', 'each branch must be an object'),),
    'asl-validator__invalid-parallel-missing-branches.json': (('ASL114', 'needs "Branches"'),),
    'asl-validator__invalid-parallel-ob-link.json': (('ASL106', "'Final State'"),),
    'asl-validator__invalid-payload-template.asl.json': (('ASL313', "'lorem.$'"),),
    'asl-validator__invalid-state-name-too-long.json': (('ASL404', 'state name is 90 characters long'),),
    'asl-validator__invalid-task-alias-function.json': (
        ('ASL211', "FUNCTION_NAME:'"),
        ('ASL211', "FUNCTION_NAME:$*#$7485'"),
    ),
    'asl-validator__invalid-task-credentials-null.json': (('ASL201', 'Credentials must be an'),),
    'asl-validator__invalid-task-heartbeat.json': (
        ('ASL203', 'only one of ["HeartbeatSeconds", "HeartbeatSecondsPath"]'),
    ),
    'asl-validator__invalid-task-timout.json': (
        ('ASL203', 'only one of ["TimeoutSeconds", "TimeoutSecondsPath"]'),
    ),
    'asl-validator__invalid-unreachable-state.json': (('ASL107', 'can never be reached'),),
    'asl-validator__invalid-variable-result-path.json': (('ASL312', "'$foo'"),),
    'asl-validator__invalid-wait-duration.json': (
        ('ASL203', 'only one of ["Seconds", "SecondsPath"]'),
        ('ASL203', 'only one of ["Timestamp", "TimestampPath"]'),
    ),
    'asl-validator__valid-map-with-item-batcher-jsonata.json': (('ASL302', 'mixing back to JSONPath'),),
}
