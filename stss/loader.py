"""Load a records root: read every file, validate, run the checks, locate problems.

The one pipeline every command starts from, so each sees the same records
and the same problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stss import checks, store
from stss.errors import Problem, has_errors
from stss.models import Engagement, Offer, Person, Records, School, Trust, Visit


@dataclass(frozen=True)
class Loaded:
    root: Path
    records: Records
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def load(root: Path, use_cache: bool = True) -> Loaded:
    parsed, problems = store.read_all(root, use_cache=use_cache)
    trust: Trust | None = None
    offer: Offer | None = None
    schools: dict[str, School] = {}
    people: dict[str, Person] = {}
    engagements: dict[str, Engagement] = {}
    visits: dict[str, Visit] = {}
    broken = set()
    for path, (rf, result) in parsed.items():
        problems.extend(result.problems)
        model = result.model
        if model is None:
            broken.add(path)
        elif isinstance(model, Trust):
            trust = model
        elif isinstance(model, Offer):
            offer = model
        elif isinstance(model, School):
            schools[rf.record_id] = model
        elif isinstance(model, Person):
            people[rf.record_id] = model
        elif isinstance(model, Engagement):
            engagements[rf.record_id] = model
        elif isinstance(model, Visit):
            visits[path] = model
    records = Records(trust, offer, schools, people, engagements, visits)
    problems.extend(store.locate(root, checks.run(records, frozenset(broken))))
    return Loaded(root, records, tuple(sorted(problems)))
