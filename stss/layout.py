"""The record layout: where each kind of record lives, what it is called, which
model reads it and which `Records` field holds it.

The one module that names record folders and suffixes. Every other module
asks it: the store lists files by it, the loader fills `Records` by it,
`changes` and `history` tell a path's kind by it, and new records are named
by it. A new kind of record is one `Kind` entry in `KINDS` (see
docs/DEVELOPING.md, "Adding a kind of record").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from stss.models import (
    Engagement,
    Event,
    EventFrontMatter,
    Offer,
    Person,
    Record,
    Request,
    School,
    Trust,
    Visit,
    VisitFrontMatter,
)


@dataclass(frozen=True)
class Kind:
    """One kind of record file.

    `file` is set for the single files at the root (trust.yaml, offer.yaml);
    otherwise records live in `folder`, flat (`<folder>/<id><suffix>`) or, with
    `by_year`, one folder per academic year (`<folder>/<year>/<name><suffix>`),
    and are keyed in `Records` by id, or by path when `by_year`."""

    name: str
    field: str  # the `Records` field the kind fills
    model: type[Record]  # what `stss schema` publishes for the file
    read_as: type[Record]  # what a parsed file becomes (a visit carries its notes too)
    suffix: str
    folder: str | None = None
    file: str | None = None
    by_year: bool = False
    history: bool = False  # `stss history` tells its changes
    #: Files are named `<date>-<school>-...`, so a one-school read picks them by name.
    school_in_name: bool = False

    @property
    def front_matter(self) -> bool:
        """Markdown with YAML front matter, rather than a YAML file."""
        return self.suffix == ".md"


KINDS: Mapping[str, Kind] = {k.name: k for k in (
    Kind("trust", "trust", Trust, Trust, ".yaml", file="trust.yaml"),
    Kind("offer", "offer", Offer, Offer, ".yaml", file="offer.yaml"),
    Kind("school", "schools", School, School, ".yaml", folder="schools", history=True),
    Kind("person", "people", Person, Person, ".yaml", folder="people"),
    Kind("engagement", "engagements", Engagement, Engagement, ".yaml", folder="engagements", history=True),
    Kind("visit", "visits", VisitFrontMatter, Visit, ".md", folder="visits", by_year=True, history=True,
         school_in_name=True),
    Kind("event", "events", EventFrontMatter, Event, ".md", folder="events", by_year=True, history=True),
    Kind("request", "requests", Request, Request, ".yaml", folder="requests"),
)}
ROOT = KINDS["trust"]
#: The two files at the root: the trust's calendar and its offer.
TRUST_FILE: str = KINDS["trust"].file or ""
OFFER_FILE: str = KINDS["offer"].file or ""
#: The file whose presence makes a folder a records root.
ROOT_MARKER = TRUST_FILE
#: The model of each kind of file, used by parsing and `stss schema`.
FILE_MODELS: Mapping[str, type[Record]] = {name: k.model for name, k in KINDS.items()}
#: Folders whose history `stss history` reads.
HISTORY_FOLDERS: tuple[str, ...] = tuple(k.folder for k in KINDS.values() if k.history and k.folder)


def history_paths(school: str | None = None) -> tuple[str, ...]:
    """The git pathspecs whose history `stss history` reads: every folder in
    HISTORY_FOLDERS, or for one school (an id, so a slug) only its own file,
    the files of kinds named `<date>-<school>-...` that are named for it, and
    the folders whose file names do not say the school."""
    if school is None:
        return HISTORY_FOLDERS
    specs = []
    for k in KINDS.values():
        if not (k.history and k.folder):
            continue
        if k.name == "school":
            specs.append(f"{k.folder}/{school}{k.suffix}")
        elif k.by_year and k.school_in_name:
            specs.append(f":(glob){k.folder}/*/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-{school}-*{k.suffix}")
        else:
            specs.append(k.folder)
    return tuple(specs)


#: Every folder holding records, for `stss init`.
FOLDERS: tuple[str, ...] = tuple(k.folder for k in KINDS.values() if k.folder)


@dataclass(frozen=True)
class Scope:
    """Which records a command reads. `None` means every one.

    - `years`: the academic years whose folders are read, for kinds kept by
      year (visits); `days` adds the years those days fall in, which only
      trust.yaml can tell (the loader works them out once it has read it),
      and `before` the years before those.
    - `schools`: for kinds whose file names begin with the date and the school
      (`<date>-<school>-...`), only the files named for these schools (a file
      named otherwise, which validate warns about, is not one school's); and
      only these schools' own files in `schools/`. Records of other schools
      are not read, but their ids are known.

    Root files, people, engagements and other flat folders are always read
    whole: they are small, and most rules need every id in them."""

    years: frozenset[str] | None = None
    days: tuple[dt.date, ...] = ()
    schools: frozenset[str] | None = None
    #: Also read this many configured years before each year read (for a rule
    #: that looks back, such as who served a school last).
    before: int = 0
    #: Also read, from the years before those read, the visit files with an action
    #: that was still open on 1 August of the earliest year read (an action stays
    #: open until it is done, whatever its year): the cache knows which they are,
    #: so the others are listed and stat'ed, not read.
    open_actions: bool = False

    @property
    def everything(self) -> bool:
        return self.years is None and self.schools is None

    @property
    def resolved(self) -> bool:
        """Whether the years are known without trust.yaml."""
        return not self.days and not (self.before and self.years)

    def with_years(self, years: Collection[str]) -> Scope:
        """The same scope, its `days` and `before` resolved into these years."""
        return Scope(frozenset(years), (), self.schools, open_actions=self.open_actions)

    def wants_year(self, year: str) -> bool:
        return self.years is None or year in self.years

    def wants_file(self, kind: Kind, stem: str) -> bool:
        """Whether a flat folder's record `stem` is read (only a school's own file is limited)."""
        return self.schools is None or kind.name != "school" or stem in self.schools

    def name_filter(self, kind: Kind) -> tuple[str, ...] | None:
        """For a kind kept by year: the ends of `<date>-` a file name must begin with
        (`<school>-`), or None when every file is read."""
        if self.schools is None or not kind.school_in_name:
            return None
        return tuple(f"{school}-" for school in sorted(self.schools))


EVERYTHING = Scope()


def singles() -> list[Kind]:
    return [k for k in KINDS.values() if k.file]


def flat() -> list[Kind]:
    return [k for k in KINDS.values() if k.folder and not k.by_year]


def yearly() -> list[Kind]:
    return [k for k in KINDS.values() if k.folder and k.by_year]


def tables() -> list[Kind]:
    """The kinds kept as a mapping in `Records` (by id, or by path)."""
    return [k for k in KINDS.values() if k.folder]


def glob(kind: str) -> str:
    """The files of a kind as a glob relative to the root (for editors' schema settings)."""
    k = KINDS[kind]
    return k.file or (f"{k.folder}/**/*{k.suffix}" if k.by_year else f"{k.folder}/*{k.suffix}")


def record_path(kind: str, record_id: str) -> str:
    """The path, relative to the records root, of the record with this id."""
    k = KINDS[kind]
    return k.file or f"{k.folder}/{record_id}{k.suffix}"


def year_path(kind: str, year: str, name: str) -> str:
    """`<folder>/<year>/<name><suffix>` for a kind kept by year."""
    k = KINDS[kind]
    return f"{k.folder}/{year}/{name}{k.suffix}"


def year_folder(kind: str, year: str) -> str:
    """`<folder>/<year>/`, the folder a kind kept by year has for one year."""
    return f"{KINDS[kind].folder}/{year}/"


def commentary_path(year: str, term: str) -> str:
    """The trust's own commentary on a term, shown in its board pack: `reports/<year>/<term>.md`."""
    return f"{COMMENTARY_FOLDER}/{year}/{term}.md"


#: Markdown the trust writes for its reports (not records: no front matter, no model).
COMMENTARY_FOLDER = "reports"


#: The name of a year folder (`2026-27`).
YEAR_NAME = re.compile(r"\d{4}-\d{2}")


def named_for(name: str, wanted: tuple[str, ...]) -> bool:
    """Whether a file name `<date>-<school>-...` is for one of the schools `wanted` gives
    (`Scope.name_filter`), judged from the name alone."""
    return name[10:11] == "-" and name[11:].startswith(wanted)


def date_named(name: str) -> dt.date | None:
    """The date a visit's or event's file name begins with (`<date>-...`), if it does."""
    if name[10:11] != "-":
        return None
    try:
        return dt.date.fromisoformat(name[:10])
    except ValueError:
        return None


def visit_stem(day: dt.date, school: str, activity: str) -> str:
    """A visit file's name without `-<suffix>` or `.md`: `<date>-<school>-<activity>`."""
    return f"{day.isoformat()}-{school}-{activity}"


def event_stem(day: dt.date, activity: str) -> str:
    """An event file's name without `-<suffix>` or `.md`: `<date>-<activity>`."""
    return f"{day.isoformat()}-{activity}"


def unique_event_path(taken: Collection[str], year: str, day: dt.date, activity: str) -> str:
    return unique_path(taken, "event", year, event_stem(day, activity))


def visit_path(year: str, name: str) -> str:
    return year_path("visit", year, name)


def unique_path(taken: Collection[str], kind: str, year: str, stem: str) -> str:
    """`<folder>/<year>/<stem><suffix>`, numbered from -2 when that name is taken."""
    path, n = year_path(kind, year, stem), 2
    while path in taken:
        path, n = year_path(kind, year, f"{stem}-{n}"), n + 1
    return path


def unique_visit_path(taken: Collection[str], year: str, day: dt.date, school: str, activity: str,
                      uid: str | None = None) -> str:
    """A new name for a visit. With its `uid`, `<date>-<school>-<activity>-<uid>.md`:
    visits made on two branches then never share a name, so git merges them
    without a conflict. Without one (a visit written by hand and never given
    one), `<date>-<school>-<activity>.md`, numbered from -2 when taken."""
    stem = visit_stem(day, school, activity)
    return unique_path(taken, "visit", year, f"{stem}-{uid}" if uid else stem)


def names_visit_of(path: str, school: str, activity: str) -> bool:
    """Whether a visit path is named for this school and activity (`<date>-<school>-<activity>[-<suffix>]`)."""
    found = parse(path)
    if found is None or found[0].name != "visit":
        return False
    named, own = stem_of(path)[len("YYYY-MM-DD-"):], f"{school}-{activity}"
    return named == own or (named.startswith(f"{own}-") and is_suffix(named[len(own) + 1:]))


#: What may end a visit's file name after `<date>-<school>-<activity>-`: its uid, or `2`, `3`, ...
_SUFFIX = re.compile(r"[a-z0-9]+")


def is_suffix(text: str) -> bool:
    return _SUFFIX.fullmatch(text) is not None


def stem_of(path: str) -> str:
    """A record file's name without its folder or suffix."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def parse(path: str) -> tuple[Kind, str, str | None] | None:
    """The kind, id (the path itself for kinds kept by year) and year of a
    path relative to the root; None when it is not a record path."""
    parts = path.split("/")
    for k in KINDS.values():
        if k.file is not None:
            if path == k.file:
                return k, k.name, None
        elif parts[0] == k.folder and parts[-1].endswith(k.suffix) and len(parts[-1]) > len(k.suffix):
            if k.by_year and len(parts) == 3:
                return k, path, parts[1]
            if not k.by_year and len(parts) == 2:
                return k, parts[1][: -len(k.suffix)], None
    return None


def kind_of(path: str) -> tuple[str, str]:
    """The record kind and id of a path relative to the root."""
    found = parse(path)
    if found is None:
        raise ValueError(f"not a record path: {path}")
    return found[0].name, found[1]


def is_record_path(path: str) -> bool:
    return parse(path) is not None


def has_front_matter(path: str) -> bool:
    """Whether the file at this path is markdown with YAML front matter."""
    return any(path.endswith(k.suffix) for k in KINDS.values() if k.front_matter)
