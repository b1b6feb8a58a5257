"""`stss export`: the records as flat tables in CSV, JSON and SQLite."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from stss import export, loader

TODAY = "2026-11-23"


def test_sqlite_export_agrees_with_stss_usage(example: Path, tmp_path: Path, stss: Any) -> None:
    db_path = tmp_path / "out" / "trust.sqlite"
    result = stss("export", "--format", "sqlite", "--out", db_path, "--records", example, "--today", TODAY)
    assert result.exit_code == 0, result.output
    usage = json.loads(stss("usage", "--format", "json", "--records", example, "--today", TODAY).stdout)
    assert usage  # the example trust owes something
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM usage ORDER BY rowid")]
    assert rows == usage
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
    db.close()


def test_csv_export_writes_one_file_a_table_in_a_fixed_column_order(example: Path, tmp_path: Path,
                                                                    stss: Any) -> None:
    out = tmp_path / "csv"
    result = stss("export", "--format", "csv", "--out", out, "--records", example, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{name}.csv" for name in sorted(export.SCHEMA)]
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
    assert dt.date.fromisoformat(visit["date"])
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
    assert found["support"] == [{"school": "hill-top", "year": "2026-27", "level": "core",
                                 "decided": "2026-07-08", "rationale": None, "extra": ""}]
    for name, rows in found.items():
        for row in rows:
            assert tuple(row) == export.SCHEMA[name].names
            assert all(v is None or isinstance(v, str | int | float | bool) for v in row.values())
