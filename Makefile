# Social Media Use by Governments (OECD, 2014) reproduced with Eurostat's ICT usage statistics.
# `make help` lists the targets. Without conda, the first target that needs Python builds .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# ----------------------------------------------------------------------------- user variables
# Every variable a user may set is validated here, once, before any recipe sees it: a bad value
# stops make with one line naming the variable and what it accepts. Values are read with
# $(value ...), so text such as $(shell ...) given on the command line is never expanded, and
# only values made of harmless characters reach a recipe. The one free-form value, the mirror
# path, never enters a recipe's text: recipes read it from the environment ("$$EUROSTAT_MIRROR").

PYTHON_BOOTSTRAP ?= python3
VENV ?= .venv
EUROSTAT_MIRROR ?=
SOURCE ?= auto
DATA_DIR ?= data
REPORT_DIR ?= report
PAPER_YEAR ?= 2013
LATEST_YEAR ?= 0
UNIT ?= PC_IND
COMPARISON ?= paper
YOUTH_INDICATOR ?= I_IUPOL2
YOUTH_HIGHLIGHT ?= NL,AT
COUNTRY ?=
ifeq ($(origin JOBS),undefined)
JOBS := $(shell nproc 2>/dev/null || echo 2)
endif
LOCK_CHECK ?= 1
REPEAT ?= 3

empty :=
comma := ,
space := $(empty) $(empty)
tab := $(empty)	$(empty)
LETTERS := a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z
DIGITS := 0 1 2 3 4 5 6 7 8 9
CODE_CHARS := $(LETTERS) $(DIGITS) _
PATH_CHARS := $(LETTERS) $(DIGITS) _ . / - +
# what is left of $1 once every character listed in $2 is removed (blanks are kept, as '?')
leftover = $(if $2,$(call leftover,$(subst $(firstword $2),,$1),$(wordlist 2,$(words $2),$2)),$(subst $(tab),?,$(subst $(space),?,$1)))
# the characters of $1 (made of the characters in $2) as words, to count them
spread = $(if $2,$(call spread,$(subst $(firstword $2),$(firstword $2) ,$1),$(wordlist 2,$(words $2),$2)),$1)
length = $(words $(call spread,$1,$(CODE_CHARS)))
# $(call accept,NAME,ALLOWED-CHARACTERS,WHAT-IT-ACCEPTS,[non-empty when otherwise wrong])
accept = $(if $(or $(call leftover,$(value $1),$2),$4),$(error $1='$(value $1)' is not accepted: $1 takes $3))
# a folder the build writes to: relative, inside the clone, not the clone itself
folder_is_wrong = $(or $(filter /%,$1),$(filter .. ./ .,$1),$(findstring /../,/$1/),$(if $1,,empty))

