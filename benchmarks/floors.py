"""The floors stss is measured against: what no tool over these files can beat.

    python benchmarks/floors.py typer --help   a bare Typer hello-world app starting
    python benchmarks/floors.py read ROOT      reading every file under ROOT (open + read bytes)
    python benchmarks/floors.py parse ROOT     reading them and parsing every YAML document
                                               with ruamel's C safe loader

Each runs as its own process, so its time includes the interpreter's start,
exactly as a `stss` command's does. Standard library only, apart from typer
and ruamel.yaml, which are imported only by the floor that measures them.
"""

from __future__ import annotations

import os
import sys


def record_files(root: str) -> list[str]:
    """Every file below `root`, skipping hidden folders (.stss-cache, .git)."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(folder, name) for name in sorted(files) if not name.startswith("."))
    return found


def read_all(root: str) -> list[bytes]:
    out = []
    for path in record_files(root):
        with open(path, "rb") as fh:
            out.append(fh.read())
    return out


def parse_all(root: str) -> int:
    """Parse every document with ruamel's C-backed safe loader, front matter only for .md."""
    from ruamel.yaml.cyaml import CSafeLoader

    count = 0
    for raw in read_all(root):
        text = raw.decode("utf-8")
        if text.startswith("---"):
            text = text[3:].split("\n---", 1)[0]
        loader = CSafeLoader(text)
        try:
            loader.get_single_data()
        finally:
            loader.dispose()
        count += 1
    return count


def typer_hello(argv: list[str]) -> None:
    import typer

    # Configured as stss is (no rich markup, no pretty tracebacks), so the
    # difference is what stss itself adds.
    app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)

    @app.command()
    def hello(name: str = "world") -> None:
        """Say hello."""
        print(f"Hello {name}")

    @app.command()
    def goodbye(name: str = "world") -> None:
        """Say goodbye (a second command, so the app is a group as stss is)."""
        print(f"Goodbye {name}")

    app(argv, prog_name="hello")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("typer", "read", "parse"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "typer":
        typer_hello(argv[1:])
    elif argv[0] == "read":
        print(f"{len(read_all(argv[1]))} files read")
    else:
        print(f"{parse_all(argv[1])} documents parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
