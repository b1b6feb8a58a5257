"""The termly report model: the plain data a report template sees.

Frozen dataclasses only, documented field by field in docs/reports.md, so a
trust can restyle or restructure its templates without reading Python.
`stss.reporting.build` fills them in; nothing here computes or reads anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from stss.requests import RequestFigures


@dataclass(frozen=True)
class ChangeEvent:
    """A change to the records found in git history (from `stss.history`)."""

    date: dt.date
    commit: str
    author: str
    kind: str
    school: str | None
    summary: str
    school_name: str = ""
    year: str | None = None  # the academic year a support event is about


@dataclass(frozen=True)
class History:
    available: bool
    events: tuple[ChangeEvent, ...] = ()
    reason: str = ""  # why history is unavailable


# --- the model templates see ------------------------------------------------


@dataclass(frozen=True)
class BarSegment:
    kind: str  # completed | planned | overdue | missed | unplanned
    count: int
    x: float  # percent from the left
    width: float  # percent


@dataclass(frozen=True)
class Tally:
    entitled: int
    completed: int
    planned: int
    overdue: int
    missed: int
    unplanned: int
    bar: tuple[BarSegment, ...]
    text_bar: str  # the same bar in 20 characters, for plain text


@dataclass(frozen=True)
class DeliveryRow:
    activity: str
    activity_name: str
    period: str
    period_label: str
    entitled: int
    completed: int
    planned: int
    overdue: int
    remaining: int
    status: str


@dataclass(frozen=True)
class Grade:
    area: str
    grade: str


@dataclass(frozen=True)
class Inspection:
    framework: Literal["ofsted-2019", "ofsted-2025"]
    date: dt.date
    outcome: str  # a judgement (with category), or "report card"
    grades: tuple[Grade, ...] = ()
    safeguarding: str | None = None


@dataclass(frozen=True)
class NoteSection:
    heading: str
    markdown: str


@dataclass(frozen=True)
class ActionItem:
    school: str
    school_name: str
    text: str
    owner: str
    due: dt.date | None
    state: str  # overdue | due (within 14 days) | open
    visit_date: dt.date
    activity_name: str


@dataclass(frozen=True)
class VisitSummary:
    path: str
    school: str
    school_name: str
    date: dt.date
    activity: str
    activity_name: str
    status: str
    staff: tuple[str, ...]
    focus: tuple[str, ...]
    days: float
    confidential: bool
    notes: tuple[NoteSection, ...]


@dataclass(frozen=True)
class EngagementSummary:
    id: str
    school: str
    school_name: str
    kind: str
    title: str
    status: str
    start: dt.date
    end: dt.date | None
    days_commissioned: float
    days_delivered: float
    days_planned: float
    flags: tuple[str, ...]  # what needs a decision, in words
    ending_soon: bool  # a live engagement ending within 30 days
    decision_due: bool  # a trust partnership running 12 months or more
    behind: bool  # fewer days delivered and booked than the time gone calls for


@dataclass(frozen=True)
class StaffRow:
    id: str
    name: str
    capacity_days: float
    days_here: float  # completed + planned this year at the schools in the report
    # Trust-wide this year: in the board pack only. A school's summary reads that school's
    # records alone, and a person's load across the trust is the central team's business.
    completed_days: float | None
    planned_days: float | None
    percent_of_capacity: int | None
    over_capacity: bool | None


@dataclass(frozen=True)
class SchoolRef:
    id: str
    name: str


@dataclass(frozen=True)
class SupportChangeItem:
    """A change of support level within the year (`changes` in the school's file)."""

    from_date: dt.date  # the first day the new level is in force
    level: str
    level_name: str
    previous_level: str  # the level in force before it
    previous_level_name: str
    decided: dt.date | None
    rationale: str | None
    risk: str | None  # red | amber | green, when the change says


@dataclass(frozen=True)
class EventSummary:
    """A trust-wide event (events/) this term: several schools, one meeting."""

    path: str
    date: dt.date
    activity: str
    activity_name: str
    status: str  # planned | completed | cancelled
    schools: tuple[SchoolRef, ...]
    host: SchoolRef | None
    staff: tuple[str, ...]  # names
    days: float
    confidential: bool
    notes: tuple[NoteSection, ...]  # empty for a confidential event unless included


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    schools: tuple[SchoolRef, ...]


@dataclass(frozen=True)
class Rating:
    """Red, amber or green, and why: set by the trust (`by` "trust") or by the stated rule ("rule")."""

    colour: Literal["red", "amber", "green"] | str
    by: Literal["trust", "rule"]
    reasons: tuple[str, ...]

    @property
    def word(self) -> str:
        return self.colour.capitalize()

    @property
    def reason(self) -> str:
        text = "; ".join(self.reasons)
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class TrendPoint:
    """The same school at the end of an earlier term, by the same rule, from the records as they stand."""

    year: str
    term: str
    rating: Rating
    direction: str  # how the rating now compares: better | worse | same
    delivery: Tally  # that term's entitlement delivery
    from_history: bool  # the trust's risk then read from the records as committed then (git)


@dataclass(frozen=True)
class SupportChange:
    """A change to the school's support decided or in force this term."""

    date: dt.date
    level_name: str
    what: str  # "decided" (the year's decision) | "from" (a change in force from `date`)


@dataclass(frozen=True)
class Decision:
    """Something the board or the trust needs to decide, in words (`date` shown as a date)."""

    text: str
    date: dt.date | None = None
    ask: str = ""  # what to decide, after the date


@dataclass(frozen=True)
class Finding:
    """The first paragraph of a visit's summary (markdown, rendered safely)."""

    date: dt.date
    activity_name: str
    markdown: str


@dataclass(frozen=True)
class Objective:
    engagement: str  # the engagement's title
    text: str
    rating: str | None  # the latest review: met | green | amber | red; None when none is recorded
    reviewed: dt.date | None
    direction: str | None  # since the review before: improving | declining | steady


@dataclass(frozen=True)
class InspectionChange:
    """The latest inspection before a date (support began, the school joined) and the latest since."""

    since: Literal["support", "joining"]
    date: dt.date
    before: Inspection | None
    after: Inspection | None
    direction: str  # better | worse | same | "" (not comparable, or one side missing)


@dataclass(frozen=True)
class Impact:
    objectives: tuple[Objective, ...]
    met: int
    moving: int  # latest review green or amber
    stuck: int  # latest review red
    not_reviewed: int
    inspections: tuple[InspectionChange, ...]
    requests: RequestFigures | None  # None: the school has raised no request


@dataclass(frozen=True)
class SchoolSection:
    id: str
    name: str
    urn: int | None
    phase: str
    membership: str
    local_authority: str | None
    headteacher: str | None
    headteacher_started: dt.date | None
    level: str | None
    level_name: str
    previous_level: str | None
    rationale: str | None
    inspection: Inspection | None
    term: Tally
    year_to_date: Tally
    delivery: tuple[DeliveryRow, ...]
    visits: tuple[VisitSummary, ...]  # completed this term, confidential ones only when included
    upcoming: tuple[VisitSummary, ...]  # planned for the rest of the term
    confidential_left_out: int
    open_actions: tuple[ActionItem, ...]
    engagements: tuple[EngagementSummary, ...]
    changes: tuple[ChangeEvent, ...]
    rating: Rating
    last_term: TrendPoint | None
    last_year: TrendPoint | None  # the same term last year
    level_changes: tuple[SupportChange, ...]  # decided or in force this term
    findings: tuple[Finding, ...]
    overdue_actions: int  # including any from confidential visits
    decisions: tuple[Decision, ...]
    impact: Impact
    # The year as it runs (issue 14): the level in force on the report's day
    # within the term (`level` is the year's first decision), the trust's
    # risk rating then, each change within the year, the events it took part in.
    level_in_force: str | None = None
    level_in_force_name: str = ""
    risk: str | None = None
    support_changes: tuple[SupportChangeItem, ...] = ()
    events: tuple[EventSummary, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """A visit report shared with its school that needs following up: unanswered for more
    than ten school days (`late`), or marked inaccurate by the head."""

    school: SchoolRef
    activity_name: str
    visit_date: dt.date
    state: Literal["late", "inaccurate"]
    school_days_waiting: int


@dataclass(frozen=True)
class TrustRisks:
    red: tuple[SchoolRef, ...]
    safeguarding: tuple[SchoolRef, ...]  # safeguarding not met at the latest inspection
    behind: tuple[EngagementSummary, ...]
    join_or_end: tuple[EngagementSummary, ...]
    requests_overdue: int | None  # None: no requests recorded
    follow_up: tuple[FollowUp, ...] = ()  # visit reports late or marked inaccurate, as of the report's day


@dataclass(frozen=True)
class TrustImpact:
    met: int
    moving: int
    stuck: int
    not_reviewed: int
    better_since_support: tuple[SchoolRef, ...]
    worse_since_support: tuple[SchoolRef, ...]
    better_since_joining: tuple[SchoolRef, ...]
    worse_since_joining: tuple[SchoolRef, ...]
    requests_resolved: int | None  # None: no requests recorded
    #: Every school's requests together: raised, open, overdue and resolved this term, time to respond.
    requests: RequestFigures | None = None


@dataclass(frozen=True)
class Report:
    kind: Literal["board-pack", "school-summary"]
    title: str
    trust_name: str
    year: str
    term: str
    term_start: dt.date
    term_end: dt.date
    today: dt.date
    include_confidential: bool
    confidential_left_out: int
    schools: tuple[SchoolSection, ...]
    by_level: tuple[Group, ...]
    by_outcome: tuple[Group, ...]
    term_delivery: Tally
    year_to_date: Tally
    open_actions: int
    overdue_actions: int
    engagements: tuple[EngagementSummary, ...]
    staff: tuple[StaffRow, ...]
    history: History
    ratings: Mapping[str, int]  # schools per colour: red, amber, green
    risks: TrustRisks
    impact: TrustImpact
    commentary: str | None  # the trust's markdown for the term, when it wrote one
    events: tuple[EventSummary, ...] = ()  # this term's trust-wide events, for the report's schools


# --- one engagement's report (`stss report --engagement ID`) -------------------


@dataclass(frozen=True)
class ReviewItem:
    date: dt.date
    rag: str  # red | amber | green | met
    note: str | None


@dataclass(frozen=True)
class ObjectiveItem:
    ref: str  # the objective's id, or its number
    text: str
    area: str | None  # a report-card evaluation area
    reviews: tuple[ReviewItem, ...]  # oldest first
    rag: str | None  # the latest rating
    direction: str | None  # improving | declining | steady, since the review before


@dataclass(frozen=True)
class GrantItem:
    source: str
    amount: float | None
    status: str  # applied | awarded | declined
    awarded: dt.date | None


@dataclass(frozen=True)
class TeamMember:
    id: str
    name: str
    roles: tuple[str, ...]
    days_delivered: float  # on this engagement's completed visits
    days_planned: float
    named: bool  # on the engagement's own staff list (else only on its visits)


@dataclass(frozen=True)
class EndReportItem:
    date: dt.date
    outcome: str
    recommendation: str  # trust-partnership | further-support | none
    recommendation_words: str


@dataclass(frozen=True)
class EngagementReport:
    kind: Literal["engagement"]
    title: str
    trust_name: str
    today: dt.date
    include_confidential: bool
    confidential_left_out: int
    id: str
    school: str
    school_name: str
    engagement_kind: str
    status: str
    purpose: str | None
    start: dt.date
    end: dt.date | None
    days_commissioned: float
    days_delivered: float
    days_planned: float
    days_remaining: float
    flags: tuple[str, ...]
    objectives: tuple[ObjectiveItem, ...]
    team: tuple[TeamMember, ...]
    grants: tuple[GrantItem, ...]
    awarded_total: float  # the amounts of the grants awarded
    applied_total: float  # the amounts of the grants applied for and not yet decided
    rate: float | None  # pounds a day, for traded work
    value_commissioned: float | None
    value_delivered: float | None
    value_to_deliver: float | None
    visits: tuple[VisitSummary, ...]  # completed and planned, by date; confidential ones only when included
    end_report: EndReportItem | None
# --- one visit's report, shared with its school (`stss share`) ------------------


@dataclass(frozen=True)
class VisitAction:
    text: str
    owner: str
    due: dt.date | None
    status: str  # open | done | dropped


@dataclass(frozen=True)
class VisitReport:
    """The report of one visit that goes to its school for a factual-accuracy check."""

    kind: Literal["visit-report"]
    title: str
    trust_name: str
    school: str
    school_name: str
    headteacher: str | None
    date: dt.date
    activity: str
    activity_name: str
    staff: tuple[str, ...]  # names
    focus: tuple[str, ...]
    actions: tuple[VisitAction, ...]
    notes: str  # the visit's markdown notes, whole
    confidential: bool
    shared: dt.date  # the day it is sent
    respond_by: dt.date  # ten school days later
