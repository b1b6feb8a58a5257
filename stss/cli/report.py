"""`stss report`: the termly board pack, or one school's summary, as markdown, HTML or PDF."""


from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import (
    DocumentFormatOpt,
    RecordsOpt,
    SchoolOpt,
    TermOpt,
    TodayOpt,
    YearOpt,
    command,
    open_records,
    pick_year,
    say,
    scope_of,
    today_of,
)
from stss.errors import require_known


@command()
def report(
    records: RecordsOpt = None,
    year: YearOpt = None,
    term: TermOpt = None,
    school: SchoolOpt = None,
    format: DocumentFormatOpt = "md",
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
    from stss import calendar, history, render, reporting, store, usage
    from stss.errors import UsageError
    from stss.layout import Scope

    day = today_of(today)
    if engagement is not None:
        scope = None
    elif school is not None:
        # One school's records of every year (a few hundred files): its actions still open
        # from any year, and its engagements' days from their start.
        scope = Scope(schools=frozenset({school}))
    else:
        # The year reported and the year before (the trend), every school's (each person's
        # trust-wide load), older visits with actions still open then; and back to the start
        # of any engagement running this year.
        scope = replace(scope_of(year, day, before=1), open_actions=True)
    loaded = open_records(records, scope=scope)
    wider = (None if scope is None or scope.years is None
             else reporting.scope_needed(loaded.records, pick_year(loaded, year, day), loaded.scope))
    if wider is not None:
        loaded = open_records(records, scope=wider)
    r = loaded.records
    assert r.trust is not None
    if format == "pdf" and out is None:
        raise UsageError("a PDF needs somewhere to go", hint="add --out board-pack.pdf")
    if engagement is not None:
        if school is not None or term is not None or year is not None:
            raise UsageError("--engagement is a report of its own", "leave out --school, --term and --year")
        require_known("engagement", engagement, r.engagements)
        from stss import engagement_report

        _emit(render.render(engagement_report.build(r, engagement, day, include_confidential), "engagement",
                            format, loaded.root, template), format, out, loaded.root)
        return
    year_id = pick_year(loaded, year, day)
    require_known("school", school, r.schools)
    require_known("term", term, calendar.TERMS)
    term_id = term or calendar.current_term(r.trust, year_id, day)
    span = calendar.terms(r.trust.years[year_id])[term_id]
    model = reporting.build(r, year_id, term_id, day, usage.usage(r, year_id, day),
                            history.for_report(loaded.root, span.start, min(span.end, day), school), school,
                            include_confidential, store.read_commentary(loaded.root, year_id, term_id),
                            history.committed_on(loaded.root, reporting.earlier_days(r, year_id, term_id, day), school))
    _emit(render.render(model, model.kind, format, loaded.root, template), format, out, loaded.root)


def _emit(html_or_md: str, format: str, out: Path | None, root: Path) -> None:
    """Print the report, or write it (a PDF printed from its HTML) where --out says."""
    from stss import render, store

    if out is None:
        typer.echo(html_or_md, nl=False)
        return
    store.outside_records(root, out)  # before a PDF is printed
    render.write(out, render.to_pdf(html_or_md) if format == "pdf" else html_or_md, root)
    say(f"wrote {out}")
