"""The record format as typed, immutable models.

Each model is one kind of file (or a part of one) in a records root, exactly as
docs/records.md describes it. Models check what a single value or a single
record can know on its own (types, slugs, positive numbers, a term's dates in
order); rules that relate records to each other live in `checks`.

Nothing here reads files or knows the clock.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _date_only(value: Any) -> Any:
    # YAML gives dates as date objects and quoted dates as strings; a bare
    # number would otherwise be read as a Unix timestamp, which no one means.
    if isinstance(value, bool | int | float):
        raise ValueError("a date is written YYYY-MM-DD, e.g. 2026-10-05")
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _year_id(value: Any) -> Any:
    if not isinstance(value, str) or not (m := YEAR_RE.match(value)):
        raise ValueError("an academic year is written like 2026-27")
    first, second = int(m.group(1)), int(m.group(2))
    if (first + 1) % 100 != second:
        raise ValueError(f"{value} is not two consecutive years (did you mean {first}-{(first + 1) % 100:02d}?)")
    return value


@dataclass(frozen=True)
class FromYaml:
    """Validators for values as YAML gives them, skipped for the cache's JSON
    (`store._Cache`), which stss wrote itself from a model that passed them.

    A warm read validates every record again from its cached JSON, and these
    hooks are Python calls, a dozen a visit: they were half of that
    validation. A date in the cache is its ISO text, read strictly
    (`strict_json`), so a cache row can only hold what a record could; strings read from
    JSON are held once already, by pydantic's string cache."""

    before: Callable[[Any], Any] | None = None
    after: Callable[[Any], Any] | None = None
    #: The JSON side strict: a date from its ISO text only (not, say, a number of seconds).
    strict_json: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        from pydantic_core import core_schema

        schema = handler(source)
        python = schema
        if self.before is not None:
            python = core_schema.no_info_before_validator_function(self.before, python)
        if self.after is not None:
            python = core_schema.no_info_after_validator_function(self.after, python)
        json = {**schema, "strict": True} if self.strict_json else schema
        return core_schema.json_or_python_schema(json_schema=json, python_schema=python)


#: Values that recur across thousands of records (an id, an action's owner) are held once.
#: (A status needs nothing: pydantic gives a literal as the one object its type names.)
INTERNED = FromYaml(after=sys.intern)

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_RE.pattern,
        min_length=1,
        max_length=100,
        strict=True,
        description="a lower-case slug: letters, digits and hyphens",
    ),
    # Ids recur in thousands of records (a school's in each of its visits): hold each once.
    INTERNED,
]
YearId = Annotated[
    str, BeforeValidator(_year_id), Field(pattern=YEAR_RE.pattern, description="an academic year such as 2026-27")
]
def _date_once(day: dt.date) -> dt.date:
    return _DATES.setdefault(day, day)


Date = Annotated[dt.date, FromYaml(before=_date_only, after=_date_once, strict_json=True)]
#: Each day once, however many records give it (as `sys.intern` does for ids).
_DATES: dict[dt.date, dt.date] = {}
#: JSON Schema for mappings keyed by year or by id (pydantic does not emit key patterns).
YEAR_KEYS: dict[str, Any] = {"propertyNames": {"pattern": YEAR_RE.pattern}}
SLUG_KEYS: dict[str, Any] = {"propertyNames": {"pattern": SLUG_RE.pattern}}
#: Sane ranges: a value outside them is a typo (or hostile), and would overflow reports and exports.
MAX_DAYS = 30
MAX_CAPACITY_DAYS = 366
MAX_COUNT = 1000
PositiveInt = Annotated[int, Field(gt=0, le=MAX_COUNT, strict=True)]
PositiveDays = Annotated[
    float, Field(gt=0, le=MAX_DAYS, strict=True, allow_inf_nan=False, description="days; a half-day is 0.5")
]
CapacityDays = Annotated[
    float, Field(gt=0, le=MAX_CAPACITY_DAYS, strict=True, allow_inf_nan=False, description="days a year")
]
Urn = Annotated[int, Field(ge=100000, le=999999, strict=True, description="the six-digit URN")]
Text = Annotated[str, Field(strict=True)]
#: Free text that recurs (a focus, an action's owner).
Label = Annotated[str, Field(strict=True), INTERNED]

