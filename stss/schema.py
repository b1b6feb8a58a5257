"""JSON Schemas generated from the models, so editors agree with `stss validate`.

A schema checks one file on its own: cross-record rules (unknown ids, term
order, visit dates) are `stss validate`'s alone.
"""

from __future__ import annotations

from typing import Any

from stss.models import FILE_MODELS

BASE = "https://stss.invalid/schema"


def schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for kind, model in FILE_MODELS.items():
        doc = model.model_json_schema()
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["$id"] = f"{BASE}/{kind}.schema.json"
        out[kind] = doc
    return out
