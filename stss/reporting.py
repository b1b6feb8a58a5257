"""`build()`: the termly report model (`stss.report_model`) computed from the records.

Owns the rules for what goes in a board pack or a school
summary: which visits, notes, actions, engagements and changes, what is
confidential. Pure: the records, the usage rows, the history events and
`today` come in as arguments; nothing here reads files, git or the clock, and
nothing here knows about Jinja, HTML or markdown rendering.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from stss import calendar, engagements, standing
from stss import requests as asked
from stss.actions import OpenAction, open_actions
from stss.engagements import ENDING_SOON, PARTNERSHIP_REVIEW, Burn, burn
from stss.entitlements import level_on
from stss.layout import Scope
from stss.models import LIVE, Offer, Records, SupportDecision, Term, Visit
from stss.objectives import progress
from stss.rating import risk_on
from stss.report_model import (
    ActionItem,
    BarSegment,
    ChangeEvent,
    DeliveryRow,
    EngagementSummary,
    EventSummary,
    FollowUp,
    Group,
    History,
    Impact,
    NoteSection,
    Objective,
    Report,
    SchoolRef,
    SchoolSection,
    StaffRow,
    SupportChangeItem,
    Tally,
    TrustImpact,
    TrustRisks,
    VisitSummary,
)
from stss.staffing import loads
from stss.standing import GRADES, JUDGEMENTS
from stss.usage import UsageRow, in_term, totals
from stss.usage import usage as usage_at

#: Kinds of history event a report lists: decisions a board follows, not day-to-day visit logging.
REPORTED_CHANGES = frozenset({
    "support-level", "support-change", "school-added", "school-joined", "school-left", "school-removed", "membership",
    "headteacher", "inspection", "engagement-opened", "engagement-status", "engagement-closed",
    "engagement-removed", "engagement-end-report"})
#: Headings of a visit's notes that reports show, by their lower-case text; others stay in the notes.
NOTE_SECTIONS = {"summary": "Summary", "findings": "Findings", "strengths": "Strengths",
                 "areas for development": "Areas for development", "next steps": "Next steps",
                 "agreed": "Agreed"}


# --- building it -------------------------------------------------------------


def build(records: Records, year: str, term: str, today: dt.date, usage: Sequence[UsageRow],
          history: History, school: str | None = None, include_confidential: bool = False,
          commentary: str | None = None, committed: Mapping[str, Mapping[str, Any]] | None = None) -> Report:
    """The report for `term` of `year`: a board pack, or one school's summary when `school` is given.

    `commentary` is the trust's own markdown for the term, shown as written (safely).
    `committed` maps each earlier term's last day (ISO) to the school files as committed
    then, parsed (from git, see `earlier_days`): the trend reads the trust's risk then from them."""
    trust, offer = records.trust, records.offer
    assert trust is not None and offer is not None, "build() needs loaded records"
    span = calendar.terms(trust.years[year])[term]
    ids = [school] if school else sorted(records.schools, key=lambda s: (records.schools[s].name, s))
    names = {sid: s.name for sid, s in records.schools.items()}
    history = History(history.available, tuple(
        ChangeEvent(e.date, e.commit, e.author, e.kind, e.school, e.summary, names.get(e.school or "", ""), e.year)
        for e in sorted(history.events, key=lambda e: (e.date, e.commit, e.kind, e.school or "", e.summary))
        if span.start <= e.date <= span.end and _reported(e, year) and school in (None, e.school)),
        history.reason)
    ctx = _Context(records, year, term, span, today, include_confidential, usage, history, *_indexes(records, usage, today),
                   _earlier(records, year, term, today, ids, committed or {}))
    events = _events(records, span, set(ids), include_confidential)
    sections = tuple(_school(ctx, sid, events) for sid in ids)
    rows = [r for r in usage if r.school in ids]
    title = (f"School improvement report: {term.capitalize()} term {year}" if school is None
             else f"{names[school]}: {term.capitalize()} term {year}")
    return Report(
        kind="school-summary" if school else "board-pack", title=title, trust_name=trust.name,
        year=year, term=term, term_start=span.start, term_end=span.end, today=today,
        include_confidential=include_confidential,
        confidential_left_out=sum(s.confidential_left_out for s in sections),
        schools=sections,
        by_level=_groups(sections, lambda s: (s.level_in_force or "~none", s.level_in_force_name), offer.levels),
        by_outcome=_groups(sections, _outcome_key, {}),
        term_delivery=tally(r for r in rows if ctx.in_term(r)),
        year_to_date=tally(r for r in rows if ctx.begun(r)),
        open_actions=sum(len(s.open_actions) for s in sections),
        overdue_actions=sum(a.state == "overdue" for s in sections for a in s.open_actions),
        engagements=tuple(sorted((e for s in sections for e in s.engagements),
                                 key=lambda e: (e.school_name, e.start, e.id))),
        staff=_staff(records, year, set(ids), trust_wide=school is None),
        history=history,
        ratings={c: sum(s.rating.colour == c for s in sections) for c in ("red", "amber", "green")},
        risks=replace(_risks(sections), follow_up=_follow_up(ctx, ids)),
        impact=_trust_impact(sections, _requests(ctx, set(ids))),
        commentary=commentary if commentary and commentary.strip() else None,
        events=events,
    )


