"""Hostile and odd files met by the commands that edit records in place (`stss.yamledit`).

A file that validates may still be one the round-trip editor cannot read (a tab after
a key's colon: libyaml takes it, ruamel's scanner does not). Every command that edits
refuses it at the file's own line, as `path:line:column: cannot edit: ...` with a hint,
exit 1, and leaves the file byte for byte as it was. A text value that only looks like
a date (`2026-02-30`) validates, so it must not stop an edit either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stss import yamledit
from stss.errors import StoreError
from tests.helpers import REPO

TODAY = "2026-11-23"
KINGSMEAD = "visits/2025-26/2026-03-04-kingsmead-high-school-partnership-visit.md"
CASTLE_HILL = "visits/2026-27/2026-09-29-castle-hill-primary-education-review.md"
ST_MARYS = "visits/2026-27/2026-11-04-st-marys-ce-primary-headteacher-coaching.md"
HOLLYBANK = "schools/hollybank-primary.yaml"
KINGSMEAD_RISE = "engagements/kingsmead-rise-2026.yaml"
PHONICS = "requests/hollybank-primary-phonics-results-below-national.yaml"

#: (id, the file, the line as written, the command after `stss`, where the refusal must point)
CASES: list[tuple[str, str, str, tuple[str, ...], str]] = [
    ("close-action", KINGSMEAD, "status: completed",
     ("close-action", "--school", "kingsmead-high-school", "--match", "spring assessment", "--today", "2026-11-01"),
     f"{KINGSMEAD}:5:8:"),
    ("edit-support", HOLLYBANK, "phase: primary",
     ("edit-support", "hollybank-primary", "--level", "core", "--rationale", "Back to core", "--today", TODAY),
     f"{HOLLYBANK}:3:7:"),
    ("review-objective", KINGSMEAD_RISE, "    text: Persistent absence below 15% by July 2027",
     ("review-objective", "kingsmead-rise-2026", "persistent-absence", "--rag", "green", "--note", "On track",
      "--today", TODAY),
     f"{KINGSMEAD_RISE}:17:10:"),
    ("update-request", PHONICS, "urgency: high",
     ("update-request", "hollybank-primary-phonics-results-below-national", "--status", "resolved",
      "--outcome", "Phonics leader coached", "--today", TODAY),
     f"{PHONICS}:7:9:"),
    ("review", CASTLE_HILL, "status: completed",
     ("review", "2026-09-29-castle-hill-primary-education-review", "--inaccurate", "--comment", "Dates wrong",
      "--today", TODAY),
     f"{CASTLE_HILL}:5:8:"),
    ("log-visit-completes-a-planned-visit", ST_MARYS, "status: planned",
     ("log-visit", "--school", "st-marys-ce-primary", "--activity", "headteacher-coaching", "--date", "2026-11-04",
      "--today", TODAY, "--notes", "/dev/null"),
     f"{ST_MARYS}:5:8:"),
    ("log-visit-adds-to-a-completed-visit", CASTLE_HILL, "status: completed",
     ("log-visit", "--school", "castle-hill-primary", "--activity", "education-review", "--date", "2026-09-29",
      "--action", "Share the maths plan;headteacher", "--today", TODAY),
     f"{CASTLE_HILL}:5:8:"),
]


def _with_a_tab(root: Path, rel: str, line: str) -> bytes:
    """The file with a tab, not a space, after the colon of `line`; its new bytes."""
    path = root / rel
    text = path.read_text("utf-8")
    assert text.count(f"\n{line}\n") == 1, f"{line!r} is not one line of {rel}"
    key, value = line.split(": ", 1)
    text = text.replace(f"\n{line}\n", f"\n{key}:\t{value}\n")
    path.write_text(text, "utf-8")
    return path.read_bytes()


@pytest.mark.parametrize(("rel", "line", "args", "where"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_a_file_the_editor_cannot_read_is_refused_at_its_line(stss: Any, example: Path, rel: str, line: str,
                                                              args: tuple[str, ...], where: str) -> None:
    written = _with_a_tab(example, rel, line)
    assert stss("validate", "--records", example).exit_code == 0  # valid: only the editor balks
    result: Any = stss(*args, "--records", example)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{where} cannot edit: the YAML does not parse: found character '\\t'" in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert "hint: the editor reads no tab there: write a space instead" in result.stderr
    assert (example / rel).read_bytes() == written


def test_share_refuses_at_the_line_and_writes_no_copy(stss: Any, example: Path, tmp_path: Path) -> None:
    written = _with_a_tab(example, CASTLE_HILL, "status: completed")
    out = tmp_path / "for-the-head.md"
    result: Any = stss("share", "2026-09-29-castle-hill-primary-education-review", "--out", out, "--today", TODAY,
                       "--records", example)
    assert result.exit_code == 1, result.output
    assert f"{CASTLE_HILL}:5:8: cannot edit: the YAML does not parse" in result.stderr
    assert (example / CASTLE_HILL).read_bytes() == written
    assert not out.exists()


def test_import_refuses_at_the_line_of_the_school_file(stss: Any, example: Path, tmp_path: Path) -> None:
    sample = (REPO / "tests/data/gias-extract-sample.csv").read_text("utf-8")
    extract = tmp_path / "extract.csv"
    extract.write_text(sample.replace("106653,", "146025,", 1), "utf-8")
    written = _with_a_tab(example, HOLLYBANK, "phase: primary")
    result: Any = stss("import", "gias", extract, "--urn", "146025", "--today", TODAY, "--records", example)
    assert result.exit_code == 1, result.output
    assert f"{HOLLYBANK}:3:7: cannot edit: the YAML does not parse" in result.stderr
    assert (example / HOLLYBANK).read_bytes() == written


def test_a_text_value_that_looks_like_an_impossible_date_does_not_stop_an_edit(stss: Any, example: Path) -> None:
    """Validation reads `2026-02-30` in a text field as text; the editor used to fail on it."""
    path = example / HOLLYBANK
    text = path.read_text("utf-8").replace("local_authority: Worcestershire", "local_authority: 2026-02-30")
    path.write_text(text, "utf-8")
    result: Any = stss("edit-support", "hollybank-primary", "--level", "core", "--rationale", "Back to core",
                       "--today", TODAY, "--records", example)
    assert result.exit_code == 0, result.output
    assert "\nlocal_authority: 2026-02-30\n" in path.read_text("utf-8")


# What no command can reach (every edited file validated first, by the same rules), named all the same.


@pytest.mark.parametrize(("text", "front_matter", "where", "why"), [
    ("- a list\n", False, "x.yaml:1:1:", "the YAML is not a mapping of keys to values"),
    ("---\n- a list\n---\nNotes\n", True, "x.yaml:2:1:", "the YAML is not a mapping of keys to values"),
    ("school: x\n", True, "x.yaml:1:1:", "the file does not start with '---'"),
    ("---\nschool: x\n", True, "x.yaml:1:1:", "no closing '---' line"),
    ("a: 1\nb: [1, 2\n", False, "x.yaml:2:9:", "the YAML does not parse"),
], ids=["not-a-mapping", "front-matter-not-a-mapping", "no-front-matter", "no-closing-fence", "unclosed-list"])
def test_every_refusal_of_the_editor_names_the_file_and_line(text: str, front_matter: bool, where: str,
                                                             why: str) -> None:
    with pytest.raises(StoreError) as caught:
        yamledit.load(text, front_matter=front_matter, path="x.yaml")
    assert caught.value.message.startswith(f"{where} cannot edit: ")
    assert why in caught.value.message


def test_log_event_completing_a_planned_event_refuses_at_its_line(stss: Any, example: Path) -> None:
    rel = "events/2026-27/2026-12-03-headteacher-network.md"
    (example / rel).write_text("---\nactivity: headteacher-network\ndate: 2026-12-03\nstatus: planned\n"
                               "staff: [daniel-okafor]\nschools: [ashcombe-primary, brookfield-primary]\n---\n",
                               "utf-8")
    written = _with_a_tab(example, rel, "status: planned")
    assert stss("validate", "--records", example).exit_code == 0
    result: Any = stss("log-event", "--activity", "headteacher-network", "--date", "2026-12-03", "--notes",
                       "/dev/null", "--today", "2026-12-04", "--records", example)
    assert result.exit_code == 1, result.output
    assert f"{rel}:4:8: cannot edit: the YAML does not parse" in result.stderr, result.stderr
    assert (example / rel).read_bytes() == written
