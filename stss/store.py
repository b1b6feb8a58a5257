"""The only module that reads and writes the records on disk.

- `find_root` finds the records root the way git finds `.git`.
- `read_all` lists and parses every record file, reusing a cache of parsed
  files kept in `.stss-cache/` and keyed by path, size and modification time.
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stss.errors import Problem, Severity, StoreError, warning
from stss.models import FILE_MODELS, Visit
from stss.parsing import Parsed, decode, is_slug, parse_file, split_front_matter

ROOT_MARKER = "trust.yaml"
CACHE_DIR = ".stss-cache"
CACHE_FILE = "records.json"
ENV_VAR = "STSS_RECORDS"


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
    files = [RecordFile("trust", "trust.yaml", "trust")]
    problems: list[Problem] = []
    if (root / "offer.yaml").is_file():
        files.append(RecordFile("offer", "offer.yaml", "offer"))
    else:
        problems.append(Problem("offer.yaml", 1, 1, message="offer.yaml is missing",
                                hint="the activity catalogue and support levels live there"))
    for kind, folder in (("school", "schools"), ("person", "people"), ("engagement", "engagements")):
        for entry in _entries(root / folder):
            rel = f"{folder}/{entry.name}"
            stem, ext = os.path.splitext(entry.name)
            if entry.is_symlink() or not entry.is_file() or ext != ".yaml":
                problems.append(_ignored(rel, entry, ".yaml"))
            elif not is_slug(stem):
                problems.append(Problem(rel, 1, 1, message=f"'{stem}' is not a valid id for a file name",
                                        hint="ids are lower-case letters, digits and hyphens"))
            else:
                files.append(RecordFile(kind, rel, stem))
    for year in _entries(root / "visits"):
        if year.is_symlink() or not year.is_dir():
            problems.append(_ignored(f"visits/{year.name}", year, "a year folder such as 2026-27/"))
            continue
        for entry in _entries(Path(year.path)):
            rel = f"visits/{year.name}/{entry.name}"
            stem, ext = os.path.splitext(entry.name)
            if entry.is_symlink() or not entry.is_file() or ext != ".md":
                problems.append(_ignored(rel, entry, ".md"))
            else:
                files.append(RecordFile("visit", rel, stem))
    return files, problems


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _ignored(rel: str, entry: os.DirEntry[str], wanted: str) -> Problem:
    why = "a symbolic link" if entry.is_symlink() else "not a record file"
    return warning(rel, (), f"ignored: {why}", hint=f"stss reads only {wanted} here")


# --- reading, with a cache --------------------------------------------------


def read_all(root: Path, use_cache: bool = True) -> tuple[dict[str, tuple[RecordFile, Parsed]], list[Problem]]:
    """Parse every record file. Returns {path: (file, parsed)} and listing problems."""
    files, problems = list_files(root)
    cache = _Cache(root) if use_cache else None
    out: dict[str, tuple[RecordFile, Parsed]] = {}
    for rf in files:
        full = root / rf.path
        try:
            st = full.stat()
        except FileNotFoundError:
            if rf.kind == "trust":
                raise StoreError(f"{root} has no {ROOT_MARKER}") from None
            continue
        stamp = (st.st_size, st.st_mtime_ns)
        parsed = cache.get(rf, stamp) if cache else None
        if parsed is None:
            try:
                raw = full.read_bytes()
            except OSError as exc:
                out[rf.path] = (rf, Parsed(None, (Problem(rf.path, 1, 1, message=f"cannot read: {exc.strerror}"),)))
                continue
            parsed = _with_positions(root, parse_file(rf.kind, rf.path, raw))
            if cache:
                cache.put(rf, stamp, parsed)
        out[rf.path] = (rf, parsed)
    if cache:
        cache.keep_only(out)
        cache.save()
    return out, problems


class _Cache:
    """Parsed records from the last run, as JSON (never pickle: the folder
    could arrive in a pull request). Any damage means a cold read, never a
    wrong answer: entries must match path, size, mtime and the code version."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / CACHE_FILE
        self.entries: dict[str, Any] = {}
        self.dirty = False
        try:
            data = json.loads(self.path.read_text("utf-8"))
            if isinstance(data, dict) and data.get("version") == _code_version():
                entries = data.get("entries")
                self.entries = entries if isinstance(entries, dict) else {}
        except (OSError, ValueError):
            pass

    def get(self, rf: RecordFile, stamp: tuple[int, int]) -> Parsed | None:
        entry = self.entries.get(rf.path)
        if not isinstance(entry, dict) or entry.get("stamp") != list(stamp) or entry.get("kind") != rf.kind:
            return None
        try:
            model_type = Visit if rf.kind == "visit" else FILE_MODELS[rf.kind]
            model = model_type.model_validate_json(entry["model"]) if entry.get("model") else None
            problems = tuple(
                Problem(rf.path, p[0], p[1], Severity(p[2]), p[3], p[4]) for p in entry.get("problems", [])
            )
        except (ValueError, TypeError, KeyError, IndexError):
            return None
        return Parsed(model, problems)

    def put(self, rf: RecordFile, stamp: tuple[int, int], parsed: Parsed) -> None:
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
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(exist_ok=True)
            payload = json.dumps({"version": _code_version(), "entries": self.entries}, separators=(",", ":"))
            _atomic_write(self.path, payload.encode("utf-8"))