def scope_needed(records: Records, year: str, scope: Scope) -> Scope | None:
    """A wider scope than `scope` (the years it read) when an engagement running in `year`
    started before them, so that the days it has delivered count from its start; None when
    `scope` holds all a report of `year` needs."""
    assert records.trust is not None
    first, last = calendar.year_span(year, records.trust.years[year])
    running = [e for e in records.engagements.values() if e.start <= last and (e.end is None or e.end >= first)]
    return engagements.scope_from_start(records, running, year, scope)


def _reported(event: ChangeEvent, year: str) -> bool:
    """A change the board follows; a support decision only when it is for the report's year."""
    return event.kind in REPORTED_CHANGES and event.year in (None, year)


@dataclass(frozen=True)
class _Context:
    records: Records
    year: str
    term: str
    span: Term
    today: dt.date
    include_confidential: bool
    usage: Sequence[UsageRow]
    history: History
    # Per-school lookups, built once: a board pack of hundreds of schools must
    # not scan every visit, action and engagement once per school.
    usage_of: Mapping[str, list[UsageRow]]
    visits_of: Mapping[str, list[tuple[str, Visit]]]
    actions_of: Mapping[str, list[OpenAction]]
    burns_of: Mapping[str, list[Burn]]
    # Usage as at the end of last term and of the same term last year, for the trend.
    earlier: tuple[_Then | None, ...]

    def in_term(self, row: UsageRow) -> bool:
        """Owed per term or per half-term in this term (yearly lines count in the year to date)."""
        return row.period.per != "year" and in_term(row, self.term)

    def begun(self, row: UsageRow) -> bool:
        return row.period.start <= self.today

    def shown(self, confidential: bool) -> bool:
        return self.include_confidential or not confidential

    @property
    def day(self) -> dt.date:
        """The report's day within its term: what is in force "now" for this term."""
        return min(max(self.today, self.span.start), self.span.end)


def _indexes(records: Records, usage: Iterable[UsageRow], today: dt.date) -> tuple[
        dict[str, list[UsageRow]], dict[str, list[tuple[str, Visit]]], dict[str, list[OpenAction]],
        dict[str, list[Burn]]]:
    usage_of: dict[str, list[UsageRow]] = defaultdict(list)
    for row in usage:
        usage_of[row.school].append(row)
    visits_of: dict[str, list[tuple[str, Visit]]] = defaultdict(list)
    for path, visit in records.visits.items():
        visits_of[visit.school].append((path, visit))
    actions_of: dict[str, list[OpenAction]] = defaultdict(list)
    for action in open_actions(records, today):
        actions_of[action.school].append(action)
    burns_of: dict[str, list[Burn]] = defaultdict(list)
    for b in burn(records, today):
        burns_of[b.school].append(b)
    return usage_of, visits_of, actions_of, burns_of


def earlier_days(records: Records, year: str, term: str, today: dt.date) -> list[dt.date]:
    """The last days of last term and of the same term last year, where the trust's calendar
    has them and they have passed: the days the trend looks back to."""
    trust = records.trust
    assert trust is not None
    return [calendar.terms(trust.years[y])[t].end for y, t in standing.earlier_terms(year, term)
            if y in trust.years and calendar.terms(trust.years[y])[t].end <= today]


