# The whole set-up on a fresh machine: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MICROHUB_ENV ?= development

.PHONY: run test install browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: export MICROHUB_DEV_MAILBOX ?= 1
run: $(STAMP)
	$(BIN)/microhub db upgrade
	$(BIN)/microhub demo
	@echo "Serving MicroHub on http://127.0.0.1:5000  (Ctrl-C stops)"
	$(BIN)/microhub run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's Chromium; Playwright cannot download its own browser here.
browser:
	@test -x /usr/bin/chromium || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y chromium || { $$SUDO apt-get update && $$SUDO apt-get install -y chromium; }; }

# lint-imports checks the layers contract in pyproject.toml: no module imports a layer above its own.
test: $(STAMP) browser
	$(BIN)/lint-imports
	MICROHUB_ENV=test $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts
