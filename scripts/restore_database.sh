#!/usr/bin/env bash
# Usage: sudo ./scripts/restore_database.sh [FILE] [--yes]
#
# Replace the database DB_NAME with a backup made by backup_database.sh (default: the
# latest, BACKUP_DIR/pg_dump.sql.gz). Asks first, unless --yes; without a terminal and
# without --yes it refuses. The backup is loaded into a new database first; only when
# it loaded completely are the other sessions ended and the new database put in place
# of the old one, which is dropped. Then migrations run and memcached is flushed.
# A missing, empty or broken file, or any answer but yes, changes nothing (exit 1).
# gunicorn and Celery reconnect by themselves; a request during the swap may fail.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

file="" yes=false
for arg in "$@"; do
  case "$arg" in
    --yes) yes=true ;;
    -*) usage ;;
    *) [ -z "$file" ] || usage; file="$arg" ;;
  esac
done
require_root "it reads the backups and the database password"
load_config
file="${file:-$PSQL_DUMP_FILE}"

[ -e "$file" ] || die "no backup at $file; nothing was changed"
[ -s "$file" ] || die "$file is empty; nothing was changed"
gzip --test "$file" 2>/dev/null || die "$file is not a complete gzip file; nothing was changed"

say "This replaces the database $DB_NAME on $DB_HOST:$DB_PORT with $file"
say "(made $(date -r "$file" '+%Y-%m-%d %H:%M:%S')). Every change since that backup is lost."
if ! $yes; then
  confirm "Restore $file into $DB_NAME?" || die "nothing was changed"
fi

staging="${DB_NAME}_restoring"
replaced="${DB_NAME}_replaced"
drop_staging() { db_psql postgres -c "DROP DATABASE IF EXISTS \"$staging\"" 2>/dev/null || true; }

# 1. Load into a new database: a dump that fails half-way leaves the site's untouched.
db_psql postgres -c "DROP DATABASE IF EXISTS \"$staging\""
db_psql postgres -c "DROP DATABASE IF EXISTS \"$replaced\""
db_psql postgres -c "CREATE DATABASE \"$staging\" OWNER \"$DB_USER\" ENCODING 'UTF8' TEMPLATE template0"
say "Loading $file ..."
if ! gunzip --stdout "$file" | db_psql "$staging" --single-transaction >/dev/null; then
  drop_staging
  die "$file did not load (see above); nothing was changed"
fi

# 2. Swap: refuse new connections to the old database, end its sessions, rename.
db_psql postgres -c "ALTER DATABASE \"$DB_NAME\" ALLOW_CONNECTIONS false"
swapped=false
for _ in $(seq 20); do
  if db_psql postgres >/dev/null 2>&1 <<SQL; then
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
 WHERE datname = '$DB_NAME' AND pid <> pg_backend_pid();
ALTER DATABASE "$DB_NAME" RENAME TO "$replaced";
SQL
    swapped=true
    break
  fi
  sleep 0.5
done
if ! $swapped; then
  db_psql postgres -c "ALTER DATABASE \"$DB_NAME\" ALLOW_CONNECTIONS true"
  drop_staging
  die "sessions of another role keep $DB_NAME open; nothing was changed:
$(db_psql postgres -A -t -c "SELECT usename, application_name, client_addr FROM pg_stat_activity WHERE datname = '$DB_NAME'")"
fi
db_psql postgres -c "ALTER DATABASE \"$staging\" RENAME TO \"$DB_NAME\""
db_psql postgres -c "DROP DATABASE \"$replaced\""
say "Restored $DB_NAME from $file."

# 3. Bring the schema up to this code, and forget pages rendered from the old rows.
"$ROOT/scripts/manage.sh" migrate --noinput
"$ROOT/scripts/flush_memcached.sh"
