"""The only module that reads and writes the records on disk.

- `find_root` finds the records root the way git finds `.git`.
- `read_all` lists and parses every record file, reusing a cache of parsed
  files kept in `.stss-cache/` and keyed by path, size, times and inode.
- Symbolic links below the root are never followed: they are listed as
  warnings, so nothing outside the root is read through them.
- `locate` gives problems their line and column by re-reading just the files
  that have problems, in round-trip mode.
- `write_text` writes atomically (a temporary file, then a rename) and only
  inside the records root.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stss import layout
from stss.errors import Problem, Severity, StoreError
from stss.layout import ROOT_MARKER
from stss.parsing import Parsed, decode, is_slug, parse_file, split_front_matter

CACHE_DIR = ".stss-cache"
CACHE_FILE = "records.json"
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


@dataclass(frozen=True)
class RecordFile:
    kind: str
    path: str  # relative to the root, with forward slashes
    record_id: str


def list_files(root: Path) -> tuple[list[RecordFile], list[Problem]]:
    """Every record file under the root, and warnings for files stss will not read."""
    files: list[RecordFile] = []
    problems: list[Problem] = []
    for single in layout.singles():
        kind, name = single.name, single.file or ""
        if (root / name).is_symlink():
            problems.append(Problem(name, 1, 1, message=f"{name} is {LINK}", hint=LINK_HINT))
        elif single is layout.ROOT or (root / name).is_file():
            files.append(RecordFile(kind, name, kind))
        else:
            problems.append(Problem(name, 1, 1, message=f"{name} is missing",
                                    hint="the activity catalogue and support levels live there"))
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
                files.append(RecordFile(kind, rel, stem))
    for yearly in layout.yearly():
        files.extend(_yearly(root, yearly, problems))
    with os.scandir(root) as top:
        problems.extend(_stray_temps("", top))
    problems.extend(_template_problems(root))
    return files, problems


def _yearly(root: Path, kind: layout.Kind, problems: list[Problem]) -> Iterator[RecordFile]:
    folder, suffix, cut = kind.folder or "", kind.suffix, -len(kind.suffix)
    for year in _entries(root, folder, problems):
        if year.is_symlink() or not year.is_dir():
            problems.append(_ignored(f"{folder}/{year.name}", year, "a year folder such as 2026-27/"))
            continue
        prefix = f"{folder}/{year.name}/"
        for entry in _entries(root, prefix[:-1], problems):  # tens of thousands: keep it lean
            name = entry.name
            if name.endswith(suffix) and not entry.is_symlink() and entry.is_file():
                yield RecordFile(kind.name, prefix + name, name[:cut])
            else:
                problems.append(_ignored(prefix + name, entry, suffix))


LINK = "a symbolic link, which stss never reads or writes through"
LINK_HINT = "replace the link with the file or folder itself"


def _entries(root: Path, folder: str, problems: list[Problem]) -> list[os.DirEntry[str]]:
    if os.path.islink(root / folder):
        problems.append(Problem(folder, 1, 1, message=LINK, hint=LINK_HINT))
        return []
    try:
        with os.scandir(root / folder) as it:
            entries = sorted(it, key=lambda e: e.name)
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
    files, problems = list_files(root)
    cache = _Cache(root) if use_cache else None
    out: dict[str, tuple[RecordFile, Parsed]] = {}
    base = str(root)  # os.path over pathlib: this loop runs for every file
    for rf in files:
        full = os.path.join(base, rf.path)
        try:
            # Stat before reading: if the file changes in between, the cache
            # holds new text under the old stamp, which the next run re-reads.
            st = os.stat(full)
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            parsed = cache.get(rf, stamp) if cache else None
            if parsed is None:
                with open(full, "rb") as fh:
                    raw = fh.read()
                parsed = _with_positions(rf.path, raw, parse_file(rf.kind, rf.path, raw))
                if cache and st.st_mtime_ns < time.time_ns() - RACY_NS:
                    cache.put(rf, stamp, parsed)
        except FileNotFoundError:  # deleted since it was listed: it is gone
            if rf.kind == "trust":
                raise StoreError(f"{root} has no {ROOT_MARKER}") from None
            continue
        except OSError as exc:
            parsed = Parsed(None, (Problem(rf.path, 1, 1, message=f"cannot read: {exc.strerror}"),))
        out[rf.path] = (rf, parsed)
    if cache:
        cache.keep_only(out)
        cache.save()
    return out, problems


class _Cache:
    """Parsed records from the last run, as JSON (never pickle: the folder
    could arrive in a pull request). Any damage means a cold read, never a
    wrong answer: an entry is used only if it matches the code version and the
    file's path, size, modification and change times and inode, and what it
    holds validates again. The change time and inode cannot be set from a
    commit, an archive or `touch`, so a cache that arrives with the records
    never matches them. Several stss processes may share the cache: each
    replaces the file whole, and a lost update only costs a re-read."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.entries: dict[str, Any] = {}
        self.dirty = False
        try:
            if os.path.islink(self.folder):  # never read or write through a link
                return
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with open(fd, "rb") as fh:
                data = json.loads(fh.read())
            if isinstance(data, dict) and data.get("version") == _code_version():
                entries = data.get("entries")
                self.entries = entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, RecursionError):
            pass

    def get(self, rf: RecordFile, stamp: tuple[int, ...]) -> Parsed | None:
        entry = self.entries.get(rf.path)
        if not isinstance(entry, dict) or entry.get("stamp") != list(stamp) or entry.get("kind") != rf.kind:
            return None
        try:
            model_type = layout.KINDS[rf.kind].read_as
            model_json, rows = entry["model"], entry["problems"]
            model = model_type.__pydantic_validator__.validate_json(model_json) if model_json is not None else None
            problems = tuple(_cached_problem(rf.path, row) for row in rows) if rows else ()
        except (ValueError, TypeError, KeyError, IndexError):
            return None
        # What parse_file returns: a model and no errors, or errors and no model.
        if (model is None) != (bool(problems) and any(p.is_error for p in problems)):
            return None
        return Parsed(model, problems)

    def put(self, rf: RecordFile, stamp: tuple[int, ...], parsed: Parsed) -> None:
        self.entries[rf.path] = {
            "kind": rf.kind,
            "stamp": list(stamp),
            "model": parsed.model.model_dump_json() if parsed.model else None,
            "problems": [[p.line, p.column, p.severity.value, p.message, p.hint] for p in parsed.problems],
        }
        self.dirty = True

    def keep_only(self, paths: Iterable[str]) -> None:
        keep = set(paths)
        for gone in [p for p in self.entries if p not in keep]:
            del self.entries[gone]
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        with contextlib.suppress(OSError, StoreError):
            _atomic_write(cache_folder(self.folder.parent) / CACHE_FILE, self._json())

    def _json(self) -> Iterator[bytes]:
        """The cache as JSON, a thousand entries at a time: for a large trust
        it runs to hundreds of megabytes, and json.dumps would hold it twice
        over at the peak of a cold run."""
        encode = json.JSONEncoder(separators=(",", ":")).encode  # ASCII only
        yield b'{"version":' + encode(_code_version()).encode("ascii") + b',"entries":{'
        items = list(self.entries.items())
        for start in range(0, len(items), 1000):
            batch = items[start:start + 1000]
            text = ",".join(f"{encode(path)}:{encode(entry)}" for path, entry in batch)
            yield (("," if start else "") + text).encode("ascii")
        yield b"}}"


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
    for name in ("models.py", "parsing.py", "layout.py"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    return digest.hexdigest()


# --- locating problems --------------------------------------------------------


def locate(root: Path, problems: Iterable[Problem]) -> list[Problem]:
    """Give every unlocated problem its line and column, reading each file once."""
    texts: dict[str, tuple[str, int] | None] = {}
    out = []
    for p in problems:
        if not p.line and p.path not in texts:
            try:
                texts[p.path] = _yaml_text(p.path, inside(root, p.path).read_bytes())
            except (OSError, StoreError):
                texts[p.path] = None
        out.append(p if p.line else _locate_in(texts[p.path], [p])[0])
    return out


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
    if (not rel or os.path.isabs(rel) or "\\" in rel or "\0" in rel
            or any(part in ("", ".", "..") for part in rel.split("/"))):
        raise StoreError(f"refused: '{rel}' is not a path inside the records folder")
    try:
        full = (root / rel).resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        raise StoreError(f"refused: '{rel}' is a loop of symbolic links") from None
    if not full.is_relative_to(root.resolve()):
        raise StoreError(f"refused: '{rel}' leads outside the records folder")
    return full


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
        _atomic_write(full, text.encode("utf-8"))
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


def write_output(out: Path, data: str | bytes | Callable[[Path], object]) -> Path:
    """Write a file stss makes for people (a report, an export, a calendar, a schema) where
    they asked, atomically: as records are written, but outside the records it needs no lock.
    `data` may be a function that fills a path (as sqlite3 does), called with the temporary file."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(out, data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise StoreError(f"could not write {out}: {exc.strerror or exc}") from None
    return out


def _atomic_write(full: Path, data: bytes | Iterable[bytes] | Callable[[Path], object]) -> None:
    """The one way stss writes a file: a unique temporary name beside the target, fsync,
    rename over it; on any failure the temporary file is removed and the target untouched."""
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = full.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=full.parent, prefix=f".{full.name}.", suffix=".tmp")
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
