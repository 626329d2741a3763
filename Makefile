# Social Media Use by Governments (OECD, 2014) reproduced with Eurostat's ICT usage statistics.
# `make help` lists the targets. Without conda, the first target that needs Python builds .venv.

# GNU Make 4.3 or newer (grouped targets `&:`, `$(file <...)`); macOS ships 3.81. Checked first, in
# words make 3.81 reads, before any line it could not parse.
override MAKE_VERSION_WORDS := $(subst ., ,$(MAKE_VERSION))
ifneq ($(filter 0 1 2 3,$(word 1,$(MAKE_VERSION_WORDS)))$(filter 4.0 4.1 4.2,$(word 1,$(MAKE_VERSION_WORDS)).$(word 2,$(MAKE_VERSION_WORDS))),)
$(error this build needs GNU Make 4.3 or newer, not $(MAKE_VERSION): install conda-forge's make (conda install -c conda-forge make, then make report) or Homebrew's (brew install make, then gmake report))
endif

# the variables given on the command line, before anything else is assigned (the check refuses
# those that are not settings); then what the check itself runs with, out of a command line's reach
override COMMAND_LINE := $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $v)),$v))
override SHELL := /bin/bash
override .SHELLFLAGS := -c
.DEFAULT_GOAL := help

# ----------------------------------------------------------------------------- the settings
# Every value a user may set (`make help`; README, "Parameters") is checked once, in Python, when
# this file is read, `make -n` included (helpers.pipeline.parameters): a bad value stops make with one
# line naming the variable and what it accepts; a variable that is not a setting is refused too.
# Values given on the command line reach the check quoted, never expanded ($(value ...)); the
# check gives back the settings as NAME=value words made of characters that mean nothing to make
# or a shell, and writes each page's parameter file when its text changes. Recipes read every
# setting from the environment, quoted ("$$PAPER_YEAR"), never from their own text.
# The check and the lock use the standard library only (-S: no site-packages). Once .venv exists its
# interpreter is used: `python3` may be a pyenv shim, which costs 0.2-0.3 s a call (about twenty bash
# processes), and a build calls the check once per make (five times in a no-op `make report`).
override CONTRACT_PYTHON := $(if $(wildcard .venv/bin/python),.venv/bin/python -S,python3 -S)
override quote = '$(subst ','\'',$1)'
override DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))
override SETTINGS := $(shell cd $(call quote,$(CURDIR)) && PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.pipeline.parameters make \
  --goals $(call quote,$(value MAKECMDGOALS)) --dry-run '$(DRY_RUN)' \
  $(foreach v,$(COMMAND_LINE),--set $(call quote,$v) $(call quote,$(value $v))) 2>&1 \
  || echo "error: the settings could not be checked: $(CONTRACT_PYTHON) (Python 3.11 or newer) is needed")
ifneq ($(filter error:,$(firstword $(SETTINGS))),)
$(error $(wordlist 2,$(words $(SETTINGS)),$(SETTINGS)))
endif
$(foreach setting,$(SETTINGS),$(eval override $(setting)))
SETTING_NAMES := $(foreach setting,$(SETTINGS),$(firstword $(subst =, ,$(setting))))
# the mirror is any folder: never echoed into make's text, exported as given
override EUROSTAT_MIRROR := $(value EUROSTAT_MIRROR)
export EUROSTAT_MIRROR $(filter-out NOTEBOOK_% PARAMS_CHANGED LOCK_HELD,$(SETTING_NAMES))

KERNEL := oecd-social-media

# ----------------------------------------------------------------------------- one build at a time
# Two builds in one clone at once (say with different parameters) would leave a mixed site. The
# building targets therefore run under a lock: make re-runs itself as the child of a process that
# holds it (helpers.pipeline.build_lock), and a second build refuses at once with one line. The make inside
# knows it holds the lock only by proof (LOCK_HELD from the check above: the open file that holds the
# lock, inherited, can take it again; no /proc): no variable can skip it.
LOCKED_GOALS := data refresh notebooks pages report site country briefs every-brief lock data-diff demo clean release
ifeq ($(LOCK_HELD)$(DRY_RUN),)
ifneq ($(filter $(LOCKED_GOALS),$(MAKECMDGOALS)),)
LOCK_WRAPPER := 1
endif
endif

ifdef LOCK_WRAPPER
.PHONY: $(MAKECMDGOALS)
$(firstword $(MAKECMDGOALS)):
	@PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.pipeline.build_lock run -- $(MAKE) --no-print-directory $(MAKECMDGOALS)
$(filter-out $(firstword $(MAKECMDGOALS)),$(MAKECMDGOALS)):
	@:
