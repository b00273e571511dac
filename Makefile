# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test bench setup lint kb-check translations extract-messages clean

run: setup
	$(BIN)/python -m bot run

# The suite runs on SQLite, then again on PostgreSQL when a server answers at TEST_POSTGRES_URL
# (CI has one; a laptop usually does not, and then this says so instead of failing).
TEST_POSTGRES_URL ?= postgresql://127.0.0.1:5432/test

test: setup
	$(BIN)/ruff check bot tests bench
	@echo "== test suite on SQLite =="
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if why=$$($(BIN)/python -m tests.pg_check "$(TEST_POSTGRES_URL)"); then \
		echo "== the same test suite on PostgreSQL at $(TEST_POSTGRES_URL) =="; \
		TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		echo "== SKIPPED: the test suite on PostgreSQL: no server at $(TEST_POSTGRES_URL) ($$why) =="; \
	fi

bench: setup
	$(BIN)/python -m bench

setup: $(STAMP) $(MO)
	@mkdir -p data

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages -l $*

translations: $(MO)

# For translators: re-extract the strings and merge them into every catalogue.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k __ --add-comments=NOTE: \
		--project=helpline-bot --no-location -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching \
		--width=100

kb-check: setup
	$(BIN)/python -m bot kb check

lint: setup
	$(BIN)/ruff check bot tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
