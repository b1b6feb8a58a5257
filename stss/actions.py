"""Actions agreed at visits: which are due or overdue, and closing one.

An open action is "overdue" after its due date and "due" within 14 days of it.
Seen as of a day, only visits on or before it count, and an action done after
it was still open then. `close` marks one done in its visit's text, keeping
everything else a person wrote (`stss.yamledit`); which one is `choose`'s
business: the words given must pick out exactly one open action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

from stss.errors import StoreError, UsageError
from stss.models import Action, Records, Visit

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


def open_through(action: Action) -> dt.date | None:
    """The day an action stops being open: date.max while it is open, the day it was done
    once done, None if it never counts as open (dropped, or done with no date). The one
    rule both `open_on` and the cache's `open_until` follow."""
    if action.status == "open":
        return dt.date.max
    return action.done if action.status == "done" else None


def open_on(action: Action, today: dt.date) -> bool:
    """Whether the action was open on `today`: open, or done after it."""
    until = open_through(action)
    return until is not None and until > today


def open_until(visit: Visit) -> dt.date | None:
    """The last day any of the visit's actions is open (`open_through`), None when none ever
    was: for the cache, which keeps it, so that a report can read the older visits with
    actions still open and no others."""
    return max((d for a in visit.actions if (d := open_through(a)) is not None), default=None)


def open_actions(records: Records, today: dt.date, school: str | None = None,
                 overdue_only: bool = False) -> list[OpenAction]:
    """The actions open on `today`, from visits on or before it."""
    out = []
    for path, visit in records.visits.items():
        if (school and visit.school != school) or visit.date > today:
            continue
        for action in visit.actions:
            if not open_on(action, today):
                continue
            state = state_of(action.due, today)
            if overdue_only and state != "overdue":
                continue
            out.append(OpenAction(visit.school, path, visit.date, action.text, action.owner, action.due, state))
    return sorted(out, key=lambda a: (a.due or dt.date.max, a.school, a.visit, a.text))


# --- closing an action ------------------------------------------------------------


@dataclass(frozen=True)
class Agreed:
    """An open action, where it is: the visit file and its place in `actions`."""

    visit: str
    index: int
    visit_date: dt.date
    text: str
    owner: str
    due: dt.date | None


def _said(text: str) -> str:
    return " ".join(text.split()).casefold()


def choose(records: Records, school: str, match: str) -> Agreed:
    """The one open action at `school` whose text holds the words `match` (any
    case or spacing; a text equal to `match` wins over ones that only hold it).
    Refuses, listing what there is, when none or several do."""
    words = _said(match)
    if not words:
        raise UsageError("--match is empty", "give words from the action's text")
    open_here = sorted(
        (Agreed(path, i, v.date, a.text, a.owner, a.due)
         for path, v in records.visits_of(school) for i, a in enumerate(v.actions) if a.status == "open"),
        key=lambda a: (a.visit_date, a.visit, a.index))
    found = [a for a in open_here if words in _said(a.text)]
    exact = [a for a in found if _said(a.text) == words]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if not found:
        listed = _listed(open_here) if open_here else "it has no open actions"
        raise UsageError(f"no open action at {school} matches '{match}'", listed)
    raise UsageError(f"'{match}' matches {len(found)} open actions at {school}; nothing was written",
                     f"give more of the words of the one you mean: {_listed(found)}")


def _listed(found: list[Agreed]) -> str:
    return "; ".join(f"\"{a.text}\" ({a.visit_date}, {a.visit})" for a in found)


def check_done(agreed: Agreed, when: dt.date, today: dt.date) -> None:
    """An action is done on a day between the visit that agreed it and today."""
    if when > today:
        raise UsageError(f"an action cannot be done after today ({when} is after {today})")
    if when < agreed.visit_date:
        raise UsageError(f"{when} is before the visit that agreed the action ({agreed.visit_date})", "check --date")


def close(text: str, agreed: Agreed, day: dt.date) -> str:
    """The visit file's text with the action marked `status: done` and `done: DAY`,
    every other line as it was."""
    from ruamel.yaml.comments import CommentedMap  # round-trip YAML only when a file is edited

    from stss import yamledit

    doc = yamledit.load(text, front_matter=True, path=agreed.visit)
    items = doc.data.get("actions")
    item = items[agreed.index] if isinstance(items, list) and agreed.index < len(items) else None
    if not isinstance(item, CommentedMap) or _said(str(item.get("text", ""))) != _said(agreed.text):
        raise StoreError(f"refused: {agreed.visit} changed while it was read; nothing was written",
                         hint="run the command again")
    yamledit.set_key(item, "status", "done", ACTION_KEYS)
    yamledit.set_key(item, "done", day, ACTION_KEYS)
    return yamledit.dump(doc)


#: The keys of an action, in the order the records format writes them.
ACTION_KEYS = tuple(Action.model_fields)
