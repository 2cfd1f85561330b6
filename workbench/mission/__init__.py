"""The Mission model: typed steps, YAML/JSON loading with line-accurate errors, checks and JSON Schema."""

from workbench.core.diagnostics import (
    AslError,
    CompileError,
    Diagnostic,
    DiagnosticError,
    MissionLoadError,
    Severity,
    WorkbenchError,
    has_errors,
)
from workbench.mission.checks import check_mission
from workbench.mission.durations import Duration, PositiveDuration, format_duration, parse_duration
from workbench.mission.faults import FaultSpec, LatencySpec, ThrottleSpec
from workbench.mission.loader import dump_json, dump_yaml, load_mission, loads_mission
from workbench.mission.model import Defaults, LocalSettings, Mission, ToolSpec
from workbench.mission.policies import CatchPolicy, RetryPolicy
from workbench.mission.schema import mission_schema
from workbench.mission.steps import (
    ChoiceRule,
    ChooseStep,
    FailStep,
    MapSpec,
    MapStep,
    ParallelStep,
    PassStep,
    Step,
    StepBase,
    SucceedStep,
    TaskStep,
    ToolStep,
    WaitSpec,
    WaitStep,
)

__all__ = [
    "AslError", "CatchPolicy", "ChoiceRule", "ChooseStep", "CompileError", "Defaults", "Diagnostic",
    "DiagnosticError", "Duration", "FailStep", "FaultSpec", "LatencySpec", "LocalSettings", "MapSpec",
    "MapStep", "Mission", "MissionLoadError", "ParallelStep", "PassStep", "PositiveDuration", "RetryPolicy",
    "Severity", "Step", "StepBase", "SucceedStep", "TaskStep", "ThrottleSpec", "ToolSpec", "ToolStep",
    "WaitSpec", "WaitStep", "WorkbenchError", "check_mission", "dump_json", "dump_yaml", "format_duration",
    "has_errors", "load_mission", "loads_mission", "mission_schema", "parse_duration",
]
