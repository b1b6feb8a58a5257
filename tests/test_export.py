"""`stss export`: the records as flat tables in CSV, JSON and SQLite."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from stss import export, loader
from tests.helpers import TODAY


def test_sqlite_export_agrees_with_stss_usage(example: Path, tmp_path: Path, stss: Any) -> None:
    db_path = tmp_path / "out" / "trust.sqlite"
    result = stss("export", "--format", "sqlite", "--out", db_path, "--records", example, "--today", TODAY)
    assert result.exit_code == 0, result.output
    usage = json.loads(stss("usage", "--format", "json", "--records", example, "--today", TODAY).stdout)
    assert usage  # the example trust owes something
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM usage ORDER BY rowid")]
    assert [{("over" if k == "over_entitlement" else k): v for k, v in r.items()} for r in rows] == usage
    # Keys and references hold, so BI tools can join the tables.
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    keys = {r["name"]: r["pk"] for r in db.execute("PRAGMA table_info(actions)")}
    assert (keys["visit"], keys["n"]) == (1, 2)
    overdue = db.execute(
        "SELECT s.name, SUM(u.overdue) FROM usage u JOIN schools s ON s.id = u.school "
        "GROUP BY s.id HAVING SUM(u.overdue) > 0").fetchall()
    assert sum(n for _, n in overdue) == sum(r["overdue"] for r in usage)
    delivered = db.execute("SELECT SUM(days) FROM visits WHERE engagement = 'kingsmead-rise-2026' "
                           "AND status = 'completed'").fetchone()[0]
    assert db.execute("SELECT delivered FROM engagements WHERE id = 'kingsmead-rise-2026'").fetchone()[0] == delivered
    # It says how many tables it wrote, link tables included.
    tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    assert tables > len(export.SCHEMA) and f"Wrote {tables} tables (" in result.stdout
    db.close()


def test_csv_export_writes_one_file_a_table_in_a_fixed_column_order(example: Path, tmp_path: Path,
                                                                    stss: Any) -> None:
    out = tmp_path / "csv"
    result = stss("export", "--format", "csv", "--out", out, "--records", example, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{name}.csv" for name in sorted(export.SCHEMA)]
    assert f"Wrote {len(export.SCHEMA)} tables (" in result.stdout
    for name, table in export.SCHEMA.items():
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
        header = next(csv.reader([raw.decode("utf-8-sig").splitlines()[0]]))
        assert tuple(header) == table.names
    with (out / "schools.csv").open(encoding="utf-8-sig", newline="") as fh:
        schools = {row["id"]: row for row in csv.DictReader(fh)}
    brookfield = schools["brookfield-primary"]
    assert (brookfield["support_level"], brookfield["joined"], brookfield["church_school"]) == (
        "enhanced", "2018-09-01", "false")


def test_json_export_is_one_document(example: Path, stss: Any) -> None:
    result = stss("export", "--records", example, "--today", TODAY, "--year", "2025-26")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == list(export.SCHEMA)
    visit = doc["visits"][0]
    assert list(visit) == list(export.SCHEMA["visits"].names)
    assert dt.date.fromisoformat(visit["visit_date"])
    assert {row["period"][:7] for row in doc["usage"]} == {"2025-26"}
    assert all(row["support_year"] == "2025-26" for row in doc["schools"])


def test_csv_and_sqlite_need_out(example: Path, stss: Any) -> None:
    result = stss("export", "--format", "sqlite", "--records", example)
    assert result.exit_code == 2 and "--out" in result.stderr


def test_an_export_over_an_old_one_replaces_it(mini: Path, tmp_path: Path, stss: Any) -> None:
    target = tmp_path / "t.sqlite"
    target.write_text("not a database")
    assert stss("export", "--format", "sqlite", "--out", target, "--records", mini, "--today", TODAY).exit_code == 0
    db = sqlite3.connect(target)
    assert db.execute("SELECT id, urn, church_school FROM schools").fetchall() == [("hill-top", 140001, 0)]
    db.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_tables_are_plain_values(mini: Path) -> None:
    records = loader.load(mini).records
    found = export.tables(records, "2026-27", dt.date(2026, 11, 23))
    assert found["visits"] == [] and found["actions"] == []
    assert found["support"] == [{"school": "hill-top", "academic_year": "2026-27", "support_level": "core",
                                 "decided": "2026-07-08", "rationale": None, "risk": None, "extra": []}]
    for name, rows in found.items():
        for row in rows:
            assert tuple(row) == export.SCHEMA[name].names
            assert all(v is None or isinstance(v, str | int | float | bool | list) for v in row.values())


# --- fit for the real clients: Datasette, spreadsheets, SQL -------------------------

#: SQLite's keywords (sqlite.org/lang_keywords.html) and the standard's most common
#: reserved words: a column named like these needs quoting in every query.
_KEYWORDS = """
ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY
CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE
CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP
EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM
FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD
INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL
NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE
RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS
SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE
USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT
DATE TIME TIMESTAMP YEAR MONTH DAY START LEVEL USER VALUE INTERVAL
"""
SQL_KEYWORDS = set(_KEYWORDS.split())


def _sqlite_export(records: Path, tmp_path: Path, stss: Any, *extra: str) -> sqlite3.Connection:
    db_path = tmp_path / "trust.sqlite"
    result = stss("export", "--format", "sqlite", "--out", db_path, "--records", records, "--today", TODAY, *extra)
    assert result.exit_code == 0, result.output
    return sqlite3.connect(db_path)


def test_every_foreign_key_names_the_column_it_refers_to(example: Path, tmp_path: Path, stss: Any) -> None:
    db = _sqlite_export(example, tmp_path, stss)
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert {"visits_staff", "visits_focus", "engagements_staff", "support_extra"} <= set(names)
    for name in names:
        for fk in db.execute(f'PRAGMA foreign_key_list("{name}")').fetchall():
            _, _, other, column, to = fk[:5]
            assert to is not None, (name, column)  # Datasette needs the referred column
            columns = {r[1] for r in db.execute(f'PRAGMA table_info("{other}")')}
            assert to in columns, (name, column, other, to)
        assert not {r[1].upper() for r in db.execute(f'PRAGMA table_info("{name}")')} & SQL_KEYWORDS, name
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    staff = db.execute("SELECT staff FROM visits_staff WHERE path = ? ORDER BY position",
                       ("visits/2025-26/2025-09-09-st-marys-ce-primary-christian-distinctiveness-visit.md",)).fetchall()
    assert staff == [("helen-price",)]


def test_datasette_serves_every_exported_table(example: Path, tmp_path: Path, stss: Any) -> None:
    import asyncio

    from datasette.app import Datasette

    db = _sqlite_export(example, tmp_path, stss)
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    db.close()

    async def pages() -> list[tuple[str, int, int]]:
        ds = Datasette([str(tmp_path / "trust.sqlite")])
        out = []
        for name in names:
            html = await ds.client.get(f"/trust/{name}")
            data = await ds.client.get(f"/trust/{name}.json?_shape=objects&_labels=on")
            out.append((name, html.status_code, data.status_code))
        return out

    assert [(n, 200, 200) for n in names] == asyncio.run(pages())


def test_json_lists_are_arrays(example: Path, stss: Any) -> None:
    doc = json.loads(stss("export", "--records", example, "--today", TODAY).stdout)
    visit = next(v for v in doc["visits"] if len(v["staff"]) > 1)
    assert isinstance(visit["staff"], list) and all(isinstance(p, str) for p in visit["staff"])
    assert all(isinstance(e["objectives"], list) for e in doc["engagements"])


def test_confidential_visits_keep_their_notes_focus_and_actions_out(example: Path, stss: Any) -> None:
    def export_json(*extra: str) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(stss("export", "--records", example, "--today", TODAY, *extra).stdout)
        return out

    plain, full = export_json(), export_json("--include-confidential")
    secret = {v["path"] for v in full["visits"] if v["confidential"]}
    assert secret and any(v["notes"] or v["focus"] or v["actions"] for v in full["visits"] if v["confidential"])
    for v in plain["visits"]:
        if v["path"] in secret:
            assert (v["notes"], v["focus"], v["actions"]) == (None, [], None), v["path"]
    assert not {a["visit"] for a in plain["actions"]} & secret
    assert {a["visit"] for a in full["actions"]} & secret
    open_visit = next(v for v in plain["visits"] if not v["confidential"] and v["notes"])
    assert open_visit["notes"].startswith("##")  # the markdown notes, for everything not confidential


def test_csv_cells_that_spreadsheets_would_run_are_neutralised(mini: Path, tmp_path: Path, stss: Any) -> None:
    (mini / "people/alex-morgan.yaml").write_text(
        'name: "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"\nroles: [school-improvement-lead]\n'
        "capacity_days: 40\n")
    (mini / "schools/hill-top.yaml").write_text(
        (mini / "schools/hill-top.yaml").read_text().replace("name: Hill Top Primary", 'name: "@SUM(A1:A9)"')
        + "headteacher: {name: \"+44 Cmd\", started: 2020-09-01}\nlocal_authority: \"-2+3\"\n")
    out = tmp_path / "csv"
    result = stss("export", "--format", "csv", "--out", out, "--records", mini, "--today", TODAY)
    assert result.exit_code == 0, result.output
    with (out / "schools.csv").open(encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert (row["name"], row["headteacher"], row["local_authority"]) == ("'@SUM(A1:A9)", "'+44 Cmd", "'-2+3")
    assert row["urn"] == "140001"  # numbers are left alone
    for cell in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert export.csv_cell(cell) == "'" + cell
    assert export.csv_cell(-1) == -1 and export.csv_cell("a=b") == "a=b"
