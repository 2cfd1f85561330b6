"""The YAML text patcher: a no-op edit gives back the same bytes, a one-field edit changes one line.

Every example Mission is edited for real: each of its values set to itself, one field of each kind changed,
steps inserted, deleted and moved. The results are compared line by line with difflib and loaded again with
PyYAML (how the workbench reads Missions) and ruamel.yaml (YAML 1.2).
"""

from __future__ import annotations

import copy
import difflib
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from workbench.mission.yaml_patch import (
    Edit,
    PatchError,
    apply,
    delete,
    insert_item,
    move_item,
    rename_refs,
    set_value,
)

MISSIONS = sorted(p for p in (Path(__file__).resolve().parents[2] / "missions").glob("*.yaml")
                  if not p.name.endswith(".tests.yaml"))  # NAME.tests.yaml: Mission tests, not Missions
NAMES = [p.stem for p in MISSIONS]


def text_of(name: str) -> str:
    return (Path(__file__).resolve().parents[2] / "missions" / f"{name}.yaml").read_text(encoding="utf-8")


def with_comments(text: str) -> str:
    """The Mission with a header comment, a comment line above ``steps:`` and one after every step id."""
    text = re.sub(r"^(\s*- id: ([\w-]+))$", r"\1  # the \2 step", text, flags=re.M)
    text = text.replace("\nsteps:\n", "\n# What the Mission does, in order.\nsteps:\n")
    return "# An example Mission, with comments that must survive every edit.\n" + text


def changes(old: str, new: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) from ``old`` to ``new``, line ends included."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def comment_lines(text: str) -> list[str]:
    """The comments of a text (a JSONata or channel "#x" inside a value is not one)."""
    return [m.group(0) for m in re.finditer(r"(?:^|\s)# .*$", text, flags=re.M)]


