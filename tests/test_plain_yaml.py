"""Records are read as ruamel.yaml reads them, though stss builds most of them itself.

ruamel's C parser composes every document; a plain one (text, null, true/false,
decimal numbers, dates, mappings with plain keys, lists, no aliases) is then
built by `parsing._built`, and any other by ruamel's own safe constructor
(`parsing._safe_load`). Plain scalars' tags are remembered by their text.
Each test here holds the result, value and type, or the error and its message,
to what ruamel's constructor and resolver give on their own for the same text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stss import parsing
from tests.helpers import EXAMPLE

# ruamel warns of YAML 1.1 floats (`!!float 1e3`); the warning is the same either way.
pytestmark = pytest.mark.filterwarnings("ignore::ruamel.yaml.error.MantissaNoDotYAML1_1Warning")


def _reference(text: str) -> Any:
    """ruamel alone: its constructor for every node, its resolver for every tag."""
    from ruamel.yaml.resolver import Resolver

    class Reference(parsing._loader_class()):  # type: ignore[misc]
        resolve = Resolver.resolve

    loader = Reference(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _typed(value: Any) -> Any:
    """The value with every scalar's type beside it (True == 1 == 1.0 in Python)."""
    if isinstance(value, dict):
        return ("map", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_typed(v) for v in value])
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


def _outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return ("ok", _typed(read(text)))
    except Exception as exc:  # the same error, word for word, is what is compared
        return ("error", (type(exc).__name__, str(exc)))


def _same(text: str) -> tuple[str, Any]:
    ours = _outcome(parsing._safe_load, text)
    assert ours == _outcome(_reference, text), text
    return ours


#: Plain scalars that a resolver could take for something other than text.
LOOKALIKES = [
    "0", "-0", "+0", "7", "-12", "+5", "012", "0o17", "0x1f", "0b101", "1_000", "١٢", "1.5", "-0.25", "+2.0",
    "1.", ".5", "1e3", "1.5e3", ".inf", "-.inf", ".nan", ".NaN", "2026-11-23", "2026-02-30", "2026-1-2",
    "2026-11-23T10:00:00", "2026-11-23 10:00", "20261123", "true", "True", "TRUE", "tRUE", "false", "yes", "no",
    "on", "off", "y", "n", "~", "null", "Null", "NULL", "", "=", "<<", "0.", "00", "-", "1:30", "3_0.5",
]
_word = st.text(alphabet="abcxyz-_ 019.:", min_size=1, max_size=12).map(str.strip).filter(bool)
_plain = st.one_of(st.sampled_from(LOOKALIKES), _word)
_quoted = st.one_of(st.sampled_from(LOOKALIKES), _word).map(lambda s: '"' + s + '"')
_tagged = st.tuples(st.sampled_from(["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!x"]),
                    st.sampled_from(LOOKALIKES)).map(" ".join)
_scalar = st.one_of(_plain, _plain, _quoted, _tagged)
_key = st.one_of(st.sampled_from(["date", "school", "a", "1", "true", "~", "2026-11-23", "<<", "="]), _word)


def _block(depth: int) -> st.SearchStrategy[list[str]]:
    """Lines of a block mapping or list, indented by depth."""
    pad = "  " * depth
    leaf = _scalar.map(lambda s: [s])
    value = leaf if depth >= 3 else st.one_of(leaf, leaf, st.deferred(lambda: _block(depth + 1)))

    def mapping_entry(kv: tuple[str, list[str]]) -> list[str]:
        key, lines = kv
        return [f"{pad}{key}: {lines[0]}"] if len(lines) == 1 and not lines[0].startswith(" ") else \
            [f"{pad}{key}:", *lines]

    def list_entry(lines: list[str]) -> list[str]:
        return [f"{pad}- {lines[0]}"] if len(lines) == 1 and not lines[0].startswith(" ") else [f"{pad}-", *lines]

    mapping = st.lists(st.tuples(_key, value).map(mapping_entry), min_size=1, max_size=5)
    sequence = st.lists(value.map(list_entry), min_size=1, max_size=4)
    return st.one_of(mapping, sequence).map(lambda entries: [line for entry in entries for line in entry])


_flow = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(st.tuples(_key, inner), max_size=4).map(lambda kvs: "{" + ", ".join(f"{k}: {v}" for k, v in kvs) + "}")),
    max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(lines=_block(0))
def test_block_documents_read_as_ruamel_reads_them(lines: list[str]) -> None:
    _same("\n".join(lines) + "\n")


@settings(max_examples=300, deadline=None)
@given(flow=_flow, key=_key)
def test_flow_documents_read_as_ruamel_reads_them(flow: str, key: str) -> None:
    _same(f"{key}: {flow}\n")
    _same(flow + "\n")


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab:-[]{},#&*!'\"\n ~01.", max_size=40))
def test_any_text_reads_or_fails_as_ruamel_reads_it(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: 1.5\nc: true\nd: ~\ne: 2026-11-23\nf: text\n",
     {"a": 1, "b": 1.5, "c": True, "d": None, "e": dt.date(2026, 11, 23), "f": "text"}),
    ("day: 2026-02-30\n", {"day": "2026-02-30"}),  # stays text, reported at its key by validation
    ("n: 012\nh: 0x1f\nw: yes\n", {"n": 12, "h": 31, "w": "yes"}),  # by ruamel's constructor, YAML 1.2
])
def test_what_plain_records_read_as(text: str, expected: dict[str, Any]) -> None:
    assert _same(text) == ("ok", _typed(expected))


@pytest.mark.parametrize("text, error", [
    ("a: 1\na: 2\n", 'found duplicate key "a" with value "2" (original value: "1")'),
    ("<<: {a: 1}\n", "'<<' merge keys are not allowed"),
    ("? [a]\n: b\n", "a key must be plain text"),
    ("a: !x y\n", "could not determine a constructor for the tag '!x'"),
])
def test_what_ruamel_refuses_is_refused_with_its_message(text: str, error: str) -> None:
    kind, (_, message) = _same(text)
    assert kind == "error" and error in message


def test_aliases_are_left_to_ruamel_which_shares_the_value() -> None:
    data = parsing._safe_load("a: &x [1, 2]\nb: *x\n")
    assert data == {"a": [1, 2], "b": [1, 2]} and data["a"] is data["b"]


def test_the_remembered_tags_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "_RESOLVED_MAX", 8)
    for n in range(50):
        _same(f"k{n}: {n}\nv{n}: 2026-11-{n % 28 + 1:02}\n")
        assert len(parsing._resolved) <= 8
    assert all(len(text) <= parsing._RESOLVED_LENGTH for text in parsing._resolved)


def test_every_record_of_the_example_trust_reads_as_ruamel_reads_it() -> None:
    files = sorted(p for p in Path(EXAMPLE).rglob("*") if p.suffix in (".yaml", ".md") and p.is_file())
    assert len(files) > 50
    for path in files:
        text = path.read_text("utf-8")
        if path.suffix == ".md":
            text = text[3:].split("\n---", 1)[0]
        assert _same(text)[0] == "ok", path
