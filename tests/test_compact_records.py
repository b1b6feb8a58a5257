"""A large trust's records are held compactly: records given the same fields share one
set of their names, and ids, statuses and dates are held once however many records
give them. None of that sharing shows: a record changed by copy is still its own,
and values compare as they always did. Paths in validate's output are worked out
once per run, and read exactly as the person would type them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from stss.models import Action, Visit
from stss.outputs import path_shower


def _visit(school: str, day: str) -> Visit:
    return Visit.model_validate({"school": school, "activity": "education-review", "date": day,
                                 "status": "completed", "staff": ["alex-morgan"],
                                 "actions": [{"text": "Write the plan", "owner": "headteacher"}]})


_CACHED = ('{"school": "hill-top", "activity": "education-review", "date": "2026-10-05", "status": "completed",'
           ' "staff": ["alex-morgan"], "actions": [{"text": "Write the plan", "owner": "headteacher"}]}')


def test_records_given_the_same_fields_share_what_they_can() -> None:
    a, b = _visit("hill-top", "2026-10-05"), _visit("hill-top", "2026-10-05")
    c = Visit.model_validate_json(_CACHED)
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__ is c.__pydantic_fields_set__
    assert a.actions[0].__pydantic_fields_set__ is c.actions[0].__pydantic_fields_set__
    assert a.school is b.school and a.status is b.status and a.actions[0].owner is b.actions[0].owner
    assert a.status is c.status  # a status is its type's own literal, whatever it was read from
    assert a.date is b.date


def test_records_read_back_from_the_cache_share_their_ids_too() -> None:
    """The cache's JSON skips the hooks YAML needs (`models.FromYaml`): its strings are
    held once by pydantic's own string cache."""
    a, b = Visit.model_validate_json(_CACHED), Visit.model_validate_json(_CACHED.replace("2026-10-05", "2026-10-06"))
    assert a.school is b.school and a.staff[0] is b.staff[0] and a.actions[0].owner is b.actions[0].owner
    assert a == _visit("hill-top", "2026-10-05")


def test_the_cache_json_holds_only_what_a_record_could() -> None:
    """Skipping the YAML hooks loosens nothing: a date is ISO text (not a number of
    seconds), an id is a slug, and the rules between fields still hold."""
    import pytest
    from pydantic import ValidationError

    for bad in (_CACHED.replace('"2026-10-05"', "1791158400"), _CACHED.replace("hill-top", "Hill Top"),
                _CACHED.replace('"status": "completed"', '"status": "cancelled"'),
                _CACHED.replace('"owner": "headteacher"', '"owner": "headteacher", "done": "2026-10-06"')):
        with pytest.raises(ValidationError):
            Visit.model_validate_json(bad)


def test_a_record_changed_by_copy_keeps_its_own_fields() -> None:
    a, b = _visit("hill-top", "2026-10-05"), _visit("oak-lane", "2026-10-06")
    changed = a.model_copy(update={"reason": "snow"})
    assert "reason" in changed.model_fields_set
    assert "reason" not in a.model_fields_set and "reason" not in b.model_fields_set
    assert a.model_dump(exclude_unset=True) == {
        "school": "hill-top", "activity": "education-review", "date": dt.date(2026, 10, 5), "status": "completed",
        "staff": ["alex-morgan"], "actions": [{"text": "Write the plan", "owner": "headteacher"}]}


def test_a_record_given_fewer_fields_says_so() -> None:
    bare = Action.model_validate({"text": "Write the plan", "owner": "headteacher"})
    full = Action.model_validate({"text": "Write the plan", "owner": "headteacher", "status": "open"})
    assert bare.model_fields_set == {"text", "owner"} and full.model_fields_set == {"text", "owner", "status"}


def _lexical(root: Path, rel: str, here: str) -> str:
    """What validate printed before the root's place was worked out once."""
    absolute, base = os.path.abspath(root / rel), os.path.abspath(here)
    return os.path.relpath(absolute, base) if absolute.startswith(base + os.sep) else str(root / rel)


PARTS = st.sampled_from(["visits", "2026-27", "a.md", ".", "..", "", "schools", "x y", "-"])


@given(rel=st.lists(PARTS, min_size=1, max_size=4).map("/".join),
       where=st.sampled_from(["top", "inside", "below", "beside", "above"]))
def test_paths_are_shown_as_they_were_worked_out_one_by_one(rel: str, where: str) -> None:
    root = Path("/srv/trust/records")
    here = {"top": "/srv/trust/records", "inside": "/srv/trust/records/visits", "below": "/srv/trust",
            "beside": "/srv/other", "above": "/"}[where]
    assert path_shower(root, here)(rel) == _lexical(root, rel, here)


def test_a_path_below_the_prompt_is_shown_from_there() -> None:
    shown = path_shower(Path("/srv/trust/records"), "/srv/trust")
    assert shown("visits/2026-27/a.md") == "records/visits/2026-27/a.md"
    assert path_shower(Path("/srv/trust/records"), "/srv/other")("trust.yaml") == "/srv/trust/records/trust.yaml"
