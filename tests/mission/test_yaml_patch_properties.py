"""Properties of the YAML text patcher, over the example Missions (Hypothesis, derandomised by the conftest).

Any scalar written at any leaf loads back as written (PyYAML and ruamel.yaml) and changes only that value's
lines; any sequence of step inserts, deletes and moves keeps the data right, every comment, and no run of
blank lines.
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.mission.test_yaml_patch import NAMES, assigned, leaves, ruamel_data, text_of, with_comments
from workbench.mission.yaml_patch import delete, insert_item, move_item, set_value

LEAVES = [(name, path) for name in NAMES for path, value in leaves(yaml.safe_load(text_of(name)))
          if isinstance(value, str | int | float) and not isinstance(value, bool) and path]
SCALAR_VALUES = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab :#-'\"{}[],&*!|>%@`\n\t é✓~")), max_size=12),
    st.sampled_from(["yes", "1e3", "null", "0o17", "1:30", "2024-03-01", "x: y", "- a", "a\n\n", " lead"]),
    st.integers(min_value=-10**6, max_value=10**6), st.booleans(), st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


@given(leaf=st.sampled_from(LEAVES), value=SCALAR_VALUES)
def test_any_scalar_can_be_written_at_any_leaf_changing_only_its_lines(leaf: tuple[str, Any], value: Any) -> None:
    name, path = leaf
    text = text_of(name)
    new = set_value(text, path, value)
    expected = copy.deepcopy(yaml.safe_load(text))
    parent = expected
    for part in path[:-1]:
        parent = parent[part]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    assert yaml.safe_load(new) == expected
    if value is not None and not isinstance(value, float):
        assert ruamel_data(new) == assigned(ruamel_data(text), path, value)
    node = yaml.compose(text)
    for part in path:
        node = dict((k.value, v) for k, v in node.value)[part] if isinstance(part, str) else node.value[part]
    first, last = node.start_mark.line, node.end_mark.line
    a, b = text.splitlines(), new.splitlines()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal" and value is not None:
            assert first <= i1 and i2 <= last + 1, (tag, i1, i2, first, last)


@given(name=st.sampled_from(NAMES), ops=st.lists(st.tuples(st.sampled_from(["insert", "delete", "move"]),
                                                            st.integers(0, 9), st.sampled_from([-1, 1])),
                                                  min_size=1, max_size=4))
def test_step_edits_in_any_order_keep_the_data_right_and_the_comments(name: str, ops: list[Any]) -> None:
    text = with_comments(text_of(name))
    data = yaml.safe_load(text)
    for op, index, delta in ops:
        steps = data["steps"]
        if op == "insert":
            i = index % (len(steps) + 1)
            text = insert_item(text, ("steps",), i, {"id": f"new{i}", "pass": {"n": i}})
            steps.insert(i, {"id": f"new{i}", "pass": {"n": i}})
        elif op == "delete" and len(steps) > 1:
            i = index % len(steps)
            text = delete(text, ("steps", i))
            del steps[i]
        elif op == "move":
            i = index % len(steps)
            j = i + delta
            if 0 <= j < len(steps):
                text = move_item(text, ("steps",), i, delta)
                steps[i], steps[j] = steps[j], steps[i]
        assert yaml.safe_load(text) == data
    original = {s["id"] for s in yaml.safe_load(text_of(name))["steps"]}
    for step in data["steps"]:
        if step["id"] in original:
            assert f"- id: {step['id']}  # the {step['id']} step\n" in text
    assert text.startswith("# An example Mission") and "# What the Mission does, in order.\nsteps:\n" in text
    assert "\n\n\n" not in text
