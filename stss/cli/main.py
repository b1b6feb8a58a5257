"""The `stss` Typer app: each command lives in a small module of its own.

Command modules import only typer and the standard library at the top, so
building the app for `stss --help` stays cheap; the work is imported inside
each command.
"""


import importlib
from typing import Annotated

import typer

from stss.cli.common import REGISTERED, StssGroup, check_all_options

app = typer.Typer(
    cls=StssGroup,
    name="stss",
    help="School improvement and school-to-school support, from plain records in git.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        from stss import DISTRIBUTION, __version__

        print(f"stss {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """School improvement and school-to-school support, from plain records in git."""

#: Modules that each declare their commands (`@command`), in help order.
COMMANDS = (
    "stss.cli.validate",
    "stss.cli.init",
    "stss.cli.schema",
    "stss.cli.usage",
    "stss.cli.capacity",
    "stss.cli.engagements",
    "stss.cli.actions",
    "stss.cli.history",
    "stss.cli.gias",
    "stss.cli.export",
    "stss.cli.visits",
    "stss.cli.support",
    "stss.cli.events",
    "stss.cli.objectives",
    "stss.cli.requests",
    "stss.cli.review",
    "stss.cli.report",
    "stss.cli.plan",
    "stss.cli.calendar",
)

for _name in COMMANDS:
    importlib.import_module(_name)
for _declared in REGISTERED:
    if isinstance(_declared, typer.Typer):
        app.add_typer(_declared)
    else:
        app.command(_declared[0])(_declared[1])
check_all_options(app)


def run() -> None:
    app(prog_name="stss")
