# Two commands for users: `make figures` and `make test` (see README).
# The first run builds .venv from the pinned requirements.lock (uv when it can be
# installed from PyPI, plain pip otherwise), with every module compiled to bytecode once:
# where PYTHONDONTWRITEBYTECODE is set (as on this project's CI machines) Python would
# otherwise compile pandas, matplotlib, scipy ... from source in every kernel and test
# process (benchmarks/bench_imports.py measures both; figures in the README).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
# the project's Jupyter configuration inside the venv; rewritten whenever this Makefile changes, so an
# existing venv gets new settings without a reinstall
JCONF   = $(VENV)/etc/jupyter/labconfig/page_config.json
# marks a venv whose installed packages are compiled to bytecode (also venvs built before that)
BYTECODE = $(VENV)/.bytecode
UV_VERSION = 0.13.8

.PHONY: figures test env hooks lock benchmark clean-cache

env: $(STAMP) $(JCONF) $(BYTECODE)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed-*
	@if $(BIN)/python -m pip install -q "uv==$(UV_VERSION)" 2>/dev/null; then \
	  echo "installing pinned dependencies with uv"; \
	  $(BIN)/python -m uv pip install -q -p $(BIN)/python -r requirements.lock && \
	  $(BIN)/python -m uv pip install -q -p $(BIN)/python --no-deps -e . ; \
	else \
	  echo "uv unavailable: installing pinned dependencies with pip"; \
	  $(BIN)/python -m pip install -q -r requirements.lock && \
	  $(BIN)/python -m pip install -q --no-deps -e . ; \
	fi
	@touch $@
	@$(MAKE) --no-print-directory hooks

$(BYTECODE): $(STAMP)
	@echo "compiling the installed packages to bytecode (once per install)"
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null
	@touch $@

$(JCONF): Makefile $(STAMP)
	@mkdir -p $(VENV)/etc/jupyter && printf '%s\n' \
	  "# written by make env: this project's notebooks are saved without outputs (analysis/workflow/jupyter_hook.py)" \
	  "from analysis.workflow.jupyter_hook import strip_on_save" \
	  "c.ContentsManager.pre_save_hook = strip_on_save" > $(VENV)/etc/jupyter/jupyter_server_config.py
	@# JupyterLab's "get notified about official Jupyter news?" pop-up covers the explorer: never ask, never fetch
	@mkdir -p $(VENV)/share/jupyter/lab/settings $(VENV)/etc/jupyter/labconfig
	@printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	@printf '%s\n' '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}' \
	  > $(VENV)/etc/jupyter/labconfig/page_config.json

# Notebook outputs never reach git: .gitattributes routes *.ipynb through the nbstripout
# filter defined here (per clone; README "Notebooks and git").
NBSTRIPOUT_OPTS = --keep-id --extra-keys '$(foreach k,codemirror_mode file_extension mimetype nbconvert_exporter pygments_lexer version,metadata.language_info.$(k))'
hooks:
	@if git rev-parse --git-dir >/dev/null 2>&1 && test -x $(BIN)/nbstripout; then \
	  git config filter.nbstripout.clean "'$(abspath $(BIN))/python' -m nbstripout $(NBSTRIPOUT_OPTS)" && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv "'$(abspath $(BIN))/python' -m nbstripout $(NBSTRIPOUT_OPTS) -t" && \
	  echo "git filter nbstripout configured: notebook outputs are stripped on commit"; \
	fi

# FIGURES_ARGS: e.g. --force, --only 02_periods, --figures-dir /tmp/figs --force-outside (see analysis/workflow/build.py)
# A local copy of the 新闻联播 transcripts (notebook 05) is used when one sits beside the checkout, as in
# this project's CI (../shared/mirror/...); otherwise the downloader fetches the pinned files once into the
# user cache.  An explicit COVID_DISCOURSE_XWLB_MIRROR in the environment wins.
XWLB_MIRROR_GUESS := $(wildcard ../shared/mirror/Felix-Jung/xin-wen-lian-bo/023828c95ca6990c15bf3bedf8339954000ff34a)
ifneq ($(XWLB_MIRROR_GUESS),)
export COVID_DISCOURSE_XWLB_MIRROR ?= $(abspath $(XWLB_MIRROR_GUESS))
endif
# The same for the OxCGRT policy indices (notebook 08); COVID_DISCOURSE_OXCGRT_MIRROR wins.
OXCGRT_MIRROR_GUESS := $(wildcard ../shared/mirror/OxCGRT/covid-policy-dataset/e7f66ee39654293b5c068efd2f195bd591dc27f6)
ifneq ($(OXCGRT_MIRROR_GUESS),)
export COVID_DISCOURSE_OXCGRT_MIRROR ?= $(abspath $(OXCGRT_MIRROR_GUESS))
endif

# analysis/ is compiled too (a few hundred ms), so the kernels do not each compile it
figures: $(STAMP) $(JCONF) $(BYTECODE)
	@$(BIN)/python -m compileall -q analysis >/dev/null
	@$(BIN)/python -m analysis.build $(FIGURES_ARGS)

# TEST_JOBS pytest-xdist workers (0: one process).  --dist loadfile keeps each test file on one
# worker, so a file's module- and session-scoped fixtures (the notebook run of tests/test_notebooks.py,
# the JupyterLab of tests/test_browser.py) are built once; xdist_group marks would be finer, but
# --dist loadgroup ignores them under pytest 9.2 (pytest-xdist issue 1386).
TEST_JOBS ?= 2
test: $(STAMP) $(JCONF) $(BYTECODE)
	@$(BIN)/python -m compileall -q analysis >/dev/null
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile

benchmark: $(STAMP) $(JCONF) $(BYTECODE)
	$(BIN)/python benchmarks/bench_imports.py
	$(BIN)/python benchmarks/bench_segmentation.py
	$(BIN)/python benchmarks/bench_figures.py
	$(BIN)/python benchmarks/bench_browser.py
	$(BIN)/python benchmarks/bench_backends.py
	$(BIN)/python benchmarks/bench_matrix.py
	$(BIN)/python benchmarks/bench_bounded_parsing.py
	$(BIN)/python benchmarks/bench_tables.py
	$(BIN)/python benchmarks/bench_echo.py
	$(BIN)/python benchmarks/bench_collocations.py

# Regenerate requirements.lock after editing pyproject.toml (needs uv), then
# update environment.yml to match (tests/test_environment.py tells what differs).
lock: $(STAMP)
	$(BIN)/python -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -q -o requirements.lock

clean-cache:
	rm -rf .cache
