"""The records as flat tables, for spreadsheets and BI tools (`stss export`).

`tables` turns `Records` into one list of rows per table (schools, support,
support changes within the year, visits, trust-wide events, actions,
engagements, requests, usage); `SCHEMA` gives each table its columns
in a fixed order, their SQL types, its key and what its columns refer to,
so every writer (CSV, JSON, SQLite) lays the tables out the same way.
Values are plain: dates as ISO text, flags as booleans, lists as lists (JSON
arrays; link tables in SQLite; "; "-joined in CSV). Column names avoid SQL
keywords, so BI tools can write queries without quoting. Confidential visits'
notes, focus and actions stay out unless asked for, as in reports.

Pure: records, a year and today in, rows out. Writing files is the CLI's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stss import actions, engagements, requests, usage
from stss.models import Engagement, Entitlement, Records, VisitReview

#: The SQL type of a list column: its values go to a link table in SQLite.
LIST = "LIST"


@dataclass(frozen=True)
class Table:
    """A table's columns (name, SQL type or LIST), key, and foreign keys
    (column -> (table, its key column))."""

    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    references: Mapping[str, tuple[str, str]]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def lists(self) -> tuple[str, ...]:
        return tuple(name for name, kind in self.columns if kind == LIST)


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    """"name:type ..." with TEXT as the default type and `l` for a list."""
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        out.append((name, {"i": "INTEGER", "r": "REAL", "b": "INTEGER", "l": LIST, "": "TEXT"}[kind]))
    return tuple(out)


_SCHOOL = ("schools", "id")
#: `stss usage` columns whose names are SQL keywords.
_USAGE_NAMES = {"over": "over_entitlement"}


SCHEMA: Mapping[str, Table] = {
    "schools": Table(_cols(
        "id urn:i name phase religious_character church_school:b membership joined local_authority "
        "headteacher headteacher_started support_year support_level latest_inspection "
        "latest_inspection_outcome partnership_start partnership_end"), ("id",), {}),
    "support": Table(_cols("school academic_year support_level decided rationale risk extra:l"),
                     ("school", "academic_year"), {"school": _SCHOOL}),
    "support_changes": Table(_cols("school academic_year from_date support_level decided rationale risk extra:l"),
                             ("school", "academic_year", "from_date"), {"school": _SCHOOL}),
    "visits": Table(_cols(
        "path academic_year school activity visit_date status days:r staff:l engagement focus:l reason "
        "confidential:b actions:i notes review_shared review_response review_responded review_comment"),
        ("path",), {"school": _SCHOOL, "engagement": ("engagements", "id")}),
    "events": Table(_cols(
        "path academic_year activity event_date status days:r staff:l schools:l host confidential:b notes"),
        ("path",), {"host": _SCHOOL}),
    "actions": Table(_cols("visit n:i school visit_date text owner due status state"), ("visit", "n"),
                     {"visit": ("visits", "path"), "school": _SCHOOL}),
    "engagements": Table(_cols(
        "id school kind title start_date end_date days:r delivered:r planned:r remaining:r staff:l "
        "funding_source funding_amount:r objectives:l status flags:l"), ("id",), {"school": _SCHOOL}),
    "requests": Table(_cols(
        "id school raised raised_by summary category urgency status respond_by overdue:b school_days_late:i "
        "assigned:l engagement resolved outcome"), ("id",),
        {"school": _SCHOOL, "engagement": ("engagements", "id")}),
    "usage": Table(tuple((_USAGE_NAMES.get(c, c), "INTEGER" if c in usage.COLUMNS[3:9] else "TEXT")
                         for c in usage.COLUMNS),
                   ("school", "activity", "period"), {"school": _SCHOOL}),
}


def link_tables(name: str) -> dict[str, Table]:
    """SQLite's layout of `name`'s list columns: one table per list, keyed by the
    parent's key and the item's position, referring back to the parent row."""
    parent = SCHEMA[name]
    kinds = dict(parent.columns)
    out = {}
    for col in parent.lists:
        key_cols = tuple((k, kinds[k]) for k in parent.key)
        columns = (*key_cols, ("position", "INTEGER"), (col, "TEXT"))
        out[f"{name}_{col}"] = Table(columns, (*parent.key, "position"), {})
    return out


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: text a spreadsheet would run as a formula (it starts
    with =, +, -, @, tab or CR) gets a leading apostrophe, as OWASP advises."""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def tables(records: Records, year_id: str, today: dt.date,
           include_confidential: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, each row's keys in the table's column order."""
    found = {
        "schools": _schools(records, year_id),
        "support": _support(records),
        "support_changes": _support_changes(records),
        "visits": _visits(records, include_confidential),
        "events": _events(records, include_confidential),
        "actions": _actions(records, today, include_confidential),
        "engagements": _engagements(records, today),
        "requests": sorted((row.as_dict() for row in requests.listing(records, today)),
                           key=lambda row: str(row["id"])) if records.trust else [],
        "usage": [{_USAGE_NAMES.get(k, k): v for k, v in row.as_dict().items()}
                  for row in usage.usage(records, year_id, today)],
    }
    out = {}
    for name, rows in found.items():
        columns = SCHEMA[name].names  # computed once per table, not once per row
        out[name] = [{col: _plain(row.get(col)) for col in columns} for row in rows]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _schools(records: Records, year_id: str) -> list[dict[str, Any]]:
    rows = []
    for sid, s in sorted(records.schools.items()):
        decision = s.support.get(year_id)
        latest = s.latest_inspection
        outcome = None
        if latest is not None:
            outcome = latest.judgement if latest.framework == "ofsted-2019" else \
                "; ".join(f"{area}: {grade}" for area, grade in latest.grades.items())
        rows.append({
            "id": sid, "urn": s.urn, "name": s.name, "phase": s.phase,
            "religious_character": s.religious_character, "church_school": s.is_church_school,
            "membership": s.membership, "joined": s.joined, "local_authority": s.local_authority,
            "headteacher": s.headteacher.name if s.headteacher else None,
            "headteacher_started": s.headteacher.started if s.headteacher else None,
            "support_year": year_id, "support_level": decision.level if decision else None,
            "latest_inspection": latest.date if latest else None, "latest_inspection_outcome": outcome,
            "partnership_start": s.partnership.start if s.partnership else None,
            "partnership_end": s.partnership.end if s.partnership else None,
        })
    return rows


def _support(records: Records) -> list[dict[str, Any]]:
    return [
        {"school": sid, "academic_year": year, "support_level": d.level, "decided": d.decided, "rationale": d.rationale,
         "risk": d.risk, "extra": [_line(e) for e in d.extra]}
        for sid, s in sorted(records.schools.items()) for year, d in sorted(s.support.items())
    ]


def _support_changes(records: Records) -> list[dict[str, Any]]:
    return [
        {"school": sid, "academic_year": year, "from_date": c.from_, "support_level": c.level, "decided": c.decided,
         "rationale": c.rationale, "risk": c.risk, "extra": [_line(e) for e in c.extra]}
        for sid, s in sorted(records.schools.items()) for year, d in sorted(s.support.items())
        for c in sorted(d.changes, key=lambda c: c.from_)
    ]


def _events(records: Records, include_confidential: bool) -> list[dict[str, Any]]:
    rows = []
    for path, e in sorted(records.events.items()):
        activity = records.activity(e.activity)
        confidential = bool(activity and activity.confidential)
        rows.append({
            "path": path, "academic_year": path.split("/")[1], "activity": e.activity, "event_date": e.date,
            "status": e.status, "days": e.days_for(activity), "staff": e.staff,
            "schools": list(dict.fromkeys(e.schools)), "host": e.host, "confidential": confidential,
            "notes": (e.notes.strip() or None) if include_confidential or not confidential else None,
        })
    return rows


def _line(e: Entitlement) -> str:
    when = f" when {e.when}" if e.when else ""
    every = f" every {e.every_years} years" if e.every_years else ""
    return f"{e.count} {e.activity} per {e.per}{when}{every}"


def _visits(records: Records, include_confidential: bool) -> list[dict[str, Any]]:
    rows = []
    for path, v in sorted(records.visits.items()):
        activity = records.activity(v.activity)
        confidential = v.is_confidential(activity)
        shown = include_confidential or not confidential
        rows.append({
            "path": path, "academic_year": path.split("/")[1], "school": v.school, "activity": v.activity,
            "visit_date": v.date, "status": v.status, "days": v.days_for(activity), "staff": v.staff,
            "engagement": v.engagement, "focus": v.focus if shown else [], "reason": v.reason,
            "confidential": confidential, "actions": len(v.actions) if shown else None,
            "notes": (v.notes.strip() or None) if shown else None,
            **_review(v.review, shown),
        })
    return rows


def _review(review: VisitReview | None, shown: bool) -> dict[str, Any]:
    if review is None:
        return {}
    return {"review_shared": review.shared, "review_response": review.response,
            "review_responded": review.responded, "review_comment": review.comment if shown else None}


def _actions(records: Records, today: dt.date, include_confidential: bool) -> list[dict[str, Any]]:
    return [
        {"visit": path, "n": n, "school": v.school, "visit_date": v.date, "text": a.text, "owner": a.owner,
         "due": a.due, "status": a.status, "state": actions.state_of(a.due, today) if a.status == "open" else None}
        for path, v in sorted(records.visits.items())
        if include_confidential or not v.is_confidential(records.activity(v.activity))
        for n, a in enumerate(v.actions, start=1)
    ]


def _engagements(records: Records, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for b in engagements.burn(records, today):
        e = records.engagements[b.engagement]
        rows.append({
            "id": b.engagement, "school": e.school, "kind": e.kind, "title": e.title,
            "start_date": e.start, "end_date": e.end, "days": e.days, "delivered": b.delivered, "planned": b.planned,
            "remaining": b.remaining, "staff": e.staff, "funding_source": "; ".join(g.source for g in e.funding) or None,
            "funding_amount": _awarded(e), "objectives": [o.text for o in e.objectives],
            "status": e.status, "flags": b.flags,
        })
    return rows


def _awarded(e: Engagement) -> float | None:
    """What the engagement's grants bring, applied-for and declined ones aside."""
    amounts = [g.amount for g in e.funding if g.status == "awarded" and g.amount is not None]
    return sum(amounts) if amounts else None


def write(tables: dict[str, list[dict[str, Any]]], format: str, out: Path, root: Path | None = None) -> int:
    """Write the tables where `out` says, each file atomically: a folder of CSV files, one JSON
    document or one SQLite database, never over the records' own files (given their `root`). Returns how many tables (SQLite's link tables included)."""
    import json

    from stss import store
    from stss.errors import UsageError

    if format == "json":
        store.write_output(out, json.dumps(tables, indent=2, ensure_ascii=False) + "\n", root)
    elif format == "csv":
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} is a file; csv goes into a folder", "pass a folder to --out")
        for name, rows in tables.items():
            store.write_output(out / f"{name}.csv", csv_bytes(SCHEMA[name].names, rows), root)
    else:
        store.write_output(out, lambda tmp: write_sqlite(tmp, tables), root)
    return len(tables) + (sum(len(link_tables(name)) for name in tables) if format == "sqlite" else 0)


