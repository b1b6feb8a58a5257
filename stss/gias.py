"""Reading a GIAS establishment export: CSV bytes -> one `GiasRow` per school.

"Get Information about Schools" (DfE) exports one row per establishment under
a quoted header line (`URN`, `EstablishmentName`, `PhaseOfEducation (name)`,
...). This module owns what is known about that format: its encodings
(UTF-8 with or without a BOM, else Windows-1252, strictly), DD-MM-YYYY
dates, placeholder values ("Not applicable", "Does not apply", "None", ""),
phase names and the special and alternative-provision establishment types,
and ragged rows (more or fewer values than headers), which are reported by
row number, never read silently.

Pure: bytes in, rows and problems out. Matching rows to school records and
writing files is `stss.importing`'s business.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from stss.errors import Problem, Severity, StssError, did_you_mean
from stss.models import Phase
from stss.parsing import slugify

URN = "URN"
NAME = "EstablishmentName"
STATUS = "EstablishmentStatus (name)"
PHASE = "PhaseOfEducation (name)"
TYPE = "TypeOfEstablishment (name)"
RELIGIOUS = "ReligiousCharacter (name)"
TRUST = "Trusts (name)"
LA = "LA (name)"
HEAD_FIRST = "HeadFirstName"
HEAD_LAST = "HeadLastName"
OPENED = "OpenDate"
REQUIRED = (URN, NAME, STATUS, PHASE, TYPE, RELIGIOUS, TRUST, LA, HEAD_FIRST, HEAD_LAST)
OPTIONAL = (OPENED,)

PLACEHOLDERS = frozenset({"", "not applicable", "does not apply", "none", "n/a"})
PHASES: dict[str, Phase] = {
    "nursery": "nursery",
    "primary": "primary",
    "middle deemed primary": "middle",
    "middle deemed secondary": "middle",
    "secondary": "secondary",
    "all-through": "all-through",
    "all through": "all-through",
    "16 plus": "post-16",
}
STATUSES = frozenset({"open", "closed", "open, but proposed to close", "proposed to open"})


@dataclass(frozen=True)
class GiasRow:
    """One establishment, with GIAS's placeholders already turned into None."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    urn: int
    name: str
    status: str
    phase: Phase | None
    phase_name: str
    religious_character: str | None
    trust: str | None
    local_authority: str | None
    headteacher: str | None
    opened: dt.date | None

    @property
    def closed(self) -> bool:
        return self.status.lower() == "closed"


@dataclass(frozen=True)
class GiasFile:
    rows: list[GiasRow]
    problems: list[Problem]
    encoding: str




def decode(data: bytes, source: str = "the file", encoding: str | None = None) -> tuple[str, str]:
    """The text of an export and the encoding it was in: `encoding` if given, else
    UTF-8 (with or without a BOM), else Windows-1252, each strictly. A byte the
    encoding does not define stops the import with its line, never a silent guess."""
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise StssError(f"unknown encoding '{encoding}'", hint="e.g. --encoding windows-1252") from None
        except UnicodeDecodeError as exc:
            raise _undecodable(data, source, exc.start, encoding) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, source, exc.start + 3, "UTF-8") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 is ISO-8859-1 plus curly quotes and dashes in 0x80-0x9F,
    # which is what an export saved on Windows really holds.
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise _undecodable(data, source, exc.start, "Windows-1252") from None


def _undecodable(data: bytes, source: str, at: int, encoding: str) -> StssError:
    line = data.count(b"\n", 0, at) + 1
    column = at - (data.rfind(b"\n", 0, at) + 1) + 1
    return StssError(f"{source}:{line}:{column}: byte 0x{data[at]:02X} is not {encoding} text; nothing was imported",
                     hint="say what the file is in with --encoding (e.g. --encoding iso-8859-1 or utf-8) "
                          "after checking it")