@dataclass(frozen=True)
class _Then:
    """A school's usage and overdue actions at the end of an earlier term (for the trend)."""

    year: str
    term: str
    rows: Mapping[str, list[UsageRow]]  # by school
    decisions: Mapping[str, SupportDecision | None] | None  # as committed then, where git has them
    overdue: Mapping[str, int]  # actions overdue then, by school


def _earlier(records: Records, year: str, term: str, today: dt.date, ids: Sequence[str],
             committed: Mapping[str, Mapping[str, Any]]) -> tuple[_Then | None, ...]:
    """Usage as at the end of last term and of the same term last year, with the support
    decisions as committed then where git has them (None: not in the trust's calendar).
    Built once for every school: a trend per school must not scan every visit per school."""
    trust = records.trust
    assert trust is not None
    out: list[_Then | None] = []
    wanted = set(ids)
    for y, t in standing.earlier_terms(year, term):
        if y not in trust.years or calendar.terms(trust.years[y])[t].end > today:
            out.append(None)
            continue
        end = calendar.terms(trust.years[y])[t].end
        docs = committed.get(end.isoformat())
        rows: dict[str, list[UsageRow]] = defaultdict(list)
        for r in usage_at(records, y, end):
            if r.school in wanted:
                rows[r.school].append(r)
        overdue: dict[str, int] = defaultdict(int)
        for a in open_actions(records, end):
            overdue[a.school] += a.state == "overdue"
        out.append(_Then(y, t, rows, standing.decisions_in(docs, y) if docs is not None else None, overdue))
    return tuple(out)


def _school(ctx: _Context, sid: str, events: Sequence[EventSummary]) -> SchoolSection:
    records, year = ctx.records, ctx.year
    s = records.schools[sid]
    offer = records.offer
    assert offer is not None
    decision = s.support.get(year)
    before = s.support.get(f"{int(year[:4]) - 1}-{year[2:4]}")
    rows = ctx.usage_of.get(sid, [])
    visits = sorted((visit_summary(records, p, v, ctx.include_confidential) for p, v in ctx.visits_of.get(sid, [])
                     if ctx.span.start <= v.date <= ctx.span.end),
                    key=lambda v: (v.date, v.activity_name, v.path))
    done = [v for v in visits if v.status == "completed"]
    shown = [v for v in done if ctx.shown(v.confidential)]
    overdue = sum(a.state == "overdue" for a in ctx.actions_of.get(sid, []))
    rating = standing.assess(records, sid, year, ctx.today, [r for r in rows if ctx.begun(r)], overdue)
    trend = [standing.trend_point(records, sid, e.year, e.term, rating, e.rows.get(sid, []), tally,
                                  e.decisions, e.overdue.get(sid, 0)) if e else None for e in ctx.earlier]
    engagements = _engagements(ctx, sid)
    return SchoolSection(
        id=sid, name=s.name, urn=s.urn, phase=s.phase, membership=s.membership,
        local_authority=s.local_authority,
        headteacher=s.headteacher.name if s.headteacher else None,
        headteacher_started=s.headteacher.started if s.headteacher else None,
        level=decision.level if decision else None,
        level_name=_level_name(offer, decision.level if decision else None),
        previous_level=before.level if before else None,
        rationale=decision.rationale if decision else None,
        inspection=standing.inspection_of(s.latest_inspection),
        term=tally(r for r in rows if ctx.in_term(r)),
        year_to_date=tally(r for r in rows if ctx.begun(r)),
        delivery=tuple(_delivery(records, (r for r in rows if in_term(r, ctx.term)))),
        visits=tuple(shown),
        upcoming=tuple(v for v in visits if v.status == "planned" and v.date >= ctx.today
                       and ctx.shown(v.confidential)),
        confidential_left_out=len(done) - len(shown),
        open_actions=_actions(ctx, sid),
        engagements=engagements,
        changes=tuple(e for e in ctx.history.events if e.school == sid),
        rating=rating, last_term=trend[0], last_year=trend[1],
        level_changes=standing.level_changes(s, year, ctx.span.start, ctx.span.end,
                                             lambda level: _level_name(offer, level)),
        findings=standing.findings(shown),
        overdue_actions=overdue,
        decisions=standing.decisions(engagements, rating),
        impact=_impact(ctx, sid, engagements),
        level_in_force=level_on(s, year, ctx.day) if decision else None,
        level_in_force_name=_level_name(offer, level_on(s, year, ctx.day)),
        risk=risk_on(decision, ctx.day),
        support_changes=_support_changes(offer, decision) if decision else (),
        events=tuple(e for e in events if any(ref.id == sid for ref in e.schools)),
    )