def csv_bytes(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    """One table as CSV for a spreadsheet: booleans as words, formulas defused (`csv_cell`)."""

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else "" if v is None else csv_cell(v)
                         for v in row.values()])
    # A byte-order mark, so spreadsheets read accented names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

def write_sqlite(path: Path, tables: dict[str, list[dict[str, Any]]], schema: Mapping[str, Table] = SCHEMA) -> None:
    """One table per export table with named keys and references (Datasette and
    BI tools follow them), and one link table per list column."""
    import sqlite3

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        for name, rows in tables.items():
            table: Table = schema[name]
            plain = [(col, kind) for col, kind in table.columns if col not in table.lists]
            refs = [((col,), other, (other_key,)) for col, (other, other_key) in table.references.items()]
            _create(db, name, plain, table.key, refs)
            db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" for _ in plain)})',
                           [tuple(row[col] for col, _ in plain) for row in rows])
            for link_name, link in link_tables(name).items():
                _create(db, link_name, list(link.columns), link.key, [(table.key, name, table.key)])
                col = link.names[-1]
                db.executemany(f'INSERT INTO "{link_name}" VALUES ({", ".join("?" for _ in link.columns)})',
                               [(*(row[k] for k in table.key), i, item)
                                for row in rows for i, item in enumerate(row[col], start=1)])
        db.commit()
    finally:
        db.close()

def _create(db: Any, name: str, columns: list[tuple[str, str]], key: tuple[str, ...],
            refs: Sequence[tuple[tuple[str, ...], str, tuple[str, ...]]]) -> None:
    """CREATE TABLE with a primary key and `FOREIGN KEY (cols) REFERENCES table(cols)`."""
    def names(cols: tuple[str, ...]) -> str:
        return ", ".join(f'"{c}"' for c in cols)

    defs = ", ".join(f'"{col}" {kind}' + (" NOT NULL" if col in key else "") for col, kind in columns)
    foreign = "".join(f', FOREIGN KEY ({names(cols)}) REFERENCES "{other}"({names(other_cols)})'
                      for cols, other, other_cols in refs)
    db.execute(f'CREATE TABLE "{name}" ({defs}, PRIMARY KEY ({names(key)}){foreign})')