def read(data: bytes, source: str, encoding: str | None = None) -> GiasFile:
    """Rows of an export; raises `StssError` if a column stss needs is missing
    or a byte is not text in the encoding."""
    text, encoding = decode(data, source, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise StssError(f"{source} is empty", hint="download the establishment fields CSV from GIAS")
    header = [cell.strip() for cell in header]
    columns = {name: i for i, name in reversed(list(enumerate(header)))}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        close = did_you_mean(missing[0], [name for name in header if name not in REQUIRED])
        raise StssError(f"{source} has no column {', '.join(repr(m) for m in missing)}",
                        hint=close or "is this a GIAS establishment export? stss needs: " + ", ".join(REQUIRED))
    rows: list[GiasRow] = []
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for number, values in enumerate(reader, start=2):
        if not values or not any(v.strip() for v in values):
            continue
        ragged = len(values) != len(header)
        if ragged:
            found = "more" if len(values) > len(header) else "fewer"
            problems.append(_at(Severity.WARNING, source, number, len(header) + 1,
                                f"row {number} has {len(values)} values for {len(header)} columns ({found});"
                                " its values are read by position, so check them"))
        row = _row(source, number, values, columns, problems, ragged)
        if row is None:
            continue
        if row.urn in seen:
            problems.append(_at(Severity.WARNING, source, number, columns[URN] + 1,
                                f"URN {row.urn} is on row {seen[row.urn]} already; this row is ignored"))
            continue
        seen[row.urn] = number
        rows.append(row)
    return GiasFile(rows, problems, encoding)


def _row(source: str, number: int, values: list[str], columns: dict[str, int], problems: list[Problem],
         ragged: bool) -> GiasRow | None:
    def cell(name: str) -> str | None:
        i = columns.get(name)
        value = values[i].strip() if i is not None and i < len(values) else ""
        return None if value.lower() in PLACEHOLDERS else value

    def bad(column: str, message: str) -> None:
        problems.append(_at(Severity.ERROR, source, number, columns[column] + 1, f"row {number}: {message}"))

    urn_text = cell(URN) or ""
    if not urn_text.isdigit() or int(urn_text) == 0:
        bad(URN, f"'{urn_text}' is not a URN" + ("; the row is ragged, so it is skipped" if ragged else ""))
        return None
    name = cell(NAME)
    if not name:
        bad(NAME, "the establishment has no name")
        return None
    status = cell(STATUS) or ""
    phase_name = values[columns[PHASE]].strip() if columns[PHASE] < len(values) else ""
    phase = phase_of(phase_name, cell(TYPE) or "")
    if ragged and (status.lower() not in STATUSES or (phase is None and phase_name.lower() not in PLACEHOLDERS)):
        # A shifted row shows as a status or phase that is not one: refuse it
        # rather than import one school's values under another's columns.
        bad(STATUS, "the row is ragged and its columns do not line up; it is skipped")
        return None
    opened = None
    if (text := cell(OPENED)) is not None:
        opened = parse_date(text)
        if opened is None:
            problems.append(_at(Severity.WARNING, source, number, columns[OPENED] + 1,
                                f"row {number}: OpenDate '{text}' is not a date (DD-MM-YYYY); ignored"))
    head = " ".join(part for part in (cell(HEAD_FIRST), cell(HEAD_LAST)) if part) or None
    return GiasRow(number, int(urn_text), " ".join(name.split()), status or "Open", phase, phase_name,
                   _tidy(cell(RELIGIOUS)), _tidy(cell(TRUST)), _tidy(cell(LA)), _tidy(head), opened)


def _at(severity: Severity, source: str, line: int, column: int, message: str) -> Problem:
    return Problem(source, line, column, severity, message)


def _tidy(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip() if text else None


def phase_of(phase_name: str, type_name: str) -> Phase | None:
    """The record's phase for a GIAS phase and establishment type; None if unknown.

    Special schools and alternative provision are told by their type, since
    GIAS gives most of them the phase "Not applicable".
    """
    kind = type_name.lower()
    if "special" in kind:
        return "special"
    if "pupil referral" in kind or "alternative provision" in kind:
        return "alternative"
    return PHASES.get(phase_name.strip().lower())


def parse_date(text: str) -> dt.date | None:
    """GIAS writes DD-MM-YYYY (some exports DD/MM/YYYY); ISO is accepted too."""
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def same_name(a: str | None, b: str | None) -> bool:
    """Names equal but for case, accents and spacing: GIAS writes trusts in capitals."""
    return a is not None and b is not None and fold(a) == fold(b)


def fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def slug_for(name: str) -> str:
    """A school id from its name: "École St Thérèse's" -> "ecole-st-thereses"."""
    return slugify(fold(name))[:80].strip("-") or "school"
