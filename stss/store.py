"""The only module that reads and writes the records on disk.

- `find_root` finds the records root the way git finds `.git`.
- `read_all` lists and parses every record file, reusing a cache of parsed
  files kept in `.stss-cache/` and keyed by path, size, times and inode.
- Symbolic links below the root are never followed: they are listed as
  warnings, so nothing outside the root is read through them.
- `locate` gives problems their line and column by re-reading just the files
  that have problems, in round-trip mode.
- `write_text` writes atomically (a temporary file, then a rename) and only
  inside the records root. The temporary file is made in `.stss-cache/tmp/`,
  not beside the record: a write killed midway (even by kill -9) leaves
  nothing in the records folders or in `git status`, and the next writer
  clears what it left.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import itertools
import json
import operator
import os
import re
import stat
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from stss import layout
from stss.errors import Problem, Severity, StoreError
from stss.layout import ROOT_MARKER
from stss.parsing import Parsed, decode, is_slug, parse_file, split_front_matter

CACHE_DIR = ".stss-cache"
CACHE_FILE = "records.sqlite"
#: The cache of earlier versions (one JSON file), removed when the database is made.
LEGACY_CACHE_FILE = "records.json"
#: Where writes of records make their temporary files (inside the cache folder, so ignored by git).
TEMP_DIR = "tmp"
ENV_VAR = "STSS_RECORDS"
#: A file modified this recently could be written again within the same clock
#: tick, leaving its stamp as it was, so it is not cached (git's "racy clean"
#: rule); any later write gives an older file a new modification time.
RACY_NS = 2_000_000_000


def find_root(explicit: Path | None = None, env: Mapping[str, str] | None = None,
              cwd: Path | None = None) -> Path:
    """`--records`, else `$STSS_RECORDS`, else the nearest folder upwards holding trust.yaml."""
    env = os.environ if env is None else env
    chosen = explicit or (Path(env[ENV_VAR]) if env.get(ENV_VAR) else None)
    if chosen is not None:
        if not (chosen / ROOT_MARKER).is_file():
            raise StoreError(f"{chosen} is not a records folder: it has no {ROOT_MARKER}",
                             hint="run 'stss init' to start one")
        return chosen.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ROOT_MARKER).is_file():
            return folder
    raise StoreError(f"no {ROOT_MARKER} in {here} or any folder above it",
                     hint="run inside a records folder, or pass --records PATH (or set STSS_RECORDS)")


@dataclass(frozen=True, slots=True)  # one per record file: hundreds of thousands
class RecordFile:
    kind: str
    path: str  # relative to the root, with forward slashes

    @property
    def record_id(self) -> str:
        """The id the file's name gives: its name without the suffix (`trust` for trust.yaml).
        Derived, not held: a visit's would be a second copy of its path, for each of 300,000."""
        return os.path.splitext(self.path.rpartition("/")[2])[0]


def list_files(root: Path, scope: layout.Scope = layout.EVERYTHING) -> tuple[list[RecordFile], list[Problem]]:
    """Every record file under the root that `scope` reads, and warnings for
    files stss will not read (in the folders the scope reads)."""
    files, problems, _ = _listing(root, scope)
    return files, problems


def _listing(root: Path, scope: layout.Scope) -> tuple[list[RecordFile], list[Problem], dict[str, frozenset[str]]]:
    """`list_files`, and the ids of the flat records on disk the scope leaves unread, by kind."""
    files: list[RecordFile] = []
    problems: list[Problem] = []
    for single in layout.singles():
        kind, name = single.name, single.file or ""
        if (root / name).is_symlink():
            problems.append(Problem(name, 1, 1, message=f"{name} is {LINK}", hint=LINK_HINT))
        elif single is layout.ROOT or (root / name).is_file():
            files.append(RecordFile(kind, name))
        else:
            problems.append(Problem(name, 1, 1, message=f"{name} is missing",
                                    hint="the activity catalogue and support levels live there"))
    schools: list[str] = []
    for flat in layout.flat():
        kind, folder = flat.name, flat.folder or ""
        for entry in _entries(root, folder, problems):
            rel = f"{folder}/{entry.name}"
            stem, ext = os.path.splitext(entry.name)
            if entry.is_symlink() or not entry.is_file() or ext != flat.suffix:
                problems.append(_ignored(rel, entry, flat.suffix))
            elif not is_slug(stem):
                problems.append(Problem(rel, 1, 1, message=f"'{stem}' is not a valid id for a file name",
                                        hint="ids are lower-case letters, digits and hyphens"))
            else:
                if kind == "school":
                    schools.append(stem)
                if scope.wants_file(flat, stem):
                    files.append(RecordFile(kind, rel))
    for yearly in layout.yearly():
        files.extend(_yearly(root, yearly, problems, scope))
    with os.scandir(root) as top:
        problems.extend(_stray_temps("", top))
    problems.extend(_template_problems(root))
    unread = frozenset(schools) - {f.record_id for f in files if f.kind == "school"}
    return files, problems, ({"school": unread} if unread else {})


def _yearly(root: Path, kind: layout.Kind, problems: list[Problem], scope: layout.Scope) -> Iterator[RecordFile]:
    folder = kind.folder or ""
    wanted = scope.name_filter(kind)
    if scope.years is not None:  # only the years asked for: never list the others
        # Years come from the command line: only names of academic years become paths.
        years = [y for y in sorted(scope.years) if layout.YEAR_NAME.fullmatch(y) and os.path.isdir(root / folder / y)]
        if os.path.islink(root / folder):
            problems.append(Problem(folder, 1, 1, message=LINK, hint=LINK_HINT))
            years = []
        for name in years:
            if os.path.islink(root / folder / name):
                problems.append(Problem(f"{folder}/{name}", 1, 1, message=LINK, hint=LINK_HINT))
                continue
            yield from _year_files(root, kind, f"{folder}/{name}/", problems, wanted)
        return
    for year in _entries(root, folder, problems):
        if year.is_symlink() or not year.is_dir():
            problems.append(_ignored(f"{folder}/{year.name}", year, "a year folder such as 2026-27/"))
            continue
        yield from _year_files(root, kind, f"{folder}/{year.name}/", problems, wanted)


def _year_files(root: Path, kind: layout.Kind, prefix: str, problems: list[Problem],
                wanted: tuple[str, ...] | None) -> Iterator[RecordFile]:
    suffix = kind.suffix
    if wanted is not None:  # one school's files of tens of thousands: pick them by name first
        yield from _named_files(root, kind, prefix, problems, wanted)
        return
    for entry in _entries(root, prefix[:-1], problems):  # tens of thousands: keep it lean
        name = entry.name
        if name.endswith(suffix) and not entry.is_symlink() and entry.is_file():
            yield RecordFile(kind.name, prefix + name)
        else:
            problems.append(_ignored(prefix + name, entry, suffix))


