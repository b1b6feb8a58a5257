"""`stss engagements`: days commissioned, delivered and planned, objectives' ratings, and funding."""


from typing import TYPE_CHECKING, Annotated

import typer

from stss.cli.common import (
    Format,
    FormatOpt,
    RecordsOpt,
    TodayOpt,
    YearOpt,
    command,
    emit_rows,
    open_records,
    pick_year,
    say,
    scope_of,
    show,
    today_of,
)
from stss.errors import require_known

if TYPE_CHECKING:
    from stss.funding import Line


@command()
def engagements(
    records: RecordsOpt = None,
    year: YearOpt = None,
    all_years: Annotated[bool, typer.Option("--all", help="Every engagement of every year, not just the year's (reads every year's visits).")] = False,
    status: Annotated[str | None, typer.Option("--status", help="Only engagements with this status.", show_default=False)] = None,
    funding: Annotated[bool, typer.Option("--funding", help="Money instead: for each funding source and financial year (April to March), the value delivered against what was awarded.")] = False,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Each engagement's days commissioned, delivered, planned and remaining, with warnings, the
    value of traded work, and each objective's latest rating with its direction since the review
    before. With --funding, a budget-against-actual table of funding by source and financial year.

    The engagements are the year's (--year, else the year containing today): those running at
    some point of it, and any still live. Their days count from each one's start."""
    import typing

    from stss import engagements as burn_mod
    from stss import funding as funding_mod
    from stss import objectives, tables
    from stss.models import EngagementStatus

    require_known("status", status, typing.get_args(EngagementStatus))
    day = today_of(today)
    if all_years or funding:
        loaded = open_records(records)
        shown = None
    else:
        loaded = open_records(records, scope=scope_of(year, day))
        chosen = pick_year(loaded, year, day)
        running = burn_mod.running(loaded.records, chosen)
        wider = burn_mod.scope_from_start(loaded.records, running.values(), chosen, loaded.scope)
        if wider is not None:
            loaded = open_records(records, scope=wider)
        shown = list(running)
    r = loaded.records
    if funding:
        _funding(funding_mod.by_year(r, {k: e for k, e in r.engagements.items() if status in (None, e.status)}),
                 format)
        return
    burns = burn_mod.burn(r, day, status, shown)
    if format != "table":  # the rows are built only when they are printed
        emit_rows(burn_mod.rows(r, burns, flat=format == "csv"), format, burn_mod.COLUMNS)
        return
    values = {b.engagement: funding_mod.value(r.engagements[b.engagement], b.delivered) for b in burns}
    progress = {b.engagement: objectives.progress(b.engagement, r.engagements[b.engagement]) for b in burns}
    show(tables.engagements(burns, values))
    rated = [p for b in burns for p in progress[b.engagement]]
    if rated:
        show(tables.objectives(rated))


def _funding(lines: "list[Line]", format: Format) -> None:
    """Funding by source and financial year, with what is applied for and awaiting a decision."""
    from stss import funding, tables
    from stss.outputs import without_control
    from stss.render import money

    if emit_rows([line.as_dict() for line in lines], format, funding.COLUMNS):
        return
    show(tables.funding(lines), plain=True)
    waiting = [line for line in lines if line.applied]
    if waiting:
        say("Applied for, awaiting a decision: " + "; ".join(
            f"{without_control(line.source)} {money(line.applied)} ({line.financial_year})" for line in waiting))
    say("delivered = the value of the days delivered in the year (a grant's amount shared over its days "
        "commissioned; traded work at its rate)")
