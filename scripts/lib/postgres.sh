# PostgreSQL helpers: make sure a server runs and the labelmaterial role and database exist.
# Source after lib/common.sh. Runs as root (uses runuser to act as the postgres account).

DB_NAME="${DB_NAME:-labelmaterial}"
DB_USER="${DB_USER:-labelmaterial}"
DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-5432}"
SECRETS_DIR="${SECRETS_DIR:-$ROOT/secrets}"
DB_PASSWORD_FILE="${DB_PASSWORD_FILE:-$SECRETS_DIR/db-password}"

as_postgres() { runuser -u postgres -- "$@"; }

psql_admin() { as_postgres psql -v ON_ERROR_STOP=1 -q -X -d postgres "$@"; }

# Start the local cluster if it is installed but down; install PostgreSQL if missing.
ensure_postgres_running() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local version cluster status
  while read -r version cluster _ status _; do
    [ "$version" = "Ver" ] && continue
    if [ "$status" != "online" ]; then
      say "Starting PostgreSQL $version/$cluster ..."
      pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
    fi
  done < <(pg_lsclusters)
  local start=$SECONDS
  until as_postgres pg_isready -q -h "$DB_HOST" -p "$DB_PORT"; do
    [ $((SECONDS - start)) -lt 30 ] || die "PostgreSQL does not answer on $DB_HOST:$DB_PORT"
    sleep 1
  done
}

# Print the database password, creating it (0600, outside git) on first use.
db_password() {
  if [ ! -s "$DB_PASSWORD_FILE" ]; then
    mkdir -p "$(dirname "$DB_PASSWORD_FILE")"
    chmod 700 "$(dirname "$DB_PASSWORD_FILE")"
    (umask 077; head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$DB_PASSWORD_FILE")
  fi
  cat "$DB_PASSWORD_FILE"
}

# Create the role (LOGIN, CREATEDB for test databases) and the database if missing.
ensure_database() {
  local password
  password="$(db_password)"
  psql_admin -v user="$DB_USER" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" WITH LOGIN CREATEDB PASSWORD :'password';
SQL
  if ! as_postgres psql -X -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    as_postgres createdb --owner "$DB_USER" --encoding UTF8 --template template0 "$DB_NAME"
  fi
}

# The DATABASE_URL for the application (the password is passed in DATABASE_PASSWORD_FILE).
database_url() { printf 'postgres://%s@%s:%s/%s' "$DB_USER" "$DB_HOST" "$DB_PORT" "$DB_NAME"; }