$(call accept,SOURCE,$(LETTERS),auto$(comma) live or mirror,$(filter-out auto live mirror,$(value SOURCE)))
$(call accept,PAPER_YEAR,$(DIGITS),a year such as 2013,$(filter-out 4,$(call length,$(value PAPER_YEAR))))
$(call accept,LATEST_YEAR,$(DIGITS),0 (the latest year with data) or a year such as 2023,$(and $(filter-out 0,$(value LATEST_YEAR)),$(filter-out 4,$(call length,$(value LATEST_YEAR)))))
$(call accept,COMPARISON,$(LETTERS) $(DIGITS),paper (the OECD members the paper compared)$(comma) eu27 or all,$(filter-out paper eu27 all,$(value COMPARISON)))
$(call accept,UNIT,$(CODE_CHARS),a Eurostat unit code: PC_IND (share of all people) or PC_IND_IU3 (share of internet users),$(if $(value UNIT),,empty))
$(call accept,YOUTH_INDICATOR,$(CODE_CHARS),a Eurostat indicator code such as I_IUPOL2,$(if $(value YOUTH_INDICATOR),,empty))
$(call accept,YOUTH_HIGHLIGHT,$(LETTERS) $(comma),country codes separated by commas$(comma) such as NL$(comma)AT)
$(call accept,COUNTRY,$(LETTERS),a two-letter Eurostat country code such as ES (Greece is EL$(comma) the United Kingdom UK),$(and $(value COUNTRY),$(filter-out 2,$(call length,$(value COUNTRY)))))
$(call accept,JOBS,$(DIGITS),a number of processes such as 2,$(filter 0 $(empty),$(value JOBS)))
$(call accept,LOCK_CHECK,$(DIGITS),0 or 1,$(filter-out 0 1,$(value LOCK_CHECK)))
$(call accept,REPEAT,$(DIGITS),a number of repetitions such as 3,$(filter 0 $(empty),$(value REPEAT)))
$(call accept,DATA_DIR,$(PATH_CHARS),a folder inside the clone such as data (relative$(comma) without ..),$(call folder_is_wrong,$(value DATA_DIR)))
$(call accept,REPORT_DIR,$(PATH_CHARS),a folder inside the clone such as report (relative$(comma) without ..),$(call folder_is_wrong,$(value REPORT_DIR)))
$(call accept,VENV,$(PATH_CHARS),a folder inside the clone such as .venv (relative$(comma) without ..),$(call folder_is_wrong,$(value VENV)))
$(call accept,PYTHON_BOOTSTRAP,$(PATH_CHARS),a Python interpreter such as python3 or /usr/bin/python3)
$(if $(call leftover,$(subst $(space),,$(value MAKECMDGOALS)),$(PATH_CHARS)),$(error the targets '$(value MAKECMDGOALS)' are not accepted: make takes the targets listed by `make help`))
ifneq ($(origin PYTHON),undefined)
$(call accept,PYTHON,$(PATH_CHARS),a Python interpreter such as python or /opt/conda/envs/oecd-social-media/bin/python,$(if $(value PYTHON),,empty))
endif
ifneq ($(origin QUARTO),undefined)
$(call accept,QUARTO,$(PATH_CHARS),the quarto executable such as /usr/local/bin/quarto$(comma) or nothing for the fallback renderer)
endif
ifneq ($(origin ENV_STAMP),undefined)
$(call accept,ENV_STAMP,$(PATH_CHARS),a stamp file or nothing)
endif
override EUROSTAT_MIRROR := $(value EUROSTAT_MIRROR)
export EUROSTAT_MIRROR

KERNEL := oecd-social-media
# Conda users: `conda activate oecd-social-media`, then `make report PYTHON=python`.
ifeq ($(origin PYTHON), undefined)
PYTHON := $(VENV)/bin/python
ENV_STAMP := $(VENV)/.installed
else
ENV_STAMP ?= .conda-kernel.stamp
endif

# `make -n` must change nothing, not even the parameter files
DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))

# ----------------------------------------------------------------------------- one build at a time
# Two builds in one clone at once (say with different parameters) would leave a mixed site. The
# building targets therefore run under a lock: make re-runs itself inside `flock`, and a second
# build refuses at once with one line. flock holds the lock itself (--close: no child inherits it),
# so a killed build's leftover kernel never keeps the next build out.
LOCKED_GOALS := data refresh notebooks pages report site country lock data-diff demo clean
BUILD_LOCK := .build.lock
ifeq ($(BUILD_LOCK_HELD)$(DRY_RUN),)
ifneq ($(filter $(LOCKED_GOALS),$(MAKECMDGOALS)),)
LOCK_WRAPPER := 1
endif
endif

ifdef LOCK_WRAPPER
.PHONY: $(MAKECMDGOALS)
$(firstword $(MAKECMDGOALS)):
	@flock --nonblock --close --conflict-exit-code 75 '$(BUILD_LOCK)' $(MAKE) --no-print-directory $(MAKECMDGOALS) BUILD_LOCK_HELD=1 \
	  || { status=$$?; [ $$status = 75 ] && echo "error: another build is running in this clone (it holds $(BUILD_LOCK)); wait for it to finish, then run make again" >&2; exit $$status; }
