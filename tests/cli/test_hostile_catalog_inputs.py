"""The catalog commands (``catalog list|show|validate``, ``select``, ``deploy``, ``schema --plan``) against what a
careless user or a malicious Director would hand them: one error line naming the file, line, step or field, exit 2
for unusable input (1 for a failed check), never a traceback, a hang, or a half-done deploy.

Cases run in-process through typer's runner (an unhandled exception fails the case with its traceback); the hang
checks and the recursion check run the console entry in a fresh child process, with a timeout. The sweep found 19
defects (a step-shaped constant taken for a step, jumps rewritten inside constants, a backtracking pattern, a FIFO,
NaN, surrogates, name collisions, a deploy before the alias check...); each case here asserts the fixed behaviour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.cli.test_hostile_inputs import AS_ROOT, _port, check
from workbench.cli import app
from workbench.mission.template import find_slots

REPO = Path(__file__).resolve().parents[2]
CATALOG, PLANS = REPO / "missions" / "catalog", REPO / "missions" / "plans"
ENV = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
       "AWS_MAX_ATTEMPTS": "1", "WORKBENCH_DEBUG": "1"}
PASS = "  - {id: a, pass: {k: 1}, end: true}\n"
pytestmark = pytest.mark.timeout(120)


def tpl(params: str | None = "{}", steps: str = PASS, extra: str = "", name: str = "t", version: str = '"1"',
        kinds: str = "[k]") -> str:
    """A small template: ``params`` is the flow-style `parameters:` block (None leaves it out)."""
    block = f"parameters: {params}\n" if params is not None else ""
    return f"mission: {name}\nversion: {version}\ncatalog: {{kinds: {kinds}}}\n{extra}{block}steps:\n{steps}"


def step(text: str) -> str:
    return f"  - {text}\n"


X = "{x: {type: string, default: v}}"
TEMPLATES: dict[str, str | bytes] = {
    "no_params": tpl(None), "params_list": tpl("[a, b]"),
    "yaml_bool_name": tpl("{on: {type: string, default: x}}", step("{id: a, pass: {k: '{{ on }}'}, end: true}")),
    "type_str": tpl("{x: {type: str, default: x}}"),
    "minimum_x": tpl("{x: {type: integer, minimum: x, default: 1}}"),
    "pattern_paren": tpl("{x: {type: string, pattern: '(', default: a}}"),
    "enum_empty": tpl("{x: {type: string, enum: [], default: a}}"),
    "default_misfit": tpl("{x: {type: integer, default: five}}"),
    "ref_remote": tpl("{x: {type: array, items: {$ref: 'https://example.com/s.json'}, default: []}}"),
    "ref_local": tpl("{x: {type: object, properties: {a: {$ref: '#/$defs/a'}}, default: {}}}"),
    "deep_items": tpl("{x: {type: array, default: [], items: " + "{items: " * 150 + "{}" + "}" * 151 + "}"),
    "num": tpl("{x: {type: number, default: 1.5}, o: {type: array, default: []}}",
               step("{id: a, pass: {x: '{{ x }}', o: '{{ o }}'}, end: true}"), name="hostile_num"),
    "surrogate_default": tpl('{x: {type: string, default: "\\ud800"}}', step("{id: a, pass: {k: '{{ x }}'}, "
                                                                            "end: true}")),
    "open_brace": tpl(X, step("{id: a, pass: {k: '{{ x'}, end: true}")),
    "close_brace": tpl(X, step("{id: a, pass: {k: '}}'}, end: true}")),
    "digit_name": tpl(X, step("{id: a, pass: {k: '{{ 1x }}'}, end: true}")),
    "nested": tpl(X, step("{id: a, pass: {k: '{{ {{ x }} }}'}, end: true}")),
    "in_key": tpl(X, step("{id: a, pass: {'{{ x }}': 1}, end: true}")),
    "in_when": tpl(X, step("{id: a, choose: [{when: '{% {{ x }} = 1 %}', goto: b}], otherwise: b}")
                   + step("{id: b, succeed: true}")),
    "in_id": tpl(X, step("{id: '{{ x }}', pass: {k: 1}, end: true}")),
    "in_comment": tpl(X, step("{id: a, pass: {k: 1}, comment: '{{ x }}', end: true}")),
    "in_description": tpl(X, extra="description: 'about {{ x }}'\n"),
    "in_version": tpl(X, version="'{{ x }}'"),
    "in_faults": tpl(X, step("{id: a, tool: f, end: true}"), "tools: {f: {lambda: fn, local: 'm:f'}}\n"
                                                            "local: {faults: {f: {fail_rate: '{{ x }}'}}}\n"),
    "in_asl": tpl(X, step("{id: a, pass: {k: 1}, asl: {Comment: '{{ x }}'}, end: true}")),
    "in_asl_step_shaped": tpl(X, step("{id: a, pass: {k: 1}, asl: {Output: {id: x, pass: 1, wait: '{{ x }}'}}, "
                                      "end: true}")),
    "in_kinds": tpl(X, step("{id: a, pass: {k: '{{ x }}'}, end: true}"), kinds="['{{ x }}']"),
    "dotdot_name": tpl(name='"../../etc"'),
    "binary": b"\x89PNG\x00\xff" + bytes(range(256)),
    "bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef", strict=True)),
}
PLAN_TEXT: dict[str, str | bytes] = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\xff" + bytes(range(256)), "empty": b"", "array": "[1, 2]",
    "string": '"a plan"', "deep": "[" * 100_000 + "]" * 100_000, "dup": '{"kind": "a", "kind": "b", "goal": "g"}',
    "latin1": '{"kind": "k", "goal": "café"}'.encode("latin-1"),
    "bomb": TEMPLATES["bomb"] + "kind: k\ngoal: g\n",  # type: ignore[operator]
    "nan_param": "kind: k\ngoal: g\nparameters: {x: .nan}\n",
    "budget_yaml_inf": "kind: k\ngoal: g\nconstraints: {budget_usd: .inf}\n",
    "exponent": '{"kind": "incident_triage", "goal": "g", "tags": ["oncall"], '
                '"parameters": {"probe_concurrency": 1e1}}',
}
PLAN_FIELDS: dict[str, dict[str, Any]] = {
    "kind_space": {"kind": "incident triage"}, "kind_unicode": {"kind": "инцидент"}, "kind_81": {"kind": "k" * 81},
    "template_abc": {"template": "a@b@c"}, "template_dotdot": {"template": "../x"}, "tags_string": {"tags": "oncall"},
    "parameters_list": {"parameters": [1, 2]}, "deadline_neg": {"constraints": {"deadline": "-5m"}},
    "deadline_zero": {"constraints": {"deadline": 0}}, "deadline_1e309": {"constraints": {"deadline": "1e309"}},
    "deadline_iso": {"constraints": {"deadline": "P1D"}}, "budget_neg": {"constraints": {"budget_usd": -1}},
    "budget_str": {"constraints": {"budget_usd": "cheap"}}, "budget_nan": {"constraints": {"budget_usd": "NaN"}},
    "budget_inf": {"constraints": {"budget_usd": "Infinity"}},
    "deadline_digits": {"constraints": {"deadline": "9" * 5000 + "h"}},
    "emoji_goal": {"goal": "Triage \U0001F525 now"}, "sur_tag": {"tags": ["\ud800"]},
    "sur_key": {"parameters": {"\ud800": 1}}, "sur_input": {"input": {"a": "\ud800"}},
}


def _write(path: Path, content: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every hostile plan, template catalog and path, by name (``{name}`` in a case's arguments and needle)."""
    d = tmp_path_factory.mktemp("hostile_catalog")
    paths = {"catalog": str(CATALOG), "triage": str(PLANS / "triage_payments.plan.json"), "closed": _port(),
             "missing": str(d / "missing.json"), "cat_missing": str(d / "no_catalog"), "store_missing": str(d / "no")}
    for name, text in PLAN_TEXT.items():
        suffix = ".yaml" if name in ("bomb", "nan_param", "budget_yaml_inf") else ".json"
        paths[f"plan_{name}"] = _write(d / "plans" / f"{name}{suffix}", text)
    triage = json.loads((PLANS / "triage_payments.plan.json").read_text())
    for name, fields in PLAN_FIELDS.items():  # json.dumps escapes non-ASCII (an emoji as a \\ud83d\\udd25 pair)
        paths[f"plan_{name}"] = _write(d / "plans" / f"{name}.json", json.dumps({**triage, **fields}))
    with open(d / "plans" / "huge.json", "wb") as handle:
        handle.truncate(11 << 20)  # sparse: over the 10 MiB budget, refused before it is read
    paths["plan_huge"] = str(d / "plans" / "huge.json")
    for name, text in TEMPLATES.items():
        paths[f"cat_{name}"] = str(Path(_write(d / "cat" / name / "t.yaml", text)).parent)
    paths["cat_dup"] = str(d / "cat" / "dup")
    _write(d / "cat" / "dup" / "a.yaml", tpl())
    _write(d / "cat" / "dup" / "sub" / "a.yaml", tpl())
    for name in ("cat_empty", "cat_tests_only", "cat_loop", "cat_fifo", "folder", "not_a_store"):
        (d / name).mkdir()
        paths[name] = str(d / name)
    _write(d / "cat_tests_only" / "incident_triage.tests.yaml", (CATALOG / "incident_triage.tests.yaml").read_text())
    (d / "cat_loop" / "self").symlink_to(d / "cat_loop")
    (d / "cat_loop" / "loop.yaml").symlink_to(d / "cat_loop" / "loop.yaml")
    os.mkfifo(d / "cat_fifo" / "t.yaml")
    paths["cat_unreadable_file"] = str(Path(_write(d / "cat" / "unreadable" / "t.yaml", tpl())).parent)
    (d / "cat" / "unreadable" / "t.yaml").chmod(0)
    paths["cat_unreadable_dir"] = str(Path(_write(d / "cat" / "closed" / "t.yaml", tpl())).parent)
    (d / "cat" / "closed").chmod(0)
    paths["tests_bad_value"] = _write(d / "cat" / "tests_value" / "data_backfill.tests.yaml",
                                      "parameters: {batch_size: -5}\n" + (CATALOG / "data_backfill.tests.yaml")
                                      .read_text())
    _write(d / "cat" / "tests_value" / "data_backfill.yaml", (CATALOG / "data_backfill.yaml").read_text())
    paths.update(cat_tests_value=str(d / "cat" / "tests_value"), deep_set="o=" + "[" * 20_000 + "]" * 20_000)
    return paths