def _impact(ctx: _Context, sid: str, engagements: Sequence[EngagementSummary]) -> Impact:
    objectives = tuple(Objective(e.title, p.text, p.latest.rag if p.latest else None,
                                 p.latest.date if p.latest else None, p.direction)
                       for e in engagements for p in progress(e.id, ctx.records.engagements[e.id]))
    rated = [o.rating for o in objectives]
    return Impact(objectives, rated.count("met"), rated.count("green") + rated.count("amber"), rated.count("red"),
                  rated.count(None), standing.inspection_changes(ctx.records, ctx.records.schools[sid]),
                  _requests(ctx, {sid}))


def _requests(ctx: _Context, schools: set[str]) -> asked.RequestFigures | None:
    """The term's requests from `schools` as of the report's day; None when they have raised none at all."""
    if not any(r.school in schools for r in ctx.records.requests.values()):
        return None
    return asked.figures(ctx.records, ctx.span.start, ctx.span.end, ctx.day, schools)


def _risks(sections: Sequence[SchoolSection]) -> TrustRisks:
    def ref(s: SchoolSection) -> SchoolRef:
        return SchoolRef(s.id, s.name)

    engagements = [e for s in sections for e in s.engagements]
    requests = [s.impact.requests for s in sections if s.impact.requests is not None]
    return TrustRisks(
        red=tuple(ref(s) for s in sections if s.rating.colour == "red"),
        safeguarding=tuple(ref(s) for s in sections if s.inspection and s.inspection.safeguarding == "not-met"),
        behind=tuple(e for e in engagements if e.behind),
        join_or_end=tuple(e for e in engagements if e.decision_due),
        requests_overdue=sum(r.overdue for r in requests) if requests else None)


def _follow_up(ctx: _Context, ids: Sequence[str]) -> tuple[FollowUp, ...]:
    """The report's schools' visit reports still unanswered after ten school days, or marked inaccurate."""
    from stss import review

    wanted = set(ids)
    out = []
    for row in review.needs_attention(review.reviews(ctx.records, ctx.day)):
        if row.school in wanted and row.shared <= ctx.day:
            activity = ctx.records.activity(row.activity)
            out.append(FollowUp(SchoolRef(row.school, ctx.records.schools[row.school].name),
                                activity.name if activity else row.activity, row.visit_date,
                                "late" if row.state == "late" else "inaccurate", row.school_days_waiting))
    return tuple(sorted(out, key=lambda f: (f.school.name, f.visit_date)))


def _trust_impact(sections: Sequence[SchoolSection], requests: asked.RequestFigures | None) -> TrustImpact:
    def schools(since: str, way: str) -> tuple[SchoolRef, ...]:
        return tuple(SchoolRef(s.id, s.name) for s in sections
                     if any(c.since == since and c.direction == way for c in s.impact.inspections))

    return TrustImpact(
        sum(s.impact.met for s in sections), sum(s.impact.moving for s in sections),
        sum(s.impact.stuck for s in sections), sum(s.impact.not_reviewed for s in sections),
        schools("support", "better"), schools("support", "worse"),
        schools("joining", "better"), schools("joining", "worse"),
        requests.resolved if requests else None, requests)


def _support_changes(offer: Offer, decision: SupportDecision) -> tuple[SupportChangeItem, ...]:
    out, previous = [], decision.level
    for c in sorted(decision.changes, key=lambda c: c.from_):
        out.append(SupportChangeItem(c.from_, c.level, _level_name(offer, c.level), previous,
                                     _level_name(offer, previous), c.decided, c.rationale, c.risk))
        previous = c.level
    return tuple(out)


