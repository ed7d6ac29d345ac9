#!/usr/bin/env bash
# Usage: ./scripts/test.sh [pytest arguments]
#
# Install what the tests need (Debian packages, venv/ with the dev lock), make sure
# PostgreSQL runs with the labelmaterial role, then run: ruff, the whole suite on
# PostgreSQL, the suite again on the SQLite default, and the stack tests (tests/stack:
# install_all.sh, then nginx, gunicorn, memcached, RabbitMQ and the operator scripts on
# this machine; they restart services and restore the database, so not on a live site).
# Extra arguments go to pytest (then only one pass runs, e.g. ./scripts/test.sh -k photos).
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
env "${pg_env[@]}" python -m pytest --create-db -q -m "not stack"

say "--- tests on the SQLite default"
env -u DATABASE_URL python -m pytest --create-db -q -m "not e2e and not stack and not browser and not postgresql" -p no:randomly

say "--- stack tests (install_all.sh and the production services)"
python -m pytest -q -m stack -p no:randomly tests/stack

say "All tests passed."
