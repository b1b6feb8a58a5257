"""The tables commands print, as data: a title, columns and rows of plain text.

Built here from the core's own rows (usage, loads, burns, requests, a plan), so
the CLI only prints them (`stss.cli.common.show`). Nothing here knows a
terminal or any markup: a cell's `style` says what it means ("bad", "warn",
"good", "note", "muted", "strong") and the printer decides how that looks, so
a school called "[red]x[/]" is printed as written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from stss.actions import OpenAction
    from stss.engagements import Burn
    from stss.funding import Line, Value
    from stss.history import Event as ChangeEvent
    from stss.importing import Outcome as ImportOutcome
    from stss.models import Records
    from stss.objectives import Progress
    from stss.planning import Plan
    from stss.requests import RequestRow
    from stss.review import ReviewRow
    from stss.staffing import Load
    from stss.usage import UsageRow

Style = Literal["", "bad", "warn", "good", "note", "muted", "strong", "over"]


@dataclass(frozen=True)
class Cell:
    text: str
    style: Style = ""


@dataclass(frozen=True)
class Table:
    """`rows` of cells under `columns`; a row of one cell is a heading (a school's name)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    right: frozenset[str] = frozenset()  # numbers, aligned right
    keep: frozenset[str] = frozenset()  # ids, never wrapped
    widest: Mapping[str, int] = field(default_factory=dict)  # a column's most characters a line


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str | Cell]], *, right: Iterable[str] = (),
          keep: Iterable[str] = (), widest: Mapping[str, int] | None = None) -> Table:
    return Table(title, tuple(columns), tuple(tuple(c if isinstance(c, Cell) else Cell(c) for c in row) for row in rows),
                 frozenset(right), frozenset(keep), dict(widest or {}))


#: How each usage status looks: late and missed stand out, over is its own colour.
STATUS_STYLES: Mapping[str, Style] = {"on-track": "good", "due": "note", "overdue": "warn", "missed": "bad",
                                      "over": "over", "late": "warn", "inaccurate": "bad"}
RAG_STYLES: Mapping[str, Style] = {"red": "bad", "amber": "warn", "green": "good", "met": "note"}


def _status(text: str) -> Cell:
    return Cell(text, STATUS_STYLES.get(text, ""))


def _n(value: float) -> str:
    return f"{value:g}"


def _name(records: Records, school: str) -> str:
    return records.schools[school].name if school in records.schools else school


# --- the weekly questions --------------------------------------------------------------


def usage(records: Records, rows: Sequence[UsageRow], title: str) -> Table:
    """Each school's activities, grouped under its name, with the usage status last."""
    lines: list[tuple[str | Cell, ...]] = []
    previous = None
    for row in rows:
        if row.school != previous:
            lines.append((Cell(_name(records, row.school), "strong"),))
            previous = row.school
        period = "year" if row.period.per == "year" else row.period.label
        lines.append((f"  {row.activity}", period, str(row.entitled), str(row.completed), str(row.planned),
                      str(row.overdue), str(row.remaining), str(row.over), _status(row.status)))
    return table(title, ("school / activity", "period", "owed", "done", "plan", "late", "left", "over", "status"),
                 lines, right=("owed", "done", "plan", "late", "left", "over"))


def capacity(loads: Sequence[Load], year: str) -> Table:
    rows = []
    for load in loads:
        left = load.capacity - load.total
        rows.append((load.name, _n(load.capacity), _n(load.delivered), _n(load.planned),
                     Cell(_n(load.total), "bad" if load.over else ""),
                     Cell(f"{left:g} OVER", "bad") if load.over else _n(left)))
    return table(f"Staff capacity {year}", ("person", "capacity", "delivered", "planned", "total", "left"), rows,
                 right=("capacity", "delivered", "planned", "total", "left"))


def engagements(burns: Sequence[Burn], values: Mapping[str, Value | None]) -> Table:
    from stss.render import money

    traded = any(v is not None for v in values.values())
    rows = []
    for b in burns:
        v = values[b.engagement]
        worth = (f"{money(v.delivered)} of {money(v.commissioned)}" if v else "",) if traded else ()
        rows.append((b.engagement, b.kind, b.status, _n(b.commissioned), _n(b.delivered), _n(b.planned),
                     _n(b.remaining), *worth, Cell("; ".join(b.flags), "warn")))
    return table("Engagements", ("engagement", "kind", "status", "days", "delivered", "planned", "remaining",
                                 *(("value",) if traded else ()), "warning"), rows,
                 right=("days", "delivered", "planned", "remaining", "value"), keep=("engagement",))


def objectives(rated: Sequence[Progress]) -> Table:
    rows = []
    for p in rated:
        rag = p.latest.rag if p.latest else "not reviewed"
        rows.append((p.engagement, p.ref, Cell(rag, RAG_STYLES.get(rag, "")), str(p.latest.date) if p.latest else "",
                     p.direction or ("first review" if p.latest else ""), str(len(p.reviews)), p.text))
    return table("Objectives: latest rating and direction since the review before",
                 ("engagement", "objective", "rating", "reviewed", "direction", "reviews", "text"), rows,
                 right=("reviews",), keep=("engagement",))


