"""`stss schema`: JSON Schemas of each kind of record, for editors and check-jsonschema."""


import json
from pathlib import Path
from typing import Annotated

import typer

from stss.cli.common import command, console


@command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write one <kind>.schema.json per record kind here.", file_okay=False)] = None,
) -> None:
    """JSON Schemas for each kind of record, for editors and check-jsonschema."""
    from stss import store
    from stss.schema import schemas

    docs = schemas()
    if out is None:
        print(json.dumps(docs, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for kind, doc in docs.items():
        store.write_output(out / f"{kind}.schema.json", json.dumps(doc, indent=2) + "\n")
        console().print(f"wrote {out / f'{kind}.schema.json'}", markup=False)
