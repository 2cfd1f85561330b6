"""The one YAML/JSON reader: size, depth, node and alias budgets, UTF-8 only, one-line errors.

No test times anything: the hostile inputs are big enough that an unbounded loader would run for
minutes (pytest-timeout stops it), and memory is checked with ``tracemalloc`` where it is cheap.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.asl.lint import load_asl, parse_asl
from workbench.asl.lint.load.source import compose_yaml
from workbench.core.diagnostics import AslError, DiagnosticError, MissionLoadError
from workbench.core.yaml_load import (
    INPUT_CODES,
    MAX_BYTES_ENV,
    BudgetedLoader,
    BudgetExceeded,
    InputBudget,
    InputError,
    MiB,
    check_json,
    load_yaml,
    loads_json,
    read_text,
    yaml_problem,
)
from workbench.engine.tools.faults import load_fault_plan
from workbench.engine.tools.mocks import load_mock_config
from workbench.mission.positions import parse_document


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """``width ** levels`` strings from ~100 nodes of text: 387,420,489 for the classic 9 × 9."""
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def block_mapping(depth: int) -> str:
    """``depth`` nested mappings in block style (the innermost holds a scalar)."""
    return "".join("  " * i + "a:\n" for i in range(depth - 1)) + "  " * (depth - 1) + "a: x\n"


def block_sequence(depth: int) -> str:
    return "- " * depth + "x\n"


def refused(text: str, budget: InputBudget | None = None, file: str = "doc.yaml") -> BudgetExceeded:
    with pytest.raises(BudgetExceeded) as info:
        load_yaml(text, file=file, budget=budget)
    return info.value


def one_line(exc: DiagnosticError) -> str:
    [diagnostic] = exc.diagnostics
    rendered = diagnostic.render()
    assert "\n" not in rendered and rendered == str(exc)
    return rendered


# --- alias expansion --------------------------------------------------------------------------------------
def test_billion_laughs_is_refused_while_composing_in_bounded_memory() -> None:
    tracemalloc.start()
    try:
        exc = refused(billion_laughs(), file="bomb.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * MiB
    assert exc.budget == "alias_factor" and exc.diagnostics[0].code == "INPUT002"
    line = one_line(exc)
    assert line.startswith("bomb.yaml:") and "1,000,000 nodes" in line and "10×" in line and "Hint:" in line


@pytest.mark.parametrize("reader", ["mission", "asl", "faults"])
def test_every_reader_refuses_the_bomb(reader: str, tmp_path: Path) -> None:
    """The position-keeping walkers expand every alias: without the budget each would run for minutes."""
    text = billion_laughs()
    error: type[Exception] = {"mission": MissionLoadError, "asl": AslError, "faults": InputError}[reader]
    with pytest.raises(error) as info:
        if reader == "mission":
            parse_document(text, "m.yaml")
        elif reader == "asl":
            parse_asl(text, file="x.asl.yaml")
        else:
            (tmp_path / "f.yaml").write_text(text)
            load_fault_plan(tmp_path / "f.yaml")
    assert isinstance(info.value, DiagnosticError) and info.value.diagnostics[0].code == "INPUT002"


def test_a_document_with_a_few_aliases_and_merge_keys_loads() -> None:
    text = ("defaults: &defaults {interval: 2s, max_attempts: 3}\n"
            "fetch: {retry: [*defaults]}\n"
            "store: {<<: *defaults, jitter: FULL}\n"
            "tags: &tags [a, b]\nalso: *tags\n")
    assert load_yaml(text) == yaml.safe_load(text)
    assert parse_document(text).data["store"] == {"interval": "2s", "max_attempts": 3, "jitter": "FULL"}


def alias_document(aliases: int) -> str:
    """8 scalars anchored once, then repeated ``aliases`` times: 13 own nodes, 13 + 9 × aliases in all."""
    return f"a: &a [{', '.join('x' * 8)}]\nb: [{', '.join(['*a'] * aliases)}]\n"


def test_alias_expansion_exactly_at_ten_times_loads_and_one_alias_more_is_refused() -> None:
    loader = BudgetedLoader(alias_document(13))
    loader.get_single_data()
    assert (loader.own_nodes, loader.expanded_nodes) == (13, 130)  # exactly 10×
    exc = refused(alias_document(14))
    assert exc.budget == "alias_factor" and "its 13 nodes to 139, more than 10×" in str(exc)


def test_repeating_a_long_string_is_counted_in_characters_too() -> None:
    """Few nodes, but each alias of a 200 KiB string is 200 KiB more for whoever copies the data."""
    text = lambda n: f"s: &s {'x' * 200 * 1024}\nr: [{', '.join(['*s'] * n)}]\n"  # noqa: E731
    assert len(load_yaml(text(40))["r"]) == 40  # 8 MiB of expanded text: under 10 × 1 MiB
    exc = refused(text(60))
    assert exc.budget == "alias_factor" and "characters of text" in str(exc)


def test_recursive_aliases_are_a_yaml_error_not_an_endless_walk() -> None:
    with pytest.raises(yaml.YAMLError, match="recursive alias"):
        load_yaml("a: &a [1, *a]\n")
    with pytest.raises(MissionLoadError) as info:
        parse_document("mission: &m [*m]\nsteps: []\n")
    assert info.value.diagnostics[0].code == "MIS001"


# --- nesting ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [flow, block_mapping, block_sequence])
def test_thousand_levels_of_yaml_are_refused_with_the_line(shape: Any) -> None:
    tracemalloc.start()
    try:
        exc = refused(shape(1000), file="deep.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * MiB and exc.budget == "max_depth"
    diagnostic = exc.diagnostics[0]
    assert diagnostic.code == "INPUT004" and diagnostic.line is not None
    assert "deeper than 200 levels (budget: nesting depth 200)" in one_line(exc)


@pytest.mark.parametrize("shape", [flow, block_mapping, block_sequence])
def test_depth_exactly_at_the_budget_loads_and_one_more_is_refused(shape: Any) -> None:
    assert load_yaml(shape(200)) is not None
    assert refused(shape(201)).budget == "max_depth"
    small = InputBudget(max_depth=3)
    assert load_yaml(shape(3), budget=small) is not None
    assert refused(shape(4), small).budget == "max_depth"


def test_merge_key_chains_count_as_nesting() -> None:
    """PyYAML flattens ``<<`` chains recursively: a long chain would exhaust the recursion limit."""
    chain = lambda n: "m0: &m0 {k: 0}\n" + "".join(  # noqa: E731
        f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}\n" for i in range(1, n + 1))
    assert load_yaml(chain(3), budget=InputBudget(max_depth=3))["m3"]["k1"] == 1
    exc = refused(chain(4), InputBudget(max_depth=3))
    assert exc.budget == "max_depth" and "merge keys" in str(exc)


def test_thousand_levels_of_json_are_refused_before_json_loads_recurses() -> None:
    for reader in (lambda t: loads_json(t, "deep.json"), lambda t: parse_asl(t, file="deep.json")):
        with pytest.raises((BudgetExceeded, AslError)) as info:
            reader(flow(1000))
        assert info.value.diagnostics[0].code == "INPUT004" and "deep.json" in str(info.value)
    assert loads_json(flow(200)) == json.loads(flow(200))
    with pytest.raises(BudgetExceeded):
        loads_json(flow(201))
    nested_in_objects = '{"a": ' * 200 + "1" + "}" * 200
    assert loads_json(nested_in_objects) is not None
    with pytest.raises(BudgetExceeded):
        loads_json('{"a": ' * 201 + "1" + "}" * 201)


def test_brackets_inside_json_strings_are_not_nesting() -> None:
    text = json.dumps({"Comment": "[" * 500 + '\\"{' * 300, "States": ["]" * 10]})
    assert loads_json(text)["States"] == ["]" * 10]


# --- node count -------------------------------------------------------------------------------------------
def test_node_count_exactly_at_the_budget_loads_and_one_more_is_refused() -> None:
    budget = InputBudget(max_nodes=100)
    items = lambda n: "[" + ", ".join(["1"] * n) + "]"  # noqa: E731  (n items and the list: n + 1 nodes)
    assert len(load_yaml(items(99), budget=budget)) == 99
    exc = refused(items(100), budget)
    assert exc.budget == "max_nodes" and "(budget: 100 nodes in all)" in str(exc)
    mapping = "{" + ", ".join(f"k{i}: v" for i in range(25)) + "}"  # 1 + 25 keys + 25 values = 51 nodes
    assert load_yaml(mapping, budget=InputBudget(max_nodes=51))
    assert refused(mapping, InputBudget(max_nodes=50)).budget == "max_nodes"
    check_json(items(99), budget=budget)
    with pytest.raises(BudgetExceeded):
        check_json(items(100), budget=budget)


def test_the_default_million_nodes_in_json() -> None:
    at_limit = "[" + "0," * 999_998 + "0]"  # 999,999 numbers and the list
    assert len(loads_json(at_limit)) == 999_999
    with pytest.raises(BudgetExceeded) as info:
        loads_json("[" + "0," * 999_999 + "0]", "big.json")
    assert "more than 1,000,000 values" in one_line(info.value)


def test_json_node_count_sees_every_kind_of_value() -> None:
    text = '{"a": [1, -2.5e3, true, false, null, "s", {}, []]}'  # 1 + key + list + 8 values = 11 (with {} and [])
    check_json(text, budget=InputBudget(max_nodes=11))
    with pytest.raises(BudgetExceeded):
        check_json(text, budget=InputBudget(max_nodes=10))


# --- files: size and encoding -----------------------------------------------------------------------------
def test_file_size_budget_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    exact, over = tmp_path / "exact.yaml", tmp_path / "over.yaml"
    exact.write_bytes(b"#" * (10 * MiB - 1) + b"\n")
    over.write_bytes(b"#" * (10 * MiB) + b"\n")
    assert len(read_text(exact)) == 10 * MiB
    with pytest.raises(BudgetExceeded) as info:
        read_text(over)
    assert info.value.budget == "max_bytes"
    line = one_line(info.value)
    assert line.startswith(f"{over}: error INPUT001: the file is 10,485,761 bytes (budget: 10 MiB per input file)")
    assert MAX_BYTES_ENV in line
    monkeypatch.setenv(MAX_BYTES_ENV, str(11 * MiB))
    assert len(read_text(over)) == 10 * MiB + 1


@pytest.mark.parametrize(("raw", "line", "column"), [
    (b"\x00\xff\xfe\x01\x02\x89PNG", 1, 2),  # binary
    ("mission: m\nname: caf\xe9\n".encode("latin-1"), 2, 10),  # Latin-1 text
    (b"a: 1\nb: \x00\x00\x00\x01\n", 2, 4),  # valid UTF-8, but NUL bytes: a binary file
    ("\ufeffa: 1\n\x07".encode(), 2, 1),  # a BOM is fine, a bell character is not
])
def test_binary_and_non_utf8_files_are_named_not_tracebacked(tmp_path: Path, raw: bytes, line: int,
                                                              column: int) -> None:
    path = tmp_path / "input.yaml"
    path.write_bytes(raw)
    with pytest.raises(InputError) as info:
        read_text(path)
    diagnostic = info.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("INPUT005", line, column)
    assert f"{path} is not UTF-8 text" in one_line(info.value)


def test_bom_is_dropped_and_text_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: é\r\nb: 2\n".encode())
    assert read_text(path) == "a: é\r\nb: 2\n"


def test_file_readers_keep_their_codes_for_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "x.asl.json"
    binary.write_bytes(b"\x00\xff")
    with pytest.raises(AslError) as info:
        load_asl(binary)
    assert info.value.diagnostics[0].code == "ASL001" and "is not UTF-8 text" in str(info.value)
    mocks = tmp_path / "mocks.json"
    mocks.write_text(flow(300))
    with pytest.raises(InputError) as mock_info:
        load_mock_config(mocks)
    assert mock_info.value.diagnostics[0].code == "INPUT004"


# --- the loader is PyYAML's safe loader otherwise ---------------------------------------------------------
@pytest.mark.parametrize("text", [
    "", "# only a comment\n", "just a string\n", "- 1\n- 2.5\n- true\n- null\n- 2024-01-02\n",
    "a: !!str 12\nb: '012'\nc: 0o17\nd: .inf\n", "? complex key\n: [value]\n",
    "base: &b {x: 1, y: [1, 2]}\nmerged: {<<: [*b], z: 3}\n", "s: |\n  literal\n  text\nf: >\n  folded\n",
    '{"json": [1, {"nested": "yes"}], "k": null}',
])
def test_same_data_as_safe_load(text: str) -> None:
    assert load_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(("text", "message"), [
    ("a: *nope\n", "found undefined alias 'nope'"),
    ("a: &x 1\nb: &x 2\n", "found duplicate anchor 'x'"),
    ("a: [1, 2\n", "expected ',' or ']'"),
])
def test_yaml_errors_are_pyyaml_errors_and_one_line(text: str, message: str) -> None:
    with pytest.raises(yaml.YAMLError) as info:
        load_yaml(text)
    problem, line, _ = yaml_problem(info.value)
    assert message in problem and "\n" not in problem and line is not None


def test_reader_errors_have_one_line_too() -> None:
    with pytest.raises(yaml.YAMLError) as info:
        load_yaml("a: \x7f\n")
    problem, line, _ = yaml_problem(info.value)
    assert "#x007f" in problem and "\n" not in problem and line is None
    with pytest.raises(MissionLoadError) as mission:
        parse_document("mission: \x7f\n", "m.yaml")
    assert mission.value.diagnostics[0].code == "MIS001" and "\n" not in str(mission.value)


def test_positions_survive_the_budgeted_composer() -> None:
    data, index = compose_yaml("StartAt: A\nStates:\n  A: {Type: Succeed}\n", "x.asl.yaml")
    assert data["States"]["A"] == {"Type": "Succeed"} and index.positions[("States", "A", "Type")] == (3, 7)
    assert parse_document("a:\n  - {b: 1}\n").position(("a", 0, "b")) == (2, 6)


def test_input_codes_mean_unreadable_to_every_exit_code_mapping() -> None:
    """``workbench import``/``validate``/``compile``/``graph`` exit 2 only for "cannot read" codes."""
    from workbench.asl.import_file import UNREADABLE_CODES
    from workbench.asl.validate import UNPARSABLE_CODES

    assert {f"INPUT00{i}" for i in range(1, 7)} == INPUT_CODES
    assert INPUT_CODES <= UNREADABLE_CODES and INPUT_CODES <= UNPARSABLE_CODES


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '[-Infinity]', '{"a": ' + "9" * 4301 + "}"])
def test_json_that_python_would_misread_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(InputError) as caught:
        loads_json(text, "x.asl.json")
    assert caught.value.diagnostics[0].code == "INPUT006" and "\n" not in str(caught.value)
    assert str(caught.value).startswith("x.asl.json: error INPUT006")


def test_numbers_up_to_the_digit_limit_load_in_json_and_yaml() -> None:
    assert loads_json('{"a": ' + "9" * 4300 + "}")["a"] == int("9" * 4300)
    assert load_yaml("a: " + "9" * 4300)["a"] == int("9" * 4300)
    with pytest.raises(InputError) as caught:
        load_yaml("a: 1\nb: " + "9" * 4301, file="m.yaml")
    assert str(caught.value).startswith("m.yaml:2:4: error INPUT006")
