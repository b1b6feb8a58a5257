"""The records as flat tables, for spreadsheets and BI tools (`stss export`).

`tables` turns `Records` into one list of rows per table (schools, support,
visits, actions, engagements, usage); `SCHEMA` gives each table its columns
in a fixed order, their SQL types, its key and what its columns refer to,
so every writer (CSV, JSON, SQLite) lays the tables out the same way.
Values are plain: dates as ISO text, lists joined with "; ", flags as
booleans. Visit notes are not exported (some are confidential).

Pure: records, a year and today in, rows out. Writing files is the CLI's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stss import actions, engagements, usage
from stss.models import Entitlement, Records


@dataclass(frozen=True)
class Table:
    """A table's columns (name, SQL type), key, and foreign keys (column -> table)."""

    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    references: Mapping[str, str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    """"name:type ..." with TEXT as the default type."""
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        out.append((name, {"i": "INTEGER", "r": "REAL", "b": "INTEGER", "": "TEXT"}[kind]))
    return tuple(out)


SCHEMA: Mapping[str, Table] = {
    "schools": Table(_cols(
        "id urn:i name phase religious_character church_school:b membership joined local_authority "
        "headteacher headteacher_started support_year support_level latest_inspection "
        "latest_inspection_outcome partnership_start partnership_end"), ("id",), {}),
    "support": Table(_cols("school year level decided rationale extra"), ("school", "year"),
                     {"school": "schools"}),
    "visits": Table(_cols(
        "path year school activity date status days:r staff engagement focus reason confidential:b actions:i"),
        ("path",), {"school": "schools", "engagement": "engagements"}),
    "actions": Table(_cols("visit n:i school visit_date text owner due status state"), ("visit", "n"),
                     {"visit": "visits", "school": "schools"}),
    "engagements": Table(_cols(
        "id school kind title start end days:r delivered:r planned:r remaining:r staff funding_source "
        "funding_amount:r objectives status flags"), ("id",), {"school": "schools"}),
    "usage": Table(tuple((c, "INTEGER" if c in usage.COLUMNS[3:9] else "TEXT") for c in usage.COLUMNS),
                   ("school", "activity", "period"), {"school": "schools"}),
}


def tables(records: Records, year_id: str, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, each row's keys in the table's column order."""
    found = {
        "schools": _schools(records, year_id),
        "support": _support(records),
        "visits": _visits(records),
        "actions": _actions(records, today),
        "engagements": _engagements(records, today),
        "usage": [row.as_dict() for row in usage.usage(records, year_id, today)],
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
        return "; ".join(str(_plain(v)) for v in value)
    return value


def _schools(records: Records, year_id: str) -> list[dict[str, Any]]:
    rows = []
    for sid, s in sorted(records.schools.items()):
        decision = s.support.get(year_id)
        latest = s.inspections[-1] if s.inspections else None
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
        {"school": sid, "year": year, "level": d.level, "decided": d.decided, "rationale": d.rationale,
         "extra": [_line(e) for e in d.extra]}
        for sid, s in sorted(records.schools.items()) for year, d in sorted(s.support.items())
    ]


def _line(e: Entitlement) -> str:
    when = f" when {e.when}" if e.when else ""
    every = f" every {e.every_years} years" if e.every_years else ""
    return f"{e.count} {e.activity} per {e.per}{when}{every}"


def _visits(records: Records) -> list[dict[str, Any]]:
    rows = []
    for path, v in sorted(records.visits.items()):
        activity = records.activity(v.activity)
        rows.append({
            "path": path, "year": path.split("/")[1], "school": v.school, "activity": v.activity,
            "date": v.date, "status": v.status, "days": v.days_for(activity), "staff": v.staff,
            "engagement": v.engagement, "focus": v.focus, "reason": v.reason,
            "confidential": v.is_confidential(activity), "actions": len(v.actions),
        })
    return rows


def _actions(records: Records, today: dt.date) -> list[dict[str, Any]]:
    return [
        {"visit": path, "n": n, "school": v.school, "visit_date": v.date, "text": a.text, "owner": a.owner,
         "due": a.due, "status": a.status, "state": actions.state_of(a.due, today) if a.status == "open" else None}
        for path, v in sorted(records.visits.items()) for n, a in enumerate(v.actions, start=1)
    ]


def _engagements(records: Records, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for b in engagements.burn(records, today):
        e = records.engagements[b.engagement]
        rows.append({
            "id": b.engagement, "school": e.school, "kind": e.kind, "title": e.title, "start": e.start,
            "end": e.end, "days": e.days, "delivered": b.delivered, "planned": b.planned,
            "remaining": b.remaining, "staff": e.staff, "funding_source": e.funding.source if e.funding else None,
            "funding_amount": e.funding.amount if e.funding else None, "objectives": e.objectives,
            "status": e.status, "flags": b.flags,
        })
    return rows
