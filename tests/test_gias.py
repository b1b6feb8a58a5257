"""`stss import gias`: GIAS exports in, school records created and updated, twice over."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from stss import gias, importing, loader
from tests.helpers import GIAS_HEADER, GIAS_SAMPLE, gias_csv, gias_row, git, snapshot, write_records

HILL_TOP = """\
urn: 140001
name: Hill Top Primary
phase: primary
membership: academy               # converted 2019
joined: 2019-09-01
local_authority: Worcestershire
headteacher: {name: Sam Patel, started: 2020-09-01}   # first headship
support:
  2026-27:
    level: core
    decided: 2026-07-08
    rationale: >-
      Stable school; core offer.
"""

#: A school another trust runs, with the same name as nothing here.
VALLEY = """\
urn: 140002
name: Valley Infant School
phase: primary
membership: external
headteacher: {name: Chloé Côté, started: 2024-09-01}
"""


ROWS = [
    # An existing school: its name and headteacher have changed in GIAS.
    gias_row(140001, "Hill Top Primary School", HeadFirstName="Jo", HeadLastName="O'Brien"),
    # Another trust's school, already in the records; the head's name differs only in accents.
    gias_row(140002, "Valley Infant School", **{"Trusts (name)": "OTHER TRUST", "HeadFirstName": "Chloe",
                                                "HeadLastName": "Cote", "LA (name)": "Not applicable"}),
    # New schools of the trust: an apostrophe, a church school, an opening date.
    gias_row(150001, "St Anne's CE Primary School", **{"ReligiousCharacter (name)": "Church of England",
                                                       "OpenDate": "01-09-2019", "HeadFirstName": "Sam",
                                                       "HeadLastName": "D'Souza"}),
    # Accented, and the file is ISO-8859-1.
    gias_row(150002, "École Sainte-Thérèse", HeadFirstName="Zoë", HeadLastName="Brontë"),
    # Placeholders everywhere; a special school with phase "Not applicable".
    gias_row(150003, "Oak Tree School", **{"PhaseOfEducation (name)": "Not applicable",
                                           "TypeOfEstablishment (name)": "Academy special converter",
                                           "ReligiousCharacter (name)": "None", "LA (name)": "Not applicable"}),
    # Closed: reported, never created.
    gias_row(150004, "Old Mill Primary School", **{"EstablishmentStatus (name)": "Closed"}),
    # Another trust's school: left out.
    gias_row(160001, "Elsewhere Academy", **{"Trusts (name)": "OTHER TRUST"}),
    # A pupil referral unit asked for by URN.
    gias_row(160002, "Riverside Pupil Referral Unit", **{"PhaseOfEducation (name)": "Not applicable",
                                                         "TypeOfEstablishment (name)": "Pupil referral unit",
                                                         "Trusts (name)": ""}),
]


@pytest.fixture
def trust(mini: Path) -> Path:
    write_records(mini, {"schools/hill-top.yaml": HILL_TOP, "schools/valley.yaml": VALLEY})
    return mini


def test_import_creates_and_updates_and_a_second_run_changes_nothing(trust: Path, tmp_path: Path,
                                                                     stss: Any) -> None:
    export = tmp_path / "edubase.csv"
    ragged = [*[gias_row(150005, "Ragged Lane Primary").get(col, "") for col in GIAS_HEADER], "an extra value"]
    export.write_bytes(gias_csv(ROWS, extra=[ragged]))
    result = stss("import", "gias", export, "--trust", "mini trust", "--urn", "160002", "--records", trust,
                  "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "edubase.csv:10:134: warning: row 10 has 134 values for 133 columns" in result.stderr
    assert "5 created, 1 updated, 1 unchanged, 1 closed; 1 row(s) of other schools left out." in result.stdout

    hill_top = (trust / "schools/hill-top.yaml").read_text()
    assert hill_top == HILL_TOP.replace("name: Hill Top Primary", "name: Hill Top Primary School").replace(
        "{name: Sam Patel, started: 2020-09-01}   #", "{name: Jo O'Brien}" + " " * 23 + "#")
    # GIAS does not say when the new head started: a person confirms it, and validate says so.
    checked = stss("validate", "--records", trust)
    assert "Hill Top Primary School: headteacher Jo O'Brien has no start date" in checked.stdout
    assert (trust / "schools/valley.yaml").read_text() == VALLEY  # Chloé Côté is Chloe Cote
    assert (trust / "schools/st-annes-ce-primary-school.yaml").read_text() == (
        "urn: 150001\nname: St Anne's CE Primary School\nphase: primary\n"
        "religious_character: Church of England\nmembership: academy\njoined: 2019-09-01\n"
        "local_authority: Worcestershire\nheadteacher: {name: Sam D'Souza}\n")
    ecole = (trust / "schools/ecole-sainte-therese.yaml").read_text("utf-8")
    assert "name: École Sainte-Thérèse\n" in ecole and "headteacher: {name: Zoë Brontë}" in ecole
    oak = (trust / "schools/oak-tree-school.yaml").read_text()
    assert oak == "urn: 150003\nname: Oak Tree School\nphase: special\nmembership: academy\n"
    pru = (trust / "schools/riverside-pupil-referral-unit.yaml").read_text()
    assert "phase: alternative\nmembership: external\n" in pru
    assert not (trust / "schools/old-mill-primary-school.yaml").exists()
    assert (trust / "schools/ragged-lane-primary.yaml").exists()
    assert loader.load(trust).ok

    before = snapshot(trust / "schools")
    again = stss("import", "gias", export, "--trust", "MINI trust", "--urn", "160002", "--records", trust,
                 "--today", "2027-01-10")
    assert again.exit_code == 0, again.output
    assert "7 unchanged, 1 closed; 1 row(s) of other schools left out." in again.stdout
    assert snapshot(trust / "schools") == before


def test_a_dry_run_writes_nothing(trust: Path, tmp_path: Path, stss: Any) -> None:
    export = tmp_path / "edubase.csv"
    export.write_bytes(gias_csv(ROWS, encoding="utf-8-sig"))
    before = snapshot(trust / "schools")
    result = stss("import", "gias", export, "--dry-run", "--records", trust)
    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.stdout and "3 created, 1 updated, 1 unchanged, 1 closed" in result.stdout
    assert snapshot(trust / "schools") == before


def test_trust_is_matched_without_regard_to_case(trust: Path, tmp_path: Path, stss: Any) -> None:
    export = tmp_path / "edubase.csv"
    export.write_bytes(gias_csv(ROWS))
    result = stss("import", "gias", export, "--trust", "other trust", "--dry-run", "--records", trust)
    # Schools of "OTHER TRUST" are taken, and are external: this trust is the Mini Trust.
    assert "elsewhere-academy" in result.stdout and "St Anne" not in result.stdout
    found = importing.plan(loader.load(trust).records, gias.read(export.read_bytes(), "x").rows,
                           lambda rel: (trust / rel).read_text(), trust="other trust", today=dt.date(2026, 1, 1))
    created = {o.school: o.change for o in found.outcomes if o.action == "created"}
    assert created["elsewhere-academy"] is not None
    assert "membership: academy" in created["elsewhere-academy"].text


def test_commit_commits_exactly_the_written_files(trust: Path, tmp_path: Path, stss: Any) -> None:
    git(trust, "init", "--quiet")
    git(trust, "add", "-A")
    git(trust, "commit", "--quiet", "-m", "records")
    (trust / "people/alex-morgan.yaml").write_text("name: Alex Morgan\nroles: []\ncapacity_days: 30\n")
    git(trust, "add", "people/alex-morgan.yaml")  # someone else's staged work stays staged
    export = tmp_path / "edubase.csv"
    export.write_bytes(gias_csv(ROWS[:3]))
    result = stss("import", "gias", export, "--commit", "--records", trust, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "Committed 2 file(s)" in result.stdout
    assert git(trust, "show", "--name-only", "--format=%s", "HEAD").split("\n")[2:4] == [
        "schools/hill-top.yaml", "schools/st-annes-ce-primary-school.yaml"]
    assert git(trust, "status", "--porcelain", "--untracked-files=no") == "M  people/alex-morgan.yaml\n"


def test_commit_outside_a_repository_writes_nothing(trust: Path, tmp_path: Path, stss: Any) -> None:
    export = tmp_path / "edubase.csv"
    export.write_bytes(gias_csv(ROWS))
    before = snapshot(trust / "schools")
    result = stss("import", "gias", export, "--commit", "--records", trust)
    assert result.exit_code == 1 and "not in a git repository" in result.stderr
    assert snapshot(trust / "schools") == before


def test_the_real_gias_sample_is_ragged_and_says_so(trust: Path, stss: Any) -> None:
    result = stss("import", "gias", GIAS_SAMPLE, "--urn", "106653", "--records", trust, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "gias-extract-sample.csv:2:134: warning: row 2 has 134 values for 133 columns" in result.stderr
    assert "1 created" in result.stdout
    assert (trust / "schools/penistone-grammar-school.yaml").read_text() == (
        "urn: 106653\nname: Penistone Grammar School\nphase: secondary\nmembership: external\n"
        "local_authority: Barnsley\nheadteacher: {name: Paul Crook}\n")


def test_a_shifted_row_is_refused_by_row_number(trust: Path, tmp_path: Path, stss: Any) -> None:
    shifted = [gias_row(150009, "Shifted Primary").get(col, "") for col in GIAS_HEADER]
    shifted.insert(3, "Somewhere")  # an unquoted comma in the LA name, say
    export = tmp_path / "edubase.csv"
    export.write_bytes(gias_csv(ROWS[:1], extra=[shifted]))
    result = stss("import", "gias", export, "--records", trust, "--today", "2026-11-23")
    assert result.exit_code == 1
    assert "row 3 has 134 values for 133 columns" in result.stderr
    assert "row 3: the row is ragged and its columns do not line up; it is skipped" in result.stderr
    assert "1 updated" in result.stdout  # the good rows still go in
    assert not any("shifted" in p.name for p in (trust / "schools").iterdir())


def test_a_missing_required_column_is_a_clear_error(trust: Path, tmp_path: Path, stss: Any) -> None:
    export = tmp_path / "edubase.csv"
    export.write_text('"URN","EstablishmentName","Phase of education"\n"1","A","Primary"\n')
    result = stss("import", "gias", export, "--records", trust)
    assert result.exit_code == 1
    assert "has no column 'EstablishmentStatus (name)', 'PhaseOfEducation (name)'" in result.stderr
    assert "is this a GIAS establishment export?" in result.stderr
    renamed = GIAS_SAMPLE.read_text("utf-8").replace('"PhaseOfEducation (name)"', '"Phase Of Education (name)"')
    export.write_text(renamed)
    result = stss("import", "gias", export, "--records", trust)
    assert "did you mean 'Phase Of Education (name)'?" in result.stderr


def test_a_school_recorded_without_its_urn_is_not_created_twice(trust: Path) -> None:
    (trust / "schools/valley.yaml").write_text(VALLEY.replace("urn: 140002\n", ""))
    rows = gias.read(gias_csv([gias_row(140002, "Valley Infant School")]), "x.csv").rows
    found = importing.plan(loader.load(trust).records, rows, lambda rel: (trust / rel).read_text(),
                           today=dt.date(2026, 1, 1))
    assert [(o.action, o.school) for o in found.outcomes] == [("skipped", "valley")]
    assert "set 'urn: 140002' there" in found.outcomes[0].what[0]


def test_new_ids_are_unique() -> None:
    assert gias.slug_for("St Mary’s C of E (VA) Primary") == "st-marys-c-of-e-va-primary"
    taken = {"st-marys": 1}
    assert importing._unique("st-marys", set(taken)) == "st-marys-2"


def test_gias_phases_and_dates() -> None:
    assert gias.phase_of("Middle deemed secondary", "Academy converter") == "middle"
    assert gias.phase_of("16 plus", "Academy 16-19 converter") == "post-16"
    assert gias.phase_of("Not applicable", "Academy alternative provision sponsor led") == "alternative"
    assert gias.phase_of("Not applicable", "Further education") is None
    assert gias.parse_date("01-09-2019") == dt.date(2019, 9, 1)
    assert gias.parse_date("31/12/2020") == dt.date(2020, 12, 31)
    assert gias.parse_date("soon") is None
    text, encoding = gias.decode("Zoë".encode("iso-8859-1"))
    assert (text, encoding) == ("Zoë", "windows-1252")


def test_a_byte_windows_1252_does_not_define_stops_the_import(trust: Path, tmp_path: Path, stss: Any) -> None:
    export = tmp_path / "edubase.csv"
    data = gias_csv(ROWS, encoding="cp1252")
    at = data.index(b"Hill Top Primary School") + len(b"Hill")
    line, column = data.count(b"\n", 0, at) + 1, at - data.rfind(b"\n", 0, at)
    data = data[:at] + b"\x9d" + data[at:]
    export.write_bytes(data)
    before = snapshot(trust / "schools")
    result = stss("import", "gias", export, "--trust", "mini trust", "--records", trust, "--today", "2026-11-23")
    assert result.exit_code == 1
    assert f"edubase.csv:{line}:{column}: byte 0x9D is not Windows-1252 text; nothing was imported" in result.stderr
    assert line > 1 and column > 1
    assert "--encoding" in result.stderr
    assert snapshot(trust / "schools") == before
    forced = stss("import", "gias", export, "--trust", "mini trust", "--records", trust, "--today", "2026-11-23",
                  "--encoding", "iso-8859-1", "--dry-run")
    assert forced.exit_code == 0, forced.output


def test_curly_quotes_in_windows_1252_read_as_themselves() -> None:
    text, encoding = gias.decode("St Mary’s".encode("cp1252"))
    assert (text, encoding) == ("St Mary’s", "windows-1252")