def _events(records: Records, span: Term, schools: set[str], include_confidential: bool) -> tuple[EventSummary, ...]:
    """The term's trust-wide events that any of the report's schools took part in."""
    names = {sid: s.name for sid, s in records.schools.items()}
    out = []
    for path, e in sorted(records.events.items(), key=lambda item: (item[1].date, item[0])):
        if not span.start <= e.date <= span.end or not schools & set(e.schools):
            continue
        activity = records.activity(e.activity)
        confidential = bool(activity and activity.confidential)
        out.append(EventSummary(
            path=path, date=e.date, activity=e.activity, activity_name=activity.name if activity else e.activity,
            status=e.status, schools=tuple(SchoolRef(sid, names.get(sid, sid)) for sid in dict.fromkeys(e.schools)),
            host=SchoolRef(e.host, names.get(e.host, e.host)) if e.host else None,
            staff=tuple(records.people[p].name if p in records.people else p for p in e.staff),
            days=e.days_for(activity), confidential=confidential,
            notes=note_sections(e.notes) if include_confidential or not confidential else ()))
    return tuple(out)


def visit_summary(records: Records, path: str, v: Visit, include_confidential: bool) -> VisitSummary:
    """A visit as reports show it; its notes only when it is not confidential, or that is asked for."""
    activity = records.activity(v.activity)
    confidential = v.is_confidential(activity)
    return VisitSummary(
        path=path, school=v.school, school_name=records.schools[v.school].name, date=v.date,
        activity=v.activity, activity_name=activity.name if activity else v.activity, status=v.status,
        staff=tuple(records.people[p].name if p in records.people else p for p in v.staff),
        focus=tuple(v.focus), days=v.days_for(activity), confidential=confidential,
        notes=note_sections(v.notes) if include_confidential or not confidential else ())


#: Compiled once, not looked up in re's cache for every line of every visit's notes.
_FENCE = re.compile(r"(`{3,}|~{3,})")
_HEADING = re.compile(r"#{1,3}\s+(.*?)\s*#*\s*$")


def note_sections(notes: str) -> tuple[NoteSection, ...]:
    """The sections of a visit's notes that reports show (Summary, Findings, Next steps, ...).

    Notes with none of those headings are shown whole, under "Notes"."""
    found: list[tuple[str | None, list[str]]] = [(None, [])]
    fence: str | None = None
    for line in notes.splitlines():
        stripped = line.strip()
        if m := _FENCE.match(stripped):
            fence = None if fence and m.group(1).startswith(fence) else (fence or m.group(1))
        heading = None if fence else _HEADING.match(stripped)
        if heading:
            found.append((heading.group(1).strip().rstrip(":").lower(), []))
        else:
            found[-1][1].append(line)
    out = tuple(NoteSection(NOTE_SECTIONS[key], "\n".join(lines).strip())
                for key, lines in found if key in NOTE_SECTIONS and "\n".join(lines).strip())
    if out or not notes.strip():
        return out
    return (NoteSection("Notes", notes.strip()),)


def _outcome_key(s: SchoolSection) -> tuple[str, str]:
    i = s.inspection
    if i is None:
        return "~none", "not yet inspected"
    if i.framework == "ofsted-2019":
        judgement = i.outcome.split(" ")[0]
        return f"1-{JUDGEMENTS.index(judgement)}", judgement
    worst = max((g.grade for g in i.grades), key=GRADES.index, default="expected")
    label = f"{worst} (report card)" + ("" if i.safeguarding == "met" else ", safeguarding not met")
    return f"2-{GRADES.index(worst)}-{i.safeguarding}", label


def _groups(sections: Iterable[SchoolSection], key: Callable[[SchoolSection], tuple[str, str]],
            order: Mapping[str, object]) -> tuple[Group, ...]:
    grouped: dict[tuple[str, str], list[SchoolRef]] = {}
    for s in sections:
        grouped.setdefault(key(s), []).append(SchoolRef(s.id, s.name))
    ranks = {k: i for i, k in enumerate(order)}
    return tuple(Group(k[0].lstrip("~"), k[1], tuple(v)) for k, v in
                 sorted(grouped.items(), key=lambda kv: (ranks.get(kv[0][0], len(ranks)), kv[0])))


def _level_name(offer: Offer, level: str | None) -> str:
    if level is None:
        return "No support level"
    return offer.levels[level].name if level in offer.levels else level


