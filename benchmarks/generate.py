"""Generate a large, deterministic synthetic trust in the stss records format.

Benchmarks use it to build 250 schools x 10 years (~75,000 visit files);
property tests import `generate()` to build small trusts in a temporary folder.
It writes trust.yaml, offer.yaml, schools/, people/, engagements/ and visits/
as the records-format contract describes them, with plain string formatting
(standard library only, fast).  The same arguments and seed give a
byte-identical tree: one `random.Random(seed)`, fixed iteration order, and the
constant TODAY instead of the clock.  The last academic year is always 2026-27;
its visits before TODAY are completed, later ones planned.  Every visit falls
on a school day of the academic year whose folder holds it.

    python benchmarks/generate.py OUT_DIR --schools 250 --years 10 \\
        [--visits-per-year 30] [--seed 1] [--force]
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import random
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 11, 23)
LAST_YEAR = 2026  # the final academic year is 2026-27
MON, WED, FRI = 0, 2, 4
ROLES = ("ceo", "school-improvement-lead", "coach", "mentor", "diocesan-adviser",
         "safeguarding-lead", "governance-lead", "nle", "sle")
LEADERS = ("nle", "sle", "school-improvement-lead")
ACTIVITIES: dict[str, tuple[str, float, tuple[str, ...]]] = {  # id: (name, days, roles)
    "education-review": ("Education review", 1, ("ceo", "school-improvement-lead", "nle")),
    "partnership-visit": ("Partnership visit", 0.5, ("school-improvement-lead", "sle")),
    "headteacher-coaching": ("Headteacher coaching session", 0.25, ("coach",)),
    "headteacher-mentoring": ("Headteacher mentoring session", 0.5, ("mentor",)),
    "christian-distinctiveness-visit": ("Christian distinctiveness visit", 0.5,
                                        ("diocesan-adviser",)),
    "safeguarding-review": ("Safeguarding review", 0.5, ("safeguarding-lead",)),
    "governance-review": ("External governance review", 2, ("governance-lead",)),
    "ceo-visit": ("CEO visit", 0.5, ("ceo",)),
    "collaborative-visit": ("Collaborative school visit", 1, LEADERS),
    "support-day": ("School support day", 1, LEADERS),
}
CONFIDENTIAL = ("safeguarding-review",)
# visits beyond the offer's entitlements, for academies (True) and other schools
FILLERS = {
    True: ("support-day", "collaborative-visit", "partnership-visit", "headteacher-coaching"),
    False: ("support-day", "partnership-visit", "education-review", "safeguarding-review")}


@dataclass(frozen=True)
class Entitlement:
    activity: str
    count: int
    per: str  # year | term | half-term
    when: str | None = None
    every_years: int | None = None

    def yaml(self) -> str:
        when = f", when: {self.when}" if self.when else ""
        every = f", every_years: {self.every_years}" if self.every_years else ""
        return f"{{activity: {self.activity}, count: {self.count}, per: {self.per}{when}{every}}}"


E = Entitlement
LEVELS: dict[str, tuple[str, str | None, tuple[Entitlement, ...]]] = {  # id: (name, includes, own)
    "core": ("Core offer", None, (
        E("education-review", 2, "year"), E("partnership-visit", 1, "half-term"),
        E("headteacher-coaching", 6, "year"), E("safeguarding-review", 1, "term"),
        E("christian-distinctiveness-visit", 3, "year", "church-school"),
        E("headteacher-mentoring", 6, "year", "new-headteacher"),
        E("governance-review", 1, "year", every_years=3), E("ceo-visit", 1, "year", "member"))),
    "enhanced": ("Enhanced offer", "core", (
        E("ceo-visit", 1, "term"), E("collaborative-visit", 2, "year"),
        E("support-day", 2, "term"))),
    "bespoke": ("Bespoke offer", "enhanced", (
        E("support-day", 1, "half-term"), E("education-review", 1, "year"),
        E("headteacher-coaching", 1, "half-term", "new-headteacher"))),
}
TOWNS = {"Worcester": "Worcestershire", "Redditch": "Worcestershire", "Malvern": "Worcestershire",
         "Kidderminster": "Worcestershire", "Hereford": "Herefordshire", "Ledbury": "Herefordshire",
         "Warwick": "Warwickshire", "Rugby": "Warwickshire", "Nuneaton": "Warwickshire",
         "Solihull": "Solihull", "Stourbridge": "Dudley", "Stroud": "Gloucestershire",
         "Ludlow": "Shropshire", "Telford": "Telford and Wrekin", "Walsall": "Walsall"}
FEATURES = ("Hill Top", "Meadow", "Oak Tree", "Brook", "Park", "Castle", "Riverside", "Westfield")
SAINTS = ("Anne", "Mary", "John", "Peter", "Andrew", "Michael", "Matthew", "Luke", "Chad")
FIRST = ("Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Chris", "Helen", "Mark", "Fatima", "Rachel",
         "David", "Imran", "Nadia")
LAST = ("Morgan", "Patel", "Evans", "Khan", "Hughes", "Walker", "Begum", "Taylor", "Shaw", "Ahmed",
        "Lewis", "Singh", "Reid")
FOCUS = ("reading", "phonics", "writing", "maths", "send", "early-years", "attendance", "behaviour",
         "curriculum", "assessment", "leadership", "governance", "safeguarding", "disadvantaged")
GRADES = ("exceptional", "strong", "expected", "needs-attention", "urgent-improvement")
AREAS = ("inclusion", "curriculum-and-teaching", "achievement", "attendance-and-behaviour",
         "personal-development-and-well-being", "leadership-and-governance")
OWNERS = ("headteacher", "deputy-head", "senco", "english-lead", "maths-lead", "chair-of-governors")
ACTIONS = ("Share the revised phonics plan with governors", "Update the attendance policy",
           "Audit reading books against the scheme", "Complete the SEND provision map",
           "Review the single central record", "Moderate writing across year groups, with evidence",
           "Report curriculum progress to the local governing board")
SUMMARIES = ("Leaders know the school's strengths and priorities well.",
             "Reading is taught consistently from Reception onwards.",
             "Pupils behave well and attend regularly; persistent absence is falling.",
             "The curriculum is well sequenced but not yet taught consistently in every class.",
             "Governors ask searching questions and hold leaders to account.",
             "Support for pupils with SEND is improving after recent staff training.")
STEPS = ("Revisit the phonics assessment cycle next half-term.", "Pair the maths lead with an SLE.",
         "Book the governance review for the spring term.",
         "Track disadvantaged pupils' attendance weekly.")
REASONS = ("Headteacher absent", "School closed: snow", "Clash with an inspection", "Staff illness")
RATIONALES = ("Strong outcomes and stable leadership.", "New headteacher needs additional support.",
              "Curriculum and achievement need attention after the latest inspection.",
              "Attendance remains below national averages.",
              "Continuing the priorities of the improvement plan.")
SAFE = re.compile(r"[A-Za-z](?:[A-Za-z0-9 '.()/-]*[A-Za-z0-9.)])?")
RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def scalar(text: str) -> str:
    """Text as a YAML scalar: plain where that is safe, else double-quoted."""
    return text if SAFE.fullmatch(text) and text.lower() not in RESERVED else json.dumps(text)


def flow(items: list[str]) -> str:
    return f"[{', '.join(items)}]"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def on_or_after(d: date, weekday: int) -> date:
    return d + timedelta((weekday - d.weekday()) % 7)


def on_or_before(d: date, weekday: int) -> date:
    return d - timedelta((d.weekday() - weekday) % 7)


def easter(y: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, (b, c) = y % 19, divmod(y, 100)
    d, e = divmod(b, 4)
    h = (19 * a + b - d - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    month, day = divmod(h + el - 7 * ((a + 11 * h + 22 * el) // 451) + 114, 31)
    return date(y, month, day + 1)


@dataclass
class Term:
    name: str
    start: date
    half_term: tuple[date, date]
    end: date


@dataclass
class Year:
    start_year: int
    terms: list[Term]
    closures: list[date] = field(default_factory=list)
    halves: dict[str, list[date]] = field(default_factory=dict)  # "autumn-1": its school days

    @property
    def key(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def days(self) -> list[date]:
        return [d for half in self.halves.values() for d in half]


@functools.cache
def make_year(y: int) -> Year:
    """English-style term dates for the academic year starting in September y."""
    def week(monday: date) -> tuple[date, date]:
        return monday, monday + timedelta(4)
    good_friday = easter(y + 1) - timedelta(2)  # the Easter break is the fortnight around it
    ending = on_or_before(date(y + 1, 7, 23), FRI)
    ending = ending if ending >= date(y + 1, 7, 20) else date(y + 1, 7, 23)
    year = Year(y, [
        Term("autumn", on_or_after(date(y, 9, 1), WED), week(on_or_before(date(y, 10, 27), MON)),
             on_or_before(date(y, 12, 21), FRI)),
        Term("spring", on_or_after(date(y + 1, 1, 3), MON),
             week(on_or_after(date(y + 1, 2, 12), MON)), good_friday - timedelta(7)),
        Term("summer", good_friday + timedelta(10),
             week(on_or_before(date(y + 1, 5, 31), MON)), ending)])
    # the early and late May bank holidays, and an INSET day on the first day of spring
    candidates = [on_or_after(date(y + 1, 5, 1), MON), on_or_before(date(y + 1, 5, 31), MON),
                  year.terms[1].start]
    year.closures = sorted(d for d in candidates if any(
        t.start <= d <= t.end and not t.half_term[0] <= d <= t.half_term[1] for t in year.terms))
    for t in year.terms:
        days = [t.start + timedelta(i) for i in range((t.end - t.start).days + 1)]
        days = [d for d in days if d.weekday() <= FRI and d not in year.closures]
        year.halves[f"{t.name}-1"] = [d for d in days if d < t.half_term[0]]
        year.halves[f"{t.name}-2"] = [d for d in days if d > t.half_term[1]]
    return year


@dataclass
class Engagement:
    id: str
    start: date
    end: date
    staff: list[str]


@dataclass
class School:
    id: str
    church: bool
    membership: str
    head_started: date
    active: tuple[date, date]  # visits fall in this window (joined, partnership)
    support: dict[str, tuple[str, list[Entitlement]]] = field(default_factory=dict)
    engagements: list[Engagement] = field(default_factory=list)


def pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), list(weighted.values()))[0]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def make_schools(rng: random.Random, n: int,
                 years: list[Year]) -> tuple[list[School], dict[str, str]]:
    """The schools, and the text of each schools/<id>.yaml."""
    schools: list[School] = []
    texts: dict[str, str] = {}
    urns = rng.sample(range(100000, 1000000), n)
    first = years[0].start_year
    for i in range(n):
        town = rng.choice(sorted(TOWNS))
        phase = pick(rng, {"primary": 80, "secondary": 12, "special": 6, "all-through": 2})
        label = {"primary": "Primary School", "special": "School"}.get(phase, "Academy")
        religion = pick(rng, {"Church of England": 25, "Roman Catholic": 5, "None": 10, "": 60})
        faith = {"Church of England": "CE ", "Roman Catholic": "Catholic "}.get(religion)
        saint, feature = rng.choice(SAINTS), rng.choice(FEATURES)
        name = f"St {saint}'s {faith}{label}" if faith else f"{feature} {label}"
        sid = f"school-{i + 1:0{max(4, len(str(n)))}d}-{slug(town)}"
        membership = "academy" if i == 0 else pick(
            rng, {"academy": 88, "joining": 4, "partnership": 4, "external": 4})
        lines = [f"urn: {urns[i]}", f"name: {scalar(f'{name}, {town}')}", f"phase: {phase}"]
        lines += [f"religious_character: {religion}"] if religion else []
        lines.append(f"membership: {membership}")
        active = (date.min, date.max)
        if membership == "academy":  # most joined before the first year, some during the years
            joined = rng.randint(first - 8, first - 1) if rng.random() < 0.8 else rng.randint(
                first, LAST_YEAR)
            active = (date(joined, rng.choice((1, 4, 9)), 1), date.max)
            lines.append(f"joined: {active[0]}")
        elif membership == "joining":
            lines.append(f"joined: {date(LAST_YEAR + 1, rng.choice((1, 4, 9)), 1)}")
        elif membership == "partnership":
            active = (make_year(rng.randint(first, (first + LAST_YEAR) // 2)).terms[0].start,
                      date(LAST_YEAR + rng.randint(1, 2), 7, 31))
        started = date(rng.randint(first - 6, LAST_YEAR), rng.choice((1, 4, 9, 9, 9)), 1)
        lines += [f"local_authority: {TOWNS[town]}",
                  f"headteacher: {{name: {person_name(rng)}, started: {started}}}",
                  "inspections:"]
        judgement = pick(rng, {"outstanding": 15, "good": 60, "requires-improvement": 20,
                               "inadequate": 5})
        category = rng.choice(("special-measures", "serious-weaknesses"))
        category = f", category: {category}" if judgement == "inadequate" else ""
        lines.append(f"  - {{date: {rng.choice(make_year(rng.randint(2018, 2024)).days)}, "
                     f"framework: ofsted-2019, judgement: {judgement}{category}}}")
        if rng.random() < 0.3:
            recent = [d for y in (2025, 2026) for d in make_year(y).days
                      if date(2025, 11, 10) <= d < TODAY]
            grades = ", ".join(f"{a}: {rng.choices(GRADES, (5, 30, 45, 17, 3))[0]}" for a in AREAS)
            lines += [f"  - date: {rng.choice(recent)}", "    framework: ofsted-2025",
                      f"    grades: {{{grades}}}",
                      f"    safeguarding: {'met' if rng.random() < 0.95 else 'not-met'}"]
        school = School(sid, bool(faith), membership, started, active)
        lines += ["support:"] if membership == "academy" else []
        for year in years if membership == "academy" else []:
            if year.terms[-1].end < active[0]:
                continue
            level = pick(rng, {"core": 60, "enhanced": 30, "bespoke": 10})
            extras = [E(rng.choice(("support-day", "ceo-visit", "collaborative-visit")),
                        rng.randint(1, 4), rng.choice(("year", "term")))
                      for _ in range(rng.randint(1, 2) if level == "bespoke" else 0)]
            school.support[year.key] = (level, extras)
            decided = on_or_after(date(year.start_year, 7, 1), rng.randint(MON, FRI))
            lines += [f"  {year.key}:", f"    level: {level}", f"    decided: {decided}",
                      f"    rationale: {scalar(rng.choice(RATIONALES))}"]
            lines += ["    extra:"] + [f"      - {x.yaml()}" for x in extras] if extras else []
        if membership == "partnership":
            lines.append(f"partnership: {{start: {active[0]}, end: {active[1]}}}")
        schools.append(school)
        texts[sid] = "\n".join(lines) + "\n"
    return schools, texts


def make_people(rng: random.Random,
                schools: list[School]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """People ids by role (every role held by someone), and the text of each people/<id>.yaml."""
    by_role: dict[str, list[str]] = {r: [] for r in ROLES}
    texts: dict[str, str] = {}
    ceos = max(1, len(schools) // 100)
    for i in range(max(len(ROLES) + ceos - 1, round(len(schools) / 4))):
        name = person_name(rng)
        pid, k = slug(name), 2
        while pid in texts:
            pid, k = f"{slug(name)}-{k}", k + 1
        roles = {ROLES[i]} if i < len(ROLES) else {"ceo"} if i < len(ROLES) + ceos - 1 else set()
        roles |= set(rng.sample(ROLES[1:], rng.randint(0 if roles else 1, 2)))
        ordered = [r for r in ROLES if r in roles]
        for r in ordered:
            by_role[r].append(pid)
        lines = [f"name: {name}", f"roles: {flow(ordered)}",
                 f"expertise: {flow(sorted(rng.sample(FOCUS, rng.randint(1, 3))))}",
                 f"capacity_days: {rng.randrange(40, 201, 5)}"]
        lines += [f"home_school: {rng.choice(schools).id}"] if rng.random() < 0.4 else []
        texts[pid] = "\n".join(lines) + "\n"
    return by_role, texts


def make_engagements(rng: random.Random, schools: list[School], years: list[Year],
                     by_role: dict[str, list[str]]) -> dict[str, str]:
    """About one engagement per five schools; each is also attached to its School."""
    texts: dict[str, str] = {}
    leaders = sorted({p for r in LEADERS for p in by_role[r]})
    all_days = [d for y in years for d in y.days]
    for i in range(max(1, len(schools) // 5)):
        school = rng.choice(schools)
        start = rng.choice([d for d in all_days if school.active[0] <= d <= school.active[1]]
                           or all_days)
        end = start + timedelta(rng.randint(60, 300))
        kinds = ("directed-support", "project", "deployment", "traded", "trust-partnership", "rise")
        kind = rng.choice(kinds[:3] if school.membership == "academy" else kinds[3:])
        staff = sorted(rng.sample(leaders, rng.randint(1, 2)))
        eng = Engagement(f"eng-{i + 1:04d}-{kind}", start, end, staff)
        school.engagements.append(eng)
        status = "proposed" if start > TODAY else "active" if end >= TODAY else "completed"
        if status != "proposed" and rng.random() < 0.1:
            status = "paused" if status == "active" else "stopped"
        days, focus = rng.randint(4, 30), rng.sample(FOCUS, 2)
        source = rng.choice(("school-improvement-fund", "school-budget", "dfe-grant", "traded"))
        topics = [f.replace("-", " ").capitalize() for f in focus]
        lines = [f"school: {school.id}", f"kind: {kind}",
                 f"title: {scalar(topics[0] + ' improvement support')}",
                 f"start: {start}", f"end: {end}", f"days: {days}", f"staff: {flow(eng.staff)}",
                 f"funding: {{source: {source}, amount: {days * 450}}}", "objectives:"]
        lines += [f"  - {scalar(t + ' is consistently strong')}" for t in topics]
        lines.append(f"status: {status}")
        if status == "completed":  # a completed engagement needs its end-of-deployment report
            lines += [f"end_report: {{date: {end}, outcome: {scalar(topics[0] + ' secure')}, "
                      f"recommendation: {('trust-partnership', 'further-support', 'none')[i % 3]}}}"]
        texts[eng.id] = "\n".join(lines) + "\n"
    return texts


def resolve(level: str) -> list[Entitlement]:
    _, parent, own = LEVELS[level]
    return (resolve(parent) if parent else []) + list(own)


def owed(school: School, year: Year, window: list[date]) -> list[tuple[str, list[date]]]:
    """One (activity, candidate days) pair per visit the school's offer owes it this year."""
    if year.key not in school.support:
        return []
    level, extras = school.support[year.key]
    joined, out = school.active[0], []
    for ent in resolve(level) + extras:
        new_head = year.terms[0].start - timedelta(730) < school.head_started <= year.terms[-1].end
        if (ent.when == "church-school" and not school.church) or (
                ent.when == "new-headteacher" and not new_head):
            continue
        joined_year = joined.year - (joined.month < 8)
        if ent.every_years and (year.start_year - joined_year) % ent.every_years:
            continue
        if ent.per == "year":  # scaled by the share of terms left when joining mid-year
            left = sum(t.start >= joined for t in year.terms)
            count = ent.count if left == 3 else math.ceil(ent.count * left / 3)
            out += [(ent.activity, window)] * count
            continue
        periods = list(year.halves.values())
        if ent.per == "term":
            periods = [periods[j] + periods[j + 1] for j in (0, 2, 4)]
        out += [(ent.activity, p) for p in periods if p and p[0] >= joined] * ent.count
    return out


