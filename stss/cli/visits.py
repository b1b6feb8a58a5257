"""Recording what happened: `stss log-visit`, `stss close-action`, `stss log-event` and `stss edit-support`.

Each builds the new text of the files they change, check it with the rest of
the records (`stss.changes`), write atomically, and with `--commit` commit
exactly those files.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from stss.cli import ask
from stss.cli.common import (
    RecordsOpt,
    TodayOpt,
    YearOpt,
    check_id,
    check_record,
    console,
    open_records,
    pick_year,
    scope_of,
    today_of,
    visit_days,
)

if TYPE_CHECKING:
    from stss import visits
    from stss.changes import Change
    from stss.layout import Scope
    from stss.loader import Loaded

CommitOpt = Annotated[bool, typer.Option("--commit", help="Commit exactly the files written (refused if other changes are staged).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Write even if the change brings warnings (such as a date that is not a school day).")]


def log_visit(
    school: Annotated[str | None, typer.Option("--school", metavar='ID', help="The school's id (asked for at a terminal).", show_default=False)] = None,
    activity: Annotated[str | None, typer.Option("--activity", metavar='ID', help="The activity's id from offer.yaml (asked for at a terminal).", show_default=False)] = None,
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar='DATE', formats=["%Y-%m-%d"], show_default=False,
        help="The day of the visit. Default: the planned visit's own date (for a completed visit, "
             "once that date has come), else today.")] = None,
    staff: Annotated[list[str] | None, typer.Option("--staff", metavar='ID', help="Who led it (person ids; repeat, or separate with commas). Replaces a planned visit's staff.", show_default=False)] = None,
    days: Annotated[float | None, typer.Option("--days", metavar='N', callback=visit_days, help="Days it took, if not the activity's usual days.", show_default=False)] = None,
    focus: Annotated[list[str] | None, typer.Option("--focus", metavar='TAG', help="Focus tags (repeat, or separate with commas).", show_default=False)] = None,
    engagement: Annotated[str | None, typer.Option("--engagement", metavar='ID', help="The engagement (of this school) it was part of.", show_default=False)] = None,
    notes: Annotated[str | None, typer.Option(
        "--notes", metavar='FILE|-', show_default=False,
        help="A markdown file of notes, or - to read them from stdin. Notes are added below what the "
             "file already says (a planned visit's purpose is kept). Without --notes, at a terminal, "
             "$EDITOR opens the notes template for the activity (templates/notes/<activity>.md, else "
             "Summary / Strengths / Next steps).")] = None,
    action: Annotated[list[str] | None, typer.Option("--action", metavar='"TEXT;OWNER;DUE"', help='An agreed action, "text;owner;due" (due YYYY-MM-DD, may be left out). Repeat for more; added to any already there.', show_default=False)] = None,
    status: Annotated[Literal["completed", "cancelled", "postponed"], typer.Option("--status", help="What happened.")] = "completed",
    reason: Annotated[str | None, typer.Option("--reason", metavar='TEXT', help="Why it was cancelled or postponed (needed for those).", show_default=False)] = None,
    new_date: Annotated[dt.datetime | None, typer.Option("--new-date", metavar='DATE', formats=["%Y-%m-%d"], help="For a postponed visit: its new date, where a planned visit is left.", show_default=False)] = None,
    confidential: Annotated[bool, typer.Option("--confidential", help="Keep the notes out of reports.")] = False,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a visit: completed, cancelled or postponed.

    A planned visit for the same school and activity in the same period (the
    entitlement's half-term or term, else the term, else the year; the
    nearest in date) is updated in place, keeping its comments and notes;
    otherwise a new file is written under visits/<year>/. A postponed visit
    leaves a planned one on --new-date. Nothing is written unless the records
    still validate.
    """
    from dataclasses import replace

    from stss import changes, identity, store, visits

    day = today_of(today)
    # Only what the visit touches: its school's visits in the year of its date
    # (and of --new-date), with every id and rule they are checked against.
    dates = tuple(d.date() for d in (date, new_date) if d is not None) or (day,)
    loaded = _open(records, scope_of(days=dates, school=school))
    r = loaded.records
    school = ask.required(school, "--school", lambda: ask.choose("school", sorted(r.school_ids)))
    check_record(loaded, "school", school)
    known_activities = list(r.offer.activities) if r.offer else []
    activity = ask.required(activity, "--activity", lambda: ask.choose("activity", known_activities))
    check_id("activity", activity, known_activities)
    if status != "completed" and reason is None and ask.is_terminal():
        reason = ask.line(f"Why was it {status}")
    if status == "postponed" and new_date is None and ask.is_terminal():
        new_date = dt.datetime.combine(_ask_date("New date (YYYY-MM-DD)"), dt.time())
    log = visits.Log(
        school=school, activity=activity, status=status, date=date.date() if date else None,
        staff=_ids(staff), days=days, focus=_ids(focus), engagement=engagement,
        actions=tuple(visits.parse_action(text) for text in action or ()), reason=reason,
        new_date=new_date.date() if new_date else None, confidential=confidential,
    )
    for person in log.staff or ():
        check_record(loaded, "person", person)
    check_record(loaded, "engagement", engagement)
    match = visits.find_target(r, log, day)
    on = visits.date_of(log, match[1] if match else None, day)
    visits.check(r, log, on, day)
    broken = visits.broken_visits(r, loaded.problems, log, on)
    if broken:
        from stss.errors import RecordsInvalid

        raise RecordsInvalid(broken, f"refused: {len({p.path for p in broken})} visit file(s) of {school} for "
                             f"{activity} have errors, and one may be this visit; fix them first (nothing was "
                             "written)", root=loaded.root)
    _ready(loaded, commit)
    if notes is not None:
        log = replace(log, notes=_read_notes(notes))
    planned = (match[0], store.read_text(loaded.root, match[0])) if match else None
    taken = _taken(loaded, log, day, school)
    uids = (identity.fresh(), identity.fresh())  # a new visit, and the one a postponement leaves
    outcome = visits.build(r, log, day, planned, taken, iter(uids).__next__)
    if notes is None and status == "completed" and ask.is_terminal():
        changes.verify(loaded, outcome.changes, force=force)  # refuse before the notes are typed, not after
        log = replace(log, notes=_edited_notes(loaded, activity))
        outcome = visits.build(r, log, day, planned, taken, iter(uids).__next__)
    out = console()
    if planned is not None and [c.text for c in outcome.changes] == [planned[1]] and not outcome.moved_from:
        out.print(f"Nothing to add: {outcome.path} already says this.", soft_wrap=True, markup=False)
        if commit:
            _commit_if_uncommitted(loaded, outcome.path, outcome.message)
        return
    written = _write(loaded, outcome.changes, outcome.message, force=force, commit=commit)
    what = {"completed": "Logged", "cancelled": "Cancelled", "postponed": "Postponed"}[status]
    out.print(f"{what} {outcome.message.split(' ', 1)[1]}: {outcome.path} ({outcome.how})",
              soft_wrap=True, markup=False)
    if outcome.rebooked:
        out.print(f"Planned again on {log.new_date}: {outcome.rebooked}", soft_wrap=True, markup=False)
    if written:
        out.print(f"Committed {written}: {outcome.message}", soft_wrap=True, markup=False)


