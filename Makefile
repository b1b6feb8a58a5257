# Two entry points: `make demo` (the main job on the example trust) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime
DEMO := build/demo

.PHONY: demo test lint typecheck check clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo needs only what stss itself needs: no pytest, ruff or mypy.
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

install: $(STAMP)

## demo: install, then validate, change a support level from April, plan (visits, trust-wide events,
## engagement days), move a planned event, review an objective, list the year's engagements and
## every one, list requests, share a visit report, write the board pack and one school's summary,
## and export a calendar from a copy of the example trust in records/
demo: $(RUNTIME)
	rm -rf $(DEMO) && mkdir -p build && cp -r records $(DEMO)
	$(BIN)/stss validate --records $(DEMO)
	$(BIN)/stss edit-support st-annes-ce-primary --records $(DEMO) --today 2026-11-23 --level enhanced --from 2027-04-12 --rationale "SIAMS inspection expected in the summer term: CEO visits and deep dives from April."
	$(BIN)/stss plan --records $(DEMO) --year 2026-27 --today 2026-11-23 --seed 1
	$(BIN)/stss log-event --records $(DEMO) --today 2026-11-23 --activity headteacher-network --status planned --date 2027-01-14 --host kingsmead-high-school
	$(BIN)/stss usage --records $(DEMO) --today 2026-11-23 --school st-annes-ce-primary
	$(BIN)/stss review-objective --records $(DEMO) --today 2026-11-23 kingsmead-rise-2026 persistent-absence --rag amber --note "17% since half-term; part-time timetables down to four."
	$(BIN)/stss engagements --records $(DEMO) --today 2026-11-23
	$(BIN)/stss engagements --records $(DEMO) --today 2026-11-23 --funding
	$(BIN)/stss engagements --records $(DEMO) --today 2026-11-23 --all --format csv
	$(BIN)/stss report --records $(DEMO) --today 2026-11-23 --engagement kingsmead-rise-2026 --format html --out $(DEMO)/engagement-kingsmead.html
	$(BIN)/stss requests --records $(DEMO) --today 2026-11-23
	$(BIN)/stss share 2026-11-10-castle-hill-primary-subject-deep-dive --records $(DEMO) --today 2026-11-23 --format html --out $(DEMO)/castle-hill-deep-dive.html
	$(BIN)/stss reviews --records $(DEMO) --today 2026-11-23
	$(BIN)/stss report --records $(DEMO) --year 2026-27 --term autumn --today 2026-11-23 --format html --out $(DEMO)/board-pack.html
	$(BIN)/stss report --records $(DEMO) --year 2026-27 --term autumn --today 2026-11-23 --school riverside-academy --format md --out $(DEMO)/riverside-academy.md
	$(BIN)/stss calendar --records $(DEMO) --year 2026-27 --today 2026-11-23 --person priya-raman --out $(DEMO)/priya-raman.ics
	$(BIN)/stss calendar --records $(DEMO) --year 2026-27 --today 2026-11-23 --out $(DEMO)/trust.ics
	@echo "Board pack: $(DEMO)/board-pack.html; a school's summary: $(DEMO)/riverside-academy.md; a calendar: $(DEMO)/priya-raman.ics; an engagement's report: $(DEMO)/engagement-kingsmead.html"

## test: the whole suite, then lint and types
test: $(STAMP)
	$(BIN)/pytest -q
	$(BIN)/ruff check stss tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	benchmarks/run

clean:
	rm -rf build .stss-cache records/.stss-cache .pytest_cache .mypy_cache .ruff_cache