def funding(lines: Sequence[Line]) -> Table:
    """Delivered against awarded by source and financial year, as hledger's budget report sets
    actual against budget (`£1,200 [40% of £3,000]`), with a total for each source and year."""
    from stss import funding as funding_mod
    from stss.render import money

    years = sorted({line.financial_year for line in lines})
    cell = {(line.source, line.financial_year): line for line in lines}

    def shown(line: Line | None) -> str:
        if line is None or not (line.awarded or line.delivered):
            return "-"
        if not line.awarded:
            return money(line.delivered)
        return f"{money(line.delivered)} [{line.percent}% of {money(line.awarded)}]"

    rows: list[tuple[str, ...]] = []
    for source in sorted({line.source for line in lines}):
        mine = [line for line in lines if line.source == source]
        if any(line.awarded or line.delivered for line in mine):  # else only applied for or declined
            rows.append((source, *(shown(cell.get((source, y))) for y in years), shown(funding_mod.totals(mine))))
    rows.append(("total", *(shown(funding_mod.totals(line for line in lines if line.financial_year == y))
                            for y in years), shown(funding_mod.totals(lines))))
    return table("Funding: value delivered against amount awarded, by financial year (April to March)",
                 ("source", *years, "total"), rows, right=(*years, "total"))


def actions(found: Sequence[OpenAction], overdue_only: bool) -> Table:
    styles: Mapping[str, Style] = {"overdue": "bad", "due": "warn"}
    return table("Open actions" + (" (overdue)" if overdue_only else ""), ("due", "state", "school", "owner", "action"),
                 [(str(a.due or "-"), Cell(a.state, styles.get(a.state, "")), a.school, a.owner, a.text)
                  for a in found])


def requests(records: Records, rows: Sequence[RequestRow], title: str) -> Table:
    return table(title, ("request", "school", "urgency", "raised", "respond by", "assigned", "status"),
                 [(row.id, _name(records, row.school), row.urgency, str(row.raised), str(row.respond_by),
                   ", ".join(row.assigned) or "-", _status("overdue" if row.overdue else row.status)) for row in rows])


def reviews(rows: Sequence[ReviewRow], title: str) -> Table:
    return table(title, ("visit", "shared", "waiting / answered", "comment", "state"),
                 [(row.visit.rsplit("/", 1)[-1][:-3], str(row.shared),
                   str(row.school_days_waiting) if row.response is None else str(row.responded),
                   " ".join((row.comment or "").split()) or "-", _status(row.state)) for row in rows])


def history(rows: Sequence[ChangeEvent], school: str | None) -> Table:
    columns = ("date", "commit", "author", "what", "change") if school else \
        ("date", "commit", "author", "school", "what", "change")
    cells = [{"date": e.date.isoformat(), "commit": e.commit, "author": e.author, "school": e.school or "",
              "what": e.kind, "change": e.summary} for e in rows]
    return table("History" + (f" of {school}" if school else ""), columns, [[c[k] for k in columns] for c in cells],
                 keep=("date", "commit"), widest={"author": 18, "school": 22, "what": 17})


def gias(outcomes: Sequence[ImportOutcome], title: str) -> Table:
    styles: Mapping[str, Style] = {"created": "good", "updated": "note", "closed": "warn", "skipped": "bad",
                                   "unchanged": "muted"}
    return table(title, ("", "school", "URN", "name", "what"),
                 [(Cell(o.action, styles[o.action]), o.school or "", str(o.urn), o.name, "; ".join(o.what))
                  for o in outcomes])


# --- a plan ------------------------------------------------------------------------------


def planned_visits(records: Records, result: Plan) -> Table:
    return table(f"Planned visits {result.year} from {result.start} (seed {result.seed})",
                 ("date", "school", "activity", "period", "staff"),
                 [(str(v.date), _name(records, v.school), v.activity, v.period.split("/", 1)[-1],
                   ", ".join(v.staff) if v.staff else Cell("unstaffed", "bad")) for v in result.visits])


def plan_summary(records: Records, result: Plan) -> list[Table]:
    """The events planned, the visits per school and term, and each person's load before and after."""
    from stss import calendar, planning, staffing

    out = []
    if result.events:
        out.append(table("Trust-wide events planned", ("date", "activity", "period", "schools", "staff"),
                         [(str(e.date), e.activity, e.period.split("/", 1)[-1], str(len(e.schools)),
                           ", ".join(e.staff) if e.staff else "unstaffed") for e in result.events],
                         right=("schools",)))
    if not result.visits and not result.events:
        return out
    trust = records.trust
    assert trust is not None
    terms = calendar.terms(trust.years[result.year])
    by_school: dict[str, Counter[str]] = defaultdict(Counter)
    for v in result.visits:
        term = next((name for name, t in terms.items() if t.start <= v.date <= t.end), "")
        by_school[v.school].update(["visits", term] + (["unstaffed"] if not v.staff else []))
    counted = ("visits", *terms, "unstaffed")
    out.append(table("Visits planned per school", ("school", *counted),
                     [(_name(records, sid), *(str(by_school[sid][c]) for c in counted))
                      for sid in sorted(by_school)], right=counted))
    before = staffing.planned_days_by_person(records, result.year)
    after = planning.loads_after(records, result)
    visits = Counter(p for v in result.visits for p in v.staff) + Counter(p for e in result.events for p in e.staff)
    rows = []
    for pid in sorted(visits):
        person = records.people[pid]
        left = person.capacity_days - after[pid]
        rows.append((person.name, pid, str(visits[pid]), _n(before.get(pid, 0)), _n(after[pid]),
                     _n(person.capacity_days), Cell(f"{left:g} OVER", "bad") if left < 0 else _n(left)))
    out.append(table(f"Staff load {result.year} (days)", ("person", "id", "new", "before", "after", "capacity", "left"),
                     rows, right=("new", "before", "after", "capacity", "left")))
    return out


def plan_gaps(records: Records, result: Plan) -> Table:
    return table("Unstaffed or not placed: needs a decision", ("date", "school", "activity", "period", "why"),
                 [(str(g.date) if g.date else "not placed", _name(records, g.school), g.activity,
                   g.period.split("/", 1)[-1], g.reason) for g in result.gaps])