Per = Literal["year", "term", "half-term"]
When = Literal["church-school", "new-headteacher", "member"]
Phase = Literal["nursery", "primary", "middle", "secondary", "all-through", "special", "alternative", "post-16"]
Membership = Literal["academy", "joining", "partnership", "external"]
EngagementKind = Literal["directed-support", "project", "deployment", "trust-partnership", "traded", "rise"]
EngagementStatus = Literal["proposed", "active", "paused", "completed", "stopped"]
VisitStatus = Literal["planned", "completed", "cancelled", "postponed"]
EventStatus = Literal["planned", "completed", "cancelled"]
ActionStatus = Literal["open", "done", "dropped"]

# The domain's vocabulary of statuses, each decided here once.
COUNTING: frozenset[str] = frozenset({"planned", "completed"})
"""Visit statuses that count towards an entitlement (and an engagement's days, and a person's capacity)."""
CALLED_OFF: frozenset[str] = frozenset({"cancelled", "postponed"})
"""Visit statuses that mean the visit did not happen on its date, and so need a reason."""
LIVE: frozenset[str] = frozenset({"proposed", "active", "paused"})
"""Engagement statuses under which an engagement is still live (not completed or stopped)."""
Grade = Literal["exceptional", "strong", "expected", "needs-attention", "urgent-improvement"]
Judgement = Literal["outstanding", "good", "requires-improvement", "inadequate"]
#: The evaluation areas of an Ofsted report card (2025 framework).
Area = Literal[
    "inclusion",
    "curriculum-and-teaching",
    "achievement",
    "attendance-and-behaviour",
    "personal-development-and-well-being",
    "leadership-and-governance",
    "early-years",
    "sixth-form",
]
RequestStatus = Literal["open", "triaged", "in-progress", "resolved", "declined"]
Urgency = Literal["low", "medium", "high"]
ReviewResponse = Literal["accurate", "inaccurate"]