def leaves(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) of the data, collections included."""
    out = [(prefix, data)]
    if isinstance(data, dict):
        for k, v in data.items():
            out += leaves(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += leaves(v, (*prefix, i))
    return out


def assigned(data: Any, path: tuple[str | int, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    cur = data
    for part in path[:-1]:
        if isinstance(cur, dict):
            cur = cur.setdefault(part, {})
        else:
            cur = cur[part]
    cur[path[-1]] = value
    return data


def ruamel_data(text: str) -> Any:
    """The document as ruamel.yaml (YAML 1.2) reads it, as plain dicts and lists."""
    def plain(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v
    return plain(YAML(typ="safe", pure=True).load(io.StringIO(text)))


# --- byte for byte -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("commented", [False, True], ids=["plain", "commented"])
@pytest.mark.parametrize("name", NAMES)
def test_setting_every_value_to_itself_gives_back_the_same_bytes(name: str, commented: bool) -> None:
    text = with_comments(text_of(name)) if commented else text_of(name)
    data = yaml.safe_load(text)
    steps = [p for p, v in leaves(data) if isinstance(v, dict) and "id" in v]
    assert len(steps) >= 6  # every step, the nested parallel and map steps too
    checked = 0
    for path, value in leaves(data):
        if value is None:  # None means "delete the key"
            continue
        assert set_value(text, path, copy.deepcopy(value)) == text, path
        checked += 1
    assert checked > 60
    assert delete(text, ("no_such_key",)) == text
    assert move_item(text, ("steps",), 1, 0) == text


@pytest.mark.parametrize("name", NAMES)
def test_top_level_keys_and_step_fields_are_no_ops(name: str) -> None:
    text = text_of(name)
    data = yaml.safe_load(text)
    for key, value in data.items():
        assert set_value(text, (key,), value) is text
    for i, step in enumerate(data["steps"]):
        assert set_value(text, ("steps", i), copy.deepcopy(step)) is text
        for field, value in step.items():
            assert set_value(text, ("steps", i, field), value) is text


# --- one field, one line -------------------------------------------------------------------------------------

ONE_FIELD = [
    ("incident_triage", ("steps", 5, "retry", 0, "max_attempts"), 6, "max_attempts: 5", "max_attempts: 6"),
    ("incident_triage", ("tools", "search_logs", "memory_mb"), 2048, "memory_mb: 1024}", "memory_mb: 2048}"),
    ("incident_triage", ("steps", 2, "map", "steps", 0, "timeout"), "20s", "timeout: 10s", "timeout: 20s"),
    ("incident_triage", ("steps", 4, "otherwise"), "triage_failed", "summarize", "triage_failed"),
    ("incident_triage", ("steps", 4, "choose", 1, "goto"), "summarize", "goto: page_human", "goto: summarize"),
    ("incident_triage", ("defaults", "retry", 0, "max_attempts"), 4, "max_attempts: 3", "max_attempts: 4"),
    ("incident_triage", ("version",), "1.3", '"1.2"', '"1.3"'),
    ("data_backfill", ("steps", 1, "map", "steps", 0, "retry", 0, "max_attempts"), 5, "attempts: 4", "attempts: 5"),
    ("data_backfill", ("steps", 1, "map", "steps", 0, "retry", 1, "max_attempts"), 4, "attempts: 3", "attempts: 4"),
    ("data_backfill", ("tools", "backfill_batch", "memory_mb"), 4096, "memory_mb: 3008", "memory_mb: 4096"),
    ("data_backfill", ("local", "faults", "backfill_batch", "fail_rate"), 0.2, "fail_rate: 0.1", "fail_rate: 0.2"),
    ("deploy_check", ("steps", 2, "timeout"), "25s", "timeout: 20s", "timeout: 25s"),
    ("deploy_check", ("steps", 3, "choose", 2, "goto"), "roll_back", "goto: gave_up", "goto: roll_back"),
    ("research_brief", ("local", "faults", "fetch_source", "throttle", "burst"), 3, "burst: 2", "burst: 3"),
    ("research_brief", ("steps", 1, "map", "steps", 0, "retry", 0, "max_attempts"), 7, "s: 6", "s: 7"),
    ("research_brief", ("tools", "extract_claims", "arch"), "x86_64", "arch: arm64", "arch: x86_64"),
    ("change_window", ("steps", 1, "map", "max_concurrency"), 5, "concurrency: 10", "concurrency: 5"),
    ("change_window", ("local", "input", "changes", 1, "risk"), "medium", "risk: high", "risk: medium"),
]


@pytest.mark.parametrize("commented", [False, True], ids=["plain", "commented"])
@pytest.mark.parametrize(("name", "path", "value", "before", "after"), ONE_FIELD,
                         ids=[f"{c[0]}:{'.'.join(map(str, c[1]))}" for c in ONE_FIELD])
def test_a_one_field_edit_changes_only_that_line(name: str, path: tuple[str | int, ...], value: Any, before: str,
                                                  after: str, commented: bool) -> None:
    text = with_comments(text_of(name)) if commented else text_of(name)
    new = set_value(text, path, value)
    removed, added = changes(text, new)
    assert len(removed) == 1 and before in removed[0]
    assert added == [removed[0].replace(before, after)]
    assert yaml.safe_load(new) == assigned(yaml.safe_load(text), path, value)
    assert comment_lines(new) == comment_lines(text)


@pytest.mark.parametrize("name", NAMES)
def test_writing_a_whole_step_back_changes_only_the_field_that_changed(name: str) -> None:
    text = text_of(name)
    step = copy.deepcopy(yaml.safe_load(text)["steps"][1])
    step["comment"] = "Rewritten from the form."
    new = set_value(text, ("steps", 1), step)
    removed, added = changes(text, new)
    assert [line.strip() for line in added] == ["comment: Rewritten from the form."]
    assert len(removed) <= 1
    assert yaml.safe_load(new)["steps"][1] == step


def test_adding_then_to_a_step_adds_one_line_after_its_siblings() -> None:
    text = text_of("incident_triage")
    new = set_value(text, ("steps", 0, "then"), "gather_evidence")
    assert changes(text, new) == ([], ["    then: gather_evidence\n"])
    again = set_value(new, ("steps", 0, "then"), "probe_hosts")
    assert changes(new, again) == (["    then: gather_evidence\n"], ["    then: probe_hosts\n"])
    assert set_value(again, ("steps", 0, "then"), None) == text


# --- keys --------------------------------------------------------------------------------------------------

def test_keys_are_added_and_deleted_in_block_and_flow_mappings() -> None:
    text = "# tools\ntools:\n  fetch: {lambda: f, memory_mb: 256}  # the fetcher\n  probe:\n    lambda: p\n"
    assert set_value(text, ("tools", "fetch", "arch"), "arm64") == text.replace("256}", "256, arch: arm64}")
    assert set_value(text, ("tools", "probe", "arch"), "arm64") == text + "    arch: arm64\n"
    assert delete(text, ("tools", "fetch", "lambda")) == text.replace("{lambda: f, ", "{")
    assert delete(text, ("tools", "fetch", "memory_mb")) == text.replace(", memory_mb: 256", "")
    assert delete(text, ("tools", "probe", "lambda")) == text.replace("  probe:\n    lambda: p\n", "  probe: {}\n")
    assert delete(text, ("tools", "fetch")) == "# tools\ntools:\n  probe:\n    lambda: p\n"
    assert set_value(text, ("tools", "fetch", "memory_mb"), None) == text.replace(", memory_mb: 256", "")


def test_missing_parents_are_created_two_spaces_deeper_unless_the_parent_is_flow() -> None:
    assert set_value("a: 1\n", ("local", "faults", "f", "fail_rate"), 0.5) == \
        "a: 1\nlocal:\n  faults:\n    f:\n      fail_rate: 0.5\n"
    assert set_value("local:\nb: 1\n", ("local", "seed"), 7) == "local:\n  seed: 7\nb: 1\n"
    assert set_value("local: ~  # none yet\n", ("local", "seed"), 7) == "local:  # none yet\n  seed: 7\n"
    assert set_value("local: {}\n", ("local", "seed"), 7) == "local: {seed: 7}\n"
    assert set_value("", ("mission",), "m") == "mission: m\n"
    with pytest.raises(PatchError, match=r"local\.seed.*'x' is not a mapping"):
        set_value("local: x\n", ("local", "seed"), 7)


def test_keys_and_values_are_quoted_only_when_they_must_be() -> None:
    assert set_value("a: 'x'\n", ("a",), "y") == "a: 'y'\n"
    assert set_value('a: "x"\n', ("a",), "y") == 'a: "y"\n'
    assert set_value("a: 'x'\n", ("a",), "it's") == "a: 'it''s'\n"
    assert set_value("a: x\n", ("a",), "y") == "a: y\n"
    for tricky in ("yes", "1e3", "0o17", "1:30", "2024-03-01", "null", "", "a: b", "#x", "- x", " x"):
        new = set_value("a: x\n", ("a",), tricky)
        assert yaml.safe_load(new) == {"a": tricky} and ruamel_data(new) == {"a": tricky}, new
    assert set_value("a: x\n", ("a",), "é ✓") == "a: é ✓\n"
    assert set_value("a: x\n", ("a",), "tab\there\u2028") == 'a: "tab\\there\\L"\n'
    assert set_value("a: '1'\n", ("a",), 1) == "a: 1\n"
    assert set_value("a: 1\n", ("a",), 1.0) == "a: 1.0\n"
    assert set_value("a: 1\n", ("a",), True) == "a: true\n"
    assert set_value("a: 1\n", ("b: c",), 2) == "a: 1\n'b: c': 2\n"


# --- block scalars, line ends, end of file -------------------------------------------------------------------

def test_a_folded_scalar_is_replaced_whole_and_keeps_its_style() -> None:
    text = text_of("incident_triage")
    new = set_value(text, ("steps", 3, "pass"), '{% {\n  "severity": $alert.severity\n} %}')
    removed, added = changes(text, new)
    assert len(removed) == 5 and added == ['        "severity": $alert.severity\n']
    assert "    pass: >-\n      {% {\n" in new
    short = set_value(text, ("description",), "Triage an alert.")
    assert changes(text, short)[1] == ["  Triage an alert.\n"] and "description: >-\n" in short
    lines = set_value(text, ("description",), "line one\nline two\n")
    assert "description: |\n  line one\n  line two\nversion:" in lines
    assert yaml.safe_load(lines)["description"] == "line one\nline two\n"


def test_a_value_that_runs_to_the_end_of_the_file() -> None:
    assert set_value("a: 1\nb: 2", ("b",), "x y") == "a: 1\nb: x y"
    assert set_value("a: 1\nb: |-\n  x\n  y", ("b",), "z\nw") == "a: 1\nb: |-\n  z\n  w"
    assert set_value("a: 1\nb: 2", ("c",), 3) == "a: 1\nb: 2\nc: 3"
    assert delete("a: 1\nb: 2", ("b",)) == "a: 1"
    assert set_value("s:\n  - a\n  - b", ("s", 1), "c") == "s:\n  - a\n  - c"
    assert insert_item("s:\n  - a\n  - b", ("s",), 2, "c") == "s:\n  - a\n  - b\n  - c"


def test_crlf_files_keep_crlf_and_a_byte_order_mark_stays() -> None:
    text = text_of("deploy_check").replace("\n", "\r\n")
    new = set_value(text, ("steps", 2, "retry"), [{"errors": ["States.ALL"], "max_attempts": 2}])
    assert "\r\n" in new and new.count("\n") == new.count("\r\n")
    assert yaml.safe_load(new)["steps"][2]["retry"] == [{"errors": ["States.ALL"], "max_attempts": 2}]
    assert set_value(text, ("timeout",), "30m") is text
    assert move_item(text, ("steps",), 0, 1).count("\n") == text.count("\r\n")
    assert set_value("\ufeffa: 1\r\nb: 2\r\n", ("a",), 5) == "\ufeffa: 5\r\nb: 2\r\n"


# --- steps: insert, delete, move ----------------------------------------------------------------------------

def test_steps_are_inserted_in_the_list_style_with_its_blank_lines() -> None:
    text = with_comments(text_of("incident_triage"))
    new = insert_item(text, ("steps",), 2, {"id": "wait_a_bit", "wait": "5s"})
    assert changes(text, new) == ([], ["  - id: wait_a_bit\n", "    wait: 5s\n", "\n"])
    end = insert_item(text, ("steps",), 8, {"id": "done", "succeed": True})
    assert changes(text, end) == ([], ["\n", "  - id: done\n", "    succeed: true\n"])
    branch = insert_item(text, ("steps", 1, "parallel", "logs"), 1, {"id": "grep", "tool": "search_logs"})
    assert changes(text, branch) == ([], ["        - id: grep\n", "          tool: search_logs\n"])
    inner = insert_item(text, ("steps", 2, "map", "steps"), 0, {"id": "pre", "pass": {"x": 1}})
    assert changes(text, inner)[1] == ["        - id: pre\n", "          pass:\n", "            x: 1\n"]
    errors = insert_item(text, ("defaults", "retry", 0, "errors"), 4, "States.Timeout")
    assert changes(text, errors)[1] == ["               Lambda.TooManyRequestsException, States.Timeout]\n"]
    created = insert_item(text, ("steps", 6, "catch"), 0, {"errors": ["States.ALL"], "goto": "triage_failed"})
    assert changes(text, created)[1] == ["    catch:\n", "      - errors: [States.ALL]\n",
                                         "        goto: triage_failed\n"]
    with pytest.raises(PatchError, match=r"steps: cannot insert at 12: the list has 8 items"):
        insert_item(text, ("steps",), 12, {"id": "x", "pass": 1})


def test_deleting_a_step_takes_its_lines_comments_and_one_blank_line() -> None:
    text = "steps:\n  # first\n  - id: a\n    pass: 1\n\n  - id: b  # second\n    pass: 2\n\n  - id: c\n    pass: 3\n"
    assert delete(text, ("steps", 0)) == "steps:\n  - id: b  # second\n    pass: 2\n\n  - id: c\n    pass: 3\n"
    assert delete(text, ("steps", 1)) == "steps:\n  # first\n  - id: a\n    pass: 1\n\n  - id: c\n    pass: 3\n"
    assert delete(text, ("steps", 2)) == "steps:\n  # first\n  - id: a\n    pass: 1\n\n  - id: b  # second\n" \
                                         "    pass: 2\n"
    assert delete("s:\n  - a\nt: 1\n", ("s", 0)) == "s: []\nt: 1\n"
    assert delete("s:\n  - id: a\n    x: 1\n", ("s", 0, "id")) == "s:\n  - x: 1\n"
    nested = delete(text_of("incident_triage"), ("steps", 1, "parallel", "metrics"))
    assert "      metrics:\n" not in nested and len(changes(text_of("incident_triage"), nested)[0]) == 4


def test_moving_a_step_swaps_the_text_of_both_verbatim() -> None:
    text = with_comments(text_of("incident_triage"))
    moved = move_item(text, ("steps",), 6, 1)  # summarize <-> triage_failed, the last two steps
    data = yaml.safe_load(text)
    assert yaml.safe_load(moved)["steps"][6:] == [data["steps"][7], data["steps"][6]]
    blocks = text.split("\n\n")
    assert moved.split("\n\n") == [*blocks[:-2], blocks[-1].rstrip("\n"), blocks[-2] + "\n"]
    assert move_item(moved, ("steps",), 7, -1) == text
    first = move_item("steps:\n  # first\n  - id: a\n  - id: b  # bee\n", ("steps",), 0, 1)
    assert first == "steps:\n  - id: b  # bee\n  # first\n  - id: a\n"
    assert move_item("s: [a, b, c]\n", ("s",), 0, 2) == "s: [c, b, a]\n"
    assert move_item("s:\n- - a\n  - b\n", ("s", 0), 0, 1) == "s:\n- - b\n  - a\n"
    with pytest.raises(PatchError, match=r"steps: cannot move item 7 by 1: the list has 8 items"):
        move_item(text, ("steps",), 7, 1)


def test_renaming_a_step_renames_its_references_in_one_pass() -> None:
    text = text_of("incident_triage")
    new = rename_refs(text, "summarize", "post_summary", [("steps", 6, "id"), ("steps", 4, "otherwise")])
    assert changes(text, new) == (["    otherwise: summarize\n", "  - id: summarize\n"],
                                  ["    otherwise: post_summary\n", "  - id: post_summary\n"])
    assert rename_refs(text, "summarize", "summarize", [("steps", 6, "id")]) is text
    with pytest.raises(PatchError, match=r"steps\[5\]\.id: it holds 'page_human', not 'summarize'"):
        rename_refs(text, "summarize", "x", [("steps", 5, "id")])


def test_apply_makes_a_batch_of_edits_in_order() -> None:
    text = text_of("deploy_check")
    new = apply(text, [Edit("set", ("steps", 2, "timeout"), "40s"), Edit("delete", ("steps", 0, "assign")),
                       Edit("insert", ("steps",), {"id": "x", "pass": 1}, index=1), Edit("move", ("steps",), index=1,
                                                                                      delta=-1)])
    data = yaml.safe_load(new)
    assert [s["id"] for s in data["steps"][:3]] == ["x", "start_deploy", "wait_for_rollout"]
    assert data["steps"][3]["timeout"] == "40s" and "assign" not in data["steps"][1]


# --- refusals ------------------------------------------------------------------------------------------------

def test_edits_through_an_alias_are_refused_naming_the_anchor() -> None:
    text = "defaults: &base {interval: 2s}\nretry: *base\nmerged:\n  <<: *base\n  extra: 1\n"
    with pytest.raises(PatchError, match=r"cannot edit retry\.interval: retry is an alias \(\*base\); edit the "
                                         r"anchor &base at line 1 instead"):
        set_value(text, ("retry", "interval"), "3s")
    with pytest.raises(PatchError, match=r"merged\.interval: it comes from a merge key"):
        set_value(text, ("merged", "interval"), "3s")
    with pytest.raises(PatchError, match=r"anchor &base that aliases use"):
        set_value(text, ("defaults",), "none")
    with pytest.raises(PatchError, match=r"defaults\.interval: .* \(an anchor it is inside is also merged in"):
        set_value(text, ("defaults", "interval"), "5s")  # merged: PyYAML copies it, so the edit cannot be checked
    aliased = "defaults: &base {interval: 2s}\nretry: *base\n"
    inside = set_value(aliased, ("defaults", "interval"), "5s")
    assert inside == aliased.replace("2s", "5s") and yaml.safe_load(inside)["retry"] == {"interval": "5s"}
    assert delete(text, ("retry",)) == text.replace("retry: *base\n", "")


def test_text_that_does_not_parse_or_a_bad_path_is_refused_in_one_line() -> None:
    with pytest.raises(PatchError, match=r"^cannot edit steps: the YAML does not parse \(line 2, column 1: "):
        set_value("steps: [a\n", ("steps",), [])
    with pytest.raises(PatchError, match=r"^cannot edit s\[3\]: there is no item 3 \(the list has 1 items\)$"):
        set_value("s: [a]\n", ("s", 3), 1)
    with pytest.raises(PatchError, match=r"a object cannot be written as YAML"):
        set_value("s: 1\n", ("s",), object())
    with pytest.raises(PatchError, match=r"^cannot edit t\[0\]: that list item does not exist; add it with insert_"):
        set_value("s: [a]\n", ("t", 0), 1)


def test_a_result_that_would_not_load_as_intended_is_never_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.mission.yaml_patch import _emit

    monkeypatch.setattr(_emit, "scalar", lambda value, **_: "[not, it]")
    with pytest.raises(PatchError, match=r"^cannot edit a: the edited text would not load as the edit intends"):
        set_value("a: x\n", ("a",), "y")
