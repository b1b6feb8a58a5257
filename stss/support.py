"""Recording a school's support level for a year, in the school's own file.

`decide` edits `schools/<id>.yaml` in round-trip mode: the year's entry under
`support` gets its level, the date it was decided and the rationale; the
entry's bespoke `extra` lines, the other years and every comment stay as they
were. Pure: the file's text comes in, a `Change` goes out for `stss.changes`.
"""

from __future__ import annotations

import datetime as dt

from ruamel.yaml.comments import CommentedMap

from stss import yamledit
from stss.changes import Change
from stss.layout import record_path
from stss.models import Records, School, SupportDecision

SCHOOL_KEYS = tuple(School.model_fields)
DECISION_KEYS = tuple(SupportDecision.model_fields)


def decide(school_id: str, text: str, year_id: str, level: str, rationale: str, decided: dt.date) -> Change:
    """The school file with `year_id`'s support decision set."""
    doc = yamledit.load(text)
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


def commit_message(records: Records, school_id: str, year_id: str, level: str) -> str:
    """`Decide 2026-27 support for St Anne's CE Primary School: enhanced`."""
    school = records.schools.get(school_id)
    return f"Decide {year_id} support for {school.name if school else school_id}: {level}"
