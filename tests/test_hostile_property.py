"""A property: any one hostile change to an example record is reported in that file, in time.

hypothesis picks an example file and a line, and replaces, breaks or adds to
it with the values hostile records use (impossible dates, infinities, huge
numbers, control characters, merge keys, tags, NUL). `load` must finish
without an exception, within a time limit per example (a hang fails), and
every problem must point inside the changed file, at a line it has.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stss import loader
from tests.helpers import EXAMPLE, copy_example, time_limit

FILES = sorted(p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*")
               if p.is_file() and p.suffix in (".yaml", ".md") and ".stss-cache" not in p.parts
               and p.parts[len(EXAMPLE.parts)] in ("schools", "people", "engagements", "visits"))
HOSTILE = ["2026-02-30", "9999-99-99", ".inf", "-.inf", ".nan", "1e300", "-1", "0", "12345678901234567890123456",
           "\x1b[2J", "\x00", "\x1f\x1e", "\u2028", "<<: *a", "&a {x: 1}", "*a", "!!python/object:os.system",
           "[", "{", "? [a]", "'", '"', "---", "\t", "~", "null", "[1, 2]", "{a: 1}", "x" * 5000, "true"]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("hostile") / "records")
    loader.load(root)  # warm the cache: each example re-reads only the file it changed
    return root


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rel=st.sampled_from(FILES), where=st.integers(0, 40), how=st.sampled_from(["value", "line", "insert"]),
       hostile=st.sampled_from(HOSTILE))
def test_one_hostile_change_is_reported_in_its_own_file(records: Path, rel: str, where: int, how: str,
                                                        hostile: str) -> None:
    path = records / rel
    original = path.read_text("utf-8")
    lines = original.split("\n")
    at = where % len(lines)
    if how == "value" and ":" in lines[at]:
        lines[at] = lines[at].split(":", 1)[0] + ": " + hostile
    elif how == "insert":
        lines.insert(at, f"hostile_{at}: {hostile}")
    else:
        lines[at] = hostile
    changed = "\n".join(lines)
    path.write_text(changed, "utf-8")
    try:
        with time_limit(30):
            problems = loader.load(records).problems
    finally:
        path.write_text(original, "utf-8")
    length = changed.count("\n") + 1
    outside = [p for p in problems if p.path != rel or not 1 <= p.line <= length or p.column < 1]
    # A changed id (a school's slug, say) may leave references elsewhere dangling: those
    # are real problems in other files; what must never happen is a crash or a position
    # outside the file it names.
    assert all(p.path in FILES or p.path in ("trust.yaml", "offer.yaml") for p in outside), outside
    assert all(p.line >= 1 and p.column >= 1 for p in problems if p.path == rel), problems
    assert all(p.line <= length for p in problems if p.path == rel), problems
