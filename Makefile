# dxminutes: the two commands are `make report` (the main job) and `make test`.
# Both create or update .venv from the pinned lock file on their own.

# Python 3.11, 3.12 or 3.13. `make test PYTHON=python3.12` builds and uses .venv-python3.12.
PYTHON ?=
PY     := $(shell sh requirements/find-python.sh $(PYTHON))
VENV   ?= $(if $(PYTHON),.venv-$(notdir $(PYTHON)),.venv)
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt

# Run parameters (see README): another corpus, its output folder, theme file, topic count,
# bootstrap replicates. Without OUT, the seed corpus's report stays in reports/ and notebooks/;
# another corpus goes to build/reports/<name> (see `.venv/bin/dxminutes report --help`).
DATA    ?=
OUT     ?=
THEMES  ?=
K       ?=
NBOOT   ?=
MINCOUNT ?=
FORCE   ?=
FILE    ?=
JSON    ?=
VERBS   ?=
N       ?=
UNIT    ?=
SEED    ?=
REPORT_ARGS := $(if $(DATA),--data $(DATA)) $(if $(OUT),--out $(OUT)) $(if $(THEMES),--themes $(THEMES)) \
               $(if $(K),--k $(K)) $(if $(NBOOT),--n-boot $(NBOOT)) $(if $(MINCOUNT),--min-count $(MINCOUNT)) \
               $(if $(FORCE),--force)

export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: all venv processed inspect tokens report sample test lint format bench lab lock clean help

all: report

help: ## list the targets with what they do
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## create or update .venv from the pinned lock

$(STAMP): $(LOCK) pyproject.toml
	@test -n "$(PY)" || { echo "Python 3.11, 3.12 or 3.13 is required (none found$(if $(PYTHON), for PYTHON=$(PYTHON)))"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$$(sed -n 's/^pip==//p' $(LOCK))"
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

processed: $(STAMP) ## build data/processed from data/raw (or DATA=DIR into OUT/processed)
	$(BIN)/python -m dxminutes build $(if $(DATA),--data $(DATA)) $(if $(OUT),--out $(OUT)/processed)

inspect: $(STAMP) ## what the loader finds in one file (FILE=path [DATA=corpus folder] [JSON=1])
	@test -n "$(FILE)" || { echo "usage: make inspect FILE=path/to/file [DATA=corpus folder] [JSON=1]"; exit 2; }
	@$(BIN)/python -m dxminutes inspect "$(FILE)" $(if $(DATA),--data "$(DATA)") $(if $(JSON),--json)

tokens: $(STAMP) ## each turn's speaker, role and terms as the analysis counts them (FILE=path [DATA=DIR] [JSON=1] [VERBS=1])
	@test -n "$(FILE)" || { echo "usage: make tokens FILE=path/to/file [DATA=DIR] [JSON=1] [VERBS=1]"; exit 2; }
	@$(BIN)/python -m dxminutes tokens "$(FILE)" $(if $(DATA),--data "$(DATA)") $(if $(JSON),--json) $(if $(VERBS),--verbs)

report: $(STAMP) ## build the corpus, execute every notebook, write the report (DATA=DIR OUT=DIR)
	$(BIN)/python -m dxminutes report $(REPORT_ARGS)

sample: $(STAMP) ## draw a sample to label by hand (DATA=DIR N=200 [UNIT=turn] [OUT=FILE_OR_DIR] [SEED=n])
	$(BIN)/python -m dxminutes sample $(if $(DATA),--data "$(DATA)") $(if $(N),--n $(N)) $(if $(UNIT),--unit $(UNIT)) \
		$(if $(OUT),--out "$(OUT)") $(if $(SEED),--seed $(SEED))

test: $(STAMP) ## run the test suite, notebooks included
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff lint and format check (what CI runs)
	$(BIN)/ruff check src tests benchmarks notebooks/*.py requirements
	$(BIN)/ruff format --check src tests benchmarks notebooks/*.py requirements

format: $(STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks notebooks/*.py requirements
	$(BIN)/ruff format src tests benchmarks notebooks/*.py requirements

bench: $(STAMP) ## run the benchmark suite, write benchmarks/RESULTS.md
	$(BIN)/python benchmarks/run.py

lab: $(STAMP) ## open JupyterLab with the package importable
	$(BIN)/jupyter lab notebooks/

# Re-resolve the pins from requirements/base.in (needs network access to PyPI).
lock: ## re-resolve requirements/lock.txt and environment.yml (needs PyPI)
	rm -rf build/lockvenv && $(PY) -m venv build/lockvenv
	build/lockvenv/bin/pip install --quiet --upgrade pip
	build/lockvenv/bin/pip install --quiet -r requirements/base.in
	build/lockvenv/bin/pip freeze --all --exclude-editable | grep -v '^dxminutes' | LC_ALL=C sort -f > $(LOCK)
	$(PY) requirements/write_environment_yml.py

clean: ## remove .venv (and .venv-python3.*) and build folders
	rm -rf .venv .venv-python3.* build .pytest_cache
