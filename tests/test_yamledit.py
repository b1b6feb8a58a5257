"""Round-trip editing: untouched lines stay byte-for-byte, edits read back as meant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from stss import layout, yamledit
from stss.errors import StoreError
from tests.helpers import EXAMPLE

RECORD_FILES = sorted(p for p in EXAMPLE.rglob("*") if layout.is_record_path(p.relative_to(EXAMPLE).as_posix()))

SCHOOL = """\
name: Brookfield Primary School   # renamed 2018
inspections:
  - date: 2026-03-04
    framework: ofsted-2025
    grades: {inclusion: expected, curriculum-and-teaching: needs-attention,
             achievement: needs-attention}
    safeguarding: met
support:
  2026-27:
    level: enhanced
    rationale: >-
      Curriculum and teaching need attention after the
      March 2026 inspection.
engagement: null
"""


def safe(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: str(p.relative_to(EXAMPLE)))
def test_every_example_record_dumps_back_unchanged(path: Path) -> None:
    text = path.read_text("utf-8")
    assert yamledit.dump(yamledit.load(text, front_matter=path.suffix == ".md")) == text


def test_an_edit_leaves_a_multi_line_flow_mapping_and_nulls_alone() -> None:
    # ruamel.yaml alone would join the grades onto one line and drop 'null'.
    doc = yamledit.load(SCHOOL)
    doc.data["support"]["2026-27"]["level"] = "bespoke"
    assert yamledit.dump(doc) == SCHOOL.replace("level: enhanced", "level: bespoke")
    doc.data["inspections"][0]["safeguarding"] = "not-met"  # right below the re-flowed lines
    assert yamledit.dump(doc) == SCHOOL.replace("level: enhanced", "level: bespoke").replace(
        "safeguarding: met", "safeguarding: not-met")


def test_new_keys_go_where_the_order_puts_them() -> None:
    doc = yamledit.load("school: a\ndate: 2026-10-06\nstatus: planned  # booked\nconfidential: true\n")
    order = ("school", "activity", "date", "status", "staff", "reason", "confidential")
    yamledit.set_key(doc.data, "reason", "Snow", order)
    yamledit.set_key(doc.data, "activity", "x", order)
    yamledit.set_key(doc.data, "staff", yamledit.flow_list(["p", "q"]), order)
    yamledit.set_key(doc.data, "unlisted", 1, order)
    assert yamledit.dump(doc) == (
        "school: a\nactivity: x\ndate: 2026-10-06\nstatus: planned  # booked\nstaff: [p, q]\n"
        "reason: Snow\nconfidential: true\nunlisted: 1\n"
    )


def test_front_matter_fences_and_body_are_kept_verbatim() -> None:
    text = "---  \nstatus: planned\n---\t\n## Notes\n\n  indented   text, no final newline"
    doc = yamledit.load(text, front_matter=True)
    doc.data["status"] = "completed"
    assert yamledit.dump(doc) == text.replace("planned", "completed")


def test_windows_line_endings_stay_windows() -> None:
    text = "a: 1\r\n# note\r\nb: 2\r\n"
    doc = yamledit.load(text)
    doc.data["b"] = 3
    assert yamledit.dump(doc) == "a: 1\r\n# note\r\nb: 3\r\n"


def test_lists_keep_the_files_own_indentation() -> None:
    flush = "actions:\n- {text: a, owner: b}\nfocus: [x]\n"
    doc = yamledit.load(flush)
    doc.data["actions"].append(yamledit.flow_map([("text", "c"), ("owner", "d")]))
    assert yamledit.dump(doc) == "actions:\n- {text: a, owner: b}\n- {text: c, owner: d}\nfocus: [x]\n"


def test_long_text_is_folded_and_reads_back_whole() -> None:
    text = " ".join(["Curriculum and achievement need attention after the inspection."] * 3)
    value = yamledit.text_value(text)
    dumped = yamledit.render({"rationale": value})
    assert dumped.startswith("rationale: >-\n  ")
    assert all(len(line) <= yamledit.FOLD_WIDTH + 2 for line in dumped.splitlines())
    assert safe(dumped) == {"rationale": text}


def test_a_file_without_front_matter_is_refused() -> None:
    with pytest.raises(StoreError, match="does not start with '---'"):
        yamledit.load("school: a\n", front_matter=True)
    with pytest.raises(StoreError, match="no closing"):
        yamledit.load("---\nschool: a\n", front_matter=True)


prose = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=200)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(rationale=prose, level=st.sampled_from(["core", "enhanced", "bespoke"]),
       decided=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_any_edit_reads_back_as_meant_and_keeps_the_rest(rationale: str, level: str, decided: dt.date) -> None:
    doc = yamledit.load(SCHOOL)
    entry = doc.data["support"]["2026-27"]
    entry["level"] = level
    yamledit.set_key(entry, "decided", decided, ("level", "decided", "rationale"))
    yamledit.set_key(entry, "rationale", yamledit.text_value(rationale))
    out = yamledit.dump(doc)
    data = safe(out)
    assert isinstance(data, dict)
    assert data["support"]["2026-27"] == {"level": level, "decided": decided,
                                          "rationale": " ".join(rationale.split())}
    assert out.startswith(SCHOOL.split("support:")[0])
    assert out.endswith("engagement: null\n")
