"""The termly report model: the plain data a report template sees.

Frozen dataclasses only, documented field by field in docs/reports.md, so a
trust can restyle or restructure its templates without reading Python.
`stss.reporting.build` fills them in; nothing here computes or reads anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal


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


@dataclass(frozen=True)
class StaffRow:
    id: str
    name: str
    capacity_days: float
    days_here: float  # completed + planned this year at the schools in the report
    completed_days: float  # trust-wide, this year
    planned_days: float  # trust-wide, this year
    percent_of_capacity: int
    over_capacity: bool


@dataclass(frozen=True)
class SchoolRef:
    id: str
    name: str


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    schools: tuple[SchoolRef, ...]


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