def _named_files(root: Path, kind: layout.Kind, prefix: str, problems: list[Problem],
                 wanted: tuple[str, ...]) -> Iterator[RecordFile]:
    """The files of a year folder named `<date>-<school>-...` for the wanted
    schools (`wanted` holds `<school>-`), without looking at the others."""
    suffix = kind.suffix
    folder = root / prefix[:-1]
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        problems.append(Problem(prefix[:-1], 1, 1, message=f"{prefix[:-1]} is a file, not a folder"))
        return
    chosen = sorted(n for n in names if layout.named_for(n, wanted))
    for name in chosen:
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(folder / name)
            if name.endswith(suffix) and stat.S_ISREG(st.st_mode):
                yield RecordFile(kind.name, prefix + name)
            elif stat.S_ISLNK(st.st_mode):
                problems.append(Problem(prefix + name, 1, 1, message=LINK, hint=LINK_HINT))
            else:
                problems.append(Problem(prefix + name, 1, 1, Severity.WARNING, "ignored: not a record file",
                                        hint=f"stss reads only {suffix} here"))


LINK = "a symbolic link, which stss never reads or writes through"
LINK_HINT = "replace the link with the file or folder itself"


_NAME = operator.attrgetter("name")


def _entries(root: Path, folder: str, problems: list[Problem]) -> list[os.DirEntry[str]]:
    if os.path.islink(root / folder):
        problems.append(Problem(folder, 1, 1, message=LINK, hint=LINK_HINT))
        return []
    try:
        with os.scandir(root / folder) as it:
            entries = sorted(it, key=_NAME)
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        problems.append(Problem(folder, 1, 1, message=f"{folder} is a file, not a folder",
                                hint=f"records of this kind live in files inside a {folder}/ folder"))
        return []
    problems.extend(_stray_temps(folder, entries))
    for e in entries:
        if e.name.startswith(".") and e.name not in _KEEP_FILES and not is_temp(e.name):
            problems.append(Problem(f"{folder}/{e.name}", 1, 1, Severity.WARNING, "ignored: a hidden file",
                                    hint="stss does not read names starting with '.'; rename or remove it"))
    return [e for e in entries if not e.name.startswith(".")]


#: Placeholders git users keep in empty folders: hidden, expected, not worth a warning.
_KEEP_FILES = frozenset({".gitkeep", ".keep", ".gitignore"})


def is_temp(name: str) -> bool:
    """A temporary file of `_atomic_write`: `.<name>.<random>.tmp`."""
    return name.startswith(".") and name.endswith(".tmp")


def _stray_temps(folder: str, entries: Iterable[os.DirEntry[str]]) -> list[Problem]:
    prefix = f"{folder}/" if folder else ""
    return [Problem(prefix + e.name, 1, 1, Severity.WARNING, "a temporary file left by an interrupted stss write",
                    hint="the record it was for is whole; delete this file")
            for e in entries if is_temp(e.name) and not e.is_symlink()]


def _ignored(rel: str, entry: os.DirEntry[str], wanted: str) -> Problem:
    if entry.is_symlink():
        return Problem(rel, 1, 1, message=LINK, hint=LINK_HINT)
    return Problem(rel, 1, 1, Severity.WARNING, "ignored: not a record file", hint=f"stss reads only {wanted} here")


def _template_problems(root: Path) -> list[Problem]:
    """Links in the trust's templates/: an override template could include
    whatever a link names (a repository's config, a CI token)."""
    top = root / "templates"
    if os.path.islink(top):
        return [Problem("templates", 1, 1, message=LINK, hint=LINK_HINT)]
    problems = []
    for here, dirs, files in os.walk(top):
        for name in sorted(dirs + files):
            full = os.path.join(here, name)
            if os.path.islink(full):
                problems.append(Problem(os.path.relpath(full, root).replace(os.sep, "/"), 1, 1,
                                        message=LINK, hint=LINK_HINT))
    return problems


# --- reading, with a cache --------------------------------------------------


def read_all(root: Path, use_cache: bool = True) -> tuple[dict[str, tuple[RecordFile, Parsed]], list[Problem]]:
    """Parse every record file. Returns {path: (file, parsed)} and listing problems."""
    out, problems, _ = read_scope(root, layout.EVERYTHING, use_cache)
    return out, problems


def read_scope(root: Path, scope: layout.Scope, use_cache: bool = True) -> tuple[
        dict[str, tuple[RecordFile, Parsed]], list[Problem], dict[str, frozenset[str]]]:
    """Parse the record files `scope` reads. Returns {path: (file, parsed)},
    listing problems, and the ids of records on disk the scope left unread."""
    files, problems, unread = _listing(root, scope)
    cache = _Cache(root) if use_cache else None
    # Older visits with actions open then (`Scope.open_actions`): those the cache knows to have
    # them are read as any other file; those it does not know are parsed, and kept only if so.
    open_from = f"{min(scope.years)[:4]}-08-01" if scope.open_actions and scope.years else None
    older, unknown = _older_with_open_actions(root, scope, cache, open_from) if open_from else ([], set())
    # The listed files of a folder are all of its files (or, for one school, a few): the
    # older visits picked from a folder are one in ten or so of it, spread over all of it.
    sparse = {rf.path.rpartition("/")[0] for rf in older}
    out = _read(root, [*files, *older], cache, sparse)
    for path in unknown:  # an older visit with no action open since (or broken): not this command's
        entry = out.get(path)
        if entry is None:
            continue
        older_file, older_parse = entry
        if not (older_parse is not None and open_from and (day := _open_until(older_file, older_parse))
                and day > open_from):
            del out[path]
    if cache:
        if scope.everything:
            cache.keep_only(set(out))  # the files read: those listed, less any deleted since
        cache.close()
    return out, problems, unread


#: A file as `stat_files` found it: (the cache's stamp, modification time in ns), or why not.
Stamp = tuple[str, int]


def stat_files(root: Path, files: Sequence[RecordFile]) -> dict[str, Stamp | OSError]:
    """Each file's stamp (`_stamp`) and modification time, or the error stat gave; a file
    deleted since it was listed is left out. Each is stat'ed by its name in its folder,
    opened once: the kernel then looks up one name a file, not every folder above it (a
    fifth of the stat's time)."""
    base = os.path.join(root, "")  # strings over pathlib: this loop runs for every file
    found: dict[str, Stamp | OSError] = {}
    for folder, group in _by_folder(list(files), len(files) or 1):
        where, skip = _folder_fd(base, folder)
        try:
            for rf in group:
                try:
                    st = os.stat(rf.path[skip:], dir_fd=where) if where is not None else os.stat(base + rf.path)
                except FileNotFoundError:  # deleted since it was listed: it is gone
                    continue
                except OSError as exc:
                    found[rf.path] = exc
                    continue
                found[rf.path] = (_stamp(st), st.st_mtime_ns)
        finally:
            if where is not None:
                os.close(where)
    return found