class Record(BaseModel):
    """Base for every record: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_post_init(self, context: Any, /) -> None:
        # Pydantic gives every instance its own set of the fields it was given:
        # 1.5 KB a visit, more than the visit's own values. Records are frozen,
        # so nothing adds to that set: instances with the same fields share one.
        given = self.__pydantic_fields_set__
        shared = _FIELDS_GIVEN.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


#: One set of given field names for all the records that were given the same fields.
_FIELDS_GIVEN: dict[frozenset[str], set[str]] = {}


# --- trust.yaml -----------------------------------------------------------


class Term(Record):
    start: Date
    half_term: tuple[Date, Date] = Field(description="first and last day of the half-term break")
    end: Date

    # Field validators, not one model validator: each error then names the
    # field that is out of order, and is reported at that field's line.
    @field_validator("half_term")
    @classmethod
    def _half_term_in_order(cls, half_term: tuple[dt.date, dt.date], info: ValidationInfo) -> tuple[dt.date, dt.date]:
        first, last = half_term
        if last < first:
            raise ValueError(f"the half-term ends ({last}) before it starts ({first})")
        start = info.data.get("start")
        if start is not None and first < start:
            raise ValueError(f"the half-term starts ({first}) before the term ({start})")
        return half_term

    @field_validator("end")
    @classmethod
    def _end_after_the_rest(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start, half_term = info.data.get("start"), info.data.get("half_term")
        if half_term is not None and end < half_term[1]:
            raise ValueError(f"the term ends ({end}) before its half-term ({half_term[0]} to {half_term[1]})")
        if start is not None and end < start:
            raise ValueError(f"the term ends ({end}) before it starts ({start})")
        return end


class AcademicYear(Record):
    autumn: Term
    spring: Term
    summer: Term
    closures: list[Date] = Field(default_factory=list, description="days with no visits: bank holidays, INSET")


Email = Annotated[str, Field(strict=True, pattern=r'^[^@\s"<>:;,]+@[^@\s"<>:;,]+\.[^@\s"<>:;,]+$',
                                description="an email address such as school-improvement@example.org")]


class Contact(Record):
    """Who people write to about the trust's visits: the calendar's ORGANIZER."""

    name: Text
    email: Email


class Trust(Record):
    name: Text
    years: dict[YearId, AcademicYear] = Field(json_schema_extra=YEAR_KEYS)
    new_headteacher_years: PositiveInt = 2
    contact: Contact | None = Field(default=None, description="the calendar's organizer")


# --- offer.yaml -----------------------------------------------------------


class Activity(Record):
    name: Text
    days: PositiveDays = 1.0
    roles: list[Slug] = Field(default_factory=list, description="who may lead it; empty means anyone")
    confidential: bool = False
    description: Text | None = None
    event: bool = Field(default=False, description=(
        "held trust-wide: plan places one event (events/) for every school owed it in a period"))


class Entitlement(Record):
    activity: Slug
    count: PositiveInt
    per: Per
    when: When | None = None
    every_years: PositiveInt | None = None

    @model_validator(mode="after")
    def _every_years_needs_year(self) -> Entitlement:
        if self.every_years is not None and self.per != "year":
            raise ValueError("every_years only goes with per: year")
        return self


class Level(Record):
    name: Text
    description: Text | None = None
    includes: Slug | None = None
    entitlements: list[Entitlement] = Field(default_factory=list)


class Offer(Record):
    activities: dict[Slug, Activity] = Field(json_schema_extra=SLUG_KEYS)
    levels: dict[Slug, Level] = Field(json_schema_extra=SLUG_KEYS)


# --- schools/<id>.yaml ----------------------------------------------------


class Headteacher(Record):
    name: Text
    started: Date | None = None


class Ofsted2019(Record):
    date: Date
    framework: Literal["ofsted-2019"]
    judgement: Judgement
    category: Literal["special-measures", "serious-weaknesses"] | None = None


class Ofsted2025(Record):
    date: Date
    framework: Literal["ofsted-2025"]
    grades: dict[Area, Grade]
    safeguarding: Literal["met", "not-met"]


Inspection = Annotated[Ofsted2019 | Ofsted2025, Field(discriminator="framework")]


# --- support that changes during the year (issue 14) ----------------------

Risk = Literal["red", "amber", "green"]


class SupportChange(Record):
    """A later decision that takes effect within the year, from `from` on."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: Date = Field(alias="from", description="the first day the new level is in force")
    level: Slug
    decided: Date | None = None
    rationale: Text | None = None
    risk: Risk | None = None
    extra: list[Entitlement] = Field(default_factory=list, description="bespoke additions from this date")


class SupportDecision(Record):
    level: Slug
    decided: Date | None = None
    rationale: Text | None = None
    risk: Risk | None = Field(default=None, description="the trust's own rating: red, amber or green")
    extra: list[Entitlement] = Field(default_factory=list, description="bespoke additions for this school")
    changes: list[SupportChange] = Field(default_factory=list, description="later decisions within the year")


class Span(Record):
    start: Date
    end: Date


class School(Record):
    urn: Urn | None = None
    name: Text
    phase: Phase
    religious_character: Text | None = None
    membership: Membership
    joined: Date | None = None
    local_authority: Text | None = None
    headteacher: Headteacher | None = None
    inspections: list[Inspection] = Field(default_factory=list, description="newest last")
    support: dict[YearId, SupportDecision] = Field(default_factory=dict, json_schema_extra=YEAR_KEYS)
    partnership: Span | None = None

    @property
    def is_church_school(self) -> bool:
        return not means_none(self.religious_character)

    @property
    def latest_inspection(self) -> Ofsted2019 | Ofsted2025 | None:
        """The inspection with the latest date, whatever the order of the list."""
        return max(self.inspections, key=lambda i: i.date, default=None)


#: What GIAS and people write for "no religious character", compared case-insensitively.
NO_RELIGIOUS_CHARACTER = frozenset({"", "none", "n/a", "not applicable", "does not apply"})


def means_none(religious_character: str | None) -> bool:
    """Whether a religious character as written means the school has none."""
    return " ".join((religious_character or "").split()).casefold() in NO_RELIGIOUS_CHARACTER


# --- people/<id>.yaml -----------------------------------------------------


class Person(Record):
    name: Text
    roles: list[Slug] = Field(default_factory=list)
    expertise: list[Text] = Field(default_factory=list)
    capacity_days: CapacityDays
    home_school: Slug | None = None
    email: Text | None = None


