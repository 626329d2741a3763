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
# notebooks run in notebooks/, so a relative mirror path is made absolute here
override EUROSTAT_MIRROR := $(if $(EUROSTAT_MIRROR),$(abspath $(EUROSTAT_MIRROR)))
export EUROSTAT_MIRROR

RUN := $(PYTHON) -m helpers.notebooks
DATASETS := isoc_ci_ac_i isoc_ci_ifp_iu isoc_ciegi_ac
RAW := $(foreach d,$(DATASETS),data/raw/$(d).provenance.json)
STORE := data/processed/ict_usage.parquet
# what each stage's output depends on (beyond its notebook)
DATA_CODE := $(addprefix src/helpers/,errors.py eurostat_tsv.py catalogue.py fetch.py store.py catalogue/series.toml)
ANALYSIS_CODE := $(wildcard src/helpers/*.py) $(wildcard src/helpers/catalogue/*.toml)

# Parameters of the analysis (passed to the notebooks' parameters cells by papermill)
PAPER_YEAR ?= 2013
LATEST_YEAR ?= 0
UNIT ?= PC_IND
YOUTH_INDICATOR ?= I_IUPOL2
YOUTH_HIGHLIGHT ?= NL,AT
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
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
YEARS := -p paper_year $(PAPER_YEAR) -p latest_year $(LATEST_YEAR) -p unit $(UNIT)
PARAMS_youth-civic := $(YEARS) -p indicator $(YOUTH_INDICATOR) -p highlight $(YOUTH_HIGHLIGHT)
PARAMS_education-gaps := $(YEARS)
PARAMS_senior-uptake := $(YEARS)
PARAMS_other-figures := $(YEARS)
PARAMS_country := $(YEARS)

COUNTRIES := $(shell cat data/processed/countries.txt 2>/dev/null)
PAGE_NOTEBOOKS := $(foreach p,$(PAGES),report/$(p).ipynb)
COUNTRY_PAGES := $(foreach c,$(COUNTRIES),countries/$(c).ipynb)
COUNTRY_STAMP := report/countries/.built
SITE := report/_site/.built

.PHONY: help env data refresh notebooks pages report site country test clean FORCE

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: EUROSTAT_MIRROR=/path/to/mirror  SOURCE=auto|live|mirror  COUNTRY=ES"

env: $(ENV_STAMP) ## Create .venv from the pinned requirements and register the Jupyter kernel

$(VENV)/.installed: requirements.txt requirements.lock pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(VENV)/bin/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $@

.conda-kernel.stamp: pyproject.toml
	$(PYTHON) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PYTHON) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $@

data: $(STORE) ## Fetch the Eurostat series (live, or EUROSTAT_MIRROR) and build the tidy store

# Raw data is fetched once; `make refresh` fetches again. Grouped target: one fetch makes all.
$(RAW) &: | $(ENV_STAMP)
	$(RUN) 00_fetch -o report/pipeline/00_fetch.ipynb -p source $(SOURCE) -p mirror "$(EUROSTAT_MIRROR)"

$(STORE): $(RAW) notebooks/01_tidy.ipynb $(DATA_CODE) | $(ENV_STAMP)
	$(RUN) 01_tidy -o report/pipeline/01_tidy.ipynb

refresh: | $(ENV_STAMP) ## Fetch again; a failed fetch keeps the previous data
	$(RUN) 00_fetch -o report/pipeline/00_fetch.ipynb -p source $(SOURCE) -p mirror "$(EUROSTAT_MIRROR)" -p refresh true
	$(MAKE) --no-print-directory data

notebooks: data ## Execute every analysis notebook (pages and one per country) with papermill
	@$(MAKE) --no-print-directory -j$(JOBS) pages

pages: $(PAGE_NOTEBOOKS) $(COUNTRY_STAMP)

# A parameter file changes only when the parameters do, so Make re-runs only what they feed.
report/.params/%.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(PARAMS_$*)' | cmp -s - $@ || echo '$(PARAMS_$*)' > $@

.SECONDEXPANSION:
$(PAGE_NOTEBOOKS): report/%.ipynb: notebooks/$$(NOTEBOOK_$$*).ipynb $(STORE) $(ANALYSIS_CODE) report/.params/%.txt | $(ENV_STAMP)
	@$(RUN) $(NOTEBOOK_$*) -o $@ $(PARAMS_$*)

# One page per country with data, run in parallel by one command (papermill imported once per worker).
$(COUNTRY_STAMP): notebooks/30_country_profile.ipynb $(STORE) $(ANALYSIS_CODE) report/.params/country.txt | $(ENV_STAMP)
	@echo "country pages: $(words $(COUNTRIES)) countries on $(JOBS) processes"
	@$(RUN) 30_country_profile --for-each country $(COUNTRIES) -o 'report/countries/{}.ipynb' --jobs $(JOBS) $(PARAMS_country)
	@touch $@

.PRECIOUS: report/.params/%.txt

report: notebooks ## Build the HTML report in report/_site (Quarto if installed, else the fallback renderer)
	@$(MAKE) --no-print-directory site
	@echo "report: report/_site/index.html"

site: $(SITE)

# Only the pages whose notebooks changed are rendered again ($$? = the newer prerequisites).
$(SITE): $(PAGE_NOTEBOOKS) $(COUNTRY_STAMP) report/_quarto.yml report/styles.css CITATION.cff
ifdef QUARTO
	$(PYTHON) -m helpers.site banner
	cd report && $(QUARTO) render
else
	@echo "Quarto not found: building the site with the fallback renderer (nbconvert)"
	$(PYTHON) -m helpers.site build $(if $(filter-out %.ipynb $(COUNTRY_STAMP),$?),,--only $(patsubst report/%,%,$(filter %.ipynb,$?)) $(if $(filter $(COUNTRY_STAMP),$?),$(COUNTRY_PAGES)))
endif
	@touch $@

country: data ## Rebuild one country's page and the country index: make country COUNTRY=ES
	@test -n "$(COUNTRY)" || { echo "usage: make country COUNTRY=ES" >&2; exit 2; }
	@$(RUN) 30_country_profile -o report/countries/$(COUNTRY_CODE).ipynb -p country $(COUNTRY_CODE) $(PARAMS_country)
ifdef QUARTO
	cd report && $(QUARTO) render countries/$(COUNTRY_CODE).ipynb && $(QUARTO) render countries.ipynb
else
	$(PYTHON) -m helpers.site build --only countries/$(COUNTRY_CODE).ipynb countries.ipynb
endif

COUNTRY_CODE = $(shell echo '$(COUNTRY)' | tr a-z A-Z)

test: $(ENV_STAMP) ## Run the test suite
	$(PYTHON) -m pytest

clean: ## Remove fetched data, executed notebooks and the built site (keeps .venv)
	rm -rf data/raw/*.tsv* data/raw/*.json data/processed/*.parquet data/processed/*.csv data/processed/*.json \
	  data/processed/countries.txt report/*.ipynb report/countries report/data report/pipeline report/.params \
	  report/_site report/banner.html