$(filter-out $(firstword $(MAKECMDGOALS)),$(MAKECMDGOALS)):
	@:
else
# ----------------------------------------------------------------------------- the build

RUN := '$(PYTHON)' -m helpers.build.notebooks
DATASETS := isoc_ci_ac_i isoc_ci_ifp_iu isoc_ci_in_h isoc_ciegi_ac
RAW := $(foreach d,$(DATASETS),$(DATA_DIR)/raw/$(d).provenance.json)
STORE := $(DATA_DIR)/processed/ict_usage.parquet
# Notebooks run in notebooks/: a path handed to them is made relative to it, so that executed
# notebooks do not depend on where the clone lives (the folders are validated as relative).
nbpath = ../$(1)
FETCH_DIRS := -p raw_dir '$(call nbpath,$(DATA_DIR)/raw)'
TIDY_DIRS := $(FETCH_DIRS) -p processed_dir '$(call nbpath,$(DATA_DIR)/processed)'
# what the kernels print (library warnings, ipykernel's notices) goes here, not to the terminal
# (beside the Makefile, not in the report: a log is not an output)
export OECD_BUILD_LOG := $(CURDIR)/build.log
# the mirror, read from the environment and made absolute by the runner (-P: a path parameter)
FETCH := $(RUN) 00_fetch -o '$(REPORT_DIR)/pipeline/00_fetch.ipynb' $(FETCH_DIRS) -p source '$(SOURCE)' -P mirror "$$EUROSTAT_MIRROR"
# what each stage's output depends on (beyond its notebook)
DATA_CODE := $(wildcard src/helpers/base/*.py src/helpers/acquire/*.py src/helpers/store/*.py src/helpers/catalogue/*.py) src/helpers/catalogue/series.toml
ANALYSIS_CODE := $(wildcard src/helpers/*.py src/helpers/*/*.py src/helpers/catalogue/*.toml)
# Quarto when on the PATH; QUARTO= (empty) builds with the fallback renderer even so
ifeq ($(origin QUARTO),undefined)
QUARTO := $(shell command -v quarto 2>/dev/null)
endif

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
OUT := -p processed_dir '$(call nbpath,$(DATA_DIR)/processed)' -p output_dir '$(call nbpath,$(REPORT_DIR))'
YEARS := -p paper_year '$(PAPER_YEAR)' -p latest_year '$(LATEST_YEAR)' -p unit '$(UNIT)' -p comparison '$(COMPARISON)'
PARAMS_index := $(OUT) -p comparison '$(COMPARISON)'
PARAMS_youth-civic := $(OUT) $(YEARS) -p indicator '$(YOUTH_INDICATOR)' -p highlight '$(YOUTH_HIGHLIGHT)'
PARAMS_education-gaps := $(OUT) $(YEARS)
PARAMS_senior-uptake := $(OUT) $(YEARS)
PARAMS_other-figures := $(OUT) $(YEARS)
PARAMS_countries := $(OUT)
PARAMS_data-and-methods := $(OUT)
PARAMS_cite := -p citation_file ../CITATION.cff
PARAMS_country := -p processed_dir '$(call nbpath,$(DATA_DIR)/processed)' -p output_dir '$(call nbpath,$(REPORT_DIR)/countries)' $(YEARS)
# what else a page's notebook reads
INPUTS_cite := CITATION.cff

COUNTRIES := $(filter-out -%,$(file <$(DATA_DIR)/processed/countries.txt))
PAGE_NOTEBOOKS := $(foreach p,$(PAGES),$(REPORT_DIR)/$(p).ipynb)
COUNTRY_NOTEBOOKS := $(foreach c,$(COUNTRIES),$(REPORT_DIR)/countries/$(c).ipynb)
# The rules of the notebooks that are out of date queue them here (the runner's arguments, one
# file each); one command then runs them all in one pool of kernels (helpers.build.notebooks --run-queue).
QUEUE := $(REPORT_DIR)/.queue
enqueue = $(if $(DRY_RUN),,$(shell mkdir -p '$(QUEUE)')$(file >$(QUEUE)/$(1).job,$(2)))
SITE := $(REPORT_DIR)/_site/.built
SITE_SOURCES := $(REPORT_DIR)/_quarto.yml $(REPORT_DIR)/styles.css

.PHONY: help env data refresh notebooks pages report site country lock data-diff diff demo bench test browser-deps clean FORCE

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: EUROSTAT_MIRROR=/path/to/mirror  SOURCE=auto|live|mirror  COUNTRY=ES  JOBS=2"
	@echo "             PAPER_YEAR=2013 LATEST_YEAR=0 (0 = latest with data) UNIT=PC_IND YOUTH_HIGHLIGHT=NL,AT"
	@echo "             COMPARISON=paper|eu27|all (the countries ranked)  QUARTO= (empty: the fallback renderer)"
	@echo "  Every value is checked before anything runs; README, 'What the build refuses'."

env: $(ENV_STAMP) ## Create .venv from the pinned requirements and register the Jupyter kernel

$(VENV)/.installed: requirements.txt requirements.lock pyproject.toml
	@test -x '$(VENV)/bin/python' || '$(PYTHON_BOOTSTRAP)' -m venv '$(VENV)'
	'$(VENV)/bin/pip' install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	'$(VENV)/bin/pip' install --quiet --disable-pip-version-check --no-deps -e .
	'$(VENV)/bin/python' -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch '$@'

.conda-kernel.stamp: pyproject.toml
	'$(PYTHON)' -m pip install --quiet --no-deps -e .
	'$(PYTHON)' -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch '$@'

# data/raw is fetched once; a later EUROSTAT_MIRROR is not read until `make refresh`: say so
RAW_WAS_THERE := $(if $(filter-out $(wildcard $(RAW)),$(RAW)),,1)
data: $(STORE) ## Fetch the Eurostat series (live, or EUROSTAT_MIRROR) and build the tidy store
	@$(if $(and $(RAW_WAS_THERE),$(EUROSTAT_MIRROR)),'$(PYTHON)' -m helpers.store.refresh note-unread-mirror --raw-dir '$(DATA_DIR)/raw')

# Grouped target: one fetch makes all. The fetch stages, tidies and validates before it replaces
# anything, so a bad answer or a bad mirror leaves data/raw as it was.
$(RAW) &: | $(ENV_STAMP)
	@$(FETCH)

$(STORE): $(RAW) notebooks/01_tidy.ipynb $(DATA_CODE) | $(ENV_STAMP)
	@$(RUN) 01_tidy -o '$(REPORT_DIR)/pipeline/01_tidy.ipynb' $(TIDY_DIRS)

refresh: | $(ENV_STAMP) ## Fetch again; a failed fetch keeps the previous data
	@$(FETCH) -p refresh true
	@$(MAKE) --no-print-directory data EUROSTAT_MIRROR=

notebooks: data ## Execute every analysis notebook (pages and one per country) with papermill
	@# when something will run, keep the executed notebooks of this build for `make diff`
	@$(if $(DRY_RUN),:,if $(MAKE) --no-print-directory -n pages | grep -q '^: queued'; then \
	  '$(PYTHON)' -m helpers.build.site keep-previous --report-dir '$(REPORT_DIR)'; fi)
	@$(MAKE) --no-print-directory -j$(JOBS) pages

pages: $(PAGE_NOTEBOOKS) $(COUNTRY_NOTEBOOKS)
	@if ls '$(QUEUE)'/*.job >/dev/null 2>&1; then $(RUN) --run-queue '$(QUEUE)' --jobs '$(JOBS)'; fi

# A parameter file changes only when the parameters do, so Make re-runs only what they feed.
# Written when the Makefile is read (not by a forced rule), so that `make -n` tells the truth;
# under `make -n` nothing is written and a page whose parameters changed is shown as re-run.
PARAMS_CHANGED = $(filter-out $(PARAMS_$(1)),$(file <$(REPORT_DIR)/.params/$(1).txt))$(filter-out $(file <$(REPORT_DIR)/.params/$(1).txt),$(PARAMS_$(1)))$(if $(wildcard $(REPORT_DIR)/.params/$(1).txt),,new)
# `make country` alone never mixes parameters on one site: the other country pages were built
# with the parameters recorded in .params/country.txt; other ones need `make report`.
ifeq ($(filter-out country,$(MAKECMDGOALS)),)
ifneq ($(and $(filter country,$(MAKECMDGOALS)),$(wildcard $(REPORT_DIR)/.params/country.txt),$(call PARAMS_CHANGED,country)),)
$(error make country would build $(COUNTRY) with other parameters (PAPER_YEAR, LATEST_YEAR, UNIT or folders) than the other country pages, and leave a mixed site; run `make report` with the new parameters to rebuild every page, or drop them from `make country`)
endif
endif
ifneq ($(filter notebooks pages report site country,$(or $(MAKECMDGOALS),help)),)
ifeq ($(DRY_RUN),)
$(foreach p,$(PAGES) country,$(if $(call PARAMS_CHANGED,$(p)),$(shell mkdir -p '$(REPORT_DIR)/.params')$(file >$(REPORT_DIR)/.params/$(p).txt,$(PARAMS_$(p)))))
PARAMS_FORCE :=
else
PARAMS_FORCE = $(if $(call PARAMS_CHANGED,$(1)),FORCE)
endif
endif

.SECONDEXPANSION:
$(PAGE_NOTEBOOKS): $(REPORT_DIR)/%.ipynb: notebooks/$$(NOTEBOOK_$$*).ipynb $(STORE) $(ANALYSIS_CODE) $(REPORT_DIR)/.params/%.txt $$(INPUTS_$$*) $$(call PARAMS_FORCE,$$*) | $(ENV_STAMP)
	@: queued $(NOTEBOOK_$*) -o '$@'$(call enqueue,$*,$(NOTEBOOK_$*) -o '$@' $(PARAMS_$*))

# One page per country with data, queued like the others and run in the same pool.
$(COUNTRY_NOTEBOOKS): $(REPORT_DIR)/countries/%.ipynb: notebooks/30_country_profile.ipynb $(STORE) $(ANALYSIS_CODE) $(REPORT_DIR)/.params/country.txt $(call PARAMS_FORCE,country) | $(ENV_STAMP)
	@: queued 30_country_profile -o '$@'$(call enqueue,country-$*,30_country_profile -o '$@' -p country '$*' $(PARAMS_country))

FORCE:

report: notebooks ## Build the HTML report in report/_site (Quarto if installed, else the fallback renderer)
	@$(MAKE) --no-print-directory site
	@$(if $(filter 1,$(LOCK_CHECK)),'$(PYTHON)' -m helpers.store.data_lock check --raw-dir '$(DATA_DIR)/raw',true)
	@echo "report: $(REPORT_DIR)/_site/index.html ($$(find '$(REPORT_DIR)/_site' -name '*.html' -not -path '*/site_libs/*' | wc -l) pages; the kernels' messages are in build.log)"

site: $(SITE)

# Only the pages whose notebooks changed are rendered again ($$? = the newer prerequisites).
CHANGED_PAGES = $(if $(filter-out %.ipynb,$?),,--only $(patsubst $(REPORT_DIR)/%,'%',$(filter %.ipynb,$?)))
$(SITE): $(PAGE_NOTEBOOKS) $(COUNTRY_NOTEBOOKS) $(SITE_SOURCES) CITATION.cff
	@$(if $(QUARTO),,echo "Quarto not found: building the site with the fallback renderer (nbconvert)")
	@'$(PYTHON)' -m helpers.build.site render $(if $(QUARTO),--quarto '$(QUARTO)') --report-dir '$(REPORT_DIR)' \
	  --provenance '$(DATA_DIR)/processed/provenance.json' $(CHANGED_PAGES)
	@touch '$@'

COUNTRY_CODE := $(shell echo '$(COUNTRY)' | tr a-z A-Z)

country: data ## Rebuild one country's page and the country index: make country COUNTRY=ES
	@test -n '$(COUNTRY)' || { echo "usage: make country COUNTRY=ES" >&2; exit 2; }
	@'$(PYTHON)' -m helpers.build.site country '$(COUNTRY_CODE)' $(if $(QUARTO),--quarto '$(QUARTO)') --report-dir '$(REPORT_DIR)' \
	  --provenance '$(DATA_DIR)/processed/provenance.json' $(PARAMS_country)

lock: ## Record the data in data/raw as the lock (data/eurostat.lock), deliberately
	'$(PYTHON)' -m helpers.store.data_lock write --raw-dir '$(DATA_DIR)/raw'

data-diff: data ## What a fresh fetch (or EUROSTAT_MIRROR) changes against the data in use: report/data-diff.md
	'$(PYTHON)' -m helpers.publish.data_diff --raw-dir '$(DATA_DIR)/raw' $${EUROSTAT_MIRROR:+--mirror "$$EUROSTAT_MIRROR"} \
	  --output '$(REPORT_DIR)/data-diff.md'

diff: ## Show how the executed notebooks changed since the previous build (nbdime)
	@cd '$(REPORT_DIR)' && changed=0; for nb in $$(cd .previous 2>/dev/null && find . -name '*.ipynb' | sort); do \
	  if ! cmp -s ".previous/$$nb" "$$nb"; then changed=1; echo "== $$nb"; \
	    '$(abspath $(PYTHON))' -m nbdime diff --ignore-details ".previous/$$nb" "$$nb" 2>/dev/null | head -200; fi; done; \
	  [ $$changed = 1 ] || echo "no notebook changed since the previous build"

# The demo: the whole site from a synthetic mirror the project generates itself, in demo/.
DEMO_DIR := demo
demo: | $(ENV_STAMP) ## Try it offline: build the whole site from generated SYNTHETIC data, in demo/
	'$(PYTHON)' -m helpers.acquire.synthetic_mirror $(DEMO_DIR)/mirror
	@mkdir -p $(DEMO_DIR)/report && cp -p report/_quarto.yml report/styles.css $(DEMO_DIR)/report/
	@$(MAKE) --no-print-directory report DATA_DIR=$(DEMO_DIR)/data REPORT_DIR=$(DEMO_DIR)/report SOURCE=mirror \
	  EUROSTAT_MIRROR=$(DEMO_DIR)/mirror LOCK_CHECK=0
	@echo "demo (SYNTHETIC data, not Eurostat's): $(DEMO_DIR)/report/_site/index.html"

bench: $(ENV_STAMP) ## Benchmark the build on the synthetic mirror (slow; never part of make test): bench/results/
	'$(PYTHON)' bench/run_bench.py --repeat '$(REPEAT)' $${EUROSTAT_MIRROR:+--mirror "$$EUROSTAT_MIRROR"}

test: $(ENV_STAMP) browser-deps ## Run the test suite (unit, end to end, browser)
	'$(PYTHON)' -m pytest

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
	rm -rf '$(DATA_DIR)'/raw/*.tsv* '$(DATA_DIR)'/raw/*.json '$(DATA_DIR)'/processed/*.parquet '$(DATA_DIR)'/processed/*.csv \
	  '$(DATA_DIR)'/processed/*.json '$(DATA_DIR)/processed/countries.txt' '$(REPORT_DIR)'/*.ipynb '$(REPORT_DIR)/countries' \
	  '$(REPORT_DIR)/data' '$(REPORT_DIR)/pipeline' '$(REPORT_DIR)/.params' '$(REPORT_DIR)/_site' '$(REPORT_DIR)/banner.html' \
	  '$(REPORT_DIR)/.previous' '$(REPORT_DIR)/.queue' '$(REPORT_DIR)/data-diff.md'
endif