def read_files(root: Path, files: Sequence[RecordFile], stamps: Mapping[str, Stamp | OSError],
               use_cache: bool = True, on_disk: Iterable[str] | None = None) -> dict[str, tuple[RecordFile, Parsed]]:
    """Parse these files, as stat'ed beforehand (`stat_files`): a file that changes after
    its stat is kept in the cache under the older stamp, so the next run reads it again.
    `on_disk`: every record file there is (from a full listing), so that the cache can
    forget the others."""
    cache = _Cache(root) if use_cache else None
    try:
        return _read(root, list(files), cache, stamps=stamps)
    finally:
        if cache:
            if on_disk is not None:
                cache.keep_only(set(on_disk))
            cache.close()


def _read(root: Path, files: list[RecordFile], cache: _Cache | None, sparse: Iterable[str] = (),
          stamps: Mapping[str, Stamp | OSError] | None = None) -> dict[str, tuple[RecordFile, Parsed]]:
    """{path: (file, parse)} of `files`, from the cache where a file's stamp matches its row,
    else parsed (and the row written). `sparse`: folders of which only scattered files are
    read. `stamps`: the files' stats, taken already (else each is stat'ed here)."""
    sparse = set(sparse)
    # In listing order; a file still to parse holds None until it is parsed.
    out: dict[str, tuple[RecordFile, Parsed | None]] = {}
    misses: list[tuple[str, RecordFile, str, bool] | None] = []  # (folder, file, stamp, may be cached)
    base = os.path.join(root, "")
    racy = time.time_ns() - RACY_NS
    for folder, group in _by_folder(files, _Cache.BATCH):
        cached = cache.folder(folder, [rf.path for rf in group], folder not in sparse) if cache else {}
        found = stamps if stamps is not None else stat_files(root, group)
        for rf in group:
            # Stat before reading: if the file changes in between, the cache
            # holds new text under the old stamp, which the next run re-reads.
            st = found.get(rf.path)
            if st is None:  # deleted since it was listed: it is gone
                if rf.kind == "trust":
                    raise StoreError(f"{root} has no {ROOT_MARKER}")
                continue
            if isinstance(st, OSError):
                out[rf.path] = (rf, _unreadable(rf.path, st))
                continue
            stamp, mtime = st
            row = cached.get(rf.path)
            parsed = _Cache.parsed(rf, stamp, row) if row is not None else None
            if parsed is None:
                misses.append((folder, rf, stamp, mtime < racy))
            out[rf.path] = (rf, parsed)
        del cached  # a batch's rows, not held while the next is read
    # Read lazily, ahead of the loop below letting each go (so never one it has let go).
    to_parse = ((m[1].kind, m[1].path) for m in cast(list[tuple[str, RecordFile, str, bool]], misses))
    for n, (status, parsed, as_json) in enumerate(_parse_all(base, to_parse, len(misses), cache)):
        miss, misses[n] = misses[n], None  # each let go once done: a cold read has a miss a file
        assert miss is not None
        folder, rf, stamp, cacheable = miss
        if status == "gone":
            if rf.kind == "trust":
                raise StoreError(f"{root} has no {ROOT_MARKER}")
            del out[rf.path]
            continue
        if parsed is None and as_json is not None:  # from a worker: read back as a cached row is
            parsed = _Cache.parsed(rf, stamp, (rf.kind, stamp, *as_json))
        if parsed is None:  # (never expected: a parse that does not read back) parsed here instead
            status, parsed, as_json = _parse_one(base, rf.kind, rf.path)
            if parsed is None:
                del out[rf.path]
                continue
        out[rf.path] = (rf, parsed)
        if cache and cacheable and status == "ok":
            cache.put_row(folder, rf, stamp, parsed, *(as_json or _as_json(parsed)))
    return cast(dict[str, tuple[RecordFile, Parsed]], out)  # every None filled in or dropped


def _stamp(st: os.stat_result) -> str:
    """What the cache keys a file's row by: its size, modification and change times and inode."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _folder_fd(base: str, folder: str) -> tuple[int | None, int]:
    """An open descriptor of `folder` (under `base`) to stat its files by name, and the
    length of the folder's part of their paths; None where there is none to have (the
    root's own files, a folder gone since the listing), and they are stat'ed by path."""
    if not folder or os.stat not in os.supports_dir_fd:
        return None, 0
    try:
        return _open_folder(base + folder), len(folder) + 1
    except OSError:
        return None, 0


def _open_folder(path: str | Path) -> int:
    """A descriptor of the folder `path`, never through a link (to stat or list its files by name)."""
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0))


def _older_with_open_actions(root: Path, scope: layout.Scope, cache: _Cache | None,
                             open_from: str) -> tuple[list[RecordFile], set[str]]:
    """The visit files of the years before those `scope` reads that had an action open on
    `open_from` or later, by the cache; and, among them, those it does not know (not
    cached, or changed since), which the caller parses to find out. Every older file is
    stat'ed (a change could have opened an action) but none is read: hundreds of thousands
    at 1,000 schools and ten years, so this loop is kept to a stat and a lookup each.
    Files stss would not read (links, other suffixes) are validate's to report."""
    assert scope.years is not None
    kind = layout.KINDS["visit"]
    folder = kind.folder or ""
    first = min(scope.years)
    wanted_names = scope.name_filter(kind)
    if os.path.islink(root / folder):
        return [], set()
    years = sorted(y.name for y in _entries(root, folder, [])
                   if layout.YEAR_NAME.fullmatch(y.name) and y.name < first and not y.is_symlink() and y.is_dir())
    wanted: list[RecordFile] = []
    unknown: set[str] = set()
    for year in years:
        prefix = f"{folder}/{year}/"
        known = cache.open_until_in(prefix[:-1]) if cache else {}
        try:  # scanned by descriptor, so each stat looks up one name, not the whole path
            fd = _open_folder(root / folder / year)
        except OSError:
            continue
        try:
            _older_in(fd, prefix, known, wanted_names, open_from, wanted, unknown)
        finally:
            os.close(fd)
    return sorted(wanted, key=lambda rf: rf.path), unknown


