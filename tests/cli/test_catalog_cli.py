"""``workbench catalog``, ``select``, ``deploy`` and ``schema --plan`` as an operator (and the Director) uses them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from tests.cli.support import run_cli
from tests.engine.auth_support import served_engine

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "missions" / "catalog"
PLANS = REPO / "missions" / "plans"
invoke = run_cli


def two_triage_templates(tmp_path: Path, second_name: str = "incident_triage_lite", version: str = "2.0") -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copy(CATALOG / "incident_triage.yaml", folder)
    text = (CATALOG / "incident_triage.yaml").read_text()
    text = text.replace("mission: incident_triage", f"mission: {second_name}").replace('version: "2.0"',
                                                                                        f'version: "{version}"')
    (folder / f"{second_name}-{version}.yaml").write_text(text)
    return folder


def plan_file(tmp_path: Path, **fields: object) -> Path:
    data = json.loads((PLANS / "triage_payments.plan.json").read_text())
    data.update(fields)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return path


# -- select ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("plan", "chosen", "code"), [
    ("triage_payments", "selected incident_triage 2.0", 0),
    ("backfill_orders", "selected data_backfill 2.0", 0),
    ("weekly_digest", "no template fits plan kind 'weekly_digest'", 1),
])
def test_select_explain_picks_the_expected_template_and_says_why(plan: str, chosen: str, code: int) -> None:
    status, out, _ = invoke("select", str(PLANS / f"{plan}.plan.json"), "--catalog", str(CATALOG), "--explain")
    lines = out.splitlines()
    assert status == code, out
    assert lines[0].startswith(chosen)
    assert "rejected:" in lines
    rejected = lines[lines.index("rejected:") + 1:]
    others = {"incident_triage 2.0", "data_backfill 2.0"} - {chosen.removeprefix("selected ")}
    assert {line.split(":")[0].strip() for line in rejected if line.startswith("  ") and ":" in line} >= others
    assert any(line.startswith("  because") for line in lines) == (code == 0)


def test_select_generate_falls_back_to_the_plans_steps() -> None:
    status, out, _ = invoke("select", str(PLANS / "weekly_digest.plan.json"), "--catalog", str(CATALOG), "--generate")
    assert status == 0, out
    assert "generated Mission 'weekly_digest' from the plan's steps" in out


def test_an_ambiguous_plan_lists_the_candidates_and_exits_1(tmp_path: Path) -> None:
    catalog = two_triage_templates(tmp_path)
    status, out, _ = invoke("select", str(PLANS / "triage_payments.plan.json"), "--catalog", str(catalog))
    assert status == 1
    assert out.splitlines()[0].startswith("ambiguous: 2 templates fit plan kind 'incident_triage': "
                                          "incident_triage 2.0, incident_triage_lite 2.0; name one in the plan")
    named = plan_file(tmp_path, template="incident_triage_lite")
    status, out, _ = invoke("select", str(named), "--catalog", str(catalog), "--explain")
    assert status == 0 and out.startswith("selected incident_triage_lite 2.0")
    assert "  incident_triage 2.0: the plan names template 'incident_triage_lite'" in out


def test_the_newest_fitting_version_wins_and_the_older_is_listed(tmp_path: Path) -> None:
    catalog = two_triage_templates(tmp_path, "incident_triage", "2.10")
    status, out, _ = invoke("select", str(PLANS / "triage_payments.plan.json"), "--catalog", str(catalog),
                            "--explain")
    assert status == 0 and out.startswith("selected incident_triage 2.10")
    assert "  incident_triage 2.0: a newer version (2.10) fits too" in out


def test_parameters_that_do_not_fit_reject_the_template_with_the_constraint(tmp_path: Path) -> None:
    plan = plan_file(tmp_path, parameters={"service": "payments-api", "probe_concurrency": 99})
    status, out, _ = invoke("select", str(plan), "--catalog", str(CATALOG), "--explain")
    assert status == 1
    assert "incident_triage 2.0: its parameters do not fit the plan's" in out
    assert "parameter 'probe_concurrency': 99 is greater than the maximum of 20 (constraint maximum)" in out


@pytest.mark.parametrize(("fields", "named"), [
    ({"goal": None}, "goal: Input should be a valid string"),
    ({"constraints": {"budget_usd": "cheap"}}, "constraints.budget_usd: Input should be a valid number"),
    ({"kind": "incident triage!"}, "kind: String should match pattern"),
    ({"paramters": {}}, "paramters: not a field of a plan"),
    ({"constraints": {"deadline": "soon"}}, "constraints.deadline"),
])
def test_a_plan_that_fails_the_schema_exits_2_naming_the_field(tmp_path: Path, fields: dict[str, object],
                                                               named: str) -> None:
    status, out, err = invoke("select", str(plan_file(tmp_path, **fields)), "--catalog", str(CATALOG))
    assert status == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert "plan.json:1:" in line and "PLAN002" in line and named in line


@pytest.mark.parametrize("content", [b"\x00\xff\xfe", b"", b"[1, 2", b"[" * 100_000])
def test_unreadable_plans_are_one_line_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    status, _out, err = invoke("select", str(path), "--catalog", str(CATALOG))
    assert status == 2 and len(err.strip().splitlines()) == 1 and str(path) in err


def test_plan_schema_validates_the_example_plans_and_refuses_a_bad_one() -> None:
    status, out, _ = invoke("schema", "--plan")
    schema = json.loads(out)
    assert status == 0 and schema["$id"].endswith("/plan.json")
    for path in PLANS.glob("*.plan.json"):
        jsonschema.validate(json.loads(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError, match="'goal' is a required property"):
        jsonschema.validate({"kind": "backfill"}, schema)


# -- catalog -------------------------------------------------------------------------------------------------
def test_catalog_validate_passes_on_the_example_catalog_including_tests() -> None:
    status, out, err = invoke("catalog", "validate", str(CATALOG))
    assert status == 0, err
    assert "data_backfill 2.0: ok; 5/5 tests passed, coverage 100%" in out + err
    assert "incident_triage 2.0: ok; 8/8 tests passed, coverage 100%" in out + err
    assert out.strip().endswith("2 templates, 0 files not loaded: all valid")


def test_catalog_validate_fails_on_a_failing_test_and_a_broken_template(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(CATALOG / "data_backfill.yaml", catalog)
    tests = (CATALOG / "data_backfill.tests.yaml").read_text().replace("output: {ok: true, partitions: 3}",
                                                                       "output: {ok: true, partitions: 4}")
    (catalog / "data_backfill.tests.yaml").write_text(tests)
    (catalog / "broken.yaml").write_text("mission: broken\nversion: '1'\ncatalog: {kinds: [x]}\nparameters: {}\n"
                                         "steps:\n  - {id: a, pass: '{% {{ x }} %}'}\n")
    status, out, err = invoke("catalog", "validate", str(catalog))
    assert status == 1
    assert "data_backfill 2.0: FAILED; FAILED: 4/5 tests passed" in err
    assert f"{catalog / 'broken.yaml'}:6:" in err and "TPL005" in err
    assert "FAILED" in out.splitlines()[-1]


def test_catalog_list_and_show() -> None:
    status, out, _ = invoke("catalog", "list", str(CATALOG))
    assert status == 0 and [line.split("  ")[0] for line in out.splitlines()] == ["data_backfill 2.0",
                                                                                 "incident_triage 2.0"]
    status, out, _ = invoke("catalog", "show", str(CATALOG), "incident_triage", "--set", "probe_concurrency=7",
                            "--asl")
    assert status == 0
    assert "  probe_concurrency: integer = 5" in out and "goes to: steps[2].map.max_concurrency" in out
    assert '"MaxConcurrency": 7' in out and "state machine: incident_triage-v2_0-" in out
    status, _, err = invoke("catalog", "show", str(CATALOG), "incident_triage", "--set", "probe_concurrency=0")
    assert status == 1 and "0 is less than the minimum of 1" in err
    status, _, err = invoke("catalog", "show", str(CATALOG), "triage")
    assert status == 2 and "no template 'triage'" in err


def test_a_missing_catalog_is_one_line_exit_2(tmp_path: Path) -> None:
    status, _, err = invoke("select", str(PLANS / "triage_payments.plan.json"), "--catalog", str(tmp_path / "no"))
    assert status == 2 and "the catalog does not exist" in err and len(err.strip().splitlines()) == 1


# -- deploy against a served engine, from separate processes ---------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with served_engine(tmp_path_factory.mktemp("catalog-engine")) as (_engine, env_file, _proc):
        yield env_file


def deploy(env_file: Path, plan: Path, *extra: str) -> tuple[int, str, str]:
    exe = shutil.which("workbench", path=str(Path(sys.executable).parent)) or "workbench"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run([exe, "deploy", str(plan), "--catalog", str(CATALOG), "--env-file", str(env_file), *extra],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_deploy_twice_deploys_once_and_a_changed_parameter_publishes_a_new_version(served: Path,
                                                                                   tmp_path: Path) -> None:
    plan = PLANS / "backfill_orders.plan.json"
    code, first, err = deploy(served, plan, "--naming", "version")
    assert code == 0, err
    code, again, err = deploy(served, plan, "--naming", "version")
    assert code == 0, err
    arn_line = next(line for line in first.splitlines() if line.startswith("state machine: "))
    assert arn_line.endswith(":stateMachine:data_backfill-v2_0 (created)")
    assert arn_line.replace("(created)", "(unchanged)") in again.splitlines()
    assert "version: 1 " in first and "version: 1 " in again
    changed = json.loads(plan.read_text())
    changed["parameters"]["concurrency"] = 4
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    code, third, err = deploy(served, tmp_path / "changed.json", "--naming", "version")
    assert code == 0, err
    assert arn_line.replace("(created)", "(updated)") in third.splitlines() and "version: 2 " in third


def test_deploy_start_where_the_tools_cannot_run_deploys_nothing(served: Path) -> None:
    code, out, err = deploy(served, PLANS / "triage_payments.plan.json", "--start")
    assert code == 2 and "does not serve the local tools" in err
    assert "state machine:" not in out
    env = dict(line.removeprefix("export ").split("=", 1) for line in served.read_text().splitlines()
               if line.startswith("export "))
    listing = subprocess.run([str(Path(sys.executable).parent / "aws"), "stepfunctions", "list-state-machines",
                              "--query", "stateMachines[].name", "--output", "json"],
                             capture_output=True, text=True, timeout=60, env={**os.environ, **env})
    assert listing.returncode == 0, listing.stderr
    assert not [name for name in json.loads(listing.stdout) if name.startswith("incident_triage")]