def edit_support(
    school: Annotated[str, typer.Argument(help="The school's id.", show_default=False)],
    level: Annotated[str | None, typer.Option("--level", metavar='ID', help="The support level from offer.yaml (asked for at a terminal).", show_default=False)] = None,
    rationale: Annotated[str | None, typer.Option("--rationale", metavar='TEXT', help="Why this level (asked for at a terminal).", show_default=False)] = None,
    decided: Annotated[dt.datetime | None, typer.Option("--decided", metavar='DATE', formats=["%Y-%m-%d"], help="When it was decided (default: today).", show_default=False)] = None,
    from_: Annotated[dt.datetime | None, typer.Option(
        "--from", metavar='DATE', formats=["%Y-%m-%d"], show_default=False,
        help="A mid-year change: the level is in force from this date (within the year, not before "
             "the year's decision). Without it, the year's level is set.")] = None,
    year: YearOpt = None,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a school's support level for a year in its file, keeping its comments and layout.

    With --from, a change within the year: added to the year's `changes`
    (usage, plan and reports follow the level in force on each day).
    """
    from stss import calendar, store, support
    from stss.layout import Scope, record_path

    # A support decision is checked against the schools, offer and trust: no visit has a rule about it.
    loaded = _open(records, Scope(years=frozenset()))
    r = loaded.records
    day = today_of(today)
    check_record(loaded, "school", school)
    since = from_.date() if from_ else None
    trust = r.trust
    in_year = calendar.year_of(trust, since) if since and trust and year is None else None
    year_id = in_year or pick_year(loaded, year, day)
    levels = list(r.offer.levels) if r.offer else []
    level = ask.required(level, "--level", lambda: ask.choose("level", levels))
    check_id("level", level, levels)
    rationale = ask.required(rationale, "--rationale", lambda: ask.line("Rationale"))
    if not rationale.strip():
        from stss.errors import UsageError

        raise UsageError("--rationale is empty", "say in a sentence why this level was chosen")
    _ready(loaded, commit)
    text = store.read_text(loaded.root, record_path("school", school))
    when = decided.date() if decided else day
    change = (support.change(school, text, year_id, level, rationale, when, since) if since
              else support.decide(school, text, year_id, level, rationale, when))
    message = support.commit_message(r, school, year_id, level, since)
    if change.text == text:
        console().print(f"Nothing to change: {change.path} already says this.", soft_wrap=True, markup=False)
        return
    written = _write(loaded, (change,), message, force=force, commit=commit)
    what = f"{level} from {since}" if since else level
    console().print(f"Recorded {year_id} support for {r.schools[school].name}: {what} ({change.path})", soft_wrap=True, markup=False)
    if written:
        console().print(f"Committed {written}: {message}", soft_wrap=True, markup=False)


def log_event(
    activity: Annotated[str | None, typer.Option("--activity", metavar='ID', help="The activity's id from offer.yaml (asked for at a terminal).", show_default=False)] = None,
    school: Annotated[list[str] | None, typer.Option("--school", metavar='ID', help="A school that took part (repeat, or separate with commas). Replaces a planned event's schools.", show_default=False)] = None,
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar='DATE', formats=["%Y-%m-%d"], show_default=False,
        help="The day of the event. Default: the planned event's own date (for a completed event, "
             "once that date has come), else today.")] = None,
    staff: Annotated[list[str] | None, typer.Option("--staff", metavar='ID', help="Who led it (person ids; repeat, or separate with commas).", show_default=False)] = None,
    host: Annotated[str | None, typer.Option("--host", metavar='ID', help="The school that hosted it.", show_default=False)] = None,
    status: Annotated[Literal["completed", "planned", "cancelled"], typer.Option("--status", help="What happened (or, for planned, what is to come).")] = "completed",
    notes: Annotated[str | None, typer.Option("--notes", metavar='FILE|-', help="A markdown file of notes, or - for stdin; added below what the file already says.", show_default=False)] = None,
    force: ForceOpt = False,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record a trust-wide event (a network meeting, governor training) that several schools attend.

    A planned event of the same activity in the same term (the nearest in
    date) is updated in place, keeping its comments and notes; otherwise a
    new file is written under events/<year>/. It counts once against the
    entitlement of each school that took part. Nothing is written unless the
    records still validate.
    """
    from stss import events, store

    loaded = _open(records)
    r = loaded.records
    day = today_of(today)
    known_activities = list(r.offer.activities) if r.offer else []
    activity = ask.required(activity, "--activity", lambda: ask.choose("activity", known_activities))
    check_id("activity", activity, known_activities)
    log = events.EventLog(activity=activity, status=status, date=date.date() if date else None,
                          schools=_ids(school), staff=_ids(staff), host=host)
    for kind, idents in (("school", log.schools), ("person", log.staff), ("school", (host,) if host else ())):
        for ident in idents or ():
            check_record(loaded, kind, ident)
    match = events.find_planned(r, activity, log.date or day)
    events.check(r, log, events.date_of(log, match[1] if match else None, day), day, match[1] if match else None)
    _ready(loaded, commit)
    if notes is not None:
        from dataclasses import replace

        log = replace(log, notes=_read_notes(notes))
    planned = (match[0], store.read_text(loaded.root, match[0])) if match else None
    taken = {f.path for f in store.list_files(loaded.root)[0]}
    outcome = events.build(r, log, day, planned, taken)
    written = _write(loaded, outcome.changes, outcome.message, force=force, commit=commit)
    how = "updated the planned event" if outcome.updated else "new file"
    console().print(f"{outcome.message}: {outcome.path} ({how})", soft_wrap=True, markup=False)
    if written:
        console().print(f"Committed {written}: {outcome.message}", soft_wrap=True, markup=False)


def close_action(
    school: Annotated[str, typer.Option("--school", metavar="ID", help="The school's id.", show_default=False)],
    match: Annotated[str, typer.Option(
        "--match", metavar="TEXT", show_default=False,
        help="Words from the action's text (any case). They must pick out one open action at the school; "
             "if several hold them, they are listed and nothing is written.")],
    date: Annotated[dt.datetime | None, typer.Option(
        "--date", metavar="DATE", formats=["%Y-%m-%d"], show_default=False,
        help="The day it was done (default: today).")] = None,
    commit: CommitOpt = False,
    records: RecordsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Mark an action agreed at a visit as done.

    Sets the action's `status: done` and `done: DATE` in its visit file, in
    place, keeping every other line (comments included) as it was.
    """
    from stss import actions, store
    from stss.changes import Change
    from stss.errors import UsageError

    loaded = _open(records)
    r = loaded.records
    day = today_of(today)
    check_id("school", school, r.schools)
    agreed = actions.choose(r, school, match)
    when = date.date() if date else day
    if when > day:
        raise UsageError(f"an action cannot be done after today ({when} is after {day})")
    if when < agreed.visit_date:
        raise UsageError(f"{when} is before the visit that agreed the action ({agreed.visit_date})",
                         "check --date")
    _ready(loaded, commit)
    change = Change(agreed.visit, actions.close(store.read_text(loaded.root, agreed.visit), agreed, when))
    message = f"Close action at {r.schools[school].name}: {agreed.text}"
    written = _write(loaded, (change,), message, force=False, commit=commit)
    console().print(f"Closed \"{agreed.text}\" (done {when}): {agreed.visit}", soft_wrap=True, markup=False)
    if written:
        console().print(f"Committed {written}: {message}", soft_wrap=True, markup=False)


# --- shared steps ----------------------------------------------------------------------


def _open(records: Path | None, scope: Scope | None = None) -> Loaded:
    """The records (those `scope` reads), even with errors elsewhere: a change
    is judged by the problems it brings."""
    loaded = open_records(records, strict=False, write=True, scope=scope)
    if loaded.records.trust is None or loaded.records.offer is None:
        from stss.errors import RecordsInvalid
        from stss.layout import OFFER_FILE, TRUST_FILE

        errors = [p for p in loaded.problems if p.is_error and p.path in (TRUST_FILE, OFFER_FILE)]
        raise RecordsInvalid(errors, "trust.yaml and offer.yaml must validate before anything is recorded")
    return loaded


def _taken(loaded: Loaded, log: visits.Log, day: dt.date, school: str) -> set[str]:
    """The visit file names a new visit of `school` could collide with: those of
    the school in the years of the visit's date and its new date (read already,
    unless those years were only known once the date was asked for)."""
    from stss import loader, store

    dates = tuple(d for d in (log.date or day, log.new_date) if d is not None)
    scope = loader.resolve(loaded.root, scope_of(days=dates, school=school))
    if loaded.scope.years is not None and scope.years is not None and scope.years <= loaded.scope.years:
        return set(loaded.paths)
    return {f.path for f in store.list_files(loaded.root, scope)[0]}


def _ready(loaded: Loaded, commit: bool) -> None:
    """With --commit, stop before anything is asked or written if git could not commit it."""
    if commit:
        from stss import git

        git.ready_to_commit(loaded.root)


def _write(loaded: Loaded, changes: tuple[Change, ...], message: str, *, force: bool, commit: bool) -> str | None:
    """Validate and write; with `commit`, commit exactly the files touched."""
    from stss import changes as changes_mod
    from stss import git

    touched = changes_mod.apply(loaded, changes, force=force)
    if not commit:
        return None
    known = git.tracked(loaded.root, touched)
    files = [p for p in touched if (loaded.root / p).exists() or p in known]
    return _commit(loaded, files, message)


def _commit(loaded: Loaded, files: list[str], message: str) -> str:
    """Commit `files`, saying plainly, if git fails now, that they are written but not committed."""
    from stss import git
    from stss.errors import GitError

    try:
        return git.commit_files(loaded.root, files, message)
    except GitError as exc:
        raise GitError(f"{', '.join(files)} written, but not committed: {exc.message}",
                       hint="commit them with git, or run the same command again with --commit "
                            "(it adds nothing twice)") from None


def _commit_if_uncommitted(loaded: Loaded, path: str, message: str) -> None:
    """A rerun after a failed commit: commit what the first run wrote, if it is still uncommitted."""
    from stss import git

    if path in git.uncommitted(loaded.root, [path]):
        console().print(f"Committed {_commit(loaded, [path], message)}: {message}", soft_wrap=True, markup=False)


def _say_written(done: str, written: str | None, message: str) -> None:
    """What a writing command did, and the commit it made with --commit."""
    console().print(done, soft_wrap=True, markup=False)
    if written:
        console().print(f"Committed {written}: {message}", soft_wrap=True, markup=False)


def _ids(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _read_notes(notes: str) -> str:
    """Notes from --notes FILE, or from stdin for '-'."""
    from stss.errors import UsageError

    if notes == "-":
        return sys.stdin.read()
    try:
        return Path(notes).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --notes {notes}: {getattr(exc, 'strerror', None) or exc}") from None


def _edited_notes(loaded: Loaded, activity: str) -> str | None:
    """Notes typed in the editor, from the activity's template; None if left as it was."""
    from stss import store, visits
    from stss.errors import StoreError

    try:
        own = store.read_text(loaded.root, f"templates/notes/{activity}.md")
    except (OSError, UnicodeDecodeError, StoreError):
        own = None
    template = visits.notes_template(own)
    written = ask.edit(template)
    return None if written.strip() == template.strip() else written


def _ask_date(prompt: str) -> dt.date:
    while True:
        answer = ask.line(prompt)
        try:
            return dt.date.fromisoformat(answer)
        except ValueError:
            print(f"  '{answer}' is not a date; write it as YYYY-MM-DD", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.command("log-visit")(log_visit)
    app.command("close-action")(close_action)
    app.command("edit-support")(edit_support)
    app.command("log-event")(log_event)
