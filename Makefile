# Integration Workstation: every target sets up .venv when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OFFSCREEN := QT_QPA_PLATFORM=offscreen
DEMO_VAULT := demo/demo.iwvault
DEMO_PASSPHRASE := demo-passphrase

.PHONY: run test demo bench screenshots lint clean system-libs

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

system-libs:
	@bash scripts/system-libs.sh $(if $(GUI),--gui,)

run: $(STAMP)
	@$(MAKE) --no-print-directory system-libs GUI=1
	$(BIN)/workstation

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP) system-libs lint
	$(OFFSCREEN) $(BIN)/pytest

$(DEMO_VAULT): | $(STAMP)
	@mkdir -p demo && chmod 700 demo  # it holds a vault: private, as the vault is
	WORKSTATION_PASSPHRASE=$(DEMO_PASSPHRASE) $(BIN)/workstation demo --vault $@ --clients 40
	@echo "Demo vault: $@  passphrase: $(DEMO_PASSPHRASE)"

demo: $(STAMP) $(DEMO_VAULT)
	@$(MAKE) --no-print-directory system-libs GUI=1
	@echo "The demo vault's passphrase is: $(DEMO_PASSPHRASE)"
	$(BIN)/workstation --vault $(DEMO_VAULT)

bench: $(STAMP) system-libs
	@# Bytecode as an installed copy has it, even where PYTHONDONTWRITEBYTECODE is set:
	@# a start-up benchmark should not time compiling the sources.
	$(BIN)/python -m compileall -q models reports ui workstation
	$(OFFSCREEN) $(BIN)/pytest tests/bench -o addopts="--strict-markers" \
		--benchmark-only --benchmark-columns=min,median,mean,max,rounds \
		--benchmark-sort=name -p no:cacheprovider

screenshots: $(STAMP) system-libs
	$(OFFSCREEN) $(BIN)/python -m workstation.screenshots docs/screenshots
	$(OFFSCREEN) $(BIN)/python -m workstation.screenshots_notes docs/screenshots
	$(OFFSCREEN) $(BIN)/python -m workstation.screenshots_measures docs/screenshots
	$(OFFSCREEN) $(BIN)/python -m workstation.screenshots_reports docs/screenshots
	$(OFFSCREEN) $(BIN)/python -m workstation.screenshots_registry docs/screenshots

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .benchmarks
