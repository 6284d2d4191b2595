# Integriteitsmonitor Rijk — `make run` serves the dashboard, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/integriteit.duckdb
SAMPLES := $(wildcard sample_submissions/*.csv) sample_submissions/ontvangen.tsv

.PHONY: install install-test browser axe pango system fuzz sweep run load test tests check fast-tests durations lint typecheck samples bench clean

install: $(VENV)/.installed $(VENV)/.compiled

# uv (from PyPI, into the venv) installs what pip would, in a fifth of the time (16 s
# against 75 s for a fresh venv with the test packages on this machine); pip is the fallback
# where uv cannot be had or cannot reach an index that pip's own configuration names.
PIP_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python
# The venv is made without pip (its ensurepip took 5 s of a clean clone's set-up); uv comes
# from the system's own pip, aimed at the venv (`pip --python`, pip 22.3 or newer). Where
# that pip is missing or older, or uv cannot install, pip is put into the venv after all.
UV := 'uv>=0.5,<1'
venv_pip = { { $(BIN)/python -m pip --version > /dev/null 2>&1 \
  || $(BIN)/python -m ensurepip --default-pip > /dev/null; } && $(BIN)/python -m pip install --quiet $(1); }

# Bytecode. Where PYTHONDONTWRITEBYTECODE is set (this machine, its CI) no import writes it,
# and every process (each served dashboard, each `python -m etl`) compiled pandas, Streamlit
# and the rest again: 11 s instead of 4 s to import the dashboard. So the installed packages
# are compiled once after each install, all cores, leaving out their own test suites (uv's
# `--compile-bytecode` compiles those too: 29 s of a clean clone's set-up against 20 s), and
# what is left (this project's own modules) is written as it is first imported, into the
# `__pycache__` folders git ignores. A file a package ships that does not compile (a
# template, old syntax) is no reason to stop: it is compiled, or not, when imported.
# Left out as well: what no process of the product or its tests imports (pip, mypy's own
# sources, setuptools, pygments, SciPy but its optimiser and what that needs), half the
# bytes and a third of the time; were one imported after all, its first import writes it.
unexport PYTHONDONTWRITEBYTECODE
NOT_IMPORTED = /tests?/|/site-packages/(mypy|mypyc|pip|setuptools|pkg_resources|pygments|_distutils_hack)/|/scipy/(stats|signal|ndimage|io|interpolate|integrate|fftpack|cluster|odr|datasets|misc|differentiate)/
COMPILE = $(BIN)/python -m compileall -q -j 0 -x '$(NOT_IMPORTED)' \
  "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" > /dev/null \
  || true
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	test -x $(BIN)/uv || $(PYTHON) -m pip --python $(BIN)/python install --quiet $(UV) \
	  || $(call venv_pip,$(UV)) || true
	$(PIP_INSTALL) -e . || $(call venv_pip,-e .)
	touch $@

install-test: $(VENV)/.installed-test $(VENV)/.compiled-test

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP_INSTALL) -e '.[test]' || $(call venv_pip,-e '.[test]')
	touch $@

# The compiling is a step of its own, so what needs no bytecode (ruff, mypy: they read the
# sources) starts while it runs: `make test` starts mypy beside it, not after it (the
# compiling is half waiting for the disk on a clean clone).
$(VENV)/.compiled: $(VENV)/.installed
	$(COMPILE)
	touch $@

$(VENV)/.compiled-test: $(VENV)/.installed-test
	$(COMPILE)
	touch $@

# Load only when a sample is newer than the database, so restarts add no no-op loads to the ledger.
$(DB): $(SAMPLES) | $(VENV)/.installed
	$(BIN)/python -m etl load sample_submissions/ --ontvangstlijst sample_submissions/ontvangen.tsv \
	  --door "make run" --db $(DB)
	touch $@

load: $(DB)

# First start: an account `beheerder` with a random password (printed once) and a cookie
# secret of this machine's own, kept in data/ (never in the repository).
run: install pango $(DB)
	$(BIN)/python -m etl gebruikers init --db $(DB)
	test -s data/cookie_secret || (umask 077; $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > data/cookie_secret)
	STREAMLIT_SERVER_COOKIE_SECRET=$$(cat data/cookie_secret) \
	  $(BIN)/streamlit run dashboard/serve.py --server.port 8501 --server.headless true

# What the tests need from Debian, each with the check that says this machine has it: the
# browser tests drive Chromium's headless shell (Playwright's own download is not reachable
# here; the same engine as Debian's chromium without its window, 59 MB instead of 103 MB to
# fetch and a fifth less CPU per page); the yearly report's PDF is rendered by WeasyPrint,
# which needs Pango; exports are opened in a real spreadsheet, headless LibreOffice Calc;
# npm installs axe-core and the OpenID provider. Whatever is missing comes in one apt-get
# run (a second would wait for the first's lock: `DPkg::Lock::Timeout`, as it does when two
# targets of a parallel make install at once), without what the packages merely recommend:
# 76 packages instead of 173 (printer set-up, Avahi, Samba, Perl's web libraries, udev).
NEED_BROWSER = test -x /usr/bin/chromium-headless-shell || test -x "$${CHROMIUM:-/nonexistent}" \
  || missing="$$missing chromium-headless-shell";
NEED_PANGO = ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0";
NEED_SPREADSHEET = test -x /usr/bin/soffice || missing="$$missing libreoffice-calc-nogui";
NEED_NPM = command -v npm > /dev/null || missing="$$missing npm";
debian = @missing=; $(1) test -z "$$missing" || { \
  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
  apt="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600"; \
  $$apt install $$missing || { $$apt update && $$apt install $$missing; }; }

browser:
	$(call debian,$(NEED_BROWSER))

pango:
	$(call debian,$(NEED_PANGO))

system:
	$(call debian,$(NEED_BROWSER) $(NEED_PANGO) $(NEED_SPREADSHEET) $(NEED_NPM))

# The browser tests measure every page with axe-core and sign in through a real OpenID
# Connect provider (panva's oidc-provider), both from the npm registry, pinned, installed
# in one command (a second `npm install --no-save` would prune the first's packages). Where
# npm is already there this runs beside the apt-get run; otherwise after it (it brings npm).
VENDOR := tests/browser/vendor/.installed-axe-core-4.11.0-oidc-provider-9.13.3
axe: $(VENDOR)

$(VENDOR): | $(if $(shell command -v npm),,system)
	$(call debian,$(NEED_NPM))
	npm install --prefix tests/browser/vendor --no-save --no-package-lock --no-audit --no-fund \
	  axe-core@4.11.0 oidc-provider@9.13.3
	touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two mypy workers: a cold check (a clean clone) in 32 s instead of 56 s.
typecheck: $(VENV)/.installed-test
	$(TYPECHECK_NICE) $(BIN)/mypy --num-workers 2

# Two workers (pytest-xdist), one test file per worker at a time: a module's browser or
# server fixture starts once. The sample database is built once and copied per worker.
# Set-up runs side by side (`-j3`): Debian's packages (fetching and unpacking, a minute on a
# fresh machine) beside the venv, its compiling and the types. The types are checked while
# the rest runs (each job's own exit status), at a lower priority (`nice`): a clean clone's
# cold mypy takes 40 s of CPU, which now go into the moments the packages, the compiling
# and the tests leave a core idle (a browser waiting for a server, a process starting)
# instead of delaying the first test.
test:
	@$(MAKE) --no-print-directory -j3 typecheck tests TYPECHECK_NICE="nice -n 15"

tests: lint system axe install-test
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

# The inner loop: lint, types and every test but the browser tests and the slow ones (half
# a second or more when last measured: tests/durations.json, written by `make durations`).
check: lint pango
	@$(MAKE) --no-print-directory -j2 typecheck fast-tests

fast-tests: install-test
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not slow" --ignore=tests/browser -q

# Every test, as `make test` runs them, storing each one's seconds for `make check`.
durations: lint typecheck system axe
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --store-durations

# Measured, not asserted: figures for this machine, last line `BENCH load_ratio=...`.
bench: install-test browser
	$(BIN)/python -m scripts.bench

# The hardening issue's fuzz run: 10,000 seeded mutated files (a smaller run is in make test).
fuzz: install-test
	$(BIN)/python -m scripts.fuzz

# The disclosure sweep: 500 seeded random survey waves, each planned and attacked as the
# outsider and as every ministry's lead (a few of the same tables are in make test).
sweep: install-test
	$(BIN)/python -m scripts.sweep

samples: install
	$(BIN)/python -m scripts.generate_samples

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .hypothesis
