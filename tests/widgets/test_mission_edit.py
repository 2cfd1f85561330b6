from __future__ import annotations

from workbench.mission import loads_mission
from workbench.widgets.composer import mission_edit as me

DATA = {
    "mission": "m",
    "tools": {"t": {"lambda": "t"}},
    "steps": [
        {"id": "a", "tool": "t"},
        {"id": "g", "parallel": {"x": [{"id": "x1", "pass": None}], "y": [{"id": "y1", "pass": None}]}},
        {"id": "m", "map": {"items": "{% [1] %}", "steps": [{"id": "m1", "pass": None}]}},
        {"id": "c", "choose": [{"when": "{% true %}", "goto": "a"}], "otherwise": "z"},
        {"id": "z", "succeed": True},
    ],
}


def fresh() -> dict:
    import copy

    return copy.deepcopy(DATA)


def test_list_steps_in_document_order_with_depth() -> None:
    refs = me.list_steps(fresh())
    assert [(r.id, r.depth) for r in refs] == [
        ("a", 0), ("g", 0), ("x1", 1), ("y1", 1), ("m", 0), ("m1", 1), ("c", 0), ("z", 0)]
    assert refs[2].path == ("steps", 1, "parallel", "x", 0)


def test_new_steps_of_every_kind_are_valid_missions() -> None:
    for kind in me.NEW_STEP:
        data = fresh()
        step = me.new_step(data, kind)
        me.insert_after(data, ("steps", 0), step)
        if kind == "choose":
            step["choose"][0]["goto"] = "z"
        loads_mission_data = loads_mission(__import__("json").dumps(data))
        assert loads_mission_data.steps[1].id == step["id"]


def test_ids_are_unique() -> None:
    data = fresh()
    step = me.new_step(data, "parallel")
    ids = [r.id for r in me.list_steps(data)] + [r.id for r in me.list_steps({"steps": [step]})]
    assert len(ids) == len(set(ids))


def test_move_remove_rename() -> None:
    data = fresh()
    assert me.move(data, ("steps", 0), -1) == ("steps", 0)
    assert me.move(data, ("steps", 0), 1) == ("steps", 1)
    assert [s["id"] for s in data["steps"]][:2] == ["g", "a"]
    me.rename_step(data, ("steps", 1), "alpha")
    assert data["steps"][3]["choose"][0]["goto"] == "alpha"
    assert me.remove(data, ("steps", 4)) == ("steps", 3)
    assert me.find_step(data, "z") is None