def _with_positions(root: Path, parsed: Parsed) -> Parsed:
    if all(p.line for p in parsed.problems):
        return parsed
    return Parsed(parsed.model, tuple(locate(root, parsed.problems)))


def _code_version() -> str:
    # Parsed results depend on the models and the parser: a change to either
    # must invalidate the cache even without a version bump.
    digest = hashlib.sha1()
    here = Path(__file__).parent
    for name in ("models.py", "parsing.py"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    return digest.hexdigest()


# --- locating problems --------------------------------------------------------


def locate(root: Path, problems: Iterable[Problem]) -> list[Problem]:
    """Give every unlocated problem its line and column, reading each file once."""
    from stss.locate import position

    problems = list(problems)
    texts: dict[str, tuple[str, int] | None] = {}
    out = []
    for p in problems:
        if p.line:
            out.append(p)
            continue
        if p.path not in texts:
            texts[p.path] = _yaml_text(root, p.path)
        found = texts[p.path]
        line, column = position(found[0], p.loc, found[1]) if found else (1, 1)
        out.append(p.located(line, column))
    return out


def _yaml_text(root: Path, rel: str) -> tuple[str, int] | None:
    try:
        text, _ = decode(rel, (root / rel).read_bytes())
    except OSError:
        return None
    if text is None:
        return None
    if rel.endswith(".md"):
        split = split_front_matter(rel, text)
        return None if isinstance(split, Problem) else (split[0], split[2])
    return text, 1


# --- writing ------------------------------------------------------------------


def inside(root: Path, rel: str) -> Path:
    """The absolute path of `rel`, refusing anything that would leave the root."""
    if not rel or os.path.isabs(rel) or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise StoreError(f"refused: '{rel}' is not a path inside the records folder")
    full = (root / rel).resolve()
    if not full.is_relative_to(root.resolve()):
        raise StoreError(f"refused: '{rel}' leads outside the records folder")
    return full


def read_text(root: Path, rel: str) -> str:
    return inside(root, rel).read_text("utf-8")


def write_text(root: Path, rel: str, text: str) -> Path:
    """Write a file inside the root atomically: readers see the old or the new
    text, never a mix, and a crash leaves the old file intact."""
    full = inside(root, rel)
    full.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(full, text.encode("utf-8"))
    return full


def rename(root: Path, old: str, new: str) -> Path:
    """Give a record file a new name inside the root, never over another file."""
    src, dst = inside(root, old), inside(root, new)
    if dst.exists():
        raise StoreError(f"refused: {new} already exists")
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.rename(src, dst)
    return dst


def _atomic_write(full: Path, data: bytes) -> None:
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = full.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=full.parent, prefix=f".{full.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644)
        os.replace(tmp, full)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
