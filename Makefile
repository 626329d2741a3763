# Social Media Use by Governments (OECD, 2014) reproduced with Eurostat's ICT usage statistics.
# `make help` lists the targets; docs/building.md says how a build runs. Without conda, the first target
# that needs Python builds .venv.

# GNU Make 4.3 or newer (grouped targets `&:`); macOS ships 3.81. Checked first, in words make 3.81 reads.
override MAKE_VERSION_WORDS := $(subst ., ,$(MAKE_VERSION))
ifneq ($(filter 0 1 2 3,$(word 1,$(MAKE_VERSION_WORDS)))$(filter 4.0 4.1 4.2,$(word 1,$(MAKE_VERSION_WORDS)).$(word 2,$(MAKE_VERSION_WORDS))),)
$(error this build needs GNU Make 4.3 or newer, not $(MAKE_VERSION): install conda-forge's make (conda install -c conda-forge make, then make report) or Homebrew's (brew install make, then gmake report))
endif
# the variables given on the command line, before anything is assigned (the check refuses those that are not
# settings); then what the check itself runs with, out of a command line's reach
override COMMAND_LINE := $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $v)),$v))
override SHELL := /bin/bash
override .SHELLFLAGS := -c
.DEFAULT_GOAL := help

# ----------------------------------------------------------------------------- settings
# Every setting (`make help`, docs/parameters.md) is checked once, in Python, when make reads this file
# (helpers.pipeline.parameters): a bad value, or a variable that is not a setting, stops make with one line.
# For the goals that write, the check also takes the build lock for this make's process (one build at a time
# per clone: a second one is refused in one line) and writes each page's parameter file when its text
# changes. It gives back the settings as NAME=value words that mean nothing to make or a shell; recipes read
# them from the environment, quoted ("$$PAPER_YEAR"). Values given on the command line reach the check quoted,
# never expanded. Once .venv exists its Python runs the check (`python3` may be a slow pyenv shim).
override CONTRACT_PYTHON := $(if $(wildcard .venv/bin/python),.venv/bin/python -S,python3 -S)
override quote = '$(subst ','\'',$1)'
override SETTINGS := $(shell PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.pipeline.parameters make --make-pid "$$PPID" \
  --goals $(call quote,$(value MAKECMDGOALS)) --dry-run '$(findstring n,$(firstword -$(MAKEFLAGS)))' \
  $(foreach v,$(COMMAND_LINE),--set $(call quote,$v) $(call quote,$(value $v))) 2>&1 \
  || echo "error: the settings could not be checked: $(CONTRACT_PYTHON) (Python 3.11 or newer) is needed")
