"""`stss capacity`: the days each person has delivered and has planned, against their capacity."""


from stss.cli.common import (
    FormatOpt,
    RecordsOpt,
    TodayOpt,
    YearOpt,
    command,
    emit_rows,
    open_records,
    pick_year,
    scope_of,
    show,
    today_of,
)


@command()
def capacity(
    records: RecordsOpt = None,
    year: YearOpt = None,
    today: TodayOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Days each person has delivered and has planned, against their capacity."""
    from stss import staffing, tables

    loaded = open_records(records, scope=scope_of(year, today_of(today)))
    year_id = pick_year(loaded, year, today_of(today))
    loads = staffing.loads(loaded.records, year_id)
    columns = ("person", "name", "capacity", "delivered", "planned", "total", "over")
    if emit_rows([load.as_dict() for load in loads], format, columns):
        return
    show(tables.capacity(loads, year_id))
