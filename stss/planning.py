"""Year planning: turn what schools are still owed into dated, staffed visits.

Owns the placement rules of `stss plan`, and nothing that touches the disk:
`plan(records, year, start, seed)` returns the visits to create and the gaps
it could not fill; `render` gives a new visit file's text, which the CLI
checks with `stss.changes.check` (every new file with all the records) before
writing any of them through `stss.store`.
File names come from `stss.layout.unique_visit_path`, shared with `log-visit`;
each new visit's `uid` is computed from the visit itself (`stss.identity.planned`),
so the same plan made on two branches writes the same files, byte for byte.

The rules, each in one place:
- what is owed comes from `stss.usage`: a row's `remaining` (overdue planned
  visits already count as cover) in every period with a school day left on or
  after `start`; earlier periods get nothing new;
- visits go on school days (`calendar.school_days`) from `start`, never two
  for one school or one person on the same day, existing visits included;
- a period's occurrences are spread evenly through it; a year's are spread
  over the half-terms left (2 a year: different terms, 3: one a term, 6: one
  a half-term), avoiding half-terms the school already has that activity in;
- new-headteacher activities go only on days from the head's start;
- staff: never a person whose `home_school` is the school (conflict of
  interest); someone whose roles include one of the activity's roles (anyone if
  it names none), preferring whoever last served the school before the
  visit's target day (existing and newly planned visits alike), then
  the least loaded against `capacity_days`. Capacity is a hard limit: when
  no one with the role has the days left and a free day in the window, the
  visit is planned without staff and reported, for people to decide.

Deterministic: the same records, year, start and seed give the same plan
(string-seeded `random.Random` per entitlement row, sorted iteration).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from fractions import Fraction

from stss import calendar, identity, staffing
from stss.calendar import Period
from stss.entitlements import head_window, segments, start_of_cover
from stss.layout import unique_event_path, year_folder
from stss.layout import unique_visit_path as unique_path
from stss.models import Records, School, Visit
from stss.usage import counted, usage

_PER_RANK = {"half-term": 0, "term": 1, "year": 2}
_PLAIN = re.compile(r"[a-z][a-z0-9-]*")
_RESERVED = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


@dataclass(frozen=True, order=True)
class PlannedVisit:
    """A visit to create. `staff` is empty when no one could take it."""

    date: dt.date
    school: str
    activity: str
    period: str  # the usage period it fills, e.g. "2026-27/spring"
    staff: tuple[str, ...]
    path: str  # visits/<year>/<date>-<school>-<activity>-<uid>.md
    days: float | None = None  # set when not the activity's days (the last of an engagement's days)
    engagement: str | None = None
    uid: str = ""


@dataclass(frozen=True, order=True)
class PlannedEvent:
    """A trust-wide event to create, for every school owed the activity in the period."""

    date: dt.date
    activity: str
    period: str
    schools: tuple[str, ...]
    staff: tuple[str, ...]
    path: str  # events/<year>/<date>-<activity>[-<n>].md
    uid: str = ""


#: What a gap for an event names instead of one school.
TRUST_WIDE = "trust-wide"


@dataclass(frozen=True, order=True)
class Gap:
    """An owed occurrence the plan could not fully meet: planned without
    staff (`date` set), or not placed at all (`date` None)."""

    school: str
    activity: str
    period: str
    date: dt.date | None
    reason: str


@dataclass(frozen=True)
class Plan:
    year: str
    start: dt.date
    seed: int
    visits: tuple[PlannedVisit, ...]
    gaps: tuple[Gap, ...]
    events: tuple[PlannedEvent, ...] = ()

    @property
    def unstaffed(self) -> list[Gap]:
        return [g for g in self.gaps if g.date is not None]

    @property
    def unplaced(self) -> list[Gap]:
        return [g for g in self.gaps if g.date is None]


@dataclass
class _Occurrence:
    school: str
    activity: str
    period: Period
    zones: tuple[list[dt.date], list[dt.date]]  # preferred days, then the rest of the window
    days: float | None = None  # the visit's days, when not the activity's
    engagement: str | None = None
    staff: tuple[str, ...] = ()  # only these people (an engagement's staff); empty: by role
    schools: tuple[str, ...] = ()  # for an event: every school taking part


class _Book:
    """Who is busy when, loads, and who served each school most recently."""

    def __init__(self, records: Records, year_id: str, rng: random.Random) -> None:
        self.records = records
        self.school_days: dict[str, set[dt.date]] = defaultdict(set)
        self.person_days: dict[str, set[dt.date]] = defaultdict(set)
        self.served: dict[str, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
        for v in records.visits.values():
            if not v.counts:
                continue
            self.school_days[v.school].add(v.date)
            for person in v.staff:
                self.person_days[person].add(v.date)
                self.served[v.school][person].append(v.date)
        for e in records.events.values():
            if e.counts:
                for school in e.schools:
                    self.school_days[school].add(e.date)
                for person in e.staff:
                    self.person_days[person].add(e.date)
        self.load = staffing.planned_days_by_person(records, year_id)
        order = sorted(records.people)
        rng.shuffle(order)  # a fixed, seeded tie-break between equally loaded people
        self.priority = {person: i for i, person in enumerate(order)}

    def ranked(self, school: str, roles: Iterable[str], before: dt.date,
               only: Collection[str] = ()) -> list[str]:
        """People who can lead it (`only` these, when given; else by role): whoever
        served the school last before `before` first, then the least loaded against capacity."""
        wanted = set(roles)
        people = self.records.people
        # Conflict of interest: no one is planned into their own school.
        able = [p for p in people if (p in only if only else not wanted or wanted & set(people[p].roles))
                and people[p].home_school != school]
        served = self.served.get(school, {})

        def key(p: str) -> tuple[int, int, int, float, int]:
            earlier = [d for d in served.get(p, ()) if d < before]
            recency = -max(earlier).toordinal() if earlier else 0
            return (0 if earlier else 1, recency, -len(earlier),
                    self.load.get(p, 0.0) / people[p].capacity_days, self.priority[p])

        return sorted(able, key=key)

    def fits(self, person: str, days: float) -> bool:
        return self.load.get(person, 0.0) + days <= self.records.people[person].capacity_days + 1e-9

    def book(self, schools: Iterable[str], day: dt.date, person: str | None, days: float) -> None:
        for school in schools:
            self.school_days[school].add(day)
            if person is not None:
                self.served[school][person].append(day)
        if person is not None:
            self.person_days[person].add(day)
            self.load[person] = self.load.get(person, 0.0) + days


def plan(records: Records, year_id: str, start: dt.date, seed: int = 0,
         schools: Collection[str] | None = None) -> Plan:
    """The visits that would meet every remaining entitlement in `year_id` from `start`."""
    trust, offer = records.trust, records.offer
    if trust is None or offer is None or year_id not in trust.years:
        return Plan(year_id, start, seed, (), ())
    year = trust.years[year_id]
    first, last = calendar.year_span(year_id, year)
    days = calendar.school_days(year, max(start, first), last)
    half_terms = calendar.periods(year_id, year, "half-term")
    booked: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for c in counted(records, first, last):
        booked[(c.school, c.activity)].add(c.date)
    occurrences: list[tuple[tuple[int, int, dt.date, str, str, str, int], _Occurrence]] = []
    trust_wide: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for row in usage(records, year_id, start):
        if row.remaining <= 0 or (schools is not None and row.school not in schools):
            continue
        if row.activity in offer.activities and offer.activities[row.activity].event:
            trust_wide[(row.activity, row.period.name)].append((row.school, row.remaining))
            continue
        period = row.period
        window = [d for d in days if d in period]
        if not window or row.activity not in offer.activities:
            continue  # the period has no school day left after `start`
        window = _covered(records.schools[row.school], window) or window
        if row.activity in _head_activities(records, row.school, year_id):
            head = head_window(records.schools[row.school], trust)
            window = [d for d in window if head and head[0] <= d < head[1]]
            if not window:
                continue  # the head has not started yet (or is no longer new)
        rng = random.Random(f"{seed}/{row.school}/{row.activity}/{row.period.name}")
        if period.per == "year":
            held = booked[(row.school, row.activity)]
            halves = [(hp, w) for hp in half_terms if (w := [d for d in window if d in hp])]
            held_terms = {_term(hp) for hp in half_terms if any(d in hp for d in held)}
            chunks = _year_chunks(halves, row.remaining, held, held_terms, rng)
        else:
            chunks = _split(window, row.remaining)
        for i, chunk in enumerate(chunks):
            zones = _zones(chunk, window, rng)
            target = zones[0][0] if zones[0] else zones[1][0]
            key = (1, _PER_RANK[period.per], target, row.school, row.activity, row.period.name, i)
            occurrences.append((key, _Occurrence(row.school, row.activity, period, zones)))
    occurrences += _event_occurrences(records, year_id, days, trust_wide, seed)
    occurrences += _engagement_occurrences(records, year_id, days, start, seed, schools)
    book = _Book(records, year_id, random.Random(f"{seed}/people"))
    taken: set[str] = set(records.visits) | set(records.events)
    uids: set[str] = ({v.uid for v in records.visits.values() if v.uid}
                      | {e.uid for e in records.events.values() if e.uid})
    visits: list[PlannedVisit] = []
    events: list[PlannedEvent] = []
    gaps: list[Gap] = []
    for _, occ in sorted(occurrences, key=lambda pair: pair[0]):
        placed = _place(occ, book)
        if isinstance(placed, Gap):
            gaps.append(placed)
            continue
        day, person, reason = placed
        staff = (person,) if person else ()
        if occ.schools:
            uid = identity.planned(("event", occ.activity, day.isoformat(), *staff), uids)
            uids.add(uid)
            path = unique_event_path(taken, year_id, day, occ.activity)
            events.append(PlannedEvent(day, occ.activity, occ.period.name, occ.schools, staff, path, uid))
        else:
            uid = identity.planned((occ.school, occ.activity, day.isoformat(), *staff), uids)
            uids.add(uid)
            path = unique_path(taken, year_id, day, occ.school, occ.activity, uid)
            visits.append(PlannedVisit(day, occ.school, occ.activity, occ.period.name, staff, path,
                                       occ.days, occ.engagement, uid))
        taken.add(path)
        if reason:
            gaps.append(Gap(occ.school, occ.activity, occ.period.name, day, reason))
    return Plan(year_id, start, seed, tuple(sorted(visits)), tuple(sorted(gaps, key=_gap_order)),
                tuple(sorted(events)))


Keyed = tuple[tuple[int, int, dt.date, str, str, str, int], _Occurrence]


def _event_occurrences(records: Records, year_id: str, days: list[dt.date],
                       owed: dict[tuple[str, str], list[tuple[str, int]]], seed: int) -> list[Keyed]:
    """One event for every school owed an event activity in a period (a second
    event for those owed two, and so on), spread through the period."""
    trust = records.trust
    assert trust is not None
    out: list[Keyed] = []
    for (activity, period_name), schools in sorted(owed.items()):
        period = calendar.find_period(trust, period_name)
        window = [d for d in days if period is not None and d in period]
        if period is None or not window:
            continue
        rng = random.Random(f"{seed}/event/{activity}/{period_name}")
        for i, chunk in enumerate(_split(window, max(n for _, n in schools))):
            zones = _zones(chunk, window, rng)
            attending = tuple(sorted(s for s, n in schools if n > i))
            key = (0, _PER_RANK[period.per], (zones[0] or zones[1])[0], TRUST_WIDE, activity, period_name, i)
            out.append((key, _Occurrence(TRUST_WIDE, activity, period, zones, schools=attending)))
    return out


def _engagement_occurrences(records: Records, year_id: str, days: list[dt.date], start: dt.date, seed: int,
                            schools: Collection[str] | None) -> list[Keyed]:
    """An active engagement's days not yet delivered or planned, as visits of its
    activity spread evenly over the school days left in its span (this year's
    share, when the span runs on past the year), for its own staff."""
    from stss.engagements import burn, work_activity

    trust = records.trust
    assert trust is not None
    year = trust.years[year_id]
    last = calendar.year_span(year_id, year)[1]
    out: list[Keyed] = []
    for b in burn(records, start):
        e = records.engagements[b.engagement]
        activity_id = work_activity(records, b.engagement)
        activity = records.activity(activity_id) if activity_id else None
        if e.status != "active" or b.remaining <= 0 or activity is None \
                or (schools is not None and e.school not in schools):
            continue
        window = [d for d in days if e.start <= d <= (e.end or last)]
        if not window:
            continue
        remaining = b.remaining
        if e.end and e.end > last:  # the span runs on: plan this year's share of what is left
            share = Fraction((last - window[0]).days + 1, (e.end - window[0]).days + 1)
            remaining = round(float(remaining * share) * 2) / 2  # to the nearest half-day
        counts = [activity.days] * int(remaining // activity.days)
        if (rest := round(remaining - sum(counts), 2)) > 0:
            counts.append(rest)
        period = calendar.periods(year_id, year, "year")[0]
        rng = random.Random(f"{seed}/engagement/{b.engagement}")
        for i, (chunk, n) in enumerate(zip(_split(window, len(counts)), counts, strict=True)):
            zones = _zones(chunk, window, rng)
            key = (2, 0, (zones[0] or zones[1])[0], e.school, activity_id or "", b.engagement, i)
            out.append((key, _Occurrence(e.school, activity_id or "", period, zones,
                                         days=None if n == activity.days else n, engagement=b.engagement,
                                         staff=tuple(e.staff))))
    return out


def _covered(school: School, window: list[dt.date]) -> list[dt.date]:
    """The days the school is covered: from joining (or its partnership's start)
    to its partnership's end. A yearly count owed from January is owed from January."""
    first = start_of_cover(school) or dt.date.min
    last = school.partnership.end if school.membership == "partnership" and school.partnership else dt.date.max
    return [d for d in window if first <= d <= last]


def _head_activities(records: Records, school_id: str, year_id: str) -> set[str]:
    """Activities the school is owed only for a new headteacher."""
    school, offer = records.schools[school_id], records.offer
    decision = school.support.get(year_id)
    if offer is None or decision is None:
        return set()
    return {line.activity for _, lines in segments(offer, decision) for line in lines
            if line.when == "new-headteacher"}


def _gap_order(gap: Gap) -> tuple[dt.date, str, str, str]:
    return (gap.date or dt.date.max, gap.school, gap.activity, gap.period)


def _split(window: list[dt.date], count: int) -> list[list[dt.date]]:
    """`count` consecutive, near-equal runs of the window (some empty if it is short)."""
    n = len(window)
    return [window[i * n // count:(i + 1) * n // count] for i in range(count)]


def _year_chunks(halves: list[tuple[Period, list[dt.date]]], count: int, held: set[dt.date],
                 held_terms: set[str], rng: random.Random) -> list[list[dt.date]]:
    """Spread `count` yearly occurrences evenly over the half-terms left.

    Every evenly spaced pattern `floor((i + u) * H / count)` is a candidate
    (H half-terms); half-terms that already hold a visit of the activity
    for the school count against a pattern, then terms that do, and the
    seed picks among the best."""
    h = len(halves)
    if h == 0:
        return [[] for _ in range(count)]
    patterns = sorted({tuple(math.floor((i + (j + 0.5) / h) * h / count) for i in range(count))
                       for j in range(h)})
    full = {i for i, (hp, _) in enumerate(halves) if any(d in hp for d in held)}

    def score(pattern: tuple[int, ...]) -> tuple[int, int]:
        return (sum(i in full for i in pattern), sum(_term(halves[i][0]) in held_terms for i in pattern))

    best = min(score(p) for p in patterns)
    chosen = rng.choice([p for p in patterns if score(p) == best])
    chunks: list[list[dt.date]] = []
    for index in sorted(set(chosen)):
        chunks.extend(_split(halves[index][1], chosen.count(index)))
    return chunks


def _term(half_term: Period) -> str:
    return half_term.label.rsplit("-", 1)[0]


def _zones(chunk: list[dt.date], window: list[dt.date],
           rng: random.Random) -> tuple[list[dt.date], list[dt.date]]:
    """The chunk's days nearest a seeded target first, then the rest of the window by distance."""
    target = rng.choice(chunk or window)
    inside = set(chunk)
    by_distance = sorted(window, key=lambda d: (abs((d - target).days), d))
    return [d for d in by_distance if d in inside], [d for d in by_distance if d not in inside]


def _place(occ: _Occurrence, book: _Book) -> tuple[dt.date, str | None, str] | Gap:
    """A day and a person for one occurrence, or the reason there is none."""
    activity = book.records.activity(occ.activity)
    assert activity is not None
    days = occ.days or activity.days
    attending = occ.schools or (occ.school,)
    busy = set().union(*(book.school_days[s] for s in attending)) if occ.schools else book.school_days[occ.school]
    ranked = book.ranked(occ.school, activity.roles, (occ.zones[0] or occ.zones[1])[0], occ.staff)
    within = [p for p in ranked if book.fits(p, days)]
    for zone in occ.zones:
        for person in within:
            away = book.person_days[person]
            day = next((d for d in zone if d not in busy and d not in away), None)
            if day is not None:
                book.book(attending, day, person, days)
                return day, person, ""
    day = next((d for zone in occ.zones for d in zone if d not in busy), None)
    if day is None:
        return Gap(occ.school, occ.activity, occ.period.name, None,
                   f"no free school day for the school in {occ.period.label} from the start date")
    book.book(attending, day, None, days)
    if occ.staff and not ranked:
        return day, None, f"no one of the engagement's staff can be planned ({', '.join(occ.staff)})"
    if not ranked:
        return day, None, f"no one has a role that can lead it ({', '.join(activity.roles)})"
    if not within:
        return day, None, f"everyone who can lead it is at capacity ({', '.join(sorted(ranked))})"
    return day, None, "everyone who can lead it with capacity left is busy on every free day"


# --- files ------------------------------------------------------------------------


def _scalar(slug: str) -> str:
    # A slug such as "2026" or "true" would read back as a number or a boolean.
    return slug if _PLAIN.fullmatch(slug) and slug not in _RESERVED else f'"{slug}"'


def render(visit: PlannedVisit) -> str:
    """The text of a new visit file: front matter and an empty notes body."""
    staff = ", ".join(_scalar(p) for p in visit.staff)
    extra = f"days: {visit.days:g}\n" if visit.days is not None else ""
    extra += f"engagement: {_scalar(visit.engagement)}\n" if visit.engagement else ""
    extra += f"uid: {_scalar(visit.uid)}\n" if visit.uid else ""
    return (f"---\nschool: {_scalar(visit.school)}\nactivity: {_scalar(visit.activity)}\n"
            f"date: {visit.date.isoformat()}\nstatus: planned\nstaff: [{staff}]\n{extra}---\n")


def render_event(event: PlannedEvent) -> str:
    """The text of a new event file: front matter and an empty notes body."""
    staff = ", ".join(_scalar(p) for p in event.staff)
    schools = ", ".join(_scalar(s) for s in event.schools)
    extra = f"uid: {_scalar(event.uid)}\n" if event.uid else ""
    return (f"---\nactivity: {_scalar(event.activity)}\ndate: {event.date.isoformat()}\nstatus: planned\n"
            f"staff: [{staff}]\nschools: [{schools}]\n{extra}---\n")


def loads_after(records: Records, result: Plan) -> dict[str, float]:
    """Each person's days in the year (delivered and planned) once the plan is written."""
    after = staffing.planned_days_by_person(records, result.year)
    made: list[PlannedVisit | PlannedEvent] = [*result.visits, *result.events]
    for v in made:
        activity = records.activity(v.activity)
        days = v.days if isinstance(v, PlannedVisit) and v.days is not None else activity.days if activity else 0.0
        for person in v.staff:
            after[person] = after.get(person, 0.0) + days
    return after


def left_out(records: Records, year_id: str, result: Plan,
             schools: Collection[str] | None = None) -> list[tuple[str, str]]:
    """Each school the plan gives no new visit, with the reason, so a reader of
    the plan knows it was not forgotten."""
    planned = {v.school for v in result.visits} | {g.school for g in result.gaps} \
        | {s for e in result.events for s in e.schools}
    owed_by: dict[str, int] = defaultdict(int)
    left_by: dict[str, int] = defaultdict(int)
    for row in usage(records, year_id, result.start):
        owed_by[row.school] += row.entitled
        left_by[row.school] += row.remaining
    out = []
    for sid, school in sorted(records.schools.items()):
        if sid in planned or (schools is not None and sid not in schools):
            continue
        if school.membership == "external":
            why = "an external school: it has no entitlement, only traded days in its engagement"
        elif year_id not in school.support:
            why = f"no support level decided for {year_id}"
        elif not owed_by[sid]:
            why = f"owed nothing in {year_id} (joining date, partnership end or offer conditions)"
        else:
            why = f"everything it is owed from {result.start} is already planned or done"
        out.append((sid, why))
    return out


#: Columns of `plan --format json|csv`: each new visit, each new trust-wide event
#: (school "trust-wide", its schools listed), then each occurrence not placed.
ROW_COLUMNS = ("date", "school", "activity", "period", "staff", "path", "why", "schools", "engagement")


def rows(result: Plan) -> list[dict[str, object]]:
    """The plan as rows for `--format json|csv`, in ROW_COLUMNS."""
    why = {(g.school, g.activity, g.period, g.date): g.reason for g in result.gaps}
    rows: list[dict[str, object]] = [
        {"date": str(v.date), "school": v.school, "activity": v.activity, "period": v.period,
         "staff": list(v.staff), "path": v.path, "why": why.get((v.school, v.activity, v.period, v.date)),
         "schools": [v.school], "engagement": v.engagement}
        for v in result.visits]
    rows += [{"date": str(e.date), "school": TRUST_WIDE, "activity": e.activity, "period": e.period,
              "staff": list(e.staff), "path": e.path,
              "why": why.get((TRUST_WIDE, e.activity, e.period, e.date)),
              "schools": list(e.schools), "engagement": None}
             for e in result.events]
    rows += [{"date": None, "school": g.school, "activity": g.activity, "period": g.period, "staff": [],
              "path": None, "why": g.reason, "schools": [], "engagement": None} for g in result.unplaced]
    return rows




def unstaffed_earlier(records: Records, year: str, start: dt.date, schools: set[str] | None) -> list[Visit]:
    """Visits planned before this run, from `start` on, that still name no one."""
    folder = year_folder("visit", year)
    return [v for path, v in records.visits.items() if path.startswith(folder) and v.status == "planned"
            and not v.staff and v.date >= start and (schools is None or v.school in schools)]
