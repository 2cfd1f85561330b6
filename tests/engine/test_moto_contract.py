"""The contract between our patches and moto: what they replace, what they read, and that they guard it.

Each check that needs a process where the patches were never installed runs in a fresh interpreter.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.engine.embedded.interpreter import guard

REPO = Path(__file__).resolve().parents[2]
MOTO_SF = Path(inspect.getfile(inspect.importlib.import_module("moto.stepfunctions"))).parent  # type: ignore[attr-defined]

# Private attributes of moto that the patches read or call (module path under moto/stepfunctions -> names).
# Each must still exist in the pinned moto's source; the replaced ones are checked by hash in the contract.
PRIVATE_READS: dict[str, tuple[str, ...]] = {
    "parser/asl/eval/event/event_manager.py": ("_mutex", "_history_event_list", "_event_id_gen"),
    "parser/asl/eval/environment.py": ("_frames", "_program_state"),
    "parser/backend/execution.py": ("_get_start_execution_worker", "_get_start_execution_worker_comm",
                                    "_get_start_aws_execution_details", "_activity_store"),
    "parser/backend/execution_worker.py": ("_execution_logic", "_get_evaluation_entrypoint",
                                           "_get_evaluation_environment", "_execution_communication"),
    "parser/asl/eval/callback/callback.py": ("_notify_event", "_outcome", "_mutex", "_next_heartbeat_event",
                                             "_heartbeat_seconds", "_next_activity_task_start_event",
                                             "_activity_task_start_endpoint", "_pool"),
    "parser/asl/component/state/exec/execute_state.py": ("_eval_execution", "_is_language_query_jsonpath",
                                                         "_handle_retry", "_handle_catch",
                                                         "_evaluate_with_timeout"),
    "parser/asl/component/state/exec/state_map/iteration/iteration_component.py": ("_get_iteration_program",
                                                                                  "_states"),
    "parser/asl/parse/preprocessor.py": ("_query_language_per_scope",),
    "parser/asl/eval/variable_store.py": ("_inner_scope",),
    "models.py": ("_validate_name", "_validate_arn", "_handle_name_input_idempotency",
                  "_validate_encryption_configuration", "_validate_role_arn"),
}


def _fresh(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_the_contract_lists_every_attribute_the_patches_replace_with_its_current_source() -> None:
    """A fresh survey (snapshot moto, install, diff) must equal moto_contract.json: regenerate it with --write."""
    done = _fresh("""
        import json
        from workbench.engine.embedded.interpreter import guard, patches
        print(json.dumps(guard.survey(lambda: patches.install(verify_contract=False))))
    """)
    assert done.returncode == 0, done.stderr
    surveyed = json.loads(done.stdout.strip().splitlines()[-1])
    recorded = guard.load_contract()
    assert recorded["moto"] == guard.PINNED_MOTO
    assert set(surveyed) - set(recorded["replaced"]) == set(), "patched but not in the contract: run guard --write"
    assert set(recorded["replaced"]) - set(surveyed) == set(), "in the contract but no longer patched"
    assert surveyed == recorded["replaced"]


@pytest.mark.parametrize(("path", "names"), sorted(PRIVATE_READS.items()))
def test_private_attributes_the_patches_read_exist_in_the_pinned_moto(path: str, names: tuple[str, ...]) -> None:
    source = (MOTO_SF / path).read_text()
    missing = [name for name in names if not re.search(rf"\b{re.escape(name)}\b", source)]
    assert missing == [], f"moto/stepfunctions/{path} no longer has {missing}"


def test_another_moto_version_is_refused_in_one_line() -> None:
    with pytest.raises(guard.MotoMismatch) as caught:
        guard.verify(moto_version="5.1.0")
    message = str(caught.value)
    assert "\n" not in message and "moto 5.2.5" in message and "moto 5.1.0 is installed" in message
    assert f"moto[server,stepfunctions]=={guard.PINNED_MOTO}" in message


def test_a_changed_moto_function_is_refused_naming_the_patch() -> None:
    contract = guard.load_contract()
    target = next(key for key, value in contract["replaced"].items() if value is not None)
    altered = {**contract, "replaced": {target: "0000000000000000"}}
    with pytest.raises(guard.MotoMismatch, match=re.escape(f"patch of {target} was written against other source")):
        guard.verify(altered)


def test_starting_the_engine_with_another_moto_fails_with_the_one_line_message(tmp_path: Path) -> None:
    """The real entry points (`workbench run`) on a machine where another moto is installed."""
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""
        import importlib.metadata as metadata
        real = metadata.version
        metadata.version = lambda name: "5.0.0" if name == "moto" else real(name)
    """))
    workbench = str(Path(sys.executable).with_name("workbench"))
    done = subprocess.run([workbench, "run", str(REPO / "missions/incident_triage.yaml"), "--time-warp"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "moto" in line]
    assert len(lines) == 1 and "adapts moto 5.2.5 internals, but moto 5.0.0 is installed" in lines[0], done.stderr


def test_a_failing_patch_leaves_moto_as_it_was() -> None:
    """All or none: a step that raises restores every replaced attribute, and the error names the step."""
    done = _fresh("""
        from workbench.engine.embedded.interpreter import fidelity, guard, patches
        contract = guard.load_contract()
        before = {target: guard.resolve(target) for target in contract["replaced"]}
        def broken():
            raise RuntimeError("moto moved a class")
        fidelity.install = broken
        try:
            patches.install()
        except guard.MotoMismatch as exc:
            print("error:", exc)
        changed = [t for t in contract["replaced"] if guard.resolve(t) is not before[t]]
        print("changed:", changed)
        print("installed:", patches._installed)
    """)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.strip().splitlines())
    assert lines["error"].startswith("the embedded engine could not apply its patch 'history fidelity'")
    assert "RuntimeError: moto moved a class" in lines["error"]
    assert (lines["changed"], lines["installed"]) == ("[]", "False")
