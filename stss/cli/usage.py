"""Weekly questions: usage, capacity, engagements, actions."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from stss.cli.common import (
    Format,
    FormatOpt,
    RecordsOpt,
    SchoolOpt,
    TermOpt,
    TodayOpt,
    YearOpt,
    check_id,
    console,
    emit_rows,
    open_records,
    pick_year,
    scope_of,
    today_of,
)

if TYPE_CHECKING:
    from stss.funding import Line, Value
    from stss.objectives import Progress

COLOURS = {"on-track": "green", "due": "cyan", "overdue": "yellow", "missed": "red", "over": "magenta"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ANSI = {"green": "32", "cyan": "36", "yellow": "33", "red": "31", "magenta": "35", "bold": "1"}


def _print_grid(title: str, header: tuple[str, ...], lines: list[tuple[str, ...]], right: range) -> None:
    """A plain aligned table, written in one go: a Rich table costs seconds at
    thousands of rows. One-cell lines are group headings (a school's name);
    the last column is a status, coloured on a colour terminal. Control
    characters from the records are dropped, so a name cannot drive the terminal."""
    lines = [tuple(_CONTROL.sub("", cell) for cell in line) for line in lines]
    full = [line for line in lines if len(line) == len(header)]
    widths = [max([len(h)] + [len(line[i]) for line in full]) for i, h in enumerate(header)]
    colour = console().color_system is not None and console().is_terminal

    def paint(text: str, style: str) -> str:
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m" if colour and style else text

    def cells(line: tuple[str, ...], style: str = "") -> str:
        out = [cell.rjust(w) if i in right else cell.ljust(w)
               for i, (cell, w) in enumerate(zip(line, widths, strict=True))]
        out[-1] = paint(out[-1], style)
        return "  ".join(out).rstrip()

    out = [title, "", cells(header), "  ".join("-" * w for w in widths)]
    for line in lines:
        out.append(paint(line[0], "bold") if len(line) == 1 else cells(line, COLOURS.get(line[-1], "")))
    sys.stdout.write("\n".join(out) + "\n")


def usage(
    records: RecordsOpt = None,
    year: YearOpt = None,
    term: TermOpt = None,
    school: SchoolOpt = None,
    activity: Annotated[str | None, typer.Option("--activity", help="Only this activity.", show_default=False)] = None,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """What each school is owed, has had, has planned, and what is overdue or missed."""

    from stss import calendar
    from stss import requests as requests_mod
    from stss import usage as usage_mod

    day = today_of(today)
    loaded = open_records(records, scope=scope_of(year, day, school))
    r = loaded.records
    year_id = pick_year(loaded, year, day)
    check_id("school", school, r.school_ids)
    if activity is not None and r.offer is not None:
        known = set(r.offer.activities) | {v.activity for v in r.visits.values()}
        check_id("activity", activity, known)
    if term is not None:
        check_id("term", term, calendar.TERMS)
    rows = [
        row for row in usage_mod.usage(r, year_id, day)
        if (school is None or row.school == school)
        and (activity is None or row.activity == activity)
        and (term is None or usage_mod.in_term(row, term))
    ]
    if emit_rows([row.as_dict() for row in rows], format, usage_mod.COLUMNS):
        return
    title = f"Entitlement usage {year_id}" + (f" ({term})" if term else "") + f", as of {day}"
    lines: list[tuple[str, ...]] = []
    previous = None
    for row in rows:
        if row.school != previous:
            lines.append((r.schools[row.school].name if row.school in r.schools else row.school,))
            previous = row.school
        period = "year" if row.period.per == "year" else row.period.label
        lines.append((f"  {row.activity}", period, str(row.entitled), str(row.completed), str(row.planned),
                      str(row.overdue), str(row.remaining), str(row.over), row.status))
    _print_grid(title, ("school / activity", "period", "owed", "done", "plan", "late", "left", "over", "status"),
                lines, right=range(2, 8))
    print("owed = entitled, done = completed, plan = planned, late = overdue, left = remaining")
    sums = usage_mod.totals(rows)
    console().print(
        f"{sums['entitled']} owed, {sums['completed']} completed, {sums['planned']} planned, "
        f"{sums['overdue']} overdue, {sums['missed']} missed, {sums['over']} over entitlement."
    )
    asked = requests_mod.figures(r, day, day, day, [school] if school else None)
    if asked.open:
        console().print(f"Requests from schools: {asked.open} open, {asked.overdue} overdue (see stss requests).",
                        markup=False)


def capacity(
    records: RecordsOpt = None,
    year: YearOpt = None,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Days each person has delivered and has planned, against their capacity."""
    from rich.markup import escape
    from rich.table import Table

    from stss import staffing

    loaded = open_records(records, scope=scope_of(year, today_of(today)))
    year_id = pick_year(loaded, year, today_of(today))
    loads = staffing.loads(loaded.records, year_id)
    columns = ("person", "name", "capacity", "delivered", "planned", "total", "over")
    if emit_rows([load.as_dict() for load in loads], format, columns):
        return
    table = Table(title=f"Staff capacity {year_id}")
    for col in ("person", "capacity", "delivered", "planned", "total", "left"):
        table.add_column(col, justify="left" if col == "person" else "right")
    for load in loads:
        left = load.capacity - load.total
        style = "red" if load.over else ""
        table.add_row(escape(load.name), f"{load.capacity:g}", f"{load.delivered:g}", f"{load.planned:g}",
                      f"[{style}]{load.total:g}[/]" if style else f"{load.total:g}",
                      f"[red]{left:g} OVER[/]" if load.over else f"{left:g}")
    console().print(table)


def engagements(
    records: RecordsOpt = None,
    status: Annotated[str | None, typer.Option("--status", help="Only engagements with this status.", show_default=False)] = None,
    funding: Annotated[bool, typer.Option("--funding", help="Money instead: for each funding source and financial year (April to March), the value delivered against what was awarded.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Each engagement's days commissioned, delivered, planned and remaining, with warnings, the
    value of traded work, and each objective's latest rating with its direction since the review
    before. With --funding, a budget-against-actual table of funding by source and financial year."""
    import typing

    from rich.markup import escape
    from rich.table import Table

    from stss import engagements as burn_mod
    from stss import funding as funding_mod
    from stss import objectives
    from stss.models import EngagementStatus

    check_id("status", status, typing.get_args(EngagementStatus))
    loaded = open_records(records)
    r = loaded.records
    if funding:
        _funding(funding_mod.by_year(r, {k: e for k, e in r.engagements.items() if status in (None, e.status)}),
                 format)
        return
    burns = burn_mod.burn(r, today_of(today), status)
    values = {b.engagement: funding_mod.value(r.engagements[b.engagement], b.delivered) for b in burns}
    progress = {b.engagement: objectives.progress(b.engagement, r.engagements[b.engagement]) for b in burns}
    columns = ("engagement", "school", "kind", "title", "status", "start", "end", "commissioned",
               "delivered", "planned", "remaining", "rate", "value_commissioned", "value_delivered",
               "value_to_deliver", "flags", "objectives")
    rows = [b.as_dict() | _value_columns(values[b.engagement]) for b in burns]
    if format == "csv":
        emit_rows([row | {"flags": "; ".join(b.flags), "objectives": "; ".join(_rating(p) for p in progress[b.engagement])}
               for row, b in zip(rows, burns, strict=True)], format, columns)
        return
    if emit_rows([row | {"objectives": [p.as_dict() for p in progress[b.engagement]]}
              for row, b in zip(rows, burns, strict=True)], format, columns):
        return
    traded = any(v is not None for v in values.values())
    table = Table(title="Engagements")
    numbers = ("days", "delivered", "planned", "remaining", "value")
    for col in ("engagement", "kind", "status", "days", "delivered", "planned", "remaining",
                *(("value",) if traded else ()), "warning"):
        table.add_column(col, justify="right" if col in numbers else "left", no_wrap=col == "engagement")
    for b in burns:
        v = values[b.engagement]
        worth = (f"{_pounds(v.delivered)} of {_pounds(v.commissioned)}",) if v else ("",)
        table.add_row(b.engagement, b.kind, b.status, f"{b.commissioned:g}", f"{b.delivered:g}",
                      f"{b.planned:g}", f"{b.remaining:g}", *(worth if traded else ()),
                      "[yellow]" + "; ".join(b.flags) + "[/]" if b.flags else "")
    console().print(table)
    rated = [p for b in burns for p in progress[b.engagement]]
    if not rated:
        return
    table = Table(title="Objectives: latest rating and direction since the review before")
    for col in ("engagement", "objective", "rating", "reviewed", "direction", "reviews", "text"):
        table.add_column(col, justify="right" if col == "reviews" else "left", no_wrap=col == "engagement")
    for p in rated:
        rag = p.latest.rag if p.latest else "not reviewed"
        table.add_row(p.engagement, escape(p.ref), f"[{RAG_COLOURS[rag]}]{rag}[/]" if rag in RAG_COLOURS else rag,
                      str(p.latest.date) if p.latest else "", p.direction or ("first review" if p.latest else ""),
                      str(len(p.reviews)), escape(p.text))
    console().print(table)


def _value_columns(v: Value | None) -> dict[str, object]:
    return {"rate": v.rate if v else None, "value_commissioned": v.commissioned if v else None,
            "value_delivered": v.delivered if v else None, "value_to_deliver": v.to_deliver if v else None}


def _pounds(amount: float) -> str:
    from stss.render import money

    return money(amount)


def _funding(lines: list[Line], format: Format) -> None:
    """Funding by source and financial year: delivered against awarded, as hledger's budget report
    sets actual against budget (`£1,200 [40% of £3,000]`), with a total for each source and year."""
    from stss import funding

    if emit_rows([line.as_dict() for line in lines], format, funding.COLUMNS):
        return
    years = sorted({line.financial_year for line in lines})
    sources = sorted({line.source for line in lines})
    cell = {(line.source, line.financial_year): line for line in lines}

    def shown(line: Line | None) -> str:
        if line is None or not (line.awarded or line.delivered):
            return "-"
        if not line.awarded:
            return _pounds(line.delivered)
        return f"{_pounds(line.delivered)} [{line.percent}% of {_pounds(line.awarded)}]"

    grid: list[tuple[str, ...]] = []
    for source in sources:
        mine = [line for line in lines if line.source == source]
        if not any(line.awarded or line.delivered for line in mine):
            continue  # only applied for or declined: listed below
        grid.append((source, *(shown(cell.get((source, y))) for y in years), shown(funding.totals(mine))))
    grid.append(("total", *(shown(funding.totals(line for line in lines if line.financial_year == y))
                            for y in years), shown(funding.totals(lines))))
    _print_grid("Funding: value delivered against amount awarded, by financial year (April to March)",
                ("source", *years, "total"), grid, right=range(1, len(years) + 2))
    waiting = [line for line in lines if line.applied]
    if waiting:
        print("Applied for, awaiting a decision: " + "; ".join(
            f"{_CONTROL.sub('', line.source)} {_pounds(line.applied)} ({line.financial_year})" for line in waiting))
    print("delivered = the value of the days delivered in the year (a grant's amount shared over its days "
          "commissioned; traded work at its rate)")


RAG_COLOURS = {"red": "red", "amber": "yellow", "green": "green", "met": "cyan"}


def _rating(p: Progress) -> str:
    """`behaviour-policy: green (improving)`: one objective in a CSV cell."""
    if p.latest is None:
        return f"{p.ref}: not reviewed"
    return f"{p.ref}: {p.latest.rag}" + (f" ({p.direction})" if p.direction else "")


def actions(
    records: RecordsOpt = None,
    school: SchoolOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Open actions from visit notes, with owner and due date."""
    from rich.markup import escape
    from rich.table import Table

    from stss import actions as actions_mod
    from stss import review
    from stss.layout import Scope

    # Actions stay open across years: one school's are in its visits of every year.
    loaded = open_records(records, scope=Scope(schools=frozenset({school})) if school else None)
    check_id("school", school, loaded.records.school_ids)
    found = actions_mod.open_actions(loaded.records, today_of(today), school, overdue)
    columns = ("school", "visit", "visit_date", "text", "owner", "due", "state")
    if emit_rows([a.as_dict() for a in found], format, columns):
        return
    table = Table(title="Open actions" + (" (overdue)" if overdue else ""))
    for col in ("due", "state", "school", "owner", "action"):
        table.add_column(col)
    colour = {"overdue": "red", "due": "yellow", "open": ""}
    for a in found:
        state = f"[{colour[a.state]}]{a.state}[/]" if colour[a.state] else a.state
        table.add_row(str(a.due or "-"), state, a.school, escape(a.owner), escape(a.text))
    console().print(table)
    follow_up = review.needs_attention(review.reviews(loaded.records, today_of(today), school))
    if follow_up:
        late = sum(row.state == "late" for row in follow_up)
        console().print(f"Visit reports to follow up: {late} unanswered after {review.ANSWER_WITHIN} school days, "
                        f"{len(follow_up) - late} marked inaccurate (see stss reviews).", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(usage)
    app.command()(capacity)
    app.command()(engagements)
    app.command()(actions)