def status_of(rng: random.Random, day: date, current: bool, can_postpone: bool) -> str:
    r = rng.random()
    if day >= TODAY:
        return "planned"
    if r < 0.07:
        return "cancelled" if r < 0.04 or not can_postpone else "postponed"
    return "planned" if r < 0.09 and current else "completed"  # a few overdue this year


def visit_text(rng: random.Random, sid: str, day: date, activity: str, eng: Engagement | None,
               status: str, by_role: dict[str, list[str]]) -> str:
    roles = [r for r in ACTIVITIES[activity][2] if by_role[r]]
    staff = set(eng.staff) if eng else {rng.choice(by_role[rng.choice(roles)])}
    if activity in ("education-review", "collaborative-visit") and rng.random() < 0.3:
        staff.add(rng.choice(by_role[rng.choice(roles)]))
    lines = ["---", f"school: {sid}", f"activity: {activity}", f"date: {day}", f"status: {status}",
             f"staff: {flow(sorted(staff))}"]
    lines += [f"days: {rng.choice(('0.5', '1', '1.5'))}"] if rng.random() < 0.08 else []
    lines += [f"engagement: {eng.id}"] if eng else []
    lines.append(f"focus: {flow(sorted(rng.sample(FOCUS, rng.randint(1, 3))))}")
    if status == "completed" and rng.random() < 0.4:
        lines.append("actions:")
        for due in sorted(day + timedelta(rng.randint(14, 56)) for _ in range(rng.randint(1, 3))):
            r = rng.random()
            done = "open" if due >= TODAY or r > 0.9 else "done" if r < 0.85 else "dropped"
            lines.append(f"  - {{text: {scalar(rng.choice(ACTIONS))}, owner: {rng.choice(OWNERS)}, "
                         f"due: {due}, status: {done}}}")
    reason, title = rng.choice(REASONS), ACTIVITIES[activity][0]
    if status in ("cancelled", "postponed"):
        lines.append(f"reason: {scalar(reason)}")
        body = f"## Note\n{title} {status}: {reason.lower()}.\n"
    elif status == "planned":
        body = f"## Purpose\n{title} on the priorities in the school improvement plan.\n"
    else:
        summary = " ".join(rng.sample(SUMMARIES, 2))
        body = f"## Summary\n{summary}\n\n## Next steps\n- {rng.choice(STEPS)}\n"
    if activity not in CONFIDENTIAL and rng.random() < 0.02:
        lines.append("confidential: true")
    return "\n".join(lines) + "\n---\n" + body


