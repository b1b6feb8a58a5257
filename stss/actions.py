"""Actions agreed at visits, and which are due or overdue.

An open action is "overdue" after its due date and "due" within 14 days of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

from stss.models import Records

ActionState = Literal["overdue", "due", "open"]

DUE_WITHIN = dt.timedelta(days=14)


@dataclass(frozen=True)
class OpenAction:
    school: str
    visit: str  # path of the visit file
    visit_date: dt.date
    text: str
    owner: str
    due: dt.date | None
    state: ActionState

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def state_of(due: dt.date | None, today: dt.date) -> ActionState:
    if due is None:
        return "open"
    if due < today:
        return "overdue"
    return "due" if due <= today + DUE_WITHIN else "open"


def open_actions(records: Records, today: dt.date, school: str | None = None,
                 overdue_only: bool = False) -> list[OpenAction]:
    out = []
    for path, visit in records.visits.items():
        if school and visit.school != school:
            continue
        for action in visit.actions:
            if action.status != "open":
                continue
            state = state_of(action.due, today)
            if overdue_only and state != "overdue":
                continue
            out.append(OpenAction(visit.school, path, visit.date, action.text, action.owner, action.due, state))
    return sorted(out, key=lambda a: (a.due or dt.date.max, a.school, a.visit, a.text))
