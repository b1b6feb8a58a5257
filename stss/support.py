"""Recording a school's support level for a year, in the school's own file.

`decide` edits `schools/<id>.yaml` in round-trip mode: the year's entry under
`support` gets its level, the date it was decided and the rationale; the
entry's bespoke `extra` lines, the other years and every comment stay as they
were. `change` adds a mid-year change to the entry's `changes` (in date order;
a change from the same day is revised in place). Pure: the file's text comes
in, a `Change` goes out for `stss.changes`, which refuses a change dated
outside its year or before the year's decision, at its line.
"""

from __future__ import annotations

import datetime as dt

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from stss import yamledit
from stss.changes import Change
from stss.errors import UsageError
from stss.layout import record_path
from stss.models import Records, School, SupportChange, SupportDecision

SCHOOL_KEYS = tuple(School.model_fields)
DECISION_KEYS = tuple(SupportDecision.model_fields)
CHANGE_KEYS = tuple(f.alias or name for name, f in SupportChange.model_fields.items())


def decide(school_id: str, text: str, year_id: str, level: str, rationale: str, decided: dt.date) -> Change:
    """The school file with `year_id`'s support decision set."""
    doc = yamledit.load(text, path=record_path("school", school_id))
    if not isinstance(doc.data.get("support"), CommentedMap):
        yamledit.set_key(doc.data, "support", CommentedMap(), SCHOOL_KEYS)
    support = doc.data["support"]
    values = {"level": level, "decided": decided, "rationale": yamledit.text_value(rationale)}
    entry = support.get(year_id)
    if isinstance(entry, CommentedMap):
        for key, value in values.items():
            if entry.get(key) != value:
                yamledit.set_key(entry, key, value, DECISION_KEYS)
    elif year_id in support:
        support[year_id] = yamledit.block_map(values.items())
    else:
        yamledit.insert_sorted(support, year_id, yamledit.block_map(values.items()))
    return Change(record_path("school", school_id), yamledit.dump(doc))


def change(school_id: str, text: str, year_id: str, level: str, rationale: str, decided: dt.date,
           from_: dt.date) -> Change:
    """The school file with a change to `level` from `from_` added to `year_id`'s decision."""
    doc = yamledit.load(text, path=record_path("school", school_id))
    support = doc.data.get("support")
    entry = support.get(year_id) if isinstance(support, CommentedMap) else None
    if not isinstance(entry, CommentedMap):
        raise UsageError(f"{school_id} has no support level for {year_id} to change",
                         f"record the year's level first: stss edit-support {school_id} --level LEVEL --year {year_id}")
    if entry.fa.flow_style():
        entry.fa.set_block_style()  # a list of changes inside {...} would be one long line
    values = {"from": from_, "level": level, "decided": decided, "rationale": yamledit.text_value(rationale)}
    changes = entry.get("changes")
    if not isinstance(changes, CommentedSeq):
        yamledit.set_key(entry, "changes", CommentedSeq(), DECISION_KEYS)
        changes = entry["changes"]
    same = next((c for c in changes if isinstance(c, CommentedMap) and c.get("from") == from_), None)
    if same is not None:
        for key, value in values.items():
            if same.get(key) != value:
                yamledit.set_key(same, key, value, CHANGE_KEYS)
    else:
        later = [i for i, c in enumerate(changes)
                 if isinstance(c, CommentedMap) and isinstance(c.get("from"), dt.date) and c["from"] > from_]
        changes.insert(later[0] if later else len(changes), yamledit.block_map(values.items()))
    return Change(record_path("school", school_id), yamledit.dump(doc))


def commit_message(records: Records, school_id: str, year_id: str, level: str,
                   from_: dt.date | None = None) -> str:
    """`Decide 2026-27 support for St Anne's CE Primary School: enhanced` (`... from 2027-01-04`)."""
    school = records.schools.get(school_id)
    since = f" from {from_}" if from_ else ""
    return f"Decide {year_id} support for {school.name if school else school_id}: {level}{since}"
