"""The `stss` Typer app: each command lives in a small module of its own.

Command modules import only typer and the standard library at the top, so
building the app for `stss --help` stays cheap; the work is imported inside
each command.
"""

from __future__ import annotations

import importlib

import typer

from stss.cli.common import StssGroup

app = typer.Typer(
    cls=StssGroup,
    name="stss",
    help="School improvement and school-to-school support, from plain records in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: Modules that each register their commands on `app`, in help order.
COMMANDS = (
    "stss.cli.records",
    "stss.cli.usage",
    "stss.cli.history",
    "stss.cli.data",
    "stss.cli.visits",
    "stss.cli.report",
    "stss.cli.plan",
)

for _name in COMMANDS:
    importlib.import_module(_name).register(app)


def run() -> None:
    app(prog_name="stss")
