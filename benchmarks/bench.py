"""Time stss on a large synthetic trust, next to the floors it cannot beat.

Run through `benchmarks/run` (which builds the venv first). Builds the trust
with `benchmarks/generate.py` once per size under benchmarks/out/, then runs
every measurement as its own process and reads that process's own resource
usage (`os.wait4`): wall time, CPU time (user + system) and peak memory.
Quick measurements are repeated and the median kept; slow ones run once.
Commands that are not built yet show "n/a (not built)".

See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
STSS = str(BIN / "stss")
PYTHON = sys.executable
FLOORS = str(HERE / "floors.py")
TODAY = "2026-11-23"  # generate.py's fixed today
YEAR = "2026-27"
QUICK_S = 5.0  # a measurement under this is repeated, and the median kept
RACY_S = 2.1  # stss does not cache files changed in the last 2 s (store.RACY_NS)
GB = 1024**3


@dataclass
class Result:
    name: str
    runs: int = 0
    wall: float | None = None
    cpu: float | None = None
    peak: int | None = None  # bytes
    note: str = ""


#: Peak memory comes from GNU time where there is one: a process's own maximum
#: resident size, as wait4 gives it, starts at its parent's when it was spawned.
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None


def run_once(argv: list[str], cwd: Path) -> tuple[float, float, int, int]:
    """(wall s, cpu s, peak bytes, exit code) of one process, from its own rusage."""
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "peak-kb %M", *argv]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()  # before waiting, so a chatty command cannot block on a full pipe
    _, status, usage = os.wait4(proc.pid, 0)  # usage includes what the waited-for children used
    wall = time.perf_counter() - start
    proc.stderr.close()
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # GNU time passes the command's on
    peak = usage.ru_maxrss * 1024
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] if GNU_TIME else []
    if last and last[0].startswith("peak-kb "):
        peak = int(last[0].split()[1]) * 1024
    return wall, usage.ru_utime + usage.ru_stime, peak, code


def measure(name: str, argv: list[str], cwd: Path, *, repeat: int, ok: tuple[int, ...] = (0,),
            before: Callable[[], None] | None = None, quick_s: float = QUICK_S, warm_up: bool = False) -> Result:
    """Run `argv` (after `before`, untimed, each time); repeat quick ones and keep the median.
    The quick floors are every ratio's yardstick, so they always run five times. With
    `warm_up`, one untimed run first: what a command keeps between runs beyond the records'
    rows (each commit's changes, the located problems) is then in the cache, as it is from
    the second time a person runs it; a slow command is otherwise timed once, on that first run."""
    if warm_up:
        if before:
            before()
        if run_once(argv, cwd)[3] not in ok:
            return Result(name, note="failed (warm-up)")
    samples = []
    for _ in range(repeat):
        if before:
            before()
        wall, cpu, peak, code = run_once(argv, cwd)
        if code not in ok:
            return Result(name, note=f"failed (exit {code})")
        samples.append((wall, cpu, peak))
        if wall > quick_s:
            break
    return Result(name, len(samples), statistics.median(s[0] for s in samples),
                  statistics.median(s[1] for s in samples), max(s[2] for s in samples))


def built(command: str) -> bool:
    return subprocess.run([STSS, command, "--help"], capture_output=True).returncode == 0


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, stdout=subprocess.DEVNULL)


#: Later commits on top of the import: one edited visit each, through the autumn term.
LATER_COMMITS = 20


def make_history(root: Path) -> None:
    """A git repository as a trust has one: every record added in one import commit
    (before the year began), then a commit per edited visit through the term."""
    git(root, "init", "-q")
    # No `git gc --auto` left running in the background to repack under the timings.
    git(root, "config", "gc.auto", "0")
    (root / ".git" / "info" / "exclude").write_text(".stss-cache/\n.complete\n", "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Import the trust's records", date="2026-07-31T12:00:00")
    folder = root / "visits" / YEAR
    edited = sorted(folder.glob("*.md"))[:: max(1, len(list(folder.glob("*.md"))) // LATER_COMMITS)]
    for n, path in enumerate(edited[:LATER_COMMITS]):
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"\nFollow-up note {n}.\n")
        git(root, "add", str(path.relative_to(root)))
        day = 2 + n * 3
        git(root, "commit", "-q", "-m", f"Notes for {path.stem}",
            date=f"2026-{9 + day // 30:02d}-{1 + day % 30:02d}T12:00:00")


def trust_for(out: Path, schools: int, years: int) -> Path:
    """The synthetic trust for this size, generated once and kept, as a git
    repository. The generator runs as a process of its own, so this one stays
    small (see GNU_TIME)."""
    target = out / f"trust-{schools}x{years}"
    if (target / ".complete").is_file():
        return target
    print(f"generating {schools} schools x {years} years in {target} ...", file=sys.stderr)
    tmp = out / f".{target.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([PYTHON, str(HERE / "generate.py"), str(tmp), "--schools", str(schools), "--years", str(years)],
                   check=True)
    make_history(tmp)
    (tmp / ".complete").write_text("generated by benchmarks/generate.py\n", "utf-8")
    tmp.rename(target)
    time.sleep(RACY_S)  # so the first run may cache every file
    return target


def record_files(root: Path) -> int:
    """The files of the trust, not of git or the cache (nor the `.complete` marker)."""
    count = 0
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [s for s in subfolders if s not in {".git", ".stss-cache"}]
        count += len(names) - (folder == str(root) and ".complete" in names)
    return count


def first(root: Path, folder: str, pattern: str = "*.yaml") -> str:
    return sorted((root / folder).glob(pattern))[0].stem


def leader(root: Path) -> str:
    """A person who may lead a support day (an NLE or SLE), for log-visit."""
    for path in sorted((root / "people").glob("*.yaml")):
        if re.search(r"\b(nle|sle)\b", path.read_text("utf-8")):
            return path.stem
    raise SystemExit(f"no NLE or SLE in {root}/people")


#: The commands timed beside --help and validate, by name (for --commands).
COMMANDS = ("usage", "usage-school", "capacity", "engagements", "actions-school", "calendar", "plan",
            "report", "report-school", "history", "export", "log-visit")


def command_rows(root: Path, scratch: Path) -> list[tuple[str, str, list[str], tuple[int, ...]]]:
    """(command, label, argv after `stss`, exit codes that count as success)."""
    school = first(root, "schools")
    notes = scratch / "notes.md"
    notes.write_text("## Summary\nA support day for the benchmark.\n", "utf-8")
    day = ["--today", TODAY]
    return [
        ("usage", f"usage --year {YEAR}", ["usage", "--year", YEAR, *day], (0,)),
        ("usage-school", "usage --school (one school)", ["usage", "--year", YEAR, "--school", school, *day], (0,)),
        ("capacity", f"capacity --year {YEAR}", ["capacity", "--year", YEAR, *day], (0,)),
        ("engagements", "engagements", ["engagements", *day], (0,)),
        ("actions-school", "actions --school (one school)", ["actions", "--school", school, *day], (0,)),
        ("calendar", f"calendar --year {YEAR} (ics)", ["calendar", "--year", YEAR, *day, "--out"], (0,)),
        ("plan", f"plan --year {YEAR} --dry-run", ["plan", "--year", YEAR, *day, "--dry-run", "--seed", "1"], (0, 3)),
        ("report", "report --term autumn html (board pack)",
         ["report", "--year", YEAR, "--term", "autumn", *day, "--format", "html", "--out"], (0,)),
        ("report-school", "report --school md (one school)",
         ["report", "--year", YEAR, "--term", "autumn", "--school", school, *day, "--format", "md", "--out"], (0,)),
        ("history", "history --since 2026-09-01", ["history", "--since", "2026-09-01"], (0,)),
        ("export", "export --format sqlite", ["export", "--format", "sqlite", "--year", YEAR, *day, "--out"], (0,)),
        ("log-visit", "log-visit (one new visit)",
         ["log-visit", "--school", school, "--activity", "support-day", "--date", "2026-11-20",
          "--staff", leader(root), "--notes", str(notes), "--force", *day], (0,)),
    ]


def restore(root: Path) -> None:
    """Undo what a writing command did to this year's visits (untimed)."""
    git(root, "checkout", "-q", "--", f"visits/{YEAR}")
    git(root, "clean", "-fq", "--", f"visits/{YEAR}")


def run_all(root: Path, repeat: int, only: tuple[str, ...] = COMMANDS) -> list[Result]:
    cache = root / ".stss-cache"
    restore(root)
    run_once([PYTHON, FLOORS, "read", str(root)], root)  # untimed: every row starts with the files in memory
    results = [
        measure("floor: bare Typer app --help", [PYTHON, FLOORS, "typer", "--help"], root, repeat=max(repeat, 5)),
        measure("floor: read all files", [PYTHON, FLOORS, "read", str(root)], root, repeat=max(repeat, 5),
                quick_s=60),
        # The cold read and its floor are compared by elapsed time, which one run on a shared
        # machine puts anywhere from 0.9 to 2x of another's: each is the median of three.
        measure("floor: C-parse all YAML", [PYTHON, FLOORS, "parse", str(root)], root, repeat=max(repeat, 3),
                quick_s=600),
        measure("stss --help", [STSS, "--help"], root, repeat=repeat),
        measure("validate, cold", [STSS, "validate"], root, repeat=max(repeat, 3), ok=(0, 1),
                before=lambda: shutil.rmtree(cache, ignore_errors=True), quick_s=600),
        measure("validate, warm", [STSS, "validate"], root, repeat=repeat, ok=(0, 1)),
    ]
    with tempfile.TemporaryDirectory(prefix="stss-bench-") as tmp:
        scratch = Path(tmp)
        for command, label, args, ok in command_rows(root, scratch):
            if command not in only:
                continue
            if not built(args[0]):
                results.append(Result(label, note="n/a (not built)"))
                continue
            before: Callable[[], None] | None = None
            if args[-1] == "--out":
                target = scratch / f"{command}.out"
                args = [*args, str(target)]
                before = lambda t=target: t.unlink(missing_ok=True)  # noqa: E731
            elif command == "log-visit":
                before = lambda: restore(root)  # noqa: E731
            results.append(measure(label, [STSS, *args], root, repeat=repeat, ok=ok, before=before, warm_up=True))
        restore(root)
    return results


#: Each stss row's floor and the most it may take, as a multiple of the floor's CPU time
#: (issue 17's targets, judged at the largest size run).
TARGETS = {
    "stss --help": ("floor: bare Typer app --help", 1.5),
    "validate, cold": ("floor: C-parse all YAML", 1.0),
    "validate, warm": ("floor: read all files", 2.0),
    "log-visit (one new visit)": ("stss --help", 5.0),
    "usage --school (one school)": ("stss --help", 5.0),
    "report --school md (one school)": ("stss --help", 10.0),
}
WARM_TARGET = ("floor: read all files", 3.0)
#: Rows judged by elapsed time, not CPU: the cold read is shared out between the cores (as
#: issue 17 asks), which saves waiting, not CPU. Their CPU ratio is shown beside.
BY_ELAPSED = frozenset({"validate, cold"})
#: Commands about one year, which should cost the same with 1 or 10 years of history.
ONE_YEAR = (f"usage --year {YEAR}", f"plan --year {YEAR} --dry-run", "report --term autumn html (board pack)")
YEARS_TARGET = 1.2
PEAK_PER_FILE = 2048  # bytes a record file, on a full validate


@dataclass
class Size:
    schools: int
    years: int
    files: int
    results: list[Result]

    @property
    def label(self) -> str:
        return f"{self.schools:,}x{self.years}"

    def get(self, name: str) -> Result | None:
        return next((r for r in self.results if r.name == name), None)


def target_of(name: str) -> tuple[str, float]:
    if name.startswith("floor"):
        return "", 0.0
    return TARGETS.get(name, WARM_TARGET)


def ratio(size: Size, name: str) -> tuple[float, str, float] | None:
    """(x floor, floor name, limit) of a row, by CPU time (by elapsed time for `BY_ELAPSED`)."""
    floor_name, limit = target_of(name)
    r, floor = size.get(name), size.get(floor_name) if floor_name else None
    if not (r and r.cpu and floor and floor.cpu):
        return None
    if name in BY_ELAPSED:
        if not (r.wall and floor.wall):
            return None
        return r.wall / floor.wall, floor_name.removeprefix("floor: "), limit
    return r.cpu / floor.cpu, floor_name.removeprefix("floor: "), limit


def table(sizes: list[Size]) -> str:
    """One markdown table: CPU s and peak MB at each size, the growth from one size
    to the next (against the growth in files), and the ratio to the floor at the largest."""
    tens = [s for s in sizes if s.years == max(x.years for x in sizes)]
    big = tens[-1]
    head = ["measurement", *(f"{s.label}: cpu s / peak MB" for s in sizes)]
    head += [f"growth {a.label} -> {b.label}" for a, b in itertools.pairwise(tens)]
    head += [f"x floor (cpu, unless it says) at {big.label}", "target", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in big.results:
        cells = [r.name]
        for s in sizes:
            x = s.get(r.name)
            cells.append(f"{x.cpu:.2f} / {(x.peak or 0) / 2**20:.0f}" if x and x.cpu is not None
                         else (x.note if x else ""))
        for a, b in itertools.pairwise(tens):
            ra, rb = a.get(r.name), b.get(r.name)
            cells.append(f"{rb.cpu / ra.cpu:.1f}x (files {b.files / a.files:.1f}x)"
                         if ra and rb and ra.cpu and rb.cpu else "")
        got = ratio(big, r.name)
        if got:
            x, floor, limit = got
            basis = ""
            f = big.get(TARGETS[r.name][0]) if r.name in BY_ELAPSED else None
            if f and f.cpu and f.wall and r.cpu and r.wall:
                basis = f" by elapsed time ({r.wall:.1f} s against {f.wall:.1f} s; by cpu {r.cpu / f.cpu:.2f}x)"
            cells += [f"{x:.2f}x {floor}{basis}", f"<= {limit:g}x", "met" if x <= limit else "MISSED"]
        else:
            cells += ["", "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(sizes: list[Size]) -> list[str]:
    """The targets that are not one row's ratio: peak memory a file, and one year's
    commands against the number of past years."""
    out = []
    big = [s for s in sizes if s.years == max(x.years for x in sizes)][-1]
    for name in ("validate, cold", "validate, warm"):
        r = big.get(name)
        if r and r.peak:
            per = r.peak / big.files
            out.append(f"- peak memory of {name} at {big.label}: {per / 1024:.1f} KB a record file "
                       f"(target <= {PEAK_PER_FILE / 1024:.0f} KB): {'met' if per <= PEAK_PER_FILE else 'MISSED'}")
    # One year's commands against the number of past years: judged between one year of
    # history (two years of records, so the trend has its year before) and ten; a trust in its
    # first year (no history, so no trend to read) is shown beside, for information.
    for ten in [s for s in sizes if s.years >= 10]:
        for small in sorted((s for s in sizes if s.schools == ten.schools and s.years < ten.years),
                            key=lambda s: -s.years):
            judged = small.years == 2
            past = f"{small.years - 1} year{'s' if small.years != 2 else ''} of history" if small.years > 1 \
                else "a first year, no history"
            for name in ONE_YEAR:
                a, b = small.get(name), ten.get(name)
                if a and b and a.cpu and b.cpu:
                    x = b.cpu / a.cpu
                    verdict = (f"(target <= {YEARS_TARGET}x): {'met' if x <= YEARS_TARGET else 'MISSED'}" if judged
                               else "(for information: the target is judged against one year of history)")
                    out.append(f"- {name}, {ten.label} against {small.label} ({past}): {x:.2f}x {verdict}")
    return out


BEGIN, END = "<!-- benchmarks/run: begin -->", "<!-- benchmarks/run: end -->"


def write_docs(doc: Path, text: str) -> None:
    """Put the table between the markers in docs/scale.md (appended if there are none)."""
    old = doc.read_text("utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(new, "utf-8")


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        schools, _, years = part.strip().partition("x")
        sizes.append((int(schools), int(years or 10)))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark stss on synthetic trusts of several sizes.")
    parser.add_argument("--sizes", default="50x10,250x10,1000x10,1000x2,1000x1",
                        help="schools x years, comma-separated (default: 50x10,250x10,1000x10,1000x2,1000x1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each quick measurement (median kept)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where trusts and results are kept")
    parser.add_argument("--commands", default=",".join(COMMANDS),
                        help=f"which commands to time beside --help and validate (default: {','.join(COMMANDS)})")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "scale.md",
                        help="where the table is written (between its markers); '-' for nowhere")
    args = parser.parse_args(argv)
    only = tuple(c.strip() for c in args.commands.split(",") if c.strip())
    if unknown := set(only) - set(COMMANDS):
        parser.error(f"unknown command(s): {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    # stss's modules byte-compiled, as `pip install` leaves them: an editable install run
    # under PYTHONDONTWRITEBYTECODE (as in some CI images) compiles every module it imports
    # on every run, about 20 ms for `stss --help`, which Typer (compiled at install) never pays.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(REPO / "stss")], check=True)
    sizes = []
    for schools, years in sorted(parse_sizes(args.sizes), key=lambda sy: (-sy[1], sy[0])):
        root = trust_for(args.out, schools, years)
        files = record_files(root)
        print(f"timing {schools} schools x {years} years ({files:,} files) ...", file=sys.stderr)
        size = Size(schools, years, files, run_all(root, args.repeat, only))
        sizes.append(size)
        (args.out / f"results-{schools}x{years}.json").write_text(
            json.dumps({**asdict(size)}, indent=2) + "\n", "utf-8")
    text = "\n".join([
        f"`benchmarks/run --sizes {args.sizes}` on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
        "record files: " + ", ".join(f"{s.label} {s.files:,}" for s in sizes) + ".",
        "", table(sizes), "", *verdicts(sizes)])
    print(text)
    if str(args.docs) != "-":
        write_docs(args.docs, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
