#!/usr/bin/env bash
# Usage: ./scripts/test.sh [pytest arguments]
#
# Install what the tests need (Debian packages, venv/ with the dev lock), make sure
# PostgreSQL runs with the labelmaterial role, then run: ruff, the whole suite on
# PostgreSQL, and the suite again on the SQLite default. Extra arguments go to pytest
# (then only the PostgreSQL pass runs, e.g. ./scripts/test.sh -k photos).
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/postgres.sh"

[ "$(id -u)" -eq 0 ] || die "run as root: the tests install packages and start services"

# chromium: the browser tests (driven by Playwright with Debian's build, never a download).
apt_install postgresql postgresql-client rabbitmq-server chromium
ensure_venv requirements-dev.lock
ensure_postgres_running
ensure_database

cd "$ROOT"
export PATH="$VENV_DIR/bin:$PATH"

say "--- ruff"
ruff check --quiet .
ruff format --check --quiet .

pg_env=(DATABASE_URL="$(database_url)" DATABASE_PASSWORD_FILE="$DB_PASSWORD_FILE")

if [ $# -gt 0 ]; then
  exec env "${pg_env[@]}" python -m pytest "$@"
fi

say "--- tests on PostgreSQL"
env "${pg_env[@]}" python -m pytest --create-db -q

say "--- tests on the SQLite default"
env -u DATABASE_URL python -m pytest --create-db -q -m "not e2e and not stack and not browser and not postgresql" -p no:randomly

say "All tests passed."
