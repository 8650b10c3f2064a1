# npucourse — the README's two commands: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: book test install regen release benchmarks clean help check

help:
	@echo "make book        build the HTML book (all notebooks executed, warnings are errors)"
	@echo "make test        run the whole test suite"
	@echo "make regen       regenerate formula code from the sympy registry"
	@echo "make release     regenerate exercises/ from solutions/ (nbgrader)"
	@echo "make benchmarks  run the speed measurements in benchmarks/"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[book,grading,test]"
	@touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W --keep-going --all
	@echo ""
	@echo "Book built: $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadgroup

regen: $(STAMP)
	$(BIN)/python -m npucourse.formulas.codegen

release: $(STAMP)
	@for d in solutions/ex*/; do a=$$(basename $$d); \
	  $(BIN)/nbgrader generate_assignment $$a --force --db sqlite:///$(CURDIR)/.venv/release-gradebook.db || exit 1; done

benchmarks: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build .pytest_cache .hypothesis

check: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make check NB=exercises/ex2_3/ex2_3.ipynb"; exit 2; }
	$(BIN)/python -m npucourse.grading.selfcheck $(NB)
