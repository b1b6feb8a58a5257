"""JSON Schemas generated from the models, so editors agree with `stss validate`.

A schema checks one file on its own: cross-record rules (unknown ids, term
order, visit dates) are `stss validate`'s alone.
"""

from __future__ import annotations

from typing import Any

from stss.layout import FILE_MODELS

BASE = "https://stss.invalid/schema"


def schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for kind, model in FILE_MODELS.items():
        doc = _portable(model.model_json_schema())
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["$id"] = f"{BASE}/{kind}.schema.json"
        out[kind] = doc
    return out


def _portable(node: Any) -> Any:
    """The schema without OpenAPI's `discriminator`, which JSON Schema does not define
    and strict validators (ajv) refuse; `oneOf` alone says the same."""
    if isinstance(node, dict):
        return {k: _portable(v) for k, v in node.items() if k != "discriminator"}
    if isinstance(node, list):
        return [_portable(v) for v in node]
    return node