# --- engagements/<id>.yaml ------------------------------------------------


Money = Annotated[float, Field(ge=0, le=1e12, strict=True, allow_inf_nan=False, description="pounds")]
#: A progress review's rating of an objective, worst first.
Rag = Literal["red", "amber", "green", "met"]
GrantStatus = Literal["applied", "awarded", "declined"]
Recommendation = Literal["trust-partnership", "further-support", "none"]


class Funding(Record):
    """One grant (or fee) paying for an engagement."""

    source: Text
    amount: Money | None = None
    status: GrantStatus = Field(default="awarded", description="applied, awarded or declined")
    awarded: Date | None = Field(default=None, description="the day it was awarded (default: the engagement's start)")


class Review(Record):
    """A progress review of one objective: its rating on the day."""

    date: Date
    rag: Rag = Field(description="red, amber, green, or met")
    note: Text | None = None


class Objective(Record):
    """What the engagement is for. A plain string in the file is an objective with only its text."""

    id: Slug | None = Field(default=None, description="how reviews and commands name it")
    text: Text
    area: Area | None = Field(default=None, description="the report-card evaluation area it serves")
    reviews: list[Review] = Field(default_factory=list, description="progress reviews, oldest first")


class EndReport(Record):
    """The end-of-deployment report: what changed, and what should happen next."""

    date: Date
    outcome: Text
    recommendation: Recommendation = Field(description="trust-partnership, further-support or none")


def _objectives(value: Any) -> Any:
    # A plain string is an objective with only its text (the format before reviews).
    if isinstance(value, list):
        return [{"text": item} if isinstance(item, str) else item for item in value]
    return value


def _grants(value: Any) -> Any:
    # One grant may be written on its own, without a list around it.
    if value is None:
        return []
    return value if isinstance(value, list | tuple) else [value]


class Engagement(Record):
    school: Slug
    kind: EngagementKind
    title: Text
    purpose: Text | None = Field(default=None, description="why the trust is working with the school")
    start: Date
    end: Date | None = None
    days: CapacityDays
    staff: list[Slug] = Field(default_factory=list)
    rate: Money | None = Field(default=None, description="pounds a day, for traded work")
    funding: Annotated[
        list[Funding], BeforeValidator(_grants, json_schema_input_type=Funding | list[Funding] | None)
    ] = Field(default_factory=list, description="one grant, or a list of them")
    objectives: Annotated[
        list[Objective], BeforeValidator(_objectives, json_schema_input_type=list[Objective | Text])
    ] = Field(default_factory=list, description="plain strings, or objectives with an id and reviews")
    status: EngagementStatus = "active"
    end_report: EndReport | None = Field(default=None, description="written when the engagement ends")
    activity: Slug | None = Field(default=None, description=(
        "the activity its days are planned as; default: the one its visits use most"))

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


# --- visits/<year>/<file>.md ----------------------------------------------


class Action(Record):
    text: Text
    owner: Label
    due: Date | None = None
    status: ActionStatus = "open"
    done: Date | None = Field(default=None, description="the day it was done, once its status is done")

    @model_validator(mode="after")
    def _done_only_when_done(self) -> Action:
        if self.done is not None and self.status != "done":
            raise ValueError(f"an action with status {self.status} has no done date (done: goes with status: done)")
        return self


class VisitReview(Record):
    """The headteacher's factual-accuracy check of a visit's report."""

    shared: Date = Field(description="the day the report went to the school")
    response: ReviewResponse | None = Field(default=None, description="accurate, inaccurate, or null while awaited")
    responded: Date | None = None
    comment: Text | None = Field(default=None, description="what the school says is wrong, for inaccurate")


class VisitFrontMatter(Record):
    school: Slug
    activity: Slug
    date: Date
    status: VisitStatus
    staff: list[Slug] = Field(default_factory=list)
    days: PositiveDays | None = Field(default=None, description="default: the activity's days")
    engagement: Slug | None = None
    focus: list[Label] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    reason: Text | None = Field(
        default=None, validate_default=True, description="why, for cancelled and postponed visits"
    )
    confidential: bool | None = Field(default=None, description="default: the activity's setting")
    uid: Slug | None = Field(default=None, description="the visit's identity; written by stss when it creates a visit, "
                             "kept when its date or file name changes")
    review: VisitReview | None = Field(default=None, description="the headteacher's check of the visit report")

    @field_validator("reason")
    @classmethod
    def _reason_when_called_off(cls, reason: str | None, info: ValidationInfo) -> str | None:
        status = info.data.get("status")
        if status in CALLED_OFF and not (reason or "").strip():
            raise ValueError(f"a {status} visit needs a reason")
        return reason