ifeq ($(firstword $(SETTINGS)),error:)
$(error $(wordlist 2,$(words $(SETTINGS)),$(SETTINGS)))
endif
$(foreach setting,$(SETTINGS),$(eval override $(setting)))
# the mirror (any folder) and pytest's arguments: never echoed into make's text, exported as given
override EUROSTAT_MIRROR := $(value EUROSTAT_MIRROR)
override ARGS := $(value ARGS)
export EUROSTAT_MIRROR ARGS $(filter-out PARAMS_CHANGED,$(foreach setting,$(SETTINGS),$(firstword $(subst =, ,$(setting)))))
# A fresh clone: the building goals make the environment first, then make reads this file again (a remade
# makefile), so that the settings find the Quarto the environment brought (helpers.base.quarto_install).
ifneq ($(filter report site country briefs pages notebooks,$(MAKECMDGOALS)),)
-include $(ENV_STAMP)
endif
# what the kernels print (library warnings, ipykernel's notices) goes here, not to the terminal
export OECD_BUILD_LOG := $(CURDIR)/build.log
KERNEL := oecd-social-media
RUN := "$$PYTHON" -m helpers.pipeline.notebook_runner
# each step's code: its stage's and the stages' before it (tests/test_layers.py keeps imports to that order)
code = $(wildcard $(foreach stage,$1,src/helpers/$(stage)/*.py src/helpers/$(stage)/*.toml))

# ----------------------------------------------------------------------------- data
RAW := $(foreach d,isoc_ci_ac_i isoc_ci_ifp_iu isoc_ci_in_h isoc_ciegi_ac DSD_ICT_HH_IND@DF_IND,$(DATA_DIR)/raw/$(d).provenance.json)
STORE := $(DATA_DIR)/processed/ict_usage.parquet
# the runner makes the folders relative to notebooks/ (where the notebooks run) and the mirror absolute
FETCH := $(RUN) 00_fetch -o "$$REPORT_DIR/pipeline/00_fetch.ipynb" -P raw_dir "$$DATA_DIR/raw" -p source "$$SOURCE" \
  -P mirror "$$EUROSTAT_MIRROR"
# the OECD's data not fetched (the build goes on without it, or with its previous data): one line
SAY_FETCH_NOTES := "$$PYTHON" -m helpers.store.refresh say-fetch-notes --raw-dir "$$DATA_DIR/raw"
TIDY := $(RUN) 01_tidy -o "$$REPORT_DIR/pipeline/01_tidy.ipynb" -P raw_dir "$$DATA_DIR/raw" -P processed_dir "$$DATA_DIR/processed"

# data/raw is fetched once; a later EUROSTAT_MIRROR is not read until `make refresh`: say so
data: $(STORE) ## Fetch the Eurostat series (live, or EUROSTAT_MIRROR) and build the tidy store
	@$(if $(filter-out $(wildcard $(RAW)),$(RAW)),,[ -z "$$EUROSTAT_MIRROR" ] || "$$PYTHON" -m helpers.store.refresh note-unread-mirror --raw-dir "$$DATA_DIR/raw")

# One fetch makes every raw file. It stages, tidies and validates before it replaces anything, so a bad
# answer or a bad mirror leaves data/raw as it was.
$(RAW) &: | $(ENV_STAMP)
	@$(FETCH)
	@$(SAY_FETCH_NOTES)

# the tidy store (data/processed), from the raw data by 01_tidy
$(STORE): $(RAW) notebooks/01_tidy.ipynb $(call code,base catalogue acquire store) | $(ENV_STAMP)
	@$(TIDY)

refresh: | $(ENV_STAMP) ## Fetch again; a failed fetch keeps the previous data
	@$(FETCH) -p refresh true
	@$(SAY_FETCH_NOTES)
	@$(TIDY)

# ----------------------------------------------------------------------------- verdicts
# every claim's verdicts for the build's settings, computed once from the store; every page reads them
VERDICTS := $(REPORT_DIR)/data/verdicts.json
verdicts: $(VERDICTS)
# a page's parameter file is written by the settings check, never by a rule
$(REPORT_DIR)/.params/%.json: ;
$(VERDICTS): $(STORE) $(REPORT_DIR)/.params/verdicts.json $(call code,base catalogue store analysis) | $(ENV_STAMP)
	@"$$PYTHON" -m helpers.analysis.verdicts --processed-dir "$$DATA_DIR/processed" --output '$@' \
	  --paper-year "$$PAPER_YEAR" --latest-year "$$LATEST_YEAR" --comparison "$$COMPARISON"

# ----------------------------------------------------------------------------- pages
# The executed notebooks, one per page and per country. When any input is newer, the pipeline runs the pages
# whose own inputs' content changed (notebook, store, verdicts, parameters, the code it imports: read from the
# code), all in one pool of kernels, and records what each was made from in pages.json (helpers.pipeline.pages).
PAGES := $(REPORT_DIR)/pages.json
notebooks pages: $(PAGES) ## Execute every analysis notebook (pages and one per country) with papermill
$(PAGES): $(STORE) $(VERDICTS) $(wildcard notebooks/*.ipynb $(REPORT_DIR)/.params/*.json) $(call code,*) CITATION.cff \
  $(if $(PARAMS_CHANGED),FORCE) | $(ENV_STAMP)
	@"$$PYTHON" -m helpers.pipeline.pages run --report-dir "$$REPORT_DIR" --data-dir "$$DATA_DIR" --jobs "$$JOBS"

# under `make -n` the parameter files are not written: the pages step shows when one would change
FORCE:

# ----------------------------------------------------------------------------- site
# The site (and the PDF article with Quarto). The render assembles the article, makes again the briefs older
# than their page, and renders the pages that changed since the last render, recorded by content; its stamp
# names the renderer, so a build after Quarto appeared or vanished renders every page with the one in use.
SITE := $(REPORT_DIR)/_site/.built-$(if $(QUARTO),quarto,fallback)
site: $(SITE)
$(SITE): $(PAGES) $(REPORT_DIR)/_quarto.yml $(REPORT_DIR)/styles.css CITATION.cff $(call code,*) $(if $(filter briefs,$(MAKECMDGOALS)),every-brief)
	@[ -n "$$QUARTO" ] || echo "Quarto not found: building the site with the fallback renderer; the PDF article needs Quarto (docs/building.md)"
	@"$$PYTHON" -m helpers.pipeline.site render --report-dir "$$REPORT_DIR" --data-dir "$$DATA_DIR"
	@touch '$@'

report: $(SITE) ## Build the report in report/_site: the HTML site, and the PDF article with Quarto (else the fallback renderer, no PDF)
	@# the data lock's check uses the standard library only (-S: no site-packages to read)
	@[ "$$LOCK_CHECK" = 0 ] || PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.store.data_lock check --data-dir "$$DATA_DIR"
	@echo "report: $$REPORT_DIR/_site/index.html ($$(( $$(find "$$REPORT_DIR/_site" -name '*.html' -not -path '*/site_libs/*' | wc -l) )) pages$$( \
	  [ -f "$$REPORT_DIR/_site/article.pdf" ] && echo "; the PDF article: $$REPORT_DIR/_site/article.pdf"); the kernels' messages are in build.log)"

# every country's brief (PDF, with Quarto), JOBS at a time, before the site that links them
briefs: report ## Write every country's brief (PDF, with Quarto), linked from its page: report/_site/briefs/
every-brief: $(PAGES)
	@"$$PYTHON" -m helpers.pipeline.site brief --report-dir "$$REPORT_DIR" --data-dir "$$DATA_DIR"

country: $(VERDICTS) ## Rebuild one country's page and its brief (with Quarto), and the country index if it changed: make country COUNTRY=ES
	@[ -n "$$COUNTRY" ] || { echo "usage: make country COUNTRY=ES" >&2; exit 2; }
	@"$$PYTHON" -m helpers.pipeline.site country "$$COUNTRY" --report-dir "$$REPORT_DIR" --data-dir "$$DATA_DIR"

# ----------------------------------------------------------------------------- the rest
.PHONY: help env data refresh verdicts notebooks pages site report briefs every-brief country lock release \
  data-diff diff demo lab bench lint unit test mutation browser-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+( [a-z-]+)?:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([a-z-]+)( [a-z-]+)?:.*## /\1\t/' \
	  | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Settings (NAME=value on the command line or in the environment; docs/parameters.md):"
	@PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.pipeline.parameters list | sed 's/^/    /'

env: $(ENV_STAMP) ## Create .venv from the pinned requirements and register the Jupyter kernel

# uv installs the pinned versions in seconds where pip takes over a minute (docs/performance.md), compiling
# the bytecode so that the first kernel does not; where uv cannot be installed or fails, pip does the work.
UV_VERSION := 0.13.9
# Then Quarto: the PATH's, else quarto-cli at CI's version into .venv (it downloads Quarto; where it
# cannot, one line says so and the fallback renderer builds the site): helpers.base.quarto_install.
$(VENV)/.installed: requirements.txt requirements.lock pyproject.toml src/helpers/base/quarto_install.py
	@test -x "$$VENV/bin/python" || "$$PYTHON_BOOTSTRAP" -m venv "$$VENV"
	@"$$VENV/bin/pip" install --quiet --disable-pip-version-check uv==$(UV_VERSION) 2>/dev/null \
	  && "$$VENV/bin/uv" pip install --quiet --compile-bytecode --python "$$VENV/bin/python" -r requirements.txt -c requirements.lock \
	  && "$$VENV/bin/uv" pip install --quiet --python "$$VENV/bin/python" --no-deps -e . \
	  || { echo "uv unavailable: installing with pip"; \
	       "$$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock \
	       && "$$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e .; }
	"$$VENV/bin/python" -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@"$$VENV/bin/python" -m helpers.base.quarto_install
	@touch "$$VENV/.installed"

# with conda (PYTHON=python): the package installed in editable mode and the kernel registered, once
.conda-kernel.stamp: pyproject.toml
	"$$PYTHON" -m pip install --quiet --no-deps -e .
	"$$PYTHON" -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch .conda-kernel.stamp

lock: ## Record the data lock of the data in DATA_DIR/raw (DATA_DIR/eurostat.lock), deliberately (not the build lock, .build.lock)
	@PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.store.data_lock write --data-dir "$$DATA_DIR"

# The release names one commit and one build: it never builds, it refuses a stale site or uncommitted changes.
release: | $(ENV_STAMP) ## Write one archive of the built report, its data, their lock and its citation: dist/<name>-<version>.tar.gz
	@"$$PYTHON" -m helpers.pipeline.release --report-dir "$$REPORT_DIR" --data-dir "$$DATA_DIR" --dist dist

data-diff: data ## What a fresh fetch (or EUROSTAT_MIRROR) changes against the data in use: report/data-diff.md
	"$$PYTHON" -m helpers.publish.data_diff --raw-dir "$$DATA_DIR/raw" $${EUROSTAT_MIRROR:+--mirror "$$EUROSTAT_MIRROR"} \
	  --output "$$REPORT_DIR/data-diff.md"

diff: ## Show how the executed notebooks changed since the previous build (nbdime)
	@python="$$(cd "$$(dirname "$$PYTHON")" 2>/dev/null && pwd)/$$(basename "$$PYTHON")"; [ -x "$$python" ] || python="$$PYTHON"; \
	  cd "$$REPORT_DIR" && changed=0; for nb in $$(cd .previous 2>/dev/null && find . -name '*.ipynb' | sort); do \
	  if ! cmp -s ".previous/$$nb" "$$nb"; then changed=1; echo "== $$nb"; \
	    "$$python" -m nbdime diff --ignore-details ".previous/$$nb" "$$nb" 2>/dev/null | head -n 200; fi; done; \
	  [ $$changed = 1 ] || echo "no notebook changed since the previous build"

# the whole site from a synthetic mirror the project generates itself, in demo/ (a build of its own, with its
# own folders: a second make, which takes the build lock itself)
demo: | $(ENV_STAMP) ## Try it offline: build the whole site from generated SYNTHETIC data, in demo/
	"$$PYTHON" -m helpers.acquire.synthetic_mirror demo/mirror
	@mkdir -p demo/report && cp -p report/_quarto.yml report/styles.css demo/report/
	@$(MAKE) --no-print-directory report DATA_DIR=demo/data REPORT_DIR=demo/report SOURCE=mirror EUROSTAT_MIRROR=demo/mirror LOCK_CHECK=0
	@echo "demo (SYNTHETIC data, not Eurostat's): demo/report/_site/index.html"

# JupyterLab on notebooks/ with the project's kernel; its kernels are not the build's (no OECD_REPORT_BUILD):
# outputs come in the Markdown JupyterLab renders (docs/building.md)
lab: $(ENV_STAMP) ## Open JupyterLab on notebooks/ with the project's kernel, to re-run a notebook by hand
	"$$PYTHON" -m jupyterlab --ServerApp.root_dir=notebooks --MappingKernelManager.default_kernel_name=$(KERNEL)

bench: $(ENV_STAMP) ## Benchmark the build on the synthetic mirror (slow; never part of make test): bench/results/
	"$$PYTHON" bench/run_bench.py --repeat "$$REPEAT" $${EUROSTAT_MIRROR:+--mirror "$$EUROSTAT_MIRROR"}

lint: $(ENV_STAMP) ## Check the code with ruff and black (src, tests, bench) and its types with mypy (src); `black src tests bench` formats it
	"$$PYTHON" -m ruff check src tests bench
	"$$PYTHON" -m black --check --quiet src tests bench
	"$$PYTHON" -m mypy

# pytest splits ARGS itself, as a shell would, and no shell ever evaluates it
unit: $(ENV_STAMP) ## Run the unit tier alone, about a minute (pytest's arguments in ARGS="-k claims -x")
	PYTEST_ADDOPTS="$$ARGS" "$$PYTHON" -m pytest -m unit

mutation: $(ENV_STAMP) ## Mutation testing (mutmut) of the analysis, the store's checks, the parsers and the statements: each module's score
	"$$PYTHON" tests/mutation.py --max-children 2

test: $(ENV_STAMP) browser-deps ## Run the whole test suite (unit, integration, end to end, browser; pytest's arguments in ARGS)
	PYTEST_ADDOPTS="$$ARGS" "$$PYTHON" -m pytest

# Debian's Chromium for the browser test, where we can install it (root with apt-get); else the test says why
# it is skipped. Its accessibility check needs axe-core, pinned in tests/browser/package-lock.json.
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-deps: $(AXE)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and chromium-driver for the browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null \
	    || echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium not found and cannot be installed here: the browser test will be skipped"; fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent \
	  || echo "could not install axe-core from npm: the accessibility check will be skipped"; \
	else echo "npm not found: the accessibility check (axe-core) will be skipped"; fi

# DATA_DIR and REPORT_DIR were checked to be folders inside the clone (never /, ., or ..). Kept: the READMEs
# and the OECD's download ledger (it counts the requests the OECD still remembers).
clean: ## Remove fetched data, executed notebooks and the built site (keeps .venv)
	cd "$$DATA_DIR" 2>/dev/null && find raw processed -mindepth 1 -maxdepth 1 ! -name README.md \
	  ! -name .oecd-downloads.json -exec rm -rf {} + 2>/dev/null; true
	cd "$$REPORT_DIR" 2>/dev/null && rm -rf ./*.ipynb countries data pipeline .params _site _site.new _site.old \
	  .quarto-parts banner.html .previous briefs pages.json data-diff.md ./*_files .quarto; true