def _older_in(fd: int, prefix: str, known: dict[str, tuple[str, str | None]], wanted_names: tuple[str, ...] | None,
              open_from: str, wanted: list[RecordFile], unknown: set[str]) -> None:
    """`_older_with_open_actions` for one year folder, open as `fd`."""
    suffix = layout.KINDS["visit"].suffix
    lstat, regular = os.lstat, stat.S_ISREG
    for name in os.listdir(fd):
        if not name.endswith(suffix) or (wanted_names is not None and not layout.named_for(name, wanted_names)):
            continue
        try:
            st = lstat(name, dir_fd=fd)
        except OSError:
            continue
        if not regular(st.st_mode):
            continue
        path = prefix + name
        row = known.get(path)
        if row is None or row[0] != _stamp(st):
            wanted.append(RecordFile("visit", path))
            unknown.add(path)
        elif row[1] is not None and row[1] > open_from:
            wanted.append(RecordFile("visit", path))

#: Files to parse before it pays to share them out between processes (a cold read of a large trust).
PARALLEL_MIN = 4000
_CHUNK = 256
#: What parsing one file gives: "ok", "unreadable" or "gone", and the parse, here as a model or
#: from a worker as the cache keeps it (model JSON, problems JSON).
_Row = tuple[str, Parsed | None, tuple[str | None, str] | None]


