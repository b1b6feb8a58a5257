"""Rules that relate records to each other, one function per rule.

Each check takes the validated `Records` and returns problems located by file
and key path; none raises and none reads a file. A reference to a record that
exists on disk but failed its own validation is not reported again here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple

from stss import calendar
from stss.errors import Problem, error, unknown_id_hint, warning
from stss.layout import (
    KINDS,
    OFFER_FILE,
    TRUST_FILE,
    event_stem,
    is_suffix,
    kind_of,
    record_path,
    stem_of,
    visit_path,
    visit_stem,
    year_folder,
)
from stss.models import Entitlement, Event, Records, Visit

Check = Callable[[Records, frozenset[str]], Iterable[Problem]]


def _ids(records: Records, broken: frozenset[str], kind: str) -> frozenset[str]:
    """The ids of this kind that exist: valid records, and files that failed their own validation."""
    table = getattr(records, KINDS[kind].field)
    return (frozenset(table) | records.unread.get(kind, frozenset())
            | {ident for k, ident in map(_kind_or_none, broken) if k == kind})


def _kind_or_none(path: str) -> tuple[str | None, str]:
    try:
        return kind_of(path)
    except ValueError:
        return None, path


def visit_references(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Every id a visit names must be a record of that kind, and no one visits their own school."""
    schools, people = list(records.schools), list(records.people)
    # Sets built once: this runs for every visit, and for the staff of each.
    school_ids, person_ids = _ids(records, broken, "school"), _ids(records, broken, "person")
    engagement_ids = _ids(records, broken, "engagement")
    home = {pid: p.home_school for pid, p in records.people.items() if p.home_school}
    for path, v in records.visits.items():
        if v.school not in school_ids:
            yield error(path, ("school",), f"unknown school '{v.school}'", unknown_id_hint(v.school, schools))
        for i, person in enumerate(v.staff):
            if person not in person_ids:
                yield error(path, ("staff", i), f"unknown person '{person}'", unknown_id_hint(person, people))
            elif home.get(person) == v.school:
                yield warning(path, ("staff", i), f"{person} works at {v.school}: a conflict of interest",
                              hint="plan never places a person in their home_school; choose someone else")
        if v.engagement and v.engagement not in engagement_ids:
            yield error(path, ("engagement",), f"unknown engagement '{v.engagement}'",
                        unknown_id_hint(v.engagement, records.engagements))
        elif v.engagement and v.engagement in records.engagements \
                and records.engagements[v.engagement].school != v.school:
            yield error(path, ("engagement",),
                        f"engagement '{v.engagement}' is for {records.engagements[v.engagement].school}, "
                        f"not {v.school}")


