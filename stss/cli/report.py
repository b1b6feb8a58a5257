"""`stss report`: the termly board pack, or one school's summary, as markdown, HTML or PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from stss.cli.common import (
    RecordsOpt,
    SchoolOpt,
    TermOpt,
    TodayOpt,
    YearOpt,
    check_id,
    console,
    open_records,
    pick_year,
    today_of,
)

if TYPE_CHECKING:
    from stss.models import Trust
    from stss.report_model import History


def report(
    records: RecordsOpt = None,
    year: YearOpt = None,
    term: TermOpt = None,
    school: SchoolOpt = None,
    format: Annotated[Literal["md", "html", "pdf"], typer.Option("--format", help="md, html or pdf (printed from the HTML by headless Chromium).")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write the report here (default: print it; PDF needs --out).", dir_okay=False, show_default=False)] = None,
    template: Annotated[str | None, typer.Option("--template", help="Template NAME: NAME.md.j2 or NAME.html.j2 from the records' templates/ or the built-in ones.", show_default=False)] = None,
    include_confidential: Annotated[bool, typer.Option("--include-confidential", help="Describe confidential visits (safeguarding reviews) too, for a closed session.")] = False,
    engagement: Annotated[str | None, typer.Option("--engagement", metavar="ID", help="One engagement's report instead: purpose, objectives and reviews, days, staff, funding, visits, and its end report.", show_default=False)] = None,
    today: TodayOpt = None,
) -> None:
    """The termly school-improvement report: the trust board pack, or with --school one
    school's summary for its local governing body, or with --engagement one engagement's
    report (what the trust was asked to do, what it did and what changed).

    The same records, git history and --today always give the same bytes (md and html).
    """
    from stss import calendar, render, reporting, store, usage
    from stss.errors import UsageError

    loaded = open_records(records)
    r = loaded.records
    assert r.trust is not None
    day = today_of(today)
    if format == "pdf" and out is None:
        raise UsageError("a PDF needs somewhere to go", hint="add --out board-pack.pdf")
    if engagement is not None:
        if school is not None or term is not None or year is not None:
            raise UsageError("--engagement is a report of its own", "leave out --school, --term and --year")
        check_id("engagement", engagement, r.engagements)
        from stss import engagement_report

        _emit(render.render(engagement_report.build(r, engagement, day, include_confidential), "engagement",
                            format, loaded.root, template), format, out)
        return
    year_id = pick_year(loaded, year, day)
    check_id("school", school, r.schools)
    check_id("term", term, calendar.TERMS)
    term_id = term or current_term(r.trust, year_id, day)
    span = calendar.terms(r.trust.years[year_id])[term_id]
    model = reporting.build(r, year_id, term_id, day, usage.usage(r, year_id, day),
                            history_of(loaded.root, span.start, min(span.end, day), school), school,
                            include_confidential, store.read_commentary(loaded.root, year_id, term_id),
                            committed_on(loaded.root, reporting.earlier_days(r, year_id, term_id, day)))
    _emit(render.render(model, model.kind, format, loaded.root, template), format, out)


def _emit(html_or_md: str, format: str, out: Path | None) -> None:
    """Print the report, or write it (a PDF printed from its HTML) where --out says."""
    from stss import render

    data: str | bytes = render.to_pdf(html_or_md) if format == "pdf" else html_or_md
    if out is None:
        typer.echo(html_or_md, nl=False)
        return
    render.write(out, data)
    console().print(f"wrote {out}", markup=False)


def current_term(trust: Trust, year_id: str, day: dt.date) -> str:
    """The term `day` falls in, else the last one begun by then (autumn before the year starts)."""
    from stss import calendar

    begun = [name for name, t in calendar.terms(trust.years[year_id]).items() if t.start <= day]
    return begun[-1] if begun else "autumn"


def committed_on(root: Path, days: list[dt.date]) -> dict[str, Mapping[str, Any]]:
    """The school files as committed on each day (by ISO date), where git has them."""
    from stss import history
    from stss.errors import GitError

    out: dict[str, Mapping[str, Any]] = {}
    for day in days:
        try:
            docs = history.schools_on(root, day)
        except GitError:  # not in git: the trend reads the records as they stand
            return {}
        if docs is not None:
            out[day.isoformat()] = docs
    return out


def history_of(root: Path, since: dt.date, until: dt.date, school: str | None = None) -> History:
    """Changes from git between two dates (one school's, with `school`), or why there are none to show."""
    from stss.errors import GitError
    from stss.git import NotARepository
    from stss.report_model import ChangeEvent, History

    try:
        from stss import history
    except ImportError:  # pragma: no cover - history ships with stss; kept for partial installs
        return History(False, reason="this version of stss cannot read history")
    if until < since:
        return History(True)
    try:
        events = history.events(root, since, until, school)
    except GitError as exc:
        reason = "the records folder is not in a git repository" if isinstance(exc, NotARepository) else exc.message
        return History(False, reason=reason)
    return History(True, tuple(ChangeEvent(e.date, e.commit, e.author, e.kind, e.school, e.summary, year=e.year)
                               for e in events))


def register(app: typer.Typer) -> None:
    app.command()(report)
