"""From a file's text to a validated model, or to problems.

Pure: the store hands in text it has read and gets back data, models and
problems. YAML is parsed with ruamel.yaml's C-backed safe loader (no custom
tags, no Python objects); line numbers for problems are found afterwards,
only for the files that have problems, by `stss.locate`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from stss.errors import Loc, Problem, did_you_mean, error
from stss.models import FILE_MODELS, SLUG_RE, Record, Visit

#: A document may not expand (through aliases) to more values than this.
MAX_NODES = 200_000
FRONT_MATTER = "---"


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one file: its model (if valid) and its problems."""

    model: Record | None
    problems: tuple[Problem, ...]


class _NoLocation(Exception):
    pass


_yaml: Any = None


def _safe_yaml() -> Any:
    global _yaml
    if _yaml is None:
        from ruamel.yaml import YAML

        _yaml = YAML(typ="safe", pure=False)
    return _yaml


def decode(path: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """Bytes to text: UTF-8 (a BOM is allowed), or a problem at the bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(path, line, column, message="the file is not UTF-8 text", hint="save it as UTF-8")
        ]
    return text.removeprefix("\ufeff"), []


def split_front_matter(path: str, text: str) -> tuple[str, str, int] | Problem:
    """A visit file's YAML front matter, its markdown body, and the line the YAML starts on."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER:
        return error(path, (), "a visit file must start with '---' and YAML front matter",
                     hint="see docs/records.md, 'visits'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), 2
    return error(path, (), "the front matter has no closing '---' line")


def load_yaml(path: str, text: str, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse YAML safely; a syntax error becomes one located problem."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        data = _safe_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)
        message = (exc.problem or exc.context or "malformed YAML").strip()
        hint = "indent with spaces, not tabs" if "\t" in text and "cannot start any token" in message else None
        if "constructor for the tag" in message:
            message, hint = "custom YAML tags are not allowed", "remove the '!' tag"
        return None, [Problem(path, line, column, message=f"malformed YAML: {message}", hint=hint)]
    except (YAMLError, ValueError, RecursionError) as exc:
        return None, [Problem(path, first_line, 1, message=f"malformed YAML: {exc}")]
    try:
        _check_size(data)
    except ValueError as exc:
        return None, [Problem(path, first_line, 1, message=str(exc),
                              hint="YAML aliases (*name) may not expand this far")]
    return data, []


def _check_size(data: Any) -> None:
    # Counts values as they would be seen after expanding aliases, without
    # expanding them, so an alias bomb is refused in time linear in its size.
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise ValueError("the document refers to itself through an alias")
        busy.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1 + sum(size(child) for child in children)
        busy.discard(key)
        if total > MAX_NODES:
            raise ValueError(f"the document expands to more than {MAX_NODES:,} values")
        sizes[key] = total
        return total

    size(data)


def parse_file(kind: str, path: str, raw: bytes) -> Parsed:
    """Read one record file of a given kind into its model."""
    text, problems = decode(path, raw)
    if text is None:
        return Parsed(None, tuple(problems))
    body = ""
    first_line = 1
    if kind == "visit":
        split = split_front_matter(path, text)
        if isinstance(split, Problem):
            return Parsed(None, (split,))
        text, body, first_line = split
    if not text.strip():
        what = "the front matter is empty" if kind == "visit" else "the file is empty"
        return Parsed(None, (Problem(path, first_line, 1, message=what),))
    data, problems = load_yaml(path, text, first_line)
    if problems:
        return Parsed(None, tuple(problems))
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"'{data}'"
        return Parsed(None, (Problem(path, first_line, 1,
                                     message=f"expected a mapping of keys to values, found {found}"),))
    return validate(kind, path, data, body)


def validate(kind: str, path: str, data: dict[str, Any], body: str = "") -> Parsed:
    """Validate parsed YAML as a record of `kind`; errors become problems by key path."""
    model_type = FILE_MODELS[kind]
    try:
        if kind == "visit":
            if "notes" in data:
                return Parsed(None, (error(path, ("notes",), "unknown key 'notes'",
                                           hint="notes go below the closing '---'"),))
            return Parsed(Visit.model_validate({**data, "notes": body}), ())
        return Parsed(model_type.model_validate(data), ())
    except ValidationError as exc:
        return Parsed(None, tuple(problems_from_validation(path, model_type, exc)))


def problems_from_validation(path: str, model_type: type[BaseModel], exc: ValidationError) -> Iterable[Problem]:
    for err in exc.errors(include_url=False):
        doc_loc, fields = _walk(model_type, err["loc"])
        yield _problem(path, doc_loc, fields, err)


def _problem(path: str, loc: Loc, fields: list[str], err: Any) -> Problem:
    kind = err["type"]
    value = err.get("input")
    where = ".".join(str(part) for part in loc)
    key = str(loc[-1]) if loc else ""
    hint = None
    if kind == "extra_forbidden":
        message = f"unknown key '{key}'"
        hint = did_you_mean(key, fields) or (f"allowed here: {', '.join(fields)}" if fields else None)
        return error(path, loc, message, hint)
    if kind == "missing":
        return error(path, loc, f"missing required key '{key}'")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        message = f"'{value}' is not one of: {', '.join(expected)}"
        hint = did_you_mean(str(value), expected)
    elif kind == "string_pattern_mismatch":
        message = f"'{value}' is not a valid id"
        hint = f"use lower-case letters, digits and hyphens, e.g. '{slugify(str(value))}'"
    elif kind in ("greater_than", "greater_than_equal"):
        limit = err.get("ctx", {}).get("gt", err.get("ctx", {}).get("ge"))
        limit = f"{limit:g}" if isinstance(limit, int | float) else limit
        message = f"must be more than {limit}, got {value}" if kind == "greater_than" else \
            f"must be at least {limit}, got {value}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of keys to values, found {_describe(value)}"
    elif kind in ("list_type", "tuple_type"):
        message = f"expected a list, found {_describe(value)}"
    elif kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
    elif kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        message = f"'{value}' is not a date"
        hint = "write dates as YYYY-MM-DD, e.g. 2026-10-05"
    elif kind == "union_tag_invalid":
        expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected_tags", ""))
        tag = err.get("ctx", {}).get("tag")
        message = f"'{tag}' is not one of: {', '.join(expected)}"
        hint = did_you_mean(str(tag), expected)
        loc = (*loc, err.get("ctx", {}).get("discriminator", "").strip("'"))
        where = ".".join(str(part) for part in loc)
    elif kind == "union_tag_not_found":
        message = "missing required key 'framework'"
    else:
        message = f"{err['msg'][0].lower()}{err['msg'][1:]}, got {_describe(value)}"
    return error(path, loc, f"{where}: {message}" if where else message, hint)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def slugify(text: str) -> str:
    """A slug made from free text, for hints and for new ids."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
    return slug or "x"


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text)) and len(text) <= 100


def _walk(model_type: type[BaseModel], err_loc: tuple[str | int, ...]) -> tuple[Loc, list[str]]:
    """Turn pydantic's error location into a path in the document, and list
    the keys allowed where the error is (for "did you mean")."""
    doc_loc: list[str | int] = []
    current: Any = model_type
    for part in err_loc:
        if part == "[key]":
            continue
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            doc_loc.append(part)
            current = field.annotation if field else None
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin in (list, tuple) and isinstance(part, int):
            doc_loc.append(part)
            current = args[0] if args else None
        elif origin is dict:
            doc_loc.append(part)
            current = args[1] if len(args) > 1 else None
        elif _union_members(current):
            member = next((m for m in _union_members(current) if _tag_of(m) == part), None)
            if member is None:
                doc_loc.append(part)
            current = member
        else:
            doc_loc.append(part)
            current = None
    # The keys allowed beside an unknown key are those of the model holding it.
    holder = _model_at(model_type, err_loc[:-1])
    fields: list[str] = []
    if isinstance(holder, type) and issubclass(holder, BaseModel):
        fields = [name for name in holder.model_fields if not (holder is Visit and name == "notes")]
    return tuple(doc_loc), fields


def _model_at(model_type: type[BaseModel], err_loc: tuple[str | int, ...]) -> Any:
    current: Any = model_type
    for part in err_loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
        elif typing.get_origin(current) in (list, tuple):
            current = (typing.get_args(current) or (None,))[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif _union_members(current):
            current = next((m for m in _union_members(current) if _tag_of(m) == part), None)
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] down to the type that matters."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        members = [a for a in _union_args(annotation) if a is not type(None)]
        if len(members) == 1:
            annotation = members[0]
            continue
        return annotation


def _union_args(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return ()


def _union_members(annotation: Any) -> list[type[BaseModel]]:
    return [m for m in _union_args(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]


def _tag_of(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("framework")
    args = typing.get_args(field.annotation) if field else ()
    return args[0] if args else None
