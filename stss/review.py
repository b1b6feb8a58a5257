"""The headteacher's factual-accuracy check of a visit report (`review` in a visit).

The rules behind `stss share`, `stss review` and `stss reviews`, as pure
functions over `Records`:

- a visit is named on the command line by its file name (with or without
  `.md`, with or without its folder); the name is only ever looked up among
  the loaded visits, never opened as a path;
- only a completed visit is shared, and a confidential one only when asked;
  sharing writes `review: {shared: DATE}`, and sharing again (a corrected
  report) starts a new check: the earlier response goes, git keeps it;
- the school answers `accurate`, or `inaccurate` with a comment saying what
  is wrong, on or after the day it was shared;
- a report shared and unanswered for more than ten school days is `late`.

Files are edited with `stss.yamledit`, so every other line, the notes and
every comment stay as they were. Text in, `Change`s out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict, dataclass

from stss import calendar, yamledit
from stss.changes import Change
from stss.errors import UsageError, did_you_mean
from stss.layout import stem_of
from stss.models import Records, ReviewResponse, Visit, VisitFrontMatter, VisitReview
from stss.parsing import has_control_characters
from stss.report_model import VisitAction, VisitReport

#: School days a school has to answer before its silence is worth chasing.
ANSWER_WITHIN = 10
VISIT_KEYS = tuple(VisitFrontMatter.model_fields)
REVIEW_KEYS = tuple(VisitReview.model_fields)
COLUMNS = ("visit", "school", "visit_date", "activity", "shared", "response", "responded", "comment",
           "school_days_waiting", "state")


def find_visit(records: Records, ref: str) -> str:
    """The visit (its path in `Records`) that `ref` names: its path, or its file name
    with or without `.md`. Looked up among the loaded visits only."""
    if ref in records.visits:
        return ref
    name = ref.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name[:-3] if name.endswith(".md") else name
    found = sorted(p for p in records.visits if stem_of(p) == stem)
    if len(found) == 1:
        return found[0]
    if found:
        raise UsageError(f"'{ref}' names {len(found)} visits", f"give its folder too: {', '.join(found)}")
    hint = did_you_mean(stem, (stem_of(p) for p in records.visits))
    raise UsageError(f"no visit '{ref}'", hint or "name a visit by its file name, e.g. "
                     "2026-10-06-st-annes-education-review (see visits/<year>/)")


# --- sharing the report -------------------------------------------------------------


def check_share(records: Records, path: str, include_confidential: bool) -> None:
    visit = records.visits[path]
    if visit.status != "completed":
        raise UsageError(f"{path} is {visit.status}: only a completed visit has a report to share")
    if visit.is_confidential(records.activity(visit.activity)) and not include_confidential:
        raise UsageError(f"{path} is confidential", "pass --include-confidential to share it with the school")


def visit_report(records: Records, path: str, today: dt.date) -> VisitReport:
    """What the school is sent: the visit's notes, focus and actions."""
    v = records.visits[path]
    school = records.schools.get(v.school)
    activity = records.activity(v.activity)
    trust = records.trust
    assert trust is not None
    school_name = school.name if school else v.school
    activity_name = activity.name if activity else v.activity
    return VisitReport(
        kind="visit-report", title=f"{activity_name}, {school_name}", trust_name=trust.name,
        school=v.school, school_name=school_name,
        headteacher=school.headteacher.name if school and school.headteacher else None,
        date=v.date, activity=v.activity, activity_name=activity_name,
        staff=tuple(records.people[p].name if p in records.people else p for p in v.staff),
        focus=tuple(v.focus), actions=tuple(VisitAction(a.text, a.owner, a.due, a.status) for a in v.actions),
        notes=v.notes.strip(), confidential=v.is_confidential(activity), shared=today,
        respond_by=calendar.school_days_after(trust, today, ANSWER_WITHIN))


def share(text: str, path: str, today: dt.date) -> Change:
    """The visit with `review.shared` set to today (a new check: any earlier answer goes)."""
    doc = yamledit.load(text, front_matter=True, path=path)
    yamledit.set_key(doc.data, "review", yamledit.block_map([("shared", today)]), VISIT_KEYS)
    return Change(path, yamledit.dump(doc))


# --- the school's answer ---------------------------------------------------------------


def check_answer(visit: Visit, path: str, response: ReviewResponse, comment: str | None, today: dt.date) -> None:
    if visit.review is None:
        raise UsageError(f"{path} has not been shared with the school",
                         "share it first: stss share VISIT --out FILE")
    if today < visit.review.shared:
        raise UsageError(f"the answer ({today}) cannot come before the report was shared ({visit.review.shared})")
    if response == "inaccurate" and not (comment or "").strip():
        raise UsageError("an inaccurate report needs the school's comment", 'pass --comment "what is wrong"')
    if comment is not None and has_control_characters(comment):
        raise UsageError("--comment holds control characters", "type the text plainly")


def answer(text: str, path: str, response: ReviewResponse, comment: str | None, today: dt.date) -> Change:
    """The visit with the school's answer recorded in its `review`, in place."""
    doc = yamledit.load(text, front_matter=True, path=path)
    review = doc.data["review"]
    for key, value in (("response", response), ("responded", today),
                       ("comment", yamledit.text_value(comment) if comment else None)):
        if value is not None:
            yamledit.set_key(review, key, value, REVIEW_KEYS)
        elif key in review:
            del review[key]  # an earlier comment does not belong to this answer
    return Change(path, yamledit.dump(doc))


# --- what needs following up --------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    visit: str
    school: str
    visit_date: dt.date
    activity: str
    shared: dt.date
    response: ReviewResponse | None
    responded: dt.date | None
    comment: str | None
    school_days_waiting: int  # since shared, while unanswered
    state: str  # late | awaiting | inaccurate | accurate

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


_ORDER = {"late": 0, "inaccurate": 1, "awaiting": 2, "accurate": 3}


def reviews(records: Records, today: dt.date, school: str | None = None) -> list[ReviewRow]:
    """Every shared report, what needs following up first: late, inaccurate, awaiting, accurate."""
    trust = records.trust
    assert trust is not None
    out = []
    for path, v in records.visits.items():
        r = v.review
        if r is None or (school and v.school != school):
            continue
        waiting = calendar.school_days_since(trust, r.shared, today) if r.response is None else 0
        state = r.response or ("late" if waiting > ANSWER_WITHIN else "awaiting")
        out.append(ReviewRow(path, v.school, v.date, v.activity, r.shared, r.response, r.responded, r.comment,
                             waiting, state))
    return sorted(out, key=lambda row: (_ORDER[row.state], row.shared, row.visit))


def needs_attention(rows: Collection[ReviewRow]) -> list[ReviewRow]:
    """Reports awaiting an answer for more than ten school days, and those marked inaccurate."""
    return [row for row in rows if row.state in ("late", "inaccurate")]


@dataclass(frozen=True)
class ReviewFigures:
    shared: int
    awaiting: int  # unanswered, within ten school days
    late: int  # unanswered for more than ten school days
    accurate: int
    inaccurate: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def figures(records: Records, start: dt.date, end: dt.date, today: dt.date,
            schools: Collection[str] | None = None) -> ReviewFigures:
    """Reports shared between `start` and `end` (a term) and how schools answered, as of `today`."""
    rows = [row for row in reviews(records, today)
            if start <= row.shared <= end and (schools is None or row.school in schools)]
    count = {state: sum(row.state == state for row in rows) for state in _ORDER}
    return ReviewFigures(len(rows), count["awaiting"], count["late"], count["accurate"], count["inaccurate"])
