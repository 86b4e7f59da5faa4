# The two commands in the README: `make demo` and `make test`. `make check` before each commit.
BIN := .venv/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

.PHONY: bootstrap demo test check lint format typecheck migrations-check bench lock clean restore-drill

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	$(MANAGE) migrate --noinput
	$(MANAGE) make_clinic_certificate --if-missing --test-pki
	$(MANAGE) testpki_serve & pki=$$!; sleep 2; $(MANAGE) seed_demo; status=$$?; kill $$pki; exit $$status
	$(MANAGE) run_demo

test: bootstrap
	PATHWAY_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: bootstrap
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: bootstrap
	$(BIN)/mypy config core records consent planning workers demo api interop

migrations-check: bootstrap
	PATHWAY_VAR_DIR=$$(mktemp -d) $(MANAGE) makemigrations --check --dry-run

check: lint typecheck migrations-check test

# Back up a seeded scratch PostgreSQL database and var dir, restore both, verify (README).
restore-drill: bootstrap
	scripts/restore_drill.sh

bench: bootstrap
	$(BIN)/python -m bench

# Re-resolve requirements.lock from pyproject.toml (needs network access to PyPI).
lock: bootstrap
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock

clean:
	rm -rf var .venv .pytest_cache .mypy_cache .ruff_cache