else
# ----------------------------------------------------------------------------- the build

RUN := "$$PYTHON" -m helpers.pipeline.notebook_command
DATASETS := isoc_ci_ac_i isoc_ci_ifp_iu isoc_ci_in_h isoc_ciegi_ac DSD_ICT_HH_IND@DF_IND
RAW := $(foreach d,$(DATASETS),$(DATA_DIR)/raw/$(d).provenance.json)
STORE := $(DATA_DIR)/processed/ict_usage.parquet
# what the kernels print (library warnings, ipykernel's notices) goes here, not to the terminal
# (beside the Makefile, not in the report: a log is not an output)
export OECD_BUILD_LOG := $(CURDIR)/build.log
# the runner makes the folders relative to notebooks/ (where the notebooks run) and the mirror absolute
FETCH := $(RUN) 00_fetch -o "$$REPORT_DIR/pipeline/00_fetch.ipynb" -P raw_dir "$$DATA_DIR/raw" -p source "$$SOURCE" \
  -P mirror "$$EUROSTAT_MIRROR"
# the OECD's data not fetched (the build goes on without it, or with its previous data): one line
SAY_FETCH_NOTES := "$$PYTHON" -m helpers.store.refresh say-fetch-notes --raw-dir "$$DATA_DIR/raw"
# What each notebook's page depends on beyond its notebook: the modules it imports, directly or through
# others, and the catalogue files they read (CODE_<notebook>), read from the code by
# helpers.pipeline.prerequisites into a file make includes; CODE_site is what renders the site, CODE_article
# what assembles the article. The file is written again when a module or a notebook changes (make then
# reads itself again).
PREREQUISITES := $(REPORT_DIR)/.prerequisites.mk
$(PREREQUISITES): $(wildcard src/helpers/*.py src/helpers/*/*.py src/helpers/*/*.toml notebooks/*.ipynb)
	@PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.pipeline.prerequisites --output '$@'
# Read only by the goals that build pages (not by `make clean`, which would write it again after removing
# it, nor by `make release`, which builds nothing).
PREREQUISITE_GOALS := data refresh notebooks pages report site country briefs every-brief
ifneq ($(filter $(PREREQUISITE_GOALS),$(MAKECMDGOALS)),)
-include $(PREREQUISITES)
endif

# The pages and their notebooks come from the check above (NOTEBOOK_<page>); each page's
# parameters are in $(REPORT_DIR)/.params/<page>.json, written there when their text changes.
PAGES := $(patsubst NOTEBOOK_%,%,$(filter NOTEBOOK_%,$(SETTING_NAMES)))
PARAMS = $(REPORT_DIR)/.params/$(1).json
# what else a page's notebook reads
INPUTS_cite := CITATION.cff

COUNTRIES := $(filter-out -%,$(file <$(DATA_DIR)/processed/countries.txt))
# the countries Eurostat does not survey, with the OECD's data: pages of their own notebook
OECD_COUNTRIES := $(filter-out -%,$(file <$(DATA_DIR)/processed/oecd_countries.txt))
PAGE_NOTEBOOKS := $(foreach p,$(PAGES),$(REPORT_DIR)/$(p).ipynb)
COUNTRY_NOTEBOOKS := $(foreach c,$(COUNTRIES),$(REPORT_DIR)/countries/$(c).ipynb)
OECD_COUNTRY_NOTEBOOKS := $(foreach c,$(OECD_COUNTRIES),$(REPORT_DIR)/countries/$(c).ipynb)
# The rules of the notebooks that are out of date queue them here (one file each, naming the
# page); one command then runs them all in one pool of kernels (helpers.pipeline.notebook_command --run-queue),
# each with its page's parameter file.
QUEUE := $(REPORT_DIR)/.queue
enqueue = $(if $(DRY_RUN),,$(shell mkdir -p '$(QUEUE)')$(file >$(QUEUE)/$(1).job,$(2)))
# The renderer is an input of the site: the stamp names it (helpers.pipeline.site.renderer_in_use), so a
# build after Quarto appeared or vanished finds no stamp and renders every page again with the renderer now in use.
SITE := $(REPORT_DIR)/_site/.built-$(if $(QUARTO),quarto,fallback)
SITE_SOURCES := $(REPORT_DIR)/_quarto.yml $(REPORT_DIR)/styles.css
# The article (PDF with Quarto, and a web page) holds these pages' cells; it is assembled again,
# and the PDF rendered again, only when one of them changed.
ARTICLE := $(REPORT_DIR)/article.ipynb
ARTICLE_PARTS := $(foreach p,index youth-civic education-gaps senior-uptake other-figures data-and-methods countries,$(REPORT_DIR)/$(p).ipynb)
# A country's brief (PDF, with Quarto: helpers.render.brief) is made from its executed notebook. Briefs are
# made only when asked for (`make briefs`, `make country`); a brief once made is made again when its page
# changed, before the site is rendered (the page links it). With nothing to make, none costs anything.
BRIEFS := $(foreach c,$(COUNTRIES) $(OECD_COUNTRIES),$(REPORT_DIR)/briefs/$(c).pdf)
WANTED_BRIEFS := $(if $(QUARTO),$(if $(filter every-brief,$(MAKECMDGOALS)),$(BRIEFS),$(filter $(wildcard $(REPORT_DIR)/briefs/*.pdf),$(BRIEFS))))

.PHONY: help env data refresh notebooks pages report site country briefs every-brief lock release data-diff diff demo lab bench lint test browser-deps clean FORCE

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Settings (NAME=value on the command line or in the environment; docs/parameters.md):"
	@PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.pipeline.parameters list | sed 's/^/    /'

env: $(ENV_STAMP) ## Create .venv from the pinned requirements and register the Jupyter kernel

# uv installs the same pinned versions (requirements.lock pins every package) in seconds where pip
# takes over a minute (docs/performance.md); it compiles the bytecode as pip does, so that the first
# kernel does not; where uv cannot be installed or fails, pip does the work.
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

# data/raw is fetched once; a later EUROSTAT_MIRROR is not read until `make refresh`: say so
RAW_WAS_THERE := $(if $(filter-out $(wildcard $(RAW)),$(RAW)),,1)
data: $(STORE) ## Fetch the Eurostat series (live, or EUROSTAT_MIRROR) and build the tidy store
	@$(if $(RAW_WAS_THERE),[ -z "$$EUROSTAT_MIRROR" ] || "$$PYTHON" -m helpers.store.refresh note-unread-mirror --raw-dir "$$DATA_DIR/raw")

# Grouped target: one fetch makes all. The fetch stages, tidies and validates before it replaces
# anything, so a bad answer or a bad mirror leaves data/raw as it was.
$(RAW) &: | $(ENV_STAMP)
	@$(FETCH)
	@$(SAY_FETCH_NOTES)

# the tidy store (data/processed), from the raw data by 01_tidy, again when its code changed
$(STORE): $(RAW) notebooks/01_tidy.ipynb $(CODE_01_tidy) | $(ENV_STAMP)
	@$(RUN) 01_tidy -o "$$REPORT_DIR/pipeline/01_tidy.ipynb" -P raw_dir "$$DATA_DIR/raw" -P processed_dir "$$DATA_DIR/processed"

refresh: | $(ENV_STAMP) ## Fetch again; a failed fetch keeps the previous data
	@$(FETCH) -p refresh true
	@$(SAY_FETCH_NOTES)
	@$(MAKE) --no-print-directory data EUROSTAT_MIRROR=

# The notebooks' rules are read by a make of their own, after `data` wrote the list of countries.
# A build killed half-way left the job files of the notebooks it had not reported yet: they are
# removed first, and the rules queue again exactly those still out of date (a finished notebook's
# copy is newer than its inputs).
notebooks: data ## Execute every analysis notebook (pages and one per country) with papermill
	@rm -f "$$REPORT_DIR"/.queue/*.job
	@$(MAKE) --no-print-directory -j"$$JOBS" pages

# When something is queued, the executed notebooks of the build before are kept for `make diff`.
pages: $(PAGE_NOTEBOOKS) $(COUNTRY_NOTEBOOKS) $(OECD_COUNTRY_NOTEBOOKS)
	@if ls "$$REPORT_DIR"/.queue/*.job >/dev/null 2>&1; then \
	  "$$PYTHON" -m helpers.pipeline.site keep-previous --report-dir "$$REPORT_DIR" && \
	  $(RUN) --run-queue "$$REPORT_DIR/.queue" --jobs "$$JOBS"; fi

# Under `make -n` no parameter file is written: the pages whose parameters changed are forced.
PARAMS_FORCE = $(if $(and $(DRY_RUN),$(filter $(1),$(subst $(comma), ,$(PARAMS_CHANGED)))),FORCE)
comma := ,
# a page's parameter file is written by the settings check, never by a rule
$(REPORT_DIR)/.params/%.json: ;

# a page's executed notebook: queued when its notebook, the store, its code or its parameters changed
.SECONDEXPANSION:
$(PAGE_NOTEBOOKS): $(REPORT_DIR)/%.ipynb: notebooks/$$(NOTEBOOK_$$*).ipynb $(STORE) $$(CODE_$$(NOTEBOOK_$$*)) $$(call PARAMS,$$*) $$(INPUTS_$$*) $$(call PARAMS_FORCE,$$*) | $(ENV_STAMP)
	@: queued $(NOTEBOOK_$*) -o '$@'$(call enqueue,$*,$*)

# One page per country with data, queued like the others and run in the same pool.
$(COUNTRY_NOTEBOOKS): $(REPORT_DIR)/countries/%.ipynb: notebooks/30_country_profile.ipynb $(STORE) $(CODE_30_country_profile) $(call PARAMS,country) $(call PARAMS_FORCE,country) | $(ENV_STAMP)
	@: queued 30_country_profile -o '$@'$(call enqueue,country-$*,country $*)

# the pages of Korea, Japan and the United States, from their own notebook on the OECD's data
$(OECD_COUNTRY_NOTEBOOKS): $(REPORT_DIR)/countries/%.ipynb: notebooks/32_oecd_country.ipynb $(STORE) $(CODE_32_oecd_country) $(call PARAMS,oecd-country) $(call PARAMS_FORCE,oecd-country) | $(ENV_STAMP)
	@: queued 32_oecd_country -o '$@'$(call enqueue,oecd-country-$*,oecd-country $*)

# a prerequisite that is always out of date (a page whose parameters changed, under make -n)
FORCE:

# The site is rendered by a make of its own, which sees the notebooks as the queue left them.
report: notebooks ## Build the report in report/_site: the HTML site, and the PDF article with Quarto (else the fallback renderer, no PDF)
	@$(MAKE) --no-print-directory site
	@# the data lock's check uses the standard library only (-S: no site-packages to read)
	@[ "$$LOCK_CHECK" = 0 ] || PYTHONPATH=src $(CONTRACT_PYTHON) -m helpers.store.data_lock check --data-dir "$$DATA_DIR"
	@echo "report: $$REPORT_DIR/_site/index.html ($$(( $$(find "$$REPORT_DIR/_site" -name '*.html' -not -path '*/site_libs/*' | wc -l) )) pages$$( \
	  [ -f "$$REPORT_DIR/_site/article.pdf" ] && echo "; the PDF article: $$REPORT_DIR/_site/article.pdf"); the kernels' messages are in build.log)"

# the site alone, from the executed notebooks as they are
site: $(SITE)

# Only the pages whose notebooks changed are rendered again ($$? = the newer prerequisites; a new brief
# stands for its country's page, which links it).
SITE_CHANGES = $(sort $(patsubst $(REPORT_DIR)/briefs/%.pdf,$(REPORT_DIR)/countries/%.ipynb,$?))
CHANGED_PAGES = $(if $(filter-out %.ipynb,$(SITE_CHANGES)),,--only $(patsubst $(REPORT_DIR)/%,'%',$(filter %.ipynb,$(SITE_CHANGES))))
$(ARTICLE): $(ARTICLE_PARTS) CITATION.cff $(CODE_article) | $(ENV_STAMP)
	@"$$PYTHON" -m helpers.pipeline.site article --report-dir "$$REPORT_DIR" --provenance "$$DATA_DIR/processed/provenance.json"

# one country's brief (PDF), from its executed page, again when the page or the brief's code changed
$(BRIEFS): $(REPORT_DIR)/briefs/%.pdf: $(REPORT_DIR)/countries/%.ipynb CITATION.cff $(CODE_brief) | $(ENV_STAMP)
	@"$$PYTHON" -m helpers.pipeline.site brief $* --report-dir "$$REPORT_DIR" --provenance "$$DATA_DIR/processed/provenance.json"

# the site (and the PDF article with Quarto): its stamp names the renderer, so a new renderer renders it all
$(SITE): $(PAGE_NOTEBOOKS) $(COUNTRY_NOTEBOOKS) $(OECD_COUNTRY_NOTEBOOKS) $(ARTICLE) $(SITE_SOURCES) CITATION.cff $(CODE_site) $(WANTED_BRIEFS)
	@[ -n "$$QUARTO" ] || echo "Quarto not found: building the site with the fallback renderer; the PDF article needs Quarto (docs/building.md)"
	@"$$PYTHON" -m helpers.pipeline.site render --report-dir "$$REPORT_DIR" --provenance "$$DATA_DIR/processed/provenance.json" \
	  $(CHANGED_PAGES)
	@touch '$@'

# every country's brief, JOBS at a time, then the report, whose site links them
briefs: notebooks ## Write every country's brief (PDF, with Quarto) in report/briefs/, linked from its page: report/_site/briefs/
	@if [ -n "$$QUARTO" ]; then $(MAKE) --no-print-directory -j"$$JOBS" every-brief; else "$$PYTHON" -m helpers.pipeline.site brief; fi
	@$(MAKE) --no-print-directory report

# the briefs wanted (all of them for `make briefs`)
every-brief: $(WANTED_BRIEFS)

country: data ## Rebuild one country's page, its brief (with Quarto) and the country index: make country COUNTRY=ES
	@[ -n "$$COUNTRY" ] || { echo "usage: make country COUNTRY=ES" >&2; exit 2; }
	@"$$PYTHON" -m helpers.pipeline.worker country "$$COUNTRY" --report-dir "$$REPORT_DIR" \
	  --provenance "$$DATA_DIR/processed/provenance.json"

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

# The demo: the whole site from a synthetic mirror the project generates itself, in demo/.
DEMO_DIR := demo
demo: | $(ENV_STAMP) ## Try it offline: build the whole site from generated SYNTHETIC data, in demo/
	"$$PYTHON" -m helpers.acquire.synthetic_mirror $(DEMO_DIR)/mirror
	@mkdir -p $(DEMO_DIR)/report && cp -p report/_quarto.yml report/styles.css $(DEMO_DIR)/report/
	@$(MAKE) --no-print-directory report DATA_DIR=$(DEMO_DIR)/data REPORT_DIR=$(DEMO_DIR)/report SOURCE=mirror \
	  EUROSTAT_MIRROR=$(DEMO_DIR)/mirror LOCK_CHECK=0
	@echo "demo (SYNTHETIC data, not Eurostat's): $(DEMO_DIR)/report/_site/index.html"

# JupyterLab on notebooks/, where the notebooks run, with the project's kernel. Its kernels are not the
# runner's (no OECD_REPORT_BUILD): outputs come in the Markdown JupyterLab renders (docs/building.md)
lab: $(ENV_STAMP) ## Open JupyterLab on notebooks/ with the project's kernel, to re-run a notebook by hand
	"$$PYTHON" -m jupyterlab --ServerApp.root_dir=notebooks --MappingKernelManager.default_kernel_name=$(KERNEL)

bench: $(ENV_STAMP) ## Benchmark the build on the synthetic mirror (slow; never part of make test): bench/results/
	"$$PYTHON" bench/run_bench.py --repeat "$$REPEAT" $${EUROSTAT_MIRROR:+--mirror "$$EUROSTAT_MIRROR"}

# ruff and black over every source folder, named (tests/test_source_tree.py: neither skips a file)
lint: $(ENV_STAMP) ## Check the code with ruff and black (src, tests, bench); `black src tests bench` formats it
	"$$PYTHON" -m ruff check src tests bench
	"$$PYTHON" -m black --check --quiet src tests bench

test: $(ENV_STAMP) browser-deps ## Run the test suite (unit, end to end, browser)
	"$$PYTHON" -m pytest

# The browser test needs Debian's Chromium; install it where we can (root with apt-get),
# otherwise the test says why it is skipped. Its accessibility check needs axe-core, pinned in
# tests/browser/package-lock.json and installed from npm into tests/browser/node_modules.
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-deps: $(AXE)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and chromium-driver for the browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null \
	    || echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium not found and cannot be installed here: the browser test will be skipped"; fi

# axe-core for the browser test's accessibility check, from npm at the pinned version
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent \
	  || echo "could not install axe-core from npm: the accessibility check will be skipped"; \
	else echo "npm not found: the accessibility check (axe-core) will be skipped"; fi

# DATA_DIR and REPORT_DIR were checked to be folders inside the clone (never /, ., or ..).
clean: ## Remove fetched data, executed notebooks and the built site (keeps .venv)
	@[ ! -x "$$PYTHON" ] || "$$PYTHON" -m helpers.pipeline.worker stop --report-dir "$$REPORT_DIR" >/dev/null
	@# everything fetched and derived, both sources' and the staging folders of a fetch cut short; kept:
	@# the READMEs and the OECD's download ledger (it counts the requests the OECD still remembers)
	cd "$$DATA_DIR" 2>/dev/null && find raw processed -mindepth 1 -maxdepth 1 ! -name README.md \
	  ! -name .oecd-downloads.json -exec rm -rf {} + 2>/dev/null; true
	cd "$$REPORT_DIR" 2>/dev/null && rm -rf ./*.ipynb countries data pipeline .params _site _site.new _site.old .quarto-parts .worker banner.html .previous .queue briefs .prerequisites.mk \
	  data-diff.md ./*_files .quarto; true
endif
