# The two commands a newcomer needs: `make up` (whole system + demo order) and `make test`.
SHELL := /bin/bash
UV := $(shell deploy/local/uv.sh)
STARTED := .stack/run/test-started

.PHONY: up down test lint status info bench chaos

## up: install what is missing, start the stack and every service, run a demo order
up:
	@mkdir -p .stack/run
	@$(UV) run bespoke stack up > /dev/null
	@$(UV) run bespoke demo > .stack/run/demo.json
	@echo "  (the same as JSON: .stack/run/demo.json; where everything runs: uv run bespoke stack info)"

## down: stop everything `make up` started
down:
	@$(UV) run bespoke stack down > /dev/null

## test: install, start the stack if needed, run every test, stop what it started
test:
	@mkdir -p .stack/run; \
	status=0; \
	$(UV) run bespoke browser install > /dev/null || status=$$?; \
	if [ $$status -eq 0 ]; then $(UV) run bespoke stack up --started-file $(STARTED) > /dev/null || status=$$?; fi; \
	if [ $$status -eq 0 ]; then $(UV) run pytest || status=$$?; fi; \
	$(UV) run bespoke stack down --started-file $(STARTED) > /dev/null; \
	exit $$status

## lint: ruff, formatting and mypy (strict)
lint:
	@$(UV) run ruff check .
	@$(UV) run ruff format --check .
	@$(UV) run mypy

status:
	@$(UV) run bespoke stack status

info:
	@$(UV) run bespoke stack info

## bench: every benchmark, one JSON document (starts the stack if needed, ~30 min; BENCH_ARGS=--quick for ~9)
bench:
	@mkdir -p .stack/run; \
	status=0; \
	$(UV) run bespoke stack up --started-file $(STARTED) > /dev/null || status=$$?; \
	if [ $$status -eq 0 ]; then $(UV) run python -m bench.run $(BENCH_ARGS) || status=$$?; fi; \
	$(UV) run bespoke stack down --started-file $(STARTED) > /dev/null; \
	exit $$status

## chaos: failure drills on the local stack (kill -9 each service, restart Kafka and FerretDB); prints JSON
chaos:
	@$(UV) run python tests/chaos/drills.py $(CHAOS_ARGS)
