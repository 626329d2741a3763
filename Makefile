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
HELPERS := $(wildcard src/helpers/*.py) $(wildcard src/helpers/catalogue/*.toml)

.PHONY: help env data refresh test clean

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
	$(RUN) 00_fetch -p source $(SOURCE) -p mirror "$(EUROSTAT_MIRROR)"

$(STORE): $(RAW) notebooks/01_tidy.ipynb $(HELPERS) | $(ENV_STAMP)
	$(RUN) 01_tidy

refresh: | $(ENV_STAMP) ## Fetch again; a failed fetch keeps the previous data
	$(RUN) 00_fetch -p source $(SOURCE) -p mirror "$(EUROSTAT_MIRROR)" -p refresh true
	$(MAKE) --no-print-directory data

test: $(ENV_STAMP) ## Run the test suite
	$(PYTHON) -m pytest

clean: ## Remove fetched data, executed notebooks and the built site (keeps .venv)
	rm -rf data/raw/*.tsv* data/raw/*.json data/processed/*.parquet data/processed/*.csv data/processed/*.json report/executed report/_site