def case(name: str, args: str, codes: int | set[int], needle: str, *marks: pytest.MarkDecorator) -> object:
    return pytest.param(args.split(" "), {codes} if isinstance(codes, int) else codes, needle, id=name, marks=marks)


CASES = [
    # the plan file itself
    *(case(f"plan-{n}", f"select {{plan_{n}}} --catalog {{catalog}}", 2, f"{{plan_{n}}}")
      for n in ("binary", "empty", "array", "string", "deep", "huge", "dup", "latin1", "bomb")),
    case("plan-folder", "select {folder} --catalog {catalog}", 2, "{folder}"),
    case("plan-missing", "deploy {missing} --catalog {catalog}", 2, "{missing}"),
    # its fields
    *(case(f"plan-{n}", f"select {{plan_{n}}} --catalog {{catalog}}", 2, f"error PLAN002: {field}")
      for n, field in [("kind_space", "kind:"), ("kind_unicode", "kind:"), ("kind_81", "kind:"),
                       ("template_abc", "template:"), ("template_dotdot", "template:"), ("tags_string", "tags:"),
                       ("parameters_list", "parameters:"), ("deadline_neg", "constraints.deadline:"),
                       ("deadline_zero", "constraints.deadline:"), ("deadline_1e309", "constraints.deadline:"),
                       ("deadline_iso", "constraints.deadline:"), ("budget_neg", "constraints.budget_usd:"),
                       ("budget_str", "constraints.budget_usd:"), ("budget_nan", "constraints.budget_usd:")]),
    case("plan-budget-Infinity", "select {plan_budget_inf} --catalog {catalog}", 2, "constraints.budget_usd"),
    case("plan-budget-yaml-inf", "select {plan_budget_yaml_inf} --catalog {catalog}", 2, "constraints.budget_usd"),
    *(case(f"plan-lone-surrogate-{n}", f"{cmd} {{plan_sur_{n}}} --catalog {{catalog}}", 2, f"{{plan_sur_{n}}}")
      for n, cmd in [("tag", "select --explain"), ("key", "select --explain"), ("input", "deploy --start")]),
    case("plan-nan-parameter-deploy", "deploy {plan_nan_param} --catalog {cat_num}", {1, 2}, ""),
    # the catalog folder
    case("catalog-missing", "catalog list {cat_missing}", 2, "{cat_missing}: error CAT001"),
    case("catalog-is-a-file", "select {triage} --catalog {triage}", 2, "is a file, not a folder"),
    case("catalog-empty", "catalog validate {cat_empty}", 2, "{cat_empty}: error CAT001"),
    case("catalog-tests-only", "catalog list {cat_tests_only}", 2, "{cat_tests_only}: error CAT001"),
    case("catalog-symlink-loops", "catalog list {cat_loop}", 2, "{cat_loop}: error CAT001"),
    case("catalog-fifo-is-skipped", "catalog list {cat_fifo}", 2, "{cat_fifo}: error CAT001"),
    case("catalog-unreadable-file", "catalog list {cat_unreadable_file}", 1, "{cat_unreadable_file}/t.yaml", AS_ROOT),
    case("catalog-unreadable-folder", "catalog list {cat_unreadable_dir}", 2, "{cat_unreadable_dir}", AS_ROOT),
    case("catalog-binary-template", "catalog list {cat_binary}", 1, "error INPUT005"),
    case("catalog-alias-bomb", "catalog validate {cat_bomb}", 1, "error INPUT002"),
    case("catalog-same-name-and-version", "catalog list {cat_dup}", 1, "error CAT002: template 't 1'"),
    # templates: the parameters block
    case("tpl-no-parameters", "catalog validate {cat_no_params}", 1, "error TPL001"),
    case("tpl-parameters-a-list", "catalog validate {cat_params_list}", 1, "error TPL002: `parameters:`"),
    case("tpl-type-str", "catalog validate {cat_type_str}", 1, "parameters.x.type:"),
    case("tpl-pattern-(", "catalog validate {cat_pattern_paren}", 1, "parameters.x: not a valid JSON Schema"),
    case("tpl-enum-[]", "catalog validate {cat_enum_empty}", 1, "parameters.x.enum:"),
    case("tpl-default-misfit", "catalog validate {cat_default_misfit}", 1, "parameters.x: the default does not fit"),
    case("tpl-$ref-remote", "catalog validate {cat_ref_remote}", 1, "'$ref' is not allowed"),
    case("tpl-$ref-local", "catalog validate {cat_ref_local}", 1, "'$ref' is not allowed"),
    case("tpl-minimum-x", "catalog validate {cat_minimum_x}", 1, "parameters.x.minimum:"),
    case("tpl-yaml-boolean-name", "catalog validate {cat_yaml_bool_name}", 1, "boolean"),
    case("tpl-lone-surrogate-default", "catalog validate {cat_surrogate_default}", {1, 2}, "{cat_surrogate_default}"),
    # templates: where placeholders are
    *(case(f"tpl-placeholder-{n}", f"catalog validate {{cat_{n}}}", 1, f"error TPL005: {field}")
      for n, field in [("open_brace", "steps[0].pass.k:"), ("close_brace", "steps[0].pass.k:"),
                       ("digit_name", "steps[0].pass.k:"), ("nested", "steps[0].pass.k:"),
                       ("in_key", "steps[0].pass.{{{{ x }}}}: a placeholder in a key"),
                       ("in_when", "steps[0].choose[0].when:"), ("in_id", "steps[0].id:"),
                       ("in_comment", "steps[0].comment:"), ("in_description", "description:"),
                       ("in_version", "version:"), ("in_faults", "local.faults.f.fail_rate:"),
                       ("in_asl", "steps[0].asl.Comment:")]),
    case("tpl-placeholder-in-step-shaped-asl", "catalog validate {cat_in_asl_step_shaped}", 1,
         "steps[0].asl.Output.wait"),
    case("tpl-placeholder-in-catalog-kinds", "catalog validate {cat_in_kinds}", 1, "catalog.kinds"),
    case("tpl-name-../../etc", "catalog list {cat_dotdot_name}", 1, "mission"),
    case("tpl-tests-file-value", "catalog validate {cat_tests_value}", 1, "{tests_bad_value}"),
    # command-line options
    case("show-set-no-name", "catalog show {catalog} incident_triage --set =5", 2, "--set '=5'"),
    case("show-set-no-equals", "catalog show {catalog} incident_triage --set noequals", 2, "--set 'noequals'"),
    case("show-set-unknown", "catalog show {catalog} incident_triage --set bogus=1", 1, "parameter 'bogus'"),
    case("show-unknown-template", "catalog show {catalog} nope", 2, "no template 'nope'"),
    case("show-unknown-version", "catalog show {catalog} incident_triage@9", 2, "no template 'incident_triage@9'"),
    # NaN and infinities are refused as --set values (exit 2); a number beyond a double reaches the schema (exit 1)
    *(case(f"show-set-{v}", f"catalog show {{cat_num}} hostile_num --asl --set x={v}", {1, 2}, "x")
      for v in ("NaN", "1e400", "-Infinity")),
    case("show-set-nesting-20000", "catalog show {cat_num} hostile_num --set {deep_set}", 2, "--set"),
    case("select-naming-other", "select {triage} --catalog {catalog} --naming other", 2, "--naming 'other'"),
    case("deploy-naming-other", "deploy {triage} --catalog {catalog} --naming other", 2, "--naming 'other'"),
    case("select-store-a-file", "select {triage} --catalog {catalog} --store {triage}", 2, "is a file"),
    case("select-store-missing", "select {triage} --catalog {catalog} --store {store_missing}", 2, "{store_missing}"),
    case("select-store-not-a-store", "select {triage} --catalog {catalog} --store {not_a_store}", 2,
         "not a history store"),
    case("select-history-a-plan", "select {triage} --catalog {catalog} --history {triage}", 2, "HIST002"),
    case("select-history-missing", "select {triage} --catalog {catalog} --history {missing}", 2, "{missing}"),
    case("select-format-yaml", "select {triage} --catalog {catalog} -f yaml", 2, "'--format'"),
    case("deploy-o", "deploy {triage} --catalog {catalog} -o {missing}", 2, "No such option: -o"),
    case("deploy-unknown-target", "deploy {triage} --catalog {catalog} --target ftp://x", 2, "'ftp://x'"),
    case("deploy-closed-port", "deploy {triage} --catalog {catalog} --target {closed}", 2, "{closed}"),
    case("deploy-env-file-missing", "deploy {triage} --catalog {catalog} --env-file {missing}", 2, "{missing}"),
    case("schema-plan-extra", "schema --plan {triage}", 2, "unexpected extra argument"),
]


def invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("unhandled exception:\n" + "".join(traceback.format_exception(result.exception)))
    return result


@pytest.mark.parametrize(("template", "codes", "needle"), CASES)
def test_hostile_catalog_input(files: dict[str, str], template: list[str], codes: set[int], needle: str) -> None:
    result = invoke([part.format_map(files) for part in template])
    check(result.stdout, result.stderr, result.exit_code, codes, needle.format_map(files))


@pytest.mark.parametrize("text", ["{{x}}", "{{ x }}{{ y }}", " {{  x  }} "])
def test_placeholder_spacing_that_is_fine(tmp_path: Path, text: str) -> None:
    _write(tmp_path / "t.yaml", tpl("{x: {type: string, default: v}, y: {type: string, default: w}}",
                                    step(f"{{id: a, pass: {{k: '{text}'}}, end: true}}")))
    result = invoke(["catalog", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.stderr


def test_a_placeholder_in_an_asl_block_is_never_a_slot() -> None:
    doc = {"mission": "m", "steps": [{"id": "a", "pass": {"k": 1}, "asl": {"Comment": "{{ x }}",
                                                                          "Parameters": {"v": "{{ x }}"}}}]}
    slots, misplaced = find_slots(doc)
    assert slots == [] and {m.path for m in misplaced} == {("steps", 0, "asl", "Comment"),
                                                           ("steps", 0, "asl", "Parameters", "v")}


def test_a_step_shaped_mapping_in_an_asl_block_is_not_a_step() -> None:
    doc = {"mission": "m", "steps": [{"id": "a", "pass": {"k": 1}, "asl": {"Output": {
        "id": "x", "pass": 1, "wait": "{{ t }}"}}}]}
    slots, misplaced = find_slots(doc)
    assert slots == [] and [m.path for m in misplaced] == [("steps", 0, "asl", "Output", "wait")]


def test_a_step_shaped_constant_stays_data_on_the_engine(tmp_path: Path) -> None:
    from workbench.asl.plan import prepare_plan
    from workbench.engine.connect.targets import Target
    from workbench.engine.deploy.plans import deploy_plan
    from workbench.mission.catalog import load_catalog, load_plan

    _write(tmp_path / "cat" / "t.yaml", tpl("{t: {type: string, default: 5s}}", step(
        "{id: a, pass: {id: x, tool: y, timeout: '{{ t }}'}, end: true}"), name="hostile_inject"))
    plan = _write(tmp_path / "p.json", json.dumps({"kind": "k", "goal": "g", "parameters": {"t": "{% 40 + 2 %}"}}))
    prepared = prepare_plan(load_plan(plan), load_catalog(tmp_path / "cat"))
    if not prepared.ok:  # refusing the template is as good as binding the value as data
        assert any("steps[0].pass" in d.message for d in prepared.diagnostics), prepared.diagnostics
        return
    done = deploy_plan(prepared, Target.parse("embedded", time_warp=True), start=True)
    assert done.execution is not None
    assert json.loads(done.execution.describe()["output"])["timeout"] == "{% 40 + 2 %}"


def test_disabling_a_step_leaves_constants_alone(tmp_path: Path) -> None:
    from workbench.mission.steps import PassStep
    from workbench.mission.template import load_template

    path = _write(tmp_path / "t.yaml", tpl("{on_b: {type: boolean, default: true}}", step(
        "{id: a, pass: {then: b}}") + step("{id: b, enabled: '{{ on_b }}', pass: {k: 1}}") + step(
        "{id: c, succeed: true}")))
    first = load_template(path).bind({"on_b": False}).mission.step("a")
    assert isinstance(first, PassStep) and first.pass_ == {"then": "b"}


@pytest.mark.parametrize("names", [("x" * 100, "x" * 99 + "y", "1", "1"), ("t", "t", "1.0", "1_0")],
                         ids=["long-names", "version-characters"])
def test_two_templates_never_share_a_state_machine(tmp_path: Path, names: tuple[str, str, str, str]) -> None:
    from workbench.mission.catalog import load_catalog

    for i, (name, version) in enumerate(zip(names[:2], names[2:], strict=True)):
        _write(tmp_path / f"t{i}.yaml", tpl(name=name, version=f'"{version}"', kinds=f"[k{i}]"))
    catalog = load_catalog(tmp_path)
    for naming in ("version", "parameters"):
        machines = {t.bind(naming=naming).mission.name for t in catalog.templates}  # type: ignore[arg-type]
        assert len(machines) == len(catalog.templates), f"{naming}: {machines}"


def _machines(prefix: str) -> list[str]:
    from workbench.engine.connect.targets import Target

    listed = Target.parse("embedded").call("list_state_machines")["stateMachines"]
    return [m["name"] for m in listed if m["name"].startswith(prefix)]


def _deploy_case(tmp_path: Path, name: str, **plan: Any) -> tuple[str, str]:
    _write(tmp_path / "cat" / "t.yaml", tpl(name=name, kinds=f"[{name}]"))
    path = _write(tmp_path / "p.json", json.dumps({"kind": name, "goal": "g", **plan}))
    return path, str(tmp_path / "cat")


@pytest.mark.parametrize(("name", "plan", "extra", "needle"), [
    ("hostile_alias", {}, ["--alias", "bad alias!"], "'bad alias!'"),
    ("hostile_big_input", {"input": {"pad": "x" * (300 * 1024)}}, ["--start"], "input"),
])
def test_nothing_is_deployed_when_an_option_or_the_input_is_bad(tmp_path: Path, name: str, plan: dict[str, Any],
                                                                extra: list[str], needle: str) -> None:
    path, catalog = _deploy_case(tmp_path, name, **plan)
    result = invoke(["deploy", path, "--catalog", catalog, *extra])
    check(result.stdout, result.stderr, result.exit_code, {2}, needle)
    assert _machines(f"{name}-") == []


def test_a_string_input_is_a_json_string(tmp_path: Path) -> None:
    path, catalog = _deploy_case(tmp_path, "hostile_string_input", input="ALR-1")
    result = invoke(["deploy", path, "--catalog", catalog, "--start"])
    assert result.exit_code == 0, result.stderr


def test_deploy_says_the_template_did_not_bind(tmp_path: Path) -> None:
    _write(tmp_path / "cat" / "t.yaml", tpl("{go: {type: boolean, default: true}}", step("{id: a, pass: {k: 1}}")
                                        + step("{id: b, enabled: '{{ go }}', pass: {k: 1}, end: true}"),
                                        name="hostile_bind"))  # b is the last step: it cannot be disabled
    plan = _write(tmp_path / "p.json", json.dumps({"kind": "k", "goal": "g", "parameters": {"go": False}}))
    result = invoke(["deploy", plan, "--catalog", str(tmp_path / "cat")])
    assert result.exit_code == 1 and "TPL011" in result.stderr
    assert "no template selected" not in result.stderr, result.stderr


def test_select_json_is_json_whatever_the_plan(files: dict[str, str]) -> None:
    result = invoke(["select", files["plan_nan_param"], "--catalog", files["cat_num"], "--format", "json"])
    if result.exit_code == 2:  # refused as a plan: one line naming the field
        check(result.stdout, result.stderr, result.exit_code, {2}, "parameters.x")
        return
    data = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in --format json"))
    assert result.exit_code == 1 and not data["ok"]


@pytest.mark.parametrize("plan", [
    pytest.param("plan_emoji_goal"),
    pytest.param("plan_exponent"),
])
def test_a_valid_json_plan_is_read_as_json(files: dict[str, str], plan: str) -> None:
    result = invoke(["select", files[plan], "--catalog", files["catalog"]])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_long_deadline_is_one_plain_line(files: dict[str, str]) -> None:
    result = invoke(["select", files["plan_deadline_digits"], "--catalog", files["catalog"]])
    check(result.stdout, result.stderr, result.exit_code, {2}, "constraints.deadline")
    assert "set_int_max_str_digits" not in result.stderr


def _console(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV}, timeout=timeout, check=False, cwd=REPO)


def test_a_deep_parameter_schema_is_one_line(files: dict[str, str]) -> None:
    # a fresh process: jsonata raises the recursion limit of the process it evaluates in to 10,000
    proc = _console(["catalog", "validate", files["cat_deep_items"]], timeout=60)
    check(proc.stdout, proc.stderr, proc.returncode, {1}, "parameters.x")


def test_a_catastrophic_pattern_does_not_hang_selection(tmp_path: Path) -> None:
    _write(tmp_path / "cat" / "t.yaml", tpl("{x: {type: string, pattern: '^(a+)+$', default: aaa}}", step(
        "{id: a, pass: {k: '{{ x }}'}, end: true}")))
    plan = _write(tmp_path / "p.json", json.dumps({"kind": "k", "goal": "g", "parameters": {"x": "a" * 40 + "!"}}))
    proc = _console(["select", plan, "--catalog", str(tmp_path / "cat"), "--explain"], timeout=10)
    said = proc.stdout + proc.stderr  # rejected for this value, or the pattern refused when the template loads
    assert proc.returncode in (1, 2) and ("parameter 'x'" in said or "parameters.x" in said), said


def test_a_fifo_plan_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "plan.json")
    proc = _console(["select", str(tmp_path / "plan.json"), "--catalog", str(CATALOG)], timeout=10)
    check(proc.stdout, proc.stderr, proc.returncode, {2}, str(tmp_path / "plan.json"))