class Visit(VisitFrontMatter):
    """A visit: its front matter plus the markdown notes below it."""

    notes: str = ""

    @property
    def counts(self) -> bool:
        """Planned or completed: it uses an entitlement, an engagement's days and a person's time."""
        return self.status in COUNTING

    @property
    def called_off(self) -> bool:
        return self.status in CALLED_OFF

    def days_for(self, activity: Activity | None) -> float:
        if self.days is not None:
            return self.days
        return activity.days if activity else 0.0

    def is_confidential(self, activity: Activity | None) -> bool:
        if self.confidential is not None:
            return self.confidential or bool(activity and activity.confidential)
        return bool(activity and activity.confidential)


# --- events/<year>/<file>.md ----------------------------------------------


class EventFrontMatter(Record):
    """A trust-wide event several schools attend: a network meeting, governor training."""

    activity: Slug
    date: Date
    status: EventStatus
    staff: list[Slug] = Field(default_factory=list)
    schools: list[Slug] = Field(min_length=1, description="the schools that took part (or are invited)")
    host: Slug | None = None
    uid: Slug | None = Field(default=None, description="the event's identity; written by stss when it plans an event, "
                             "kept when its date or file name changes")


class Event(EventFrontMatter):
    """An event: its front matter plus the markdown notes below it."""

    notes: str = ""

    def days_for(self, activity: Activity | None) -> float:
        return activity.days if activity else 0.0

    @property
    def counts(self) -> bool:
        """Planned or completed: it uses each school's entitlement and its staff's time."""
        return self.status in COUNTING
# --- requests/<id>.yaml --------------------------------------------------


class Request(Record):
    """A problem or request a school brought to the trust."""

    school: Slug
    raised: Date
    raised_by: Text | None = Field(default=None, description="who asked: a role or a name")
    summary: Text
    category: Slug | None = Field(default=None, description="a free slug, such as attendance")
    urgency: Urgency = "medium"
    status: RequestStatus = "open"
    respond_by: Date | None = Field(default=None, description="default: 5 school days after raised")
    assigned: list[Slug] = Field(default_factory=list, description="people working on it")
    engagement: Slug | None = Field(default=None, description="the engagement it led to")
    resolved: Date | None = Field(default=None, description="the date, for resolved and declined")
    outcome: Text | None = Field(default=None, description="what was done, or why it was declined")

    @property
    def closed(self) -> bool:
        return self.status in ("resolved", "declined")


# --- the records root as a whole ------------------------------------------

@dataclass(frozen=True)
class Records:
    """Everything in a records root that parsed and validated.

    Records that failed validation are absent (their problems say why), so
    computations over `Records` can trust every value they see. Visits and
    events are keyed by their path relative to the root, the rest by id.
    """

    trust: Trust | None = None
    offer: Offer | None = None
    schools: Mapping[str, School] = field(default_factory=dict)
    people: Mapping[str, Person] = field(default_factory=dict)
    engagements: Mapping[str, Engagement] = field(default_factory=dict)
    visits: Mapping[str, Visit] = field(default_factory=dict)
    events: Mapping[str, Event] = field(default_factory=dict)
    requests: Mapping[str, Request] = field(default_factory=dict)
    #: Ids of records on disk that were not read (a command reading one school
    #: knows the other schools' ids, not their records), by kind.
    unread: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def school_ids(self) -> frozenset[str]:
        """Every school on disk, read or not."""
        return frozenset(self.schools) | self.unread.get("school", frozenset())

    def activity(self, activity_id: str) -> Activity | None:
        return self.offer.activities.get(activity_id) if self.offer else None

    def visits_of(self, school_id: str) -> list[tuple[str, Visit]]:
        return [(p, v) for p, v in self.visits.items() if v.school == school_id]
