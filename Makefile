# The two commands of the README:
#   make run   set up .venv (pinned dependencies) and align the bundled seed pair into tmx_out/
#   make test  set up .venv with the test tools and run the test suite
# Also: make eval (accuracy on the gold corpora), make bench (per-stage times, long documents, batch vs
# separate runs; several minutes: `python -m aligner.bench --sizes 1000,10000 --pairs 0` is quicker).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
SRC_DOC := corpora/seeds/ied10-mic-ja.txt
TGT_DOC := corpora/seeds/ied10-meti-en.txt

.PHONY: run test eval bench clean

$(VENV)/.runtime: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.lock
	$(PIP) install -r requirements-test.lock
	touch $@

run: $(VENV)/.runtime
	mkdir -p tmx_out
	$(BIN)/aligner align $(SRC_DOC) $(TGT_DOC) \
		-o tmx_out/ied10.tmx --report tmx_out/ied10.html --beads tmx_out/ied10.jsonl

test: $(VENV)/.test
	$(BIN)/python -m pytest -q

eval: $(VENV)/.runtime
	$(BIN)/python -m aligner.evaluate

bench: $(VENV)/.runtime
	$(BIN)/python -m aligner.bench

clean:
	rm -rf $(VENV) tmx_out/*.tmx tmx_out/*.html tmx_out/*.jsonl
