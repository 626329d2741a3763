# Social Media Use by Governments (OECD, 2014) reproduced with Eurostat's ICT usage statistics.
# `make help` lists the targets. Without conda, the first target that needs Python builds .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOTSTRAP ?= python3
VENV ?= .venv
KERNEL := oecd-social-media
# Conda users: `conda activate oecd-social-media`, then `make report PYTHON=python`.
ifeq ($(origin PYTHON), undefined)
PYTHON := $(VENV)/bin/python
ENV_STAMP := $(VENV)/.installed
else
ENV_STAMP := .conda-kernel.stamp
endif

EUROSTAT_MIRROR ?=
SOURCE ?= auto
# notebooks run in notebooks/, so paths given to them are made absolute
override EUROSTAT_MIRROR := $(if $(EUROSTAT_MIRROR),$(abspath $(EUROSTAT_MIRROR)))
export EUROSTAT_MIRROR

# Where a build writes: data/ and report/ for the real report, demo/ for `make demo`.
DATA_DIR ?= data
REPORT_DIR ?= report

RUN := $(PYTHON) -m helpers.notebooks
DATASETS := isoc_ci_ac_i isoc_ci_ifp_iu isoc_ciegi_ac
RAW := $(foreach d,$(DATASETS),$(DATA_DIR)/raw/$(d).provenance.json)
STORE := $(DATA_DIR)/processed/ict_usage.parquet
# Notebooks run in notebooks/: a path handed to them is made relative to it (absolute paths stay),
# so that executed notebooks do not depend on where the clone lives.
nbpath = $(if $(filter /%,$(1)),$(1),../$(1))
FETCH_DIRS := -p raw_dir $(call nbpath,$(DATA_DIR)/raw)
TIDY_DIRS := $(FETCH_DIRS) -p processed_dir $(call nbpath,$(DATA_DIR)/processed)
# what each stage's output depends on (beyond its notebook)
DATA_CODE := $(addprefix src/helpers/,atomic_files.py errors.py eurostat_tsv.py catalogue.py fetch.py store.py catalogue/series.toml)
ANALYSIS_CODE := $(wildcard src/helpers/*.py) $(wildcard src/helpers/catalogue/*.toml)

# Parameters of the analysis (passed to the notebooks' parameters cells by papermill)
PAPER_YEAR ?= 2013
LATEST_YEAR ?= 0
UNIT ?= PC_IND
YOUTH_INDICATOR ?= I_IUPOL2
YOUTH_HIGHLIGHT ?= NL,AT
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
LOCK_CHECK ?= 1
QUARTO := $(shell command -v quarto 2>/dev/null)

# report page -> source notebook, and its parameters
PAGES := index youth-civic education-gaps senior-uptake other-figures countries data-and-methods cite
NOTEBOOK_index := 20_claims
NOTEBOOK_youth-civic := 10_youth_civic
NOTEBOOK_education-gaps := 11_education_gap
NOTEBOOK_senior-uptake := 12_senior_uptake
NOTEBOOK_other-figures := 13_other_figures
NOTEBOOK_countries := 31_countries
NOTEBOOK_data-and-methods := 40_data_and_methods
NOTEBOOK_cite := 50_cite
OUT := -p processed_dir $(call nbpath,$(DATA_DIR)/processed) -p output_dir $(call nbpath,$(REPORT_DIR))
YEARS := -p paper_year $(PAPER_YEAR) -p latest_year $(LATEST_YEAR) -p unit $(UNIT)
PARAMS_index := $(OUT)
PARAMS_youth-civic := $(OUT) $(YEARS) -p indicator $(YOUTH_INDICATOR) -p highlight $(YOUTH_HIGHLIGHT)
PARAMS_education-gaps := $(OUT) $(YEARS)
PARAMS_senior-uptake := $(OUT) $(YEARS)
PARAMS_other-figures := $(OUT) $(YEARS)
PARAMS_countries := $(OUT)
PARAMS_data-and-methods := $(OUT)
PARAMS_cite := -p citation_file ../CITATION.cff
PARAMS_country := -p processed_dir $(call nbpath,$(DATA_DIR)/processed) -p output_dir $(call nbpath,$(REPORT_DIR)/countries) $(YEARS)

COUNTRIES := $(shell cat $(DATA_DIR)/processed/countries.txt 2>/dev/null)
PAGE_NOTEBOOKS := $(foreach p,$(PAGES),$(REPORT_DIR)/$(p).ipynb)
COUNTRY_PAGES := $(foreach c,$(COUNTRIES),countries/$(c).ipynb)
COUNTRY_STAMP := $(REPORT_DIR)/countries/.built
SITE := $(REPORT_DIR)/_site/.built
SITE_SOURCES := $(REPORT_DIR)/_quarto.yml $(REPORT_DIR)/styles.css

.PHONY: help env data refresh notebooks pages report site country lock data-diff diff demo bench test browser-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: EUROSTAT_MIRROR=/path/to/mirror  SOURCE=auto|live|mirror  COUNTRY=ES  JOBS=2"
	@echo "             PAPER_YEAR=2013 LATEST_YEAR=0 (0 = latest with data) UNIT=PC_IND YOUTH_HIGHLIGHT=NL,AT"

env: $(ENV_STAMP) ## Create .venv from the pinned requirements and register the Jupyter kernel

$(VENV)/.installed: requirements.txt requirements.lock pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(VENV)/bin/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $@

.conda-kernel.stamp: pyproject.toml
	$(PYTHON) -m pip install --quiet --no-deps -e .
	$(PYTHON) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $@

data: $(STORE) ## Fetch the Eurostat series (live, or EUROSTAT_MIRROR) and build the tidy store

# Raw data is fetched once; `make refresh` fetches again. Grouped target: one fetch makes all.
$(RAW) &: | $(ENV_STAMP)
	$(RUN) 00_fetch -o $(REPORT_DIR)/pipeline/00_fetch.ipynb $(FETCH_DIRS) -p source $(SOURCE) -p mirror "$(EUROSTAT_MIRROR)"

$(STORE): $(RAW) notebooks/01_tidy.ipynb $(DATA_CODE) | $(ENV_STAMP)
	$(RUN) 01_tidy -o $(REPORT_DIR)/pipeline/01_tidy.ipynb $(TIDY_DIRS)

refresh: | $(ENV_STAMP) ## Fetch again; a failed fetch keeps the previous data
	$(RUN) 00_fetch -o $(REPORT_DIR)/pipeline/00_fetch.ipynb $(FETCH_DIRS) -p source $(SOURCE) -p mirror "$(EUROSTAT_MIRROR)" -p refresh true
	$(MAKE) --no-print-directory data

notebooks: data ## Execute every analysis notebook (pages and one per country) with papermill
	@# when something will run, keep the executed notebooks of this build for `make diff`
	@if $(MAKE) --no-print-directory -n pages | grep -q 'helpers.notebooks'; then \
	  rm -rf $(REPORT_DIR)/.previous && mkdir -p $(REPORT_DIR)/.previous && cd $(REPORT_DIR) && \
	  find . -name '*.ipynb' -not -path './.previous/*' -not -path './pipeline/*' -exec cp --parents {} .previous/ \; ; fi
	@$(MAKE) --no-print-directory -j$(JOBS) pages

pages: $(PAGE_NOTEBOOKS) $(COUNTRY_STAMP)

# A parameter file changes only when the parameters do, so Make re-runs only what they feed.
# Written when the Makefile is read (not by a forced rule), so that `make -n` tells the truth.
ifneq ($(filter notebooks pages report site country,$(or $(MAKECMDGOALS),help)),)
$(foreach p,$(PAGES) country,$(shell mkdir -p $(REPORT_DIR)/.params; \
  echo '$(PARAMS_$(p))' | cmp -s - $(REPORT_DIR)/.params/$(p).txt || echo '$(PARAMS_$(p))' > $(REPORT_DIR)/.params/$(p).txt))
endif

.SECONDEXPANSION:
$(PAGE_NOTEBOOKS): $(REPORT_DIR)/%.ipynb: notebooks/$$(NOTEBOOK_$$*).ipynb $(STORE) $(ANALYSIS_CODE) $(REPORT_DIR)/.params/%.txt | $(ENV_STAMP)
	@$(RUN) $(NOTEBOOK_$*) -o $@ $(PARAMS_$*)

# One page per country with data, run in parallel by one command (papermill imported once per worker).
$(COUNTRY_STAMP): notebooks/30_country_profile.ipynb $(STORE) $(ANALYSIS_CODE) $(REPORT_DIR)/.params/country.txt | $(ENV_STAMP)
	@echo "country pages: $(words $(COUNTRIES)) countries on $(JOBS) processes"
	@$(RUN) 30_country_profile --for-each country $(COUNTRIES) -o '$(REPORT_DIR)/countries/{}.ipynb' --jobs $(JOBS) $(PARAMS_country)
	@touch $@

report: notebooks ## Build the HTML report in report/_site (Quarto if installed, else the fallback renderer)
	@$(MAKE) --no-print-directory site
	@$(if $(filter 1,$(LOCK_CHECK)),$(PYTHON) -m helpers.data_lock check --raw-dir $(DATA_DIR)/raw,true)
	@echo "report: $(REPORT_DIR)/_site/index.html"

site: $(SITE)

# Only the pages whose notebooks changed are rendered again ($$? = the newer prerequisites).
$(SITE): $(PAGE_NOTEBOOKS) $(COUNTRY_STAMP) $(SITE_SOURCES) CITATION.cff
ifdef QUARTO
	$(PYTHON) -m helpers.site banner --report-dir $(REPORT_DIR) --provenance $(DATA_DIR)/processed/provenance.json
	cd $(REPORT_DIR) && $(QUARTO) render
else
	@echo "Quarto not found: building the site with the fallback renderer (nbconvert)"
	$(PYTHON) -m helpers.site build --report-dir $(REPORT_DIR) --provenance $(DATA_DIR)/processed/provenance.json \
	  $(if $(filter-out %.ipynb $(COUNTRY_STAMP),$?),,--only $(patsubst $(REPORT_DIR)/%,%,$(filter %.ipynb,$?)) $(if $(filter $(COUNTRY_STAMP),$?),$(COUNTRY_PAGES)))
endif
	@touch $@

COUNTRY_CODE = $(shell echo '$(COUNTRY)' | tr a-z A-Z)

country: data ## Rebuild one country's page and the country index: make country COUNTRY=ES
	@test -n "$(COUNTRY)" || { echo "usage: make country COUNTRY=ES" >&2; exit 2; }
ifdef QUARTO
	@$(RUN) 30_country_profile -o $(REPORT_DIR)/countries/$(COUNTRY_CODE).ipynb -p country $(COUNTRY_CODE) $(PARAMS_country)
	cd $(REPORT_DIR) && $(QUARTO) render countries/$(COUNTRY_CODE).ipynb && $(QUARTO) render countries.ipynb
else
	@$(PYTHON) -m helpers.site country $(COUNTRY_CODE) --report-dir $(REPORT_DIR) \
	  --provenance $(DATA_DIR)/processed/provenance.json $(PARAMS_country)
endif

lock: ## Record the data in data/raw as the lock (data/eurostat.lock), deliberately
	$(PYTHON) -m helpers.data_lock write --raw-dir $(DATA_DIR)/raw

data-diff: data ## What a fresh fetch (or EUROSTAT_MIRROR) changes against the data in use: report/data-diff.md
	$(PYTHON) -m helpers.change_report --raw-dir $(DATA_DIR)/raw $(if $(EUROSTAT_MIRROR),--mirror $(EUROSTAT_MIRROR)) \
	  --output $(REPORT_DIR)/data-diff.md

diff: ## Show how the executed notebooks changed since the previous build (nbdime)
	@cd $(REPORT_DIR) && changed=0; for nb in $$(cd .previous 2>/dev/null && find . -name '*.ipynb' | sort); do \
	  if ! cmp -s ".previous/$$nb" "$$nb"; then changed=1; echo "== $$nb"; \
	    $(abspath $(PYTHON)) -m nbdime diff --ignore-details ".previous/$$nb" "$$nb" 2>/dev/null | head -200; fi; done; \
	  [ $$changed = 1 ] || echo "no notebook changed since the previous build"

# The demo: the whole site from a synthetic mirror the project generates itself, in demo/.
DEMO_DIR := demo
demo: | $(ENV_STAMP) ## Try it offline: build the whole site from generated SYNTHETIC data, in demo/
	$(PYTHON) -m helpers.synthetic_mirror $(DEMO_DIR)/mirror
	@mkdir -p $(DEMO_DIR)/report && cp -p report/_quarto.yml report/styles.css $(DEMO_DIR)/report/
	@$(MAKE) --no-print-directory report DATA_DIR=$(DEMO_DIR)/data REPORT_DIR=$(DEMO_DIR)/report SOURCE=mirror \
	  EUROSTAT_MIRROR=$(DEMO_DIR)/mirror LOCK_CHECK=0
	@echo "demo (SYNTHETIC data, not Eurostat's): $(DEMO_DIR)/report/_site/index.html"

REPEAT ?= 3
bench: $(ENV_STAMP) ## Benchmark the build on the synthetic mirror (slow; never part of make test): bench/results/
	$(PYTHON) bench/run_bench.py --repeat $(REPEAT) $(if $(EUROSTAT_MIRROR),--mirror $(EUROSTAT_MIRROR))

test: $(ENV_STAMP) browser-deps ## Run the test suite (unit, end to end, browser)
	$(PYTHON) -m pytest

# The browser test needs Debian's Chromium; install it where we can (root with apt-get),
# otherwise the test says why it is skipped.
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and chromium-driver for the browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null \
	    || echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium not found and cannot be installed here: the browser test will be skipped"; fi

clean: ## Remove fetched data, executed notebooks and the built site (keeps .venv)
	rm -rf $(DATA_DIR)/raw/*.tsv* $(DATA_DIR)/raw/*.json $(DATA_DIR)/processed/*.parquet $(DATA_DIR)/processed/*.csv \
	  $(DATA_DIR)/processed/*.json $(DATA_DIR)/processed/countries.txt $(REPORT_DIR)/*.ipynb $(REPORT_DIR)/countries \
	  $(REPORT_DIR)/data $(REPORT_DIR)/pipeline $(REPORT_DIR)/.params $(REPORT_DIR)/_site $(REPORT_DIR)/banner.html \
	  $(REPORT_DIR)/.previous $(REPORT_DIR)/data-diff.md