def tally(rows: Iterable[UsageRow]) -> Tally:
    """Totals of usage rows, and a bar of completed / planned / overdue / missed / still to plan."""
    sums = totals(list(rows))
    counts = {"completed": sums["completed"], "planned": sums["planned"], "overdue": sums["overdue"],
              "missed": sums["missed"], "unplanned": sums["remaining"] - sums["missed"]}
    total = sum(counts.values())
    bar, x, text, cumulative = [], 0.0, "", 0
    for kind, count in counts.items():
        if count:
            width = round(100 * count / total, 1)
            bar.append(BarSegment(kind, count, round(x, 1), width))
            x += width
            text += BAR_CHARS[kind] * (round(20 * (cumulative + count) / total) - round(20 * cumulative / total))
            cumulative += count
    return Tally(sums["entitled"], counts["completed"], counts["planned"], counts["overdue"],
                 counts["missed"], counts["unplanned"], tuple(bar), text)


BAR_CHARS = {"completed": "█", "planned": "▓", "overdue": "▒", "missed": "×", "unplanned": "░"}


def _delivery(records: Records, rows: Iterable[UsageRow]) -> Iterable[DeliveryRow]:
    for r in sorted(rows, key=lambda r: (r.period.start, r.period.name, r.activity)):
        activity = records.activity(r.activity)
        yield DeliveryRow(r.activity, activity.name if activity else r.activity, r.period.name,
                          period_words(r.period.name), r.entitled, r.completed, r.planned, r.overdue,
                          r.remaining, r.status)


def period_words(name: str) -> str:
    """ "2026-27" -> "Whole year", "2026-27/autumn" -> "Autumn term", "2026-27/autumn-1" -> "Autumn 1"."""
    if "/" not in name:
        return "Whole year"
    label = name.split("/", 1)[1]
    term, _, half = label.partition("-")
    return f"{term.capitalize()} {half}" if half else f"{term.capitalize()} term"


def _actions(ctx: _Context, sid: str) -> tuple[ActionItem, ...]:
    records = ctx.records
    out = []
    for a in ctx.actions_of.get(sid, []):
        visit = records.visits[a.visit]
        activity = records.activity(visit.activity)
        if ctx.shown(visit.is_confidential(activity)):
            out.append(ActionItem(sid, records.schools[sid].name, a.text, a.owner, a.due, a.state, a.visit_date,
                                  activity.name if activity else visit.activity))
    return tuple(out)


def _engagements(ctx: _Context, sid: str) -> tuple[EngagementSummary, ...]:
    trust = ctx.records.trust
    assert trust is not None
    first, last = calendar.year_span(ctx.year, trust.years[ctx.year])
    out = []
    for b in ctx.burns_of.get(sid, []):
        if b.start > last or (b.end is not None and b.end < first):
            continue
        live = b.status in LIVE
        out.append(EngagementSummary(
            b.engagement, sid, ctx.records.schools[sid].name, b.kind, b.title, b.status, b.start, b.end,
            b.commissioned, b.delivered, b.planned, b.flags,
            live and b.end is not None and ctx.today <= b.end <= ctx.today + ENDING_SOON,
            live and b.kind == "trust-partnership" and b.start + PARTNERSHIP_REVIEW <= ctx.today,
            standing.behind(ctx.records.engagements[b.engagement], b.delivered, b.planned, ctx.today)))
    return tuple(out)


def _staff(records: Records, year: str, schools: set[str], trust_wide: bool) -> tuple[StaffRow, ...]:
    """Everyone who worked at (or is booked for) the report's schools this year, and with
    `trust_wide` their load across the trust (which needs every school's visits of the year)."""
    trust = records.trust
    assert trust is not None
    first, last = calendar.year_span(year, trust.years[year])
    here: dict[str, float] = {}
    for v in records.visits.values():
        if v.school in schools and first <= v.date <= last and v.counts:
            for p in v.staff:
                here[p] = here.get(p, 0.0) + v.days_for(records.activity(v.activity))
    if not trust_wide:
        return tuple(StaffRow(pid, p.name, p.capacity_days, here[pid], None, None, None, None)
                     for pid, p in sorted(records.people.items(), key=lambda item: (item[1].name, item[0]))
                     if pid in here)
    return tuple(
        StaffRow(load.person, load.name, load.capacity, here[load.person], load.delivered, load.planned,
                 round(100 * load.total / load.capacity), load.over)
        for load in sorted(loads(records, year), key=lambda load: (load.name, load.person))
        if load.person in here)