def _parse_all(base: str, items: Iterator[tuple[str, str]], count: int, cache: _Cache | None) -> Iterator[_Row]:
    """Parse each of the `count` (kind, path) `items`, in order. Many files (a cold read) are shared out between
    worker processes, one per core, each sending back what the cache would keep: the parse
    is pure Python (ruamel's constructor, pydantic) and would use one core only. The cache's
    database is closed while the workers are forked, so none of them holds it."""
    jobs = min(_cores(), 8)
    if count < PARALLEL_MIN or jobs < 2 or "fork" not in _start_methods():
        for kind, path in items:
            yield _parse_one(base, kind, path)
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if cache:
        cache.suspend()
    try:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ImportError):  # no semaphores here (no /dev/shm): parse in this process
        pool = None
    if pool is None:
        if cache:
            cache.resume()
        for kind, path in items:
            yield _parse_one(base, kind, path)
        return
    # A few chunks in flight for each worker, no more: what they send back waits here until it
    # is read, so running ahead would hold the trust's parses twice over. A worker that dies
    # (killed, out of memory) breaks the pool rather than losing its chunk: what is left is
    # then parsed here.
    waiting: collections.deque[tuple[list[tuple[str, str]], Future[list[_Row]] | None]] = collections.deque()
    try:
        while True:
            while len(waiting) <= 2 * jobs and (chunk := list(itertools.islice(items, _CHUNK))):
                try:
                    waiting.append((chunk, pool.submit(_parse_chunk, (base, chunk))))
                except BrokenProcessPool:
                    waiting.append((chunk, None))
            if cache:
                cache.resume()  # the workers are forked by the first chunks' submission
            if not waiting:
                return
            chunk, future = waiting.popleft()
            try:
                rows = future.result() if future is not None else None
            except BrokenProcessPool:
                rows = None
            yield from rows if rows is not None else (_parse_one(base, kind, path) for kind, path in chunk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _parse_chunk(job: tuple[str, list[tuple[str, str]]]) -> list[_Row]:
    """A worker's share: models do not cross between processes, the JSON the cache keeps does."""
    base, items = job
    out: list[_Row] = []
    for kind, path in items:
        status, parsed, _ = _parse_one(base, kind, path)
        out.append((status, None, _as_json(parsed) if parsed is not None else None))
    return out


def _parse_one(base: str, kind: str, path: str) -> _Row:
    try:
        with open(base + path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:  # deleted since it was listed
        return ("gone", None, None)
    except OSError as exc:
        return ("unreadable", _unreadable(path, exc), None)
    return ("ok", _with_positions(path, raw, parse_file(kind, path, raw)), None)


def _open_until(rf: RecordFile, parsed: Parsed) -> str | None:
    """A visit's last day with an action open (`actions.open_until`), ISO, for the cache."""
    from stss.actions import open_until
    from stss.models import Visit

    day = open_until(parsed.model) if rf.kind == "visit" and isinstance(parsed.model, Visit) else None
    return day.isoformat() if day is not None else None


def _as_json(parsed: Parsed) -> tuple[str | None, str]:
    """A parse as the cache keeps it: the model's JSON (None without one) and the problems'.
    The JSON holds the fields the file gave and no defaults: read back, the model is the one
    the file made, down to which fields it was given, and a fifth shorter to read."""
    problems = [[p.line, p.column, p.severity.value, p.message, p.hint] for p in parsed.problems]
    model = parsed.model.model_dump_json(exclude_unset=True) if parsed.model is not None else None
    return (model, json.dumps(problems))


def _unreadable(path: str, exc: OSError) -> Parsed:
    return Parsed(None, (Problem(path, 1, 1, message=f"cannot read: {exc.strerror}"),))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def read_trust(root: Path) -> Any:
    """The trust's model (the root file), or None when it does not validate (the full read says why)."""
    rf = RecordFile("trust", layout.ROOT.file or "")
    if os.path.islink(root / rf.path):
        return None
    try:
        return parse_file(rf.kind, rf.path, inside(root, rf.path).read_bytes()).model
    except (OSError, StoreError):
        return None


def _by_folder(files: list[RecordFile], most: int) -> Iterator[tuple[str, list[RecordFile]]]:
    """The files in groups of one folder's and at most `most`, in listing order (each
    folder's files are listed together): a year folder's cached rows are read a batch at a
    time, not 30,000 at once."""
    group: list[RecordFile] = []
    current = None
    for rf in files:
        folder = rf.path.rpartition("/")[0]
        if (folder != current or len(group) >= most) and group:
            yield current or "", group
            group = []
        current = folder
        group.append(rf)
    if group:
        yield current or "", group


class _Cache:
    """Parsed records from earlier runs, one SQLite row per file
    (`.stss-cache/records.sqlite`), so a command reads and writes the rows of
    just the files it reads. Any damage means a cold read, never a wrong
    answer: the database is used only if its tables are exactly the ones stss
    makes (anything else is deleted and made again), an entry only if it
    matches the code version and the file's path, size, modification and
    change times and inode, and what it holds validates again. The change
    time and inode cannot be set from a commit, an archive or `touch`, so a
    cache that arrives with the records never matches them. Several stss
    processes may share the cache: SQLite takes turns, and a process that
    cannot get its turn quickly leaves its rows unwritten, which only costs a
    later re-read. Rows hold JSON, never pickles."""

    BATCH = 2000

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db: Any = None
        self.pending: list[tuple[str, str, str, str, str | None, str | None, str, str | None]] = []
        self.stale: list[str] = []
        self._suspended = False  # closed while workers are forked (`suspend`), to open again
        with contextlib.suppress(OSError, StoreError):
            self.db = _open_cache(root)

    def open_until_in(self, folder: str) -> dict[str, tuple[str, str | None]]:
        """{path: (stamp, open_until)} of the cached files of one folder: which visits have
        actions open until when (one query, not one a batch of paths)."""
        if self.db is None:
            return {}
        import sqlite3

        try:
            return {r[0]: (r[1], r[2]) for r in self.db.execute(
                "SELECT path, stamp, open_until FROM files WHERE folder = ?", (folder,))}
        except sqlite3.Error:
            return {}

    def folder(self, folder: str, paths: list[str], dense: bool = True) -> dict[str, tuple[str, str, str | None, str]]:
        """The cached rows of these paths of one folder: {path: (kind, stamp, model, problems)}.
        `dense`: the paths are a stretch of the folder's listing (all its files from the first
        to the last), so the rows between them are read by the key's range."""
        if self.db is None:
            return {}
        import sqlite3

        found: dict[str, tuple[str, str, str | None, str]] = {}
        try:
            if dense and len(paths) > 900:  # one query, with no list of 900 values to bind
                wanted = set(paths)
                found.update((r[0], r[1:]) for r in self.db.execute(
                    "SELECT path, kind, stamp, model, problems FROM files WHERE path BETWEEN ? AND ?",
                    (min(paths), max(paths))) if r[0] in wanted)
                return found
            found.update((r[0], r[1:]) for r in _select_in(
                self.db, "SELECT path, kind, stamp, model, problems FROM files WHERE path IN ({})", paths))
        except sqlite3.Error:
            return {}
        return found

    @staticmethod
    def parsed(rf: RecordFile, stamp: str, row: Any) -> Parsed | None:
        try:
            kind, cached_stamp, model_json, rows = row
            if cached_stamp != stamp or kind != rf.kind:
                return None
            model_type = layout.KINDS[rf.kind].read_as
            model = model_type.__pydantic_validator__.validate_json(model_json) if model_json is not None else None
            problems = tuple(_cached_problem(rf.path, r) for r in json.loads(rows)) if rows != "[]" else ()
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None
        # What parse_file returns: a model and no errors, or errors and no model.
        if (model is None) != (bool(problems) and any(p.is_error for p in problems)):
            return None
        return Parsed(model, problems)

    def put_row(self, folder: str, rf: RecordFile, stamp: str, parsed: Parsed, model_json: str | None,
                problems_json: str) -> None:
        """Keep a file's parse, as JSON made from it (`_parse_one`)."""
        school = getattr(parsed.model, "school", None)
        self.pending.append((rf.path, folder, rf.kind, stamp, school if isinstance(school, str) else None,
                             model_json, problems_json, _open_until(rf, parsed)))
        if len(self.pending) >= self.BATCH:
            self._flush()

    def suspend(self) -> None:
        """Write what is pending and close the database (before forking workers)."""
        if self.db is not None:
            self._flush()
            self.db.close()
            self.db = None
            self._suspended = True

    def resume(self) -> None:
        if self._suspended:
            with contextlib.suppress(OSError, StoreError):
                self.db = _open_cache(self.root)
            self._suspended = False

    def keep_only(self, paths: set[str]) -> None:
        """Forget the files no longer on disk (after listing them all)."""
        import sqlite3

        if self.db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self.stale.extend(p for (p,) in self.db.execute("SELECT path FROM files") if p not in paths)

    def _flush(self) -> None:
        import sqlite3

        pending, stale, self.pending, self.stale = self.pending, self.stale, [], []
        if self.db is None or not (pending or stale):
            return
        with contextlib.suppress(sqlite3.Error):  # busy (another stss is writing), full disk, damaged: re-read next time
            _write(self.db, ("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pending),
                   ("DELETE FROM files WHERE path = ?", [(p,) for p in stale]),
                   ("DELETE FROM positions WHERE path = ?", [(p,) for p in stale]))

    def close(self) -> None:
        if self.db is not None:
            self._flush()
            self.db.close()
            self.db = None


def _select_in(db: Any, sql: str, values: Sequence[str]) -> Iterator[Any]:
    """The rows of `sql` (whose `IN ({})` takes the values) for all `values`, a chunk at a
    time: under SQLite's oldest limit of 999 bound variables."""
    for start in range(0, len(values), 900):
        chunk = values[start:start + 900]
        yield from db.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall()


def _write(db: Any, *statements: tuple[str, Sequence[Sequence[Any]]]) -> None:
    """Run each (sql, rows) as one transaction, taken at once (another stss writing makes it
    wait, then fail with sqlite3.Error), and rolled back on any failure."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for sql, rows in statements:
            db.executemany(sql, rows)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


#: The cache's tables, exactly: a database with anything else in it is not ours.
_SCHEMA = (
    ("table", "files", "CREATE TABLE files (path TEXT PRIMARY KEY, folder TEXT NOT NULL, kind TEXT NOT NULL, "
                       "stamp TEXT NOT NULL, school TEXT, model TEXT, problems TEXT NOT NULL, open_until TEXT)"),
    # Covering `open_until_in`: the board pack looks up every older visit's stamp, and
    # reads them from this index alone, never from the rows (which hold the models).
    ("index", "files_by_folder", "CREATE INDEX files_by_folder ON files (folder, path, stamp, open_until)"),
    ("table", "meta", "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
    ("table", "commits", "CREATE TABLE commits (id TEXT PRIMARY KEY, changes TEXT NOT NULL)"),
    # Where each located problem was, by file and key path, for as long as the file is unchanged.
    ("table", "positions", "CREATE TABLE positions (path TEXT NOT NULL, loc TEXT NOT NULL, stamp TEXT NOT NULL, "
                           "line INTEGER NOT NULL, col INTEGER NOT NULL, PRIMARY KEY (path, loc))"),
    # What validate found in each folder of visits, under the key of all it depended on.
    ("table", "checked", "CREATE TABLE checked (folder TEXT PRIMARY KEY, key TEXT NOT NULL, result TEXT NOT NULL)"),
)
#: `PRAGMA application_id` of a cache database ("stss").
_APPLICATION_ID = 0x73747373


def _open_cache(root: Path) -> Any:
    """The cache database, made (or made again) if it is missing, damaged, of an
    older version of stss, or not one stss made. Never through a link."""
    import sqlite3

    folder = root / CACHE_DIR
    path = folder / CACHE_FILE
    if os.path.islink(folder) or os.path.islink(path):
        return None
    if os.path.isfile(path):
        with contextlib.suppress(sqlite3.Error):
            db = _connect(path, "rw")
            if _is_ours(db, path):
                return db
            db.close()
    with contextlib.suppress(sqlite3.Error, OSError):
        _make_cache(cache_folder(root) / CACHE_FILE)
        db = _connect(path, "rw")
        if _is_ours(db, path):
            return db
        db.close()
    return None


def _connect(path: Path, mode: str) -> Any:
    import sqlite3

    uri = f"file:{urllib.parse.quote(str(path))}?mode={mode}&nofollow=1"
    db = sqlite3.connect(uri, uri=True, timeout=0.5, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA trusted_schema = OFF")
    db.execute("PRAGMA synchronous = OFF")  # a cache: a crash may lose rows, never the records
    return db


def _make_cache(path: Path) -> None:
    """A new, empty cache database, made aside and renamed into place whole, so
    no process ever opens a half-made one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    made_here = _file_identity(os.fstat(fd))
    os.close(fd)
    try:
        db = _connect(Path(tmp), "rw")
        try:
            db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            db.execute("BEGIN")
            for _, _, sql in _SCHEMA:
                db.execute(sql)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (_code_version(),))
            db.execute("INSERT INTO meta VALUES ('file', ?)", (made_here,))
            db.execute("COMMIT")
        finally:
            db.close()
        for leftover in (path.with_name(path.name + "-journal"), path.with_name(LEGACY_CACHE_FILE)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)  # a damaged database's journal; the JSON cache of earlier versions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_identity(st: os.stat_result) -> str:
    return f"{st.st_dev}:{st.st_ino}"


def _is_ours(db: Any, path: Path) -> bool:
    """Made by stss, here: with its tables, and in the very file it was made as (the device
    and inode it recorded), so a database that arrived with the records (committed, copied,
    unpacked) is never read, even where its rows need no file stamp (a commit's changes)."""
    import sqlite3

    try:
        if db.execute("PRAGMA application_id").fetchone() != (_APPLICATION_ID,):
            return False
        schema = db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
        if sorted(schema) != sorted(_SCHEMA):
            return False
        if db.execute("SELECT value FROM meta WHERE key = 'file'").fetchone() != (_file_identity(os.stat(path)),):
            return False
        version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if version != (_code_version(),):  # another version of stss: its rows say nothing about this one's parse
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM commits")
            db.execute("DELETE FROM positions")
            db.execute("DELETE FROM checked")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (_code_version(),))
            db.execute("COMMIT")
        return True
    except (sqlite3.Error, OSError):
        return False


class CommitChanges:
    """What each commit changed, kept by commit id in the cache database (`git.ChangesCache`):
    a commit never changes, so its entry never goes stale, and a report diffs each commit
    once rather than on every run. A damaged or busy database costs a re-diff, never a wrong
    answer (`_is_ours` guards where the database came from)."""

    def __init__(self, root: Path) -> None:
        self.db: Any = None
        with contextlib.suppress(OSError, StoreError):
            self.db = _open_cache(root)

    def get(self, ids: Sequence[str]) -> dict[str, str]:
        import sqlite3

        found: dict[str, str] = {}
        if self.db is None:
            return found
        ids = [i for i in ids if _COMMIT_ID.fullmatch(i)]
        with contextlib.suppress(sqlite3.Error):
            found.update(_select_in(self.db, "SELECT id, changes FROM commits WHERE id IN ({})", ids))
        return found

    def put(self, rows: Mapping[str, str]) -> None:
        import sqlite3

        if self.db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            _write(self.db, ("INSERT OR REPLACE INTO commits VALUES (?, ?)",
                             [(i, text) for i, text in rows.items() if _COMMIT_ID.fullmatch(i)]))

    def __enter__(self) -> CommitChanges:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class _Positions:
    """Where problems were located (`locate`), kept in the cache database by file and key
    path with the file's stamp: a position is used only while the file's size, times and
    inode are unchanged, so any edit locates it again. A damaged or busy database costs a
    re-read, never a wrong line."""

    def __init__(self, root: Path) -> None:
        self.db: Any = None
        self.pending: list[tuple[str, str, str, int, int]] = []
        with contextlib.suppress(OSError, StoreError):
            self.db = _open_cache(root)

    def get(self, paths: Sequence[str]) -> dict[tuple[str, str], tuple[str, int, int]]:
        """{(path, loc): (stamp, line, column)} of the positions kept for these files."""
        import sqlite3

        found: dict[tuple[str, str], tuple[str, int, int]] = {}
        if self.db is None:
            return found
        with contextlib.suppress(sqlite3.Error):
            for path, loc, stamp, line, col in _select_in(
                    self.db, "SELECT path, loc, stamp, line, col FROM positions WHERE path IN ({})", paths):
                if type(line) is int and type(col) is int and line >= 1 and col >= 1:
                    found[(path, loc)] = (stamp, line, col)
        return found

    def put(self, path: str, stamp: str, loc: str, line: int, col: int) -> None:
        self.pending.append((path, loc, stamp, line, col))

    def close(self) -> None:
        import sqlite3

        if self.db is None:
            return
        if self.pending:
            with contextlib.suppress(sqlite3.Error):
                # A file's positions under an older stamp are of text it no longer has.
                _write(self.db, ("DELETE FROM positions WHERE path = ? AND stamp != ?",
                                 sorted({(p[0], p[2]) for p in self.pending})),
                       ("INSERT OR REPLACE INTO positions VALUES (?, ?, ?, ?, ?)", self.pending))
        self.db.close()
        self.db = None


class FolderChecks:
    """What validate found in each folder of visits (`loader.check_all`), kept in the cache
    database under a key of everything it depended on (`checks_key`): the stamps of the
    folder's files and of every record of another kind, and the checks' code. A folder
    whose key is unchanged is not read again. A damaged or busy database costs a re-read,
    never a wrong answer: the key is compared whole, and the caller validates the result."""

    def __init__(self, root: Path) -> None:
        self.db: Any = None
        self.pending: dict[str, tuple[str, str]] = {}
        self.folders: set[str] | None = None
        with contextlib.suppress(OSError, StoreError):
            self.db = _open_cache(root)

    def get(self) -> dict[str, tuple[str, str]]:
        """{folder: (key, result)} of every folder kept."""
        import sqlite3

        found: dict[str, tuple[str, str]] = {}
        if self.db is None:
            return found
        with contextlib.suppress(sqlite3.Error):
            found.update((folder, (key, result)) for folder, key, result in
                         self.db.execute("SELECT folder, key, result FROM checked"))
        return found

    def put(self, folder: str, key: str, result: str) -> None:
        self.pending[folder] = (key, result)

    def keep_only(self, folders: Iterable[str]) -> None:
        """Forget the folders not among these (gone from disk) when closing."""
        self.folders = set(folders)

    def close(self) -> None:
        import sqlite3

        if self.db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            gone = [(f,) for (f,) in self.db.execute("SELECT folder FROM checked")
                    if self.folders is not None and f not in self.folders and f not in self.pending]
            if self.pending or gone:
                _write(self.db, ("INSERT OR REPLACE INTO checked VALUES (?, ?, ?)",
                                 [(f, key, result) for f, (key, result) in self.pending.items()]),
                       ("DELETE FROM checked WHERE folder = ?", gone))
        self.db.close()
        self.db = None


def checks_key(files: Iterable[RecordFile], stamps: Mapping[str, Stamp | OSError], salt: str = "") -> str | None:
    """A digest of these files' paths and stamps (`stat_files`), the checks' code and `salt`,
    for `FolderChecks`; None when one of them cannot be keyed: unreadable, or changed within
    the last `RACY_NS` (a second change within the clock's step could leave its stamp as it
    was, so what was found in it is not kept)."""
    racy = time.time_ns() - RACY_NS
    digest = hashlib.sha256(f"{_checks_version()}\0{salt}\0".encode())
    for rf in files:
        found = stamps.get(rf.path)
        if isinstance(found, OSError) or (found is not None and found[1] >= racy):
            return None
        digest.update(f"{rf.kind}\0{rf.path}\0{found[0] if found else '-'}\n".encode())
    return digest.hexdigest()


@functools.cache
def _checks_version() -> str:
    # What the checks find depends on their code, the calendar they use, the hints' wording
    # and the loader that puts them together (the rest is in `_code_version`).
    digest = hashlib.sha1()
    here = Path(__file__).parent
    for name in ("checks.py", "calendar.py", "errors.py", "loader.py"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    return digest.hexdigest()


#: A full commit id, SHA-1 or SHA-256.
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _cached_problem(path: str, row: Any) -> Problem:
    line, column, severity, message, hint = row
    if not (type(line) is int and type(column) is int and line >= 1 and column >= 1 and isinstance(message, str)
            and (hint is None or isinstance(hint, str))):
        raise ValueError("not a located problem")
    return Problem(path, line, column, Severity(severity), message, hint)


def _with_positions(rel: str, raw: bytes, parsed: Parsed) -> Parsed:
    # Locate in the bytes just parsed, not the file: it may have changed since.
    if all(p.line for p in parsed.problems):
        return parsed
    return Parsed(parsed.model, tuple(_locate_in(_yaml_text(rel, raw), parsed.problems)))


def _code_version() -> str:
    # Parsed results depend on the models and the parser: a change to either
    # must invalidate the cache even without a version bump.
    digest = hashlib.sha1()
    here = Path(__file__).parent
    # store: what a row holds; actions: the open_until column; locate: the positions kept.
    for name in ("models.py", "parsing.py", "layout.py", "actions.py", "store.py", "locate.py"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    return digest.hexdigest()


# --- locating problems --------------------------------------------------------


def locate(root: Path, problems: Iterable[Problem], use_cache: bool = True) -> list[Problem]:
    """Give every unlocated problem its line and column, reading each file once. Where a
    file is unchanged since a problem at the same place was located (`_Positions`), the
    line comes from the cache and the file is not read: a warm validate at 1,000 schools
    has 20,000 warnings, and re-reading their files was a tenth of its time."""
    problems = list(problems)
    wanted = {p.path for p in problems if not p.line}
    if not wanted:
        return problems
    folders: dict[str, str | None] = {}
    known = _Positions(root) if use_cache else None
    stamps = {rel: _record_stamp(root, rel, folders) if known else None for rel in sorted(wanted)}
    try:
        cached = known.get([rel for rel, stamp in stamps.items() if stamp]) if known else {}
        texts: dict[str, tuple[str, int] | None] = {}
        racy = time.time_ns() - RACY_NS
        out = []
        for p in problems:
            if p.line:
                out.append(p)
                continue
            key = _loc_key(p.loc)
            stamp = stamps[p.path]
            hit = cached.get((p.path, key))
            if stamp is not None and hit is not None and hit[0] == stamp[0]:
                out.append(p.located(hit[1], hit[2]))
                continue
            if p.path not in texts:
                try:
                    texts[p.path] = _yaml_text(p.path, _record_bytes(root, p.path, folders))
                except (OSError, StoreError):
                    texts[p.path] = None
            found = _locate_in(texts[p.path], [p])[0]
            out.append(found)
            if known and stamp is not None and stamp[1] < racy and texts[p.path] is not None:
                known.put(p.path, stamp[0], key, found.line, found.column)
        return out
    finally:
        if known:
            known.close()


def _loc_key(loc: Sequence[str | int]) -> str:
    return json.dumps(list(loc))


def _record_stamp(root: Path, rel: str, folders: dict[str, str | None]) -> tuple[str, int] | None:
    """(stamp, modification time) of record file `rel`, found as `_record_bytes` finds it;
    None if it is not a regular file there (gone, a link, outside the root)."""
    try:
        st = os.lstat(_record_where(root, rel, folders))
    except (OSError, StoreError):
        return None
    return (_stamp(st), st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _record_bytes(root: Path, rel: str, folders: dict[str, str | None]) -> bytes:
    """The bytes of record file `rel`, as `inside` would find it, but with each folder
    resolved once for all its files (`folders`, by folder): locating 20,000 warnings
    resolved 20,000 paths, a fifth of a warm validate. Like the listing, it never reads
    a file through a link."""
    fd = os.open(_record_where(root, rel, folders), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with open(fd, "rb") as fh:
        return fh.read()


def _record_where(root: Path, rel: str, folders: dict[str, str | None]) -> str:
    """The absolute path of record file `rel`: its folder resolved inside the root (once a
    folder, in `folders`), then its name, which the caller opens without following a link."""
    _check_relative(rel)
    folder, _, name = rel.rpartition("/")
    if folder not in folders:
        try:
            folders[folder] = str(inside(root, folder) if folder else _resolved(root))
        except StoreError:
            folders[folder] = None
    where = folders[folder]
    if where is None:
        raise StoreError(f"refused: '{rel}' is not a path inside the records folder")
    return os.path.join(where, name)


def _locate_in(found: tuple[str, int] | None, problems: Iterable[Problem]) -> list[Problem]:
    from stss.locate import position

    return [p if p.line else p.located(*(position(found[0], p.loc, found[1]) if found else (1, 1)))
            for p in problems]


def _yaml_text(rel: str, raw: bytes) -> tuple[str, int] | None:
    text, _ = decode(rel, raw)
    if text is None:
        return None
    if layout.has_front_matter(rel):
        split = split_front_matter(rel, text)
        return None if isinstance(split, Problem) else (split[0], split[2])
    return text, 1


# --- writing ------------------------------------------------------------------


def inside(root: Path, rel: str) -> Path:
    """The absolute path of `rel`, refusing anything that would leave the root."""
    _check_relative(rel)
    try:
        full = (root / rel).resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        raise StoreError(f"refused: '{rel}' is a loop of symbolic links") from None
    if not full.is_relative_to(_resolved(root)):
        raise StoreError(f"refused: '{rel}' leads outside the records folder")
    return full


@functools.lru_cache(maxsize=16)
def _check_relative(rel: str) -> None:
    """`rel` names a path below the root, by its text alone: relative, forward slashes, no
    empty, `.` or `..` part, no NUL."""
    if (not rel or os.path.isabs(rel) or "\\" in rel or "\0" in rel
            or any(part in ("", ".", "..") for part in rel.split("/"))):
        raise StoreError(f"refused: '{rel}' is not a path inside the records folder")


def _resolved(root: Path) -> Path:
    # Once a process, not once a file: locating 20,000 warnings resolved the root 20,000 times.
    return root.resolve()


def writable(root: Path, rel: str) -> Path:
    """The absolute path of `rel` for writing: inside the root, and no part of
    it inside the root a symbolic link (a write through a link would land in
    whatever record, or file, the link names)."""
    full = inside(root, rel)
    parts = rel.split("/")
    for n in range(1, len(parts) + 1):
        part = "/".join(parts[:n])
        if os.path.islink(root / part):
            raise StoreError(f"refused: {part} is a symbolic link; stss never writes through a link; nothing was written",
                             hint="replace the link with the file or folder itself")
    return full


def read_text(root: Path, rel: str) -> str:
    return inside(root, rel).read_text("utf-8")


def read_commentary(root: Path, year: str, term: str) -> str | None:
    """The trust's commentary on a term (`reports/<year>/<term>.md`), None when it wrote none.
    Never read through a symbolic link, like every record."""
    rel = layout.commentary_path(year, term)
    parts = rel.split("/")
    if any(os.path.islink(root / "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
        raise StoreError(f"{rel}:1:1: refused: a symbolic link; stss never reads records through a link",
                         hint="replace the link with the file or folder itself")
    full = inside(root, rel)
    if not full.is_file():
        return None
    try:
        return full.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StoreError(f"{rel}:1:1: not UTF-8 text (byte {exc.start + 1})",
                         hint="save the commentary as UTF-8") from None


def write_text(root: Path, rel: str, text: str) -> Path:
    """Write a file inside the root atomically: readers see the old or the new
    text, never a mix, and a crash leaves the old file intact. Only under the
    root's write lock (`stss.lock`), so no two writers interleave."""
    from stss import lock

    full = writable(root, rel)
    lock.require(root)
    try:
        full.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(full, text.encode("utf-8"), temps=temp_folder(root))
    except OSError as exc:  # a full disk, no permission, a file where a folder should be
        raise StoreError(f"cannot write {rel}: {exc.strerror or exc}") from None
    return full


def rename(root: Path, old: str, new: str) -> Path:
    """Give a record file a new name inside the root, never over another file."""
    from stss import lock

    src, dst = writable(root, old), writable(root, new)
    lock.require(root)
    if dst.exists():
        raise StoreError(f"refused: {new} already exists")
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.rename(src, dst)
    return dst


def cache_folder(root: Path) -> Path:
    """`.stss-cache/`, made on first use with its own `.gitignore` (as pytest's
    cache has), so stss never leaves an untracked file in a records repo."""
    folder = root / CACHE_DIR
    if os.path.islink(folder):
        raise StoreError(f"refused: {CACHE_DIR} is a symbolic link", hint=f"remove it; stss makes {CACHE_DIR}/ itself")
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        _atomic_write(ignore, b"# Made by stss: its cache and write lock, never committed.\n*\n")
    return folder


def notes_template(root: Path, activity: str) -> str | None:
    """The trust's own notes template for an activity (`templates/notes/<activity>.md`), if it has one."""
    try:
        return read_text(root, f"templates/notes/{activity}.md")
    except (OSError, UnicodeDecodeError, StoreError):
        return None


def outside_records(root: Path, out: Path) -> None:
    """An output (`--out`) may go anywhere but over the records' own files: a record or
    anything in a record folder, `templates/`, `.git/` or `.stss-cache/` (a usage error)."""
    from stss.errors import UsageError

    base, target = root.resolve(), out.resolve()
    if not target.is_relative_to(base):
        return
    rel = target.relative_to(base).as_posix()
    top = rel.split("/")[0]
    if layout.is_record_path(rel) or top in ("templates", ".git", CACHE_DIR) or top in layout.FOLDERS:
        raise UsageError(f"--out {out} is inside the records' own files; nothing was written",
                         "write it somewhere else")


def write_output(out: Path, data: str | bytes | Callable[[Path], object], root: Path | None = None) -> Path:
    """Write a file stss makes for people (a report, an export, a calendar, a schema) where
    they asked, atomically: as records are written, but outside the records it needs no lock.
    `data` may be a function that fills a path (as sqlite3 does), called with the temporary file.
    Given the records' `root`, never over a record, a template or git's or stss's own files."""
    if root is not None:
        outside_records(root, out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(out, data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise StoreError(f"could not write {out}: {exc.strerror or exc}") from None
    return out


def temp_folder(root: Path) -> Path:
    """`.stss-cache/tmp/`, where writes of records make their temporary files."""
    folder = cache_folder(root) / TEMP_DIR
    folder.mkdir(exist_ok=True)
    return folder


def clear_temps(root: Path) -> None:
    """Remove what writes killed midway left in `.stss-cache/tmp/`. Only under the
    write lock: every other writer's temporary files are then long gone."""
    folder = root / CACHE_DIR / TEMP_DIR
    if os.path.islink(root / CACHE_DIR) or os.path.islink(folder):
        return
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if is_temp(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _atomic_write(full: Path, data: bytes | Iterable[bytes] | Callable[[Path], object],
                  temps: Path | None = None) -> None:
    """The one way stss writes a file: a unique temporary name (in `temps`, else beside
    the target), fsync, rename over it; on any failure the temporary file is removed and
    the target untouched."""
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = full.stat().st_mode & 0o777
    if temps is not None and os.stat(temps).st_dev != os.stat(full.parent).st_dev:
        temps = None  # the record's folder is on another file system: a rename cannot cross
    fd, tmp = tempfile.mkstemp(dir=temps or full.parent, prefix=f".{full.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            elif not callable(data):
                fh.writelines(data)
            fh.flush()
            os.fsync(fh.fileno())
        if callable(data):
            data(Path(tmp))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644)
        os.replace(tmp, full)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