def make_visits(rng: random.Random, schools: list[School], years: list[Year],
                per_year: int, by_role: dict[str, list[str]]) -> dict[str, str]:
    """The text of every visit, keyed by its path under visits/."""
    texts: dict[str, str] = {}
    for year in years:
        all_days = year.days
        for school in schools:
            window = [d for d in all_days if school.active[0] <= d <= school.active[1]]
            target = rng.randint(per_year * 4 // 5, per_year * 6 // 5)
            target = round(target * len(window) / len(all_days))  # fewer if joined mid-year
            wanted = owed(school, year, window)
            rng.shuffle(wanted)
            picked: list[tuple[date, str, Engagement | None]] = [
                (rng.choice(pool), activity, None) for activity, pool in wanted[:target]]
            for _ in range(target - len(picked)):  # top up with visits beyond the entitlements
                activity = rng.choice(FILLERS[school.membership == "academy"])
                eng = rng.choice(school.engagements) if school.engagements else None
                during = [d for d in window if eng and eng.start <= d <= eng.end]
                during = during if activity == "support-day" else []
                if during and rng.random() < 0.6:
                    picked.append((rng.choice(during), activity, eng))
                else:
                    picked.append((rng.choice(window), activity, None))
            visits: list[tuple[date, str, Engagement | None, str]] = []
            current = year.start_year == LAST_YEAR
            for day, activity, eng in picked:
                visits.append((day, activity, eng, status_of(rng, day, current, True)))
                later = [d for d in window if d > day][:40]
                if visits[-1][3] == "postponed" and later:  # rearranged: a visit of its own
                    new = rng.choice(later)
                    visits.append((new, activity, eng, status_of(rng, new, current, False)))
            visits.sort(key=lambda v: (v[0], v[1], v[2].id if v[2] else "", v[3]))
            seen: dict[tuple[date, str], int] = {}
            for day, activity, eng, status in visits:
                n = seen[day, activity] = seen.get((day, activity), 0) + 1
                name = f"{year.key}/{day}-{school.id}-{activity}" + (f"-{n}" if n > 1 else "")
                texts[name + ".md"] = visit_text(rng, school.id, day, activity, eng, status,
                                                 by_role)
    return texts


def trust_text(years: list[Year]) -> str:
    lines = ["name: Synthetic Learning Trust", "new_headteacher_years: 2", "years:"]
    for y in years:
        lines.append(f"  {y.key}:")
        lines += [f"    {t.name}: {{start: {t.start}, half_term: [{t.half_term[0]}, "
                  f"{t.half_term[1]}], end: {t.end}}}" for t in y.terms]
        lines.append(f"    closures: {flow([str(d) for d in y.closures])}")
    return "\n".join(lines) + "\n"


def offer_text() -> str:
    lines = ["activities:"]
    for aid, (name, days, roles) in ACTIVITIES.items():
        conf = ", confidential: true" if aid in CONFIDENTIAL else ""
        lines.append(f"  {aid}: {{name: {name}, days: {days:g}, roles: {flow(list(roles))}{conf}}}")
    lines.append("levels:")
    for lid, (name, parent, own) in LEVELS.items():
        lines += [f"  {lid}:", f"    name: {name}"]
        lines += [f"    includes: {parent}"] if parent else []
        lines += ["    entitlements:"] + [f"      - {e.yaml()}" for e in own]
    return "\n".join(lines) + "\n"


def generate(out: Path, schools: int, years: int, visits_per_year: int = 30, seed: int = 1,
             *, force: bool = False) -> None:
    """Write a synthetic trust into `out`, which must be empty or missing unless `force`.

    With `force`, only what this generator writes (trust.yaml, offer.yaml and the
    four record folders) is removed first, so that the tree is exactly reproducible.
    """
    if schools < 1 or years < 1 or visits_per_year < 0:
        raise ValueError("schools and years must be at least 1, visits per year at least 0")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty (use --force to overwrite it)")
        for part in ("trust.yaml", "offer.yaml", "schools", "people", "engagements", "visits"):
            if (out / part).is_dir():
                shutil.rmtree(out / part)
            (out / part).unlink(missing_ok=True)
    rng = random.Random(seed)
    cal = [make_year(y) for y in range(LAST_YEAR - years + 1, LAST_YEAR + 1)]
    school_list, school_texts = make_schools(rng, schools, cal)
    by_role, people_texts = make_people(rng, school_list)
    files = {"trust.yaml": trust_text(cal), "offer.yaml": offer_text()}
    for folder, texts in (("schools", school_texts), ("people", people_texts),
                          ("engagements", make_engagements(rng, school_list, cal, by_role))):
        files.update({f"{folder}/{k}.yaml": v for k, v in texts.items()})
    visits = make_visits(rng, school_list, cal, visits_per_year, by_role)
    files.update({f"visits/{k}": v for k, v in visits.items()})
    for folder in ["schools", "people", "engagements"] + [f"visits/{y.key}" for y in cal]:
        (out / folder).mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        with open(out / rel, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a synthetic trust of stss records.")
    parser.add_argument("out", type=Path, help="folder to write the records into")
    parser.add_argument("--schools", type=int, default=250, help="number of schools (default 250)")
    parser.add_argument("--years", type=int, default=10, help="years up to 2026-27 (default 10)")
    parser.add_argument("--visits-per-year", type=int, default=30,
                        help="visits per school per year (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="write into a non-empty OUT")
    args = parser.parse_args(argv)
    try:
        generate(args.out, args.schools, args.years, args.visits_per_year, args.seed,
                 force=args.force)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
