"""An engagement's objectives and their progress reviews.

`progress` gives each objective's latest rating and its direction since the
review before it; `area_ratings` rolls the latest ratings of objectives on a
report-card area up per school (the worst one stands for the area, as a
progress review would read it); `add_review` records a review in the
engagement's own file, keeping its comments and layout. Pure: records and
text in, values and a `Change` out; the CLI writes through `stss.changes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from stss import yamledit
from stss.changes import Change
from stss.errors import UsageError
from stss.layout import record_path
from stss.models import Engagement, Objective, Rag, Records, Review
from stss.parsing import slugify

#: Ratings from worst to best: a move to the right is an improvement.
RAGS: tuple[Rag, ...] = ("red", "amber", "green", "met")
Direction = Literal["improving", "declining", "steady"]
#: A plain-string objective given an id when first reviewed: its first words, at most this long.
ID_LENGTH = 40
ID_WORDS = 4
LINKING_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"})
OBJECTIVE_KEYS = tuple(Objective.model_fields)


@dataclass(frozen=True)
class Progress:
    """One objective of an engagement, as its reviews leave it."""

    engagement: str
    ref: str  # its id, or its number (1 for the first) if it has none
    text: str
    area: str | None
    reviews: tuple[Review, ...]  # oldest first
    latest: Review | None
    previous: Review | None
    direction: Direction | None  # since the previous review; None before a second one

    def as_dict(self) -> dict[str, object]:
        return {
            "objective": self.ref, "text": self.text, "area": self.area,
            "rag": self.latest.rag if self.latest else None, "reviewed": self.latest.date if self.latest else None,
            "previous": self.previous.rag if self.previous else None, "direction": self.direction,
            "reviews": [r.model_dump() for r in self.reviews],
        }


def direction(previous: Rag, latest: Rag) -> Direction:
    """Improving when the rating moved towards met, declining when away from it."""
    step = RAGS.index(latest) - RAGS.index(previous)
    return "improving" if step > 0 else "declining" if step < 0 else "steady"


def ref_of(objective: Objective, index: int) -> str:
    return objective.id or str(index + 1)


def progress(engagement_id: str, engagement: Engagement) -> tuple[Progress, ...]:
    out = []
    for i, objective in enumerate(engagement.objectives):
        # By date, keeping the written order for reviews on the same day.
        reviews = tuple(sorted(objective.reviews, key=lambda r: r.date))
        latest = reviews[-1] if reviews else None
        previous = reviews[-2] if len(reviews) > 1 else None
        out.append(Progress(engagement_id, ref_of(objective, i), objective.text, objective.area, reviews, latest,
                            previous, direction(previous.rag, latest.rag) if previous and latest else None))
    return tuple(out)


@dataclass(frozen=True)
class AreaRating:
    """A school's report-card area as its objectives' latest reviews rate it."""

    school: str
    area: str
    rag: Rag  # the worst latest rating among the objectives on this area
    reviewed: dt.date  # the most recent review among them
    objectives: tuple[Progress, ...]


def area_ratings(records: Records, engagements: Mapping[str, Engagement] | None = None) -> dict[str, tuple[AreaRating, ...]]:
    """Per school, each report-card area its reviewed objectives serve, rated by the worst
    latest rating (an area is only as secure as its weakest objective), areas in name order."""
    found: dict[str, dict[str, list[Progress]]] = {}
    for eid, e in sorted((engagements if engagements is not None else records.engagements).items()):
        for p in progress(eid, e):
            if p.area and p.latest:
                found.setdefault(e.school, {}).setdefault(p.area, []).append(p)
    return {
        school: tuple(
            AreaRating(school, area, min((p.latest.rag for p in ps if p.latest), key=RAGS.index),
                       max(p.latest.date for p in ps if p.latest), tuple(ps))
            for area, ps in sorted(areas.items()))
        for school, areas in sorted(found.items())
    }


# --- recording a review ---------------------------------------------------------


def find(engagement: Engagement, wanted: str) -> int:
    """The index of the objective named by its id or its number, else a usage error."""
    for i, objective in enumerate(engagement.objectives):
        if objective.id == wanted:
            return i
    if wanted.isdigit() and 1 <= int(wanted) <= len(engagement.objectives):
        return int(wanted) - 1
    refs = [ref_of(o, i) for i, o in enumerate(engagement.objectives)]
    from stss.errors import unknown_id_hint

    if not refs:
        raise UsageError(f"the engagement has no objectives to review '{wanted}'",
                         "add objectives to the engagement's file first")
    raise UsageError(f"the engagement has no objective '{wanted}'", unknown_id_hint(wanted, refs)
                     or f"objectives: {', '.join(refs)}")


def new_id(text: str, taken: set[str]) -> str:
    """An id for a plain-string objective from its first words, unique in its engagement."""
    words: list[str] = []
    for word in slugify(text).split("-"):
        if len(words) == ID_WORDS or (words and len("-".join([*words, word])) > ID_LENGTH):
            break
        words.append(word)
    while len(words) > 1 and words[-1] in LINKING_WORDS:
        words.pop()
    base = "-".join(words)[:ID_LENGTH].strip("-") or "objective"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@dataclass(frozen=True)
class Recorded:
    change: Change
    objective: str  # the objective's id after the change
    named: bool  # the objective was a plain string and has been given that id


def add_review(engagement_id: str, engagement: Engagement, text: str, wanted: str, review: Review,
               today: dt.date) -> Recorded:
    """The engagement file with `review` added to the objective `wanted` (its id or number).

    A plain-string objective becomes a mapping with an id made from its text, so
    later reviews can name it; every other line stays as it was."""
    if review.date > today:
        raise UsageError(f"the review is dated {review.date}, after today ({today})",
                         "record a review once it has taken place")
    index = find(engagement, wanted)
    objective = engagement.objectives[index]
    doc = yamledit.load(text, path=record_path("engagement", engagement_id))
    items = doc.data.get("objectives")
    if not isinstance(items, CommentedSeq) or index >= len(items):
        raise UsageError(f"cannot find objective '{wanted}' in {record_path('engagement', engagement_id)}")
    if items.fa.flow_style():
        items.fa.set_block_style()
    entry = _review_entry(review)
    item = items[index]
    named = not isinstance(item, CommentedMap)
    oid = objective.id
    if isinstance(item, CommentedMap):
        if isinstance(item.get("reviews"), CommentedSeq):
            # In date order: a review recorded late goes before any dated after it.
            later = [i for i, r in enumerate(objective.reviews) if r.date > review.date]
            item["reviews"].insert(later[0] if later else len(item["reviews"]), entry)
        else:
            yamledit.set_key(item, "reviews", CommentedSeq([entry]), OBJECTIVE_KEYS)
    else:
        oid = new_id(objective.text, {o.id for o in engagement.objectives if o.id})
        mapping = yamledit.block_map([("id", oid), ("text", item), ("reviews", CommentedSeq([entry]))])
        _move_comment(items, index, mapping)
        items[index] = mapping
    return Recorded(Change(record_path("engagement", engagement_id), yamledit.dump(doc)), oid or wanted, named)


def _move_comment(items: CommentedSeq, index: int, mapping: CommentedMap) -> None:
    """Comments written after a plain-string objective stay where they were: the one on
    its line goes to the `text:` line, the full-line ones below it stay before the next item."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    tokens = items.ca.items.pop(index, None)
    comment = next((t for t in tokens or () if isinstance(t, CommentToken)), None)
    if comment is None:
        return
    first, _, rest = comment.value.partition("\n")
    if first.strip():
        mapping.ca.items["text"] = [None, None, CommentToken(first.strip() + "\n", CommentMark(0), None), None]
    if rest.strip():
        reviews = mapping["reviews"]
        reviews.ca.items[len(reviews) - 1] = [CommentToken("\n" + rest, CommentMark(0), None), None, None, None]


#: A review longer than this is written as a block mapping, its note folded over lines.
FLOW_NOTE = 60


def _review_entry(review: Review) -> CommentedMap:
    pairs: list[tuple[str, object]] = [("date", review.date), ("rag", review.rag)]
    if review.note is None:
        return yamledit.flow_map(pairs)
    note = " ".join(review.note.split())
    if len(note) <= FLOW_NOTE:
        return yamledit.flow_map([*pairs, ("note", note)])
    return yamledit.block_map([*pairs, ("note", yamledit.text_value(note))])


def commit_message(records: Records, engagement_id: str, objective: str, review: Review) -> str:
    """`Review Maths SLE deployment (autumn 2026), objective fluency: amber`."""
    e = records.engagements.get(engagement_id)
    return f"Review {e.title if e else engagement_id}, objective {objective}: {review.rag}"
