"""Locating a top-level key by reading lines gives exactly what the round-trip parse gives,
on every record of the example trust and on odd spellings; anything else falls back to the parse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stss import locate
from tests.helpers import EXAMPLE


def both(text: str, key: str) -> tuple[tuple[int, int] | None, tuple[int, int]]:
    quick = locate._top_level_scalar(text, (key,))
    node = locate._round_trip(text)
    assert node is not None
    line, column = node.lc.value(key) if not isinstance(node[key], dict | list) else node.lc.key(key)
    return quick, (line, column)


def front_matter(text: str) -> str:
    return text.split("---\n", 2)[1] if text.startswith("---\n") else text


@pytest.mark.parametrize("path", sorted(p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*")
                                        if p.suffix in (".yaml", ".md") and "templates" not in p.parts
                                        and "reports" not in p.parts and p.name != "offer.yaml"))
def test_every_top_level_key_of_the_example_is_placed_as_the_parse_places_it(path: str) -> None:
    text = front_matter((EXAMPLE / path).read_text("utf-8"))
    node = locate._round_trip(text)
    if not isinstance(node, dict):
        pytest.skip("not a mapping")
    for key in node:
        quick, parsed = both(text, str(key))
        assert quick is None or quick == parsed, (path, key)


@pytest.mark.parametrize("text", [
    "status: 'completed'\n", 'status: "x"\n', "status: [a, b]\n", "status: {a: 1}\n", "status: |\n  x\n",
    "status: &a x\n", "status: *a\n", "status:\n  - x\n", "status:\tcompleted\n", "status: !!str x\n",
])
def test_anything_but_a_plain_value_on_its_line_is_left_to_the_parse(text: str) -> None:
    assert locate._top_level_scalar(text, ("status",)) is None


@given(st.text(alphabet="abc -:#'\"\n", max_size=40))
def test_the_quick_path_never_disagrees_with_the_parse(tail: str) -> None:
    text = "school: hill-top\nstatus: " + tail + "\n"
    quick = locate._top_level_scalar(text, ("status",))
    node = locate._round_trip(text)
    if quick is None or not isinstance(node, dict) or "status" not in node:
        return
    value = node["status"]
    expected = node.lc.value("status") if not isinstance(value, dict | list) else node.lc.key("status")
    assert quick == expected