def references(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Every id an engagement or a person names must be a record of that kind."""
    schools, people = list(records.schools), list(records.people)
    school_ids, person_ids = _ids(records, broken, "school"), _ids(records, broken, "person")
    for eid, e in records.engagements.items():
        path = record_path("engagement", eid)
        if e.school not in school_ids:
            yield error(path, ("school",), f"unknown school '{e.school}'", unknown_id_hint(e.school, schools))
        for i, person in enumerate(e.staff):
            if person not in person_ids:
                yield error(path, ("staff", i), f"unknown person '{person}'", unknown_id_hint(person, people))
    for pid, p in records.people.items():
        if p.home_school and p.home_school not in school_ids:
            yield error(record_path("person", pid), ("home_school",), f"unknown school '{p.home_school}'",
                        unknown_id_hint(p.home_school, schools))


def visit_activities(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A visit must name an activity in offer.yaml."""
    if records.offer is None:
        return
    known = records.offer.activities
    for path, v in records.visits.items():
        if v.activity not in known:
            yield error(path, ("activity",), f"unknown activity '{v.activity}'", unknown_id_hint(v.activity, known))


def activities(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Entitlements must name activities in offer.yaml, and someone must be able to lead each."""
    if records.offer is None:
        return
    known = records.offer.activities

    def check(path: str, loc: tuple[str | int, ...], activity: str) -> Iterator[Problem]:
        if activity not in known:
            yield error(path, loc, f"unknown activity '{activity}'", unknown_id_hint(activity, known))

    for lid, level in records.offer.levels.items():
        for i, ent in enumerate(level.entitlements):
            yield from check(OFFER_FILE, ("levels", lid, "entitlements", i, "activity"), ent.activity)
    for sid, school in records.schools.items():
        for year, decision in school.support.items():
            for i, ent in enumerate(decision.extra):
                yield from check(record_path("school", sid), ("support", year, "extra", i, "activity"), ent.activity)
            for c, change in enumerate(decision.changes):
                for i, ent in enumerate(change.extra):
                    yield from check(record_path("school", sid),
                                     ("support", year, "changes", c, "extra", i, "activity"), ent.activity)
    roles = {role for person in records.people.values() for role in person.roles}
    for aid, activity in known.items():
        if activity.roles and records.people and not roles & set(activity.roles):
            yield warning(OFFER_FILE, ("activities", aid, "roles"),
                          f"no one has a role that can lead '{aid}' ({', '.join(activity.roles)})",
                          hint="add the role to someone in people/, or planning leaves these visits unstaffed")


def levels(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Support levels named by schools and by `includes` must exist, without cycles."""
    if records.offer is None:
        return
    known = records.offer.levels
    for lid, level in known.items():
        if level.includes and level.includes not in known:
            yield error(OFFER_FILE, ("levels", lid, "includes"), f"unknown level '{level.includes}'",
                        unknown_id_hint(level.includes, known))
    for lid in known:
        seen = [lid]
        nxt = known[lid].includes
        while nxt in known:
            if nxt in seen:
                if nxt == lid:
                    chain = " -> ".join([*seen, nxt])
                    yield error(OFFER_FILE, ("levels", lid, "includes"), f"levels include each other: {chain}")
                break
            seen.append(nxt)
            nxt = known[nxt].includes
    for sid, school in records.schools.items():
        for year, decision in school.support.items():
            if decision.level not in known:
                yield error(record_path("school", sid), ("support", year, "level"),
                            f"unknown level '{decision.level}'", unknown_id_hint(decision.level, known))
            for i, change in enumerate(decision.changes):
                if change.level not in known:
                    yield error(record_path("school", sid), ("support", year, "changes", i, "level"),
                                f"unknown level '{change.level}'", unknown_id_hint(change.level, known))


def support_changes(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A change takes effect within its year, and is decided no earlier than the year's decision."""
    if records.trust is None:
        return
    for sid, school in records.schools.items():
        for year_id, decision in school.support.items():
            year = records.trust.years.get(year_id)
            for i, change in enumerate(decision.changes):
                loc: tuple[str | int, ...] = ("support", year_id, "changes", i)
                if year is not None:
                    first, last = calendar.year_span(year_id, year)
                    if not first <= change.from_ <= last:
                        yield error(record_path("school", sid), (*loc, "from"),
                                    f"the change from {change.from_} is outside {year_id} ({first} to {last})")
                if decision.decided and change.decided and change.decided < decision.decided:
                    yield error(record_path("school", sid), (*loc, "decided"),
                                f"the change was decided ({change.decided}) before the year's decision "
                                f"({decision.decided})", hint="a change is a later decision; check the dates")
                if decision.decided and change.from_ < decision.decided:
                    yield error(record_path("school", sid), (*loc, "from"),
                                f"the change takes effect ({change.from_}) before the year's decision "
                                f"({decision.decided})")


def urns(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A URN identifies one school."""
    first: dict[int, str] = {}
    for sid, school in sorted(records.schools.items()):
        if school.urn is None:
            continue
        if school.urn in first:
            yield error(record_path("school", sid), ("urn",),
                        f"URN {school.urn} is also used by {first[school.urn]}")
        else:
            first[school.urn] = sid


def headteacher_starts(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A headteacher with no start date (as GIAS imports a new one) needs a person to
    say when they started: mentoring for new headteachers depends on it."""
    for sid, school in sorted(records.schools.items()):
        if school.headteacher is not None and school.headteacher.started is None:
            yield warning(record_path("school", sid), ("headteacher",),
                          f"{school.name}: headteacher {school.headteacher.name} has no start date",
                          "add headteacher.started (YYYY-MM-DD): `when: new-headteacher` entitlements count from it")


def visit_dates(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A visit falls in a configured year, in the right folder, on a school day."""
    if records.trust is None:
        return
    trust = records.trust
    years = sorted(trust.years)
    # Tens of thousands of visits fall on a few thousand dates: work out each
    # date's year and school-day status once.
    days: dict[dt.date, tuple[str | None, str | None]] = {}
    suffix = KINDS["visit"].suffix
    for path, v in records.visits.items():
        parts = path.split("/")
        folder = parts[1]
        if v.date not in days:
            found = calendar.year_of(trust, v.date)
            days[v.date] = (found, calendar.why_not_school_day(trust.years[found], v.date) if found else None)
        year_id, why = days[v.date]
        if year_id is None:
            yield error(path, ("date",), f"{v.date} is outside every academic year in trust.yaml",
                        hint=f"configured: {', '.join(years)}" if years else "add the year to trust.yaml")
            continue
        if folder != year_id:
            yield error(path, ("date",), f"a visit on {v.date} belongs in {_folder(year_id)}, not {_folder(folder)}")
        if why and v.counts:
            yield warning(path, ("date",), f"{v.date} is not a school day ({why})")
        expected = visit_stem(v.date, v.school, v.activity)
        if parts[-1] == expected + suffix:  # most are named so: no need to take the name apart
            continue
        stem = stem_of(path)
        if stem != expected and not (stem.startswith(f"{expected}-") and is_suffix(stem[len(expected) + 1:])):
            yield warning(path, (), "the file name does not match the visit's date, school and activity",
                          hint=f"rename it to {visit_path(year_id, expected).rsplit('/', 1)[1]}")


def events(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """An event names known schools, people and activity, falls in its year's
    folder on a school day, and is named `<date>-<activity>[-<suffix>]`."""
    schools, people = list(records.schools), list(records.people)
    school_ids, person_ids = _ids(records, broken, "school"), _ids(records, broken, "person")
    known = records.offer.activities if records.offer else None
    trust = records.trust
    for path, e in records.events.items():
        seen: set[str] = set()
        for i, school in enumerate(e.schools):
            if school not in school_ids:
                yield error(path, ("schools", i), f"unknown school '{school}'", unknown_id_hint(school, schools))
            elif school in seen:
                yield warning(path, ("schools", i), f"'{school}' is listed twice", hint="an event counts once a school")
            seen.add(school)
        if e.host and e.host not in school_ids:
            yield error(path, ("host",), f"unknown school '{e.host}'", unknown_id_hint(e.host, schools))
        for i, person in enumerate(e.staff):
            if person not in person_ids:
                yield error(path, ("staff", i), f"unknown person '{person}'", unknown_id_hint(person, people))
        if known is not None and e.activity not in known:
            yield error(path, ("activity",), f"unknown activity '{e.activity}'", unknown_id_hint(e.activity, known))
        if trust is None:
            continue
        year_id = calendar.year_of(trust, e.date)
        if year_id is None:
            yield error(path, ("date",), f"{e.date} is outside every academic year in trust.yaml",
                        hint=f"configured: {', '.join(sorted(trust.years))}")
            continue
        folder = path.split("/")[1]
        if folder != year_id:
            yield error(path, ("date",), f"an event on {e.date} belongs in {year_folder('event', year_id)}, "
                        f"not {year_folder('event', folder)}")
        why = calendar.why_not_school_day(trust.years[year_id], e.date)
        if why and e.counts:
            yield warning(path, ("date",), f"{e.date} is not a school day ({why})")
        stem, expected = stem_of(path), event_stem(e.date, e.activity)
        if stem != expected and not stem.startswith(f"{expected}-"):
            yield warning(path, (), "the file name does not match the event's date and activity",
                          hint=f"rename it to {expected}.md (or {expected}-<suffix>.md)")


#: Two completed visits of one activity at one school less than this far apart may be one visit logged twice.
DUPLICATE_WITHIN = dt.timedelta(days=7)


class Mark(NamedTuple):
    """What the checks across visits (`visit_identity`, `duplicate_visits`) need of one
    visit: a validate keeps these by folder (`loader.check_all`), and checks ten years of
    visits against each other without building their models."""

    path: str
    uid: str | None
    school: str
    activity: str
    date: dt.date
    completed: bool


def marks(visits: Mapping[str, Visit]) -> list[Mark]:
    """The marks of the visits that have something to compare: a uid, or a completed visit."""
    return [Mark(path, v.uid, v.school, v.activity, v.date, v.status == "completed")
            for path, v in visits.items() if v.uid is not None or v.status == "completed"]


def across_visits(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """The checks that compare visits with each other, over `records`' visits."""
    found = marks(records.visits)
    yield from visit_identity(found, records.events)
    yield from duplicate_visits(found)


def visit_identity(visits: Iterable[Mark], events: Mapping[str, Event]) -> Iterator[Problem]:
    """No two visits or events share a uid (a copied file would share its calendar event)."""
    first: dict[str, str] = {}
    owned = sorted([(m.path, m.uid) for m in visits if m.uid is not None]
                   + [(path, e.uid) for path, e in events.items()])
    for path, uid in owned:
        if uid is None:
            continue
        if uid in first:
            yield error(path, ("uid",), f"uid {uid} is also the uid of {first[uid]}",
                        hint="a copied visit? give this one a uid of its own, or remove its uid line")
        else:
            first[uid] = path


def duplicate_visits(visits: Iterable[Mark]) -> Iterator[Problem]:
    """A second completed visit of the same activity at the same school within a week
    is probably the same visit logged twice (say, on two branches since merged)."""
    done: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for m in visits:
        if m.completed:
            done.setdefault((m.school, m.activity), []).append((m.date, m.path))
    for (_, activity), found in done.items():
        found.sort()
        for (day, path), (later, other) in itertools.pairwise(found):
            if later - day < DUPLICATE_WITHIN:
                yield warning(other, ("date",), f"possible duplicate: a completed {activity} at this school "
                              f"on {day} too ({path.rsplit('/', 1)[-1]})",
                              hint="if they are one visit, keep one file (copy its notes and actions "
                                   "across); if two, nothing needs doing")


def closed_actions(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """An action is done on or after the visit that agreed it."""
    for path, v in records.visits.items():
        for i, action in enumerate(v.actions):
            if action.done is not None and action.done < v.date:
                yield warning(path, ("actions", i, "done"),
                              f"done on {action.done}, before the visit that agreed it ({v.date})",
                              hint="check the date")


def support_years(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A member school needs a support level for every configured year it is a member in."""
    if records.trust is None:
        return
    for sid, school in records.schools.items():
        if school.membership != "academy":
            continue
        for year_id, year in sorted(records.trust.years.items()):
            if school.joined and school.joined > calendar.year_span(year_id, year)[1]:
                continue
            if year_id not in school.support:
                yield warning(record_path("school", sid), ("support",), f"no support level for {year_id}",
                              hint=f"add support: {{{year_id}: {{level: ...}}}}")


def spans(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Partnerships and engagements end after they start."""
    for sid, school in records.schools.items():
        p = school.partnership
        if p and p.end < p.start:
            yield error(record_path("school", sid), ("partnership", "end"),
                        f"the partnership ends ({p.end}) before it starts ({p.start})")
        if school.membership == "partnership" and p is None:
            yield warning(record_path("school", sid), ("membership",),
                          "a partnership school should say when the partnership runs",
                          hint="add partnership: {start: ..., end: ...}")
    for eid, e in records.engagements.items():
        if e.end and e.end < e.start:
            yield error(record_path("engagement", eid), ("end",), f"the engagement ends ({e.end}) before it starts ({e.start})")


def objectives(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """An objective's id names one objective of its engagement; reviews fall within it, oldest first."""
    for eid, e in records.engagements.items():
        path = record_path("engagement", eid)
        seen: set[str] = set()
        for i, objective in enumerate(e.objectives):
            if objective.id is not None:
                if objective.id in seen:
                    yield error(path, ("objectives", i, "id"), f"objective '{objective.id}' is listed twice",
                                hint="give each objective of an engagement its own id")
                seen.add(objective.id)
            previous = None
            for r, review in enumerate(objective.reviews):
                loc = ("objectives", i, "reviews", r, "date")
                if review.date < e.start:
                    yield error(path, loc, f"the review of {review.date} is before the engagement starts ({e.start})")
                elif previous is not None and review.date < previous:
                    yield warning(path, loc, f"the review of {review.date} is listed after a later one ({previous})",
                                  hint="list reviews oldest first")
                previous = review.date if previous is None else max(previous, review.date)


def end_reports(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A completed engagement has its end-of-deployment report, written no earlier than it started."""
    for eid, e in records.engagements.items():
        path = record_path("engagement", eid)
        if e.status == "completed" and e.end_report is None:
            yield error(path, ("status",), "a completed engagement needs an end_report",
                        hint="add end_report: {date: ..., outcome: ..., recommendation: "
                             "trust-partnership | further-support | none}")
        if e.end_report is not None and e.end_report.date < e.start:
            yield error(path, ("end_report", "date"),
                        f"the end report ({e.end_report.date}) is dated before the engagement starts ({e.start})")


def grants(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Traded work is valued by its rate, funded work by its grants: not both at once."""
    for eid, e in records.engagements.items():
        if e.rate is not None and any(g.status == "awarded" for g in e.funding):
            yield warning(record_path("engagement", eid), ("rate",),
                          "this engagement has a rate and awarded funding: funding totals count both",
                          hint="a rate values traded work; record grants only for funded work")
        for i, grant in enumerate(e.funding):
            if grant.awarded is not None and grant.status != "awarded":
                yield warning(record_path("engagement", eid), ("funding", i, "awarded"),
                              f"a grant with status {grant.status} has an awarded date",
                              hint="set status: awarded, or remove the date")


def term_dates(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """Terms run in order within a year, and years do not overlap."""
    if records.trust is None:
        return
    previous: tuple[str, dt.date] | None = None
    for year_id, year in sorted(records.trust.years.items()):
        if year.autumn.start.year != int(year_id[:4]):
            yield error(TRUST_FILE, ("years", year_id, "autumn", "start"),
                        f"{year_id} should start in {year_id[:4]}, not {year.autumn.start.year}")
        terms = list(calendar.terms(year).items())
        for (name_a, a), (name_b, b) in itertools.pairwise(terms):
            if b.start <= a.end:
                yield error(TRUST_FILE, ("years", year_id, name_b, "start"),
                            f"{year_id} {name_b} starts ({b.start}) before {name_a} ends ({a.end})")
        if previous and year.autumn.start <= previous[1]:
            yield error(TRUST_FILE, ("years", year_id, "autumn", "start"),
                        f"{year_id} starts before {previous[0]} ends ({previous[1]})")
        previous = (year_id, year.summer.end)
        for i, day in enumerate(year.closures):
            if not any(t.start <= day <= t.end for _, t in terms):
                yield warning(TRUST_FILE, ("years", year_id, "closures", i), f"closure {day} is not in term time")


def entitlement_lines(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """The same activity twice for the same period in one level is almost always a slip."""
    if records.offer is None:
        return
    for lid, level in records.offer.levels.items():
        yield from _repeats(level.entitlements, OFFER_FILE, ("levels", lid, "entitlements"))


def _repeats(lines: list[Entitlement], path: str, loc: tuple[str | int, ...]) -> Iterator[Problem]:
    seen: dict[tuple[str, str, str | None], int] = {}
    for i, ent in enumerate(lines):
        key = (ent.activity, ent.per, ent.when)
        if key in seen:
            yield warning(path, (*loc, i), f"'{ent.activity}' per {ent.per} is listed twice (lines add up)",
                          hint="write one line with the total count")
        seen[key] = i


def school_requests(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A request names a known school, people and engagement; a closed one says when and how."""
    school_ids, person_ids = _ids(records, broken, "school"), _ids(records, broken, "person")
    engagement_ids = _ids(records, broken, "engagement")
    for rid, r in sorted(records.requests.items()):
        path = record_path("request", rid)
        if r.school not in school_ids:
            yield error(path, ("school",), f"unknown school '{r.school}'", unknown_id_hint(r.school, records.schools))
        for i, person in enumerate(r.assigned):
            if person not in person_ids:
                yield error(path, ("assigned", i), f"unknown person '{person}'", unknown_id_hint(person, records.people))
        if r.engagement and r.engagement not in engagement_ids:
            yield error(path, ("engagement",), f"unknown engagement '{r.engagement}'",
                        unknown_id_hint(r.engagement, records.engagements))
        elif r.engagement and r.engagement in records.engagements \
                and records.engagements[r.engagement].school != r.school:
            yield error(path, ("engagement",),
                        f"engagement '{r.engagement}' is for {records.engagements[r.engagement].school}, not {r.school}")
        if r.closed and r.resolved is None:
            yield error(path, ("status",), f"a {r.status} request needs the date it was closed",
                        hint="add resolved: YYYY-MM-DD (stss update-request writes it)")
        if r.closed and not (r.outcome or "").strip():
            what = "what was done" if r.status == "resolved" else "why it was declined"
            yield error(path, ("status",), f"a {r.status} request needs an outcome", hint=f"add outcome: {what}")
        if not r.closed and r.resolved is not None:
            yield warning(path, ("resolved",), f"a request still {r.status} has a resolved date",
                          hint="set status: resolved or declined, or remove resolved")
        for key, day in (("resolved", r.resolved), ("respond_by", r.respond_by)):
            if day is not None and day < r.raised:
                yield error(path, (key,), f"{key} ({day}) is before the request was raised ({r.raised})")


def visit_reviews(records: Records, broken: frozenset[str]) -> Iterator[Problem]:
    """A school answers a shared report after it was shared, and an answer has a response."""
    for path, v in records.visits.items():
        r = v.review
        if r is None:
            continue
        if r.responded is not None and r.responded < r.shared:
            yield error(path, ("review", "responded"),
                        f"the answer ({r.responded}) came before the report was shared ({r.shared})")
        if r.responded is not None and r.response is None:
            yield error(path, ("review", "responded"), "an answer date with no response",
                        hint="add review.response: accurate or inaccurate, or remove responded")
        if r.response == "inaccurate" and not (r.comment or "").strip():
            yield warning(path, ("review", "response"), "an inaccurate report with no comment",
                          hint="add review.comment: what the school says is wrong")
        if r.shared < v.date:
            yield error(path, ("review", "shared"), f"the report was shared ({r.shared}) before the visit ({v.date})")


#: The checks of each visit on its own against the other kinds of record: a visit's
#: problems from these depend on that visit and on no other (tests/test_checks.py runs
#: each visit alone and over all to show it), so they can be kept for a folder of visits
#: until one of its files or a record of another kind changes.
VISIT_CHECKS: tuple[Check, ...] = (visit_references, visit_activities, visit_dates, closed_actions, visit_reviews)
#: The checks that read no visit.
RECORD_CHECKS: tuple[Check, ...] = (
    references, activities, levels, support_changes, urns, events, support_years, spans, term_dates,
    entitlement_lines, headteacher_starts, objectives, end_reports, grants, school_requests,
)
CHECKS: tuple[Check, ...] = (*RECORD_CHECKS, *VISIT_CHECKS, across_visits)


def run(records: Records, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Every cross-record problem, from every check."""
    return [problem for check in CHECKS for problem in check(records, broken)]


def run_on_visits(records: Records, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """The problems of `records`' visits each on its own (`VISIT_CHECKS`)."""
    return [problem for check in VISIT_CHECKS for problem in check(records, broken)]


def run_on_others(records: Records, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """The problems of every record but the visits (`RECORD_CHECKS`)."""
    return [problem for check in RECORD_CHECKS for problem in check(records, broken)]


def _folder(year_id: str) -> str:
    return year_folder("visit", year_id)
