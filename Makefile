# Shequ: `make run` serves the demo city, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000

.PHONY: install run test lint typecheck pytest messages bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/shequ migrate --noinput -v0
	$(BIN)/shequ seed --scale small --if-empty
	@$(BIN)/shequ showlogin
	$(BIN)/shequ serve $(ADDR)

lint: install
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy src

pytest: install
	$(BIN)/pytest -q -n 2 --dist loadfile

test: lint typecheck pytest

messages: install
	cd src/shequ && ../../$(BIN)/shequ makemessages -l zh_Hans --no-obsolete --add-location file -i "static/*" && ../../$(BIN)/shequ compilemessages -l zh_Hans

bench: install
	$(BIN)/python bench/tree.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
