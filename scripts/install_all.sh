#!/usr/bin/env bash
# Usage: sudo ./scripts/install_all.sh
#
# Install and start the production stack on this Debian or Ubuntu machine, as root:
# nginx -> gunicorn (under supervisor) -> Django, PostgreSQL (role and database
# labelmaterial), memcached, RabbitMQ for Celery, logrotate for the nginx logs.
#  1. scripts/config.sh: created on first use (questions in a terminal, defaults otherwise).
#  2. Debian packages that are missing; services that already run are used as they are.
#  3. The service account SERVER_USER, run/, DATA_DIR, BACKUP_DIR, secrets/ (0600/0640).
#  4. PostgreSQL role and database, memcached's memory and item size, a RabbitMQ user and
#     vhost, the Python packages in venv/.
#  5. secrets/production.env, migrations, static files, the admin account (its password
#     is kept in secrets/admin-password).
#  6. ./scripts/make_public.sh: the nginx site, supervisor program and logrotate file.
# Safe to run again (after `git pull`, say): what is already right is left alone, and
# a service is reloaded or restarted only when its configuration changed.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

[ $# -eq 0 ] || usage
require_root "it installs packages and writes to /etc"
[ -f /etc/debian_version ] || die "install_all.sh supports Debian and Ubuntu only"
load_config
source "$ROOT/scripts/lib/postgres.sh"

# --- Packages ---
say "--- packages"
local_postgres=false local_rabbitmq=false local_memcached=false
is_local_host "$DB_HOST" && local_postgres=true
is_local_host "$RABBITMQ_HOST" && local_rabbitmq=true
for server in $MEMCACHED_SERVERS; do
  is_local_host "$server" && local_memcached=true
done
packages=(nginx supervisor logrotate cron gettext-base acl wget python3-venv)
$local_postgres && packages+=("postgresql-$PSQL_VERSION" "postgresql-client-$PSQL_VERSION")
$local_rabbitmq && packages+=(rabbitmq-server)
$local_memcached && packages+=(memcached)
if $local_postgres && [ ! -d "/usr/lib/postgresql/$PSQL_VERSION" ] && [ "$DB_CLUSTER" != main ]; then
  # The package would create a cluster "main" on DB_PORT; the configured one is made below.
  mkdir -p /etc/postgresql-common/createcluster.d
  printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/opensurfaces.conf
fi
apt_install "${packages[@]}"
service_ensure cron # runs logrotate daily where systemd's timer does not

# --- Service account and folders ---
say "--- account and folders"
if ! id -u "$SERVER_USER" >/dev/null 2>&1; then
  useradd --system --user-group --create-home --home-dir "/var/lib/$SERVER_USER" \
    --shell /usr/sbin/nologin "$SERVER_USER"
  say "created the service account $SERVER_USER"
  load_config # SERVER_GROUP exists now
fi

install -d -o "$SERVER_USER" -g "$SERVER_GROUP" -m 755 "$RUN_DIR" "$DATA_DIR" "$DATA_DIR/static" "$DATA_DIR/media"
install -d -o root -g root -m 700 "$BACKUP_DIR"
# Files made by hand or by scripts/run.sh as root must become the service account's.
find "$DATA_DIR/static" "$DATA_DIR/media" ! -user "$SERVER_USER" -exec chown "$SERVER_USER:$SERVER_GROUP" {} +
touch "$RUN_DIR/celery-worker.log" "$RUN_DIR/celerybeat.lock"
chown "$SERVER_USER:$SERVER_GROUP" "$RUN_DIR/celery-worker.log" "$RUN_DIR/celerybeat.lock"

# --- Secrets (kept out of git in secrets/) ---
say "--- secrets"
db_password >/dev/null # creates $DB_PASSWORD_FILE (and secrets/, 0700)
# The service account may pass through secrets/ to the files it owns, but not list it.
install -d -o root -g "$SERVER_GROUP" -m 710 "$SECRETS_DIR"
chown "$SERVER_USER:$SERVER_GROUP" "$DB_PASSWORD_FILE"
chmod 600 "$DB_PASSWORD_FILE"
secret_file django-secret-key "$SERVER_USER:$SERVER_GROUP" 600 >/dev/null
secret_file rabbitmq-password root:root 600 >/dev/null
say "secrets in $SECRETS_DIR (db-password, django-secret-key, rabbitmq-password)"

# --- PostgreSQL ---
say "--- PostgreSQL"
if $local_postgres; then
  if ! pg_lsclusters --no-header | awk -v v="$PSQL_VERSION" -v c="$DB_CLUSTER" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
    say "Creating the PostgreSQL cluster $PSQL_VERSION/$DB_CLUSTER on port $DB_PORT ..."
    pg_createcluster --port "$DB_PORT" --encoding UTF8 --locale C.UTF-8 "$PSQL_VERSION" "$DB_CLUSTER"
  fi
  ensure_postgres_running
  ensure_database
  # The role logs in with its password over TCP, whatever the rules below say.
  hba="/etc/postgresql/$PSQL_VERSION/$DB_CLUSTER/pg_hba.conf"
  rule="host $DB_NAME $DB_USER 127.0.0.1/32 scram-sha-256"
  if ! grep -qxF "$rule" "$hba"; then
    sed -i "0,/^[^#[:space:]]/s||# $PROJECT_NAME: the site's role uses its password (scripts/install_all.sh)\n$rule\n&|" "$hba"
    psql_admin -c 'SELECT pg_reload_conf()' >/dev/null
    say "updated: $hba (password login for $DB_USER)"
  else
    say "unchanged: $hba"
  fi
else
  say "PostgreSQL runs on $DB_HOST: the role $DB_USER and database $DB_NAME must exist there," \
    "with the password in $DB_PASSWORD_FILE"
fi

# --- memcached ---
say "--- memcached"
if $local_memcached; then
  conf="$(mktemp)"
  awk -v memory="$MEMCACHED_MEMORY_MB" -v item="$MEMCACHED_ITEM_SIZE" '
    /^-m[[:space:]]/ { print "-m " memory; m = 1; next }
    /^-I[[:space:]]/ { print "-I " item; i = 1; next }
    { print }
    END {
      if (!m) print "-m " memory
      if (!i) { print "# Largest item: rendered pages can be big (scripts/install_all.sh)."; print "-I " item }
    }' /etc/memcached.conf >"$conf"
  install_file "$conf" /etc/memcached.conf 644 root:root
  rm -f "$conf"
  service_ensure memcached "$RENDER_CHANGED"
fi

# --- RabbitMQ ---
say "--- RabbitMQ"
if $local_rabbitmq; then
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    service rabbitmq-server start >/dev/null
    rabbitmqctl -q await_startup --timeout 60
  fi
  rabbit_password="$(cat "$SECRETS_DIR/rabbitmq-password")"
  rabbitmq_list() { rabbitmqctl -q --no-table-headers "$@"; }
  if ! rabbitmq_list list_vhosts | grep -qxF "$RABBITMQ_VHOST"; then
    rabbitmqctl -q add_vhost "$RABBITMQ_VHOST"
    say "created the RabbitMQ vhost $RABBITMQ_VHOST"
  fi
  if ! rabbitmq_list list_users | cut -f1 | grep -qxF "$RABBITMQ_USER"; then
    rabbitmqctl -q add_user "$RABBITMQ_USER" "$rabbit_password" >/dev/null
    say "created the RabbitMQ user $RABBITMQ_USER"
  elif ! rabbitmqctl -q authenticate_user "$RABBITMQ_USER" "$rabbit_password" >/dev/null 2>&1; then
    rabbitmqctl -q change_password "$RABBITMQ_USER" "$rabbit_password" >/dev/null
    say "updated the RabbitMQ password of $RABBITMQ_USER"
  fi
  if ! rabbitmq_list list_user_permissions "$RABBITMQ_USER" | grep -qxF "$RABBITMQ_VHOST"$'\t.*\t.*\t.*'; then
    rabbitmqctl -q set_permissions -p "$RABBITMQ_VHOST" "$RABBITMQ_USER" '.*' '.*' '.*'
  fi
  say "RabbitMQ: user $RABBITMQ_USER on vhost $RABBITMQ_VHOST"
else
  say "RabbitMQ runs on $RABBITMQ_HOST: the user $RABBITMQ_USER needs vhost $RABBITMQ_VHOST," \
    "with the password in $SECRETS_DIR/rabbitmq-password"
fi

# --- Python packages ---
say "--- Python packages"
ensure_venv requirements.lock

# --- Access for the service account and nginx ---
# The service account reads the code, the venv and the Python the venv links to; nginx
# (www-data) reads DATA_DIR. Where a folder above them shuts either out (a checkout or a
# Python under /root, say), grant only the right to pass through, with an ACL.
grant_traverse() {
  local account="$1" target="$2" dir="" part parts
  IFS=/ read -r -a parts <<<"${target#/}"
  for part in "${parts[@]}"; do
    dir="$dir/$part"
    if ! setpriv --reuid="$account" --regid="$(id -g "$account")" --init-groups test -x "$dir"; then
      setfacl -m "u:$account:x" "$dir"
      say "granted $account passage (x) through $dir"
    fi
  done
}
grant_traverse "$SERVER_USER" "$ROOT/server"
grant_traverse "$SERVER_USER" "$DATA_DIR"
grant_traverse "$SERVER_USER" "$(dirname "$(readlink -f "$VENV_DIR/bin/python")")"
grant_traverse www-data "$DATA_DIR/static"
grant_traverse www-data "$RUN_DIR"
setpriv --reuid="$SERVER_USER" --regid="$SERVER_GROUP" --init-groups --reset-env \
  "$VENV_DIR/bin/python" -c "import django; open('$ROOT/server/manage.py').close()" ||
  die "$SERVER_USER cannot run $VENV_DIR/bin/python with Django; make the checkout and the venv world-readable (chmod -R o+rX)"

# --- Django ---
say "--- Django"
template_vars
render_file production.env "$ENV_FILE" 640 "root:$SERVER_GROUP"
settings_changed=$RENDER_CHANGED
app_run python manage.py migrate --noinput
app_run python manage.py collectstatic --noinput -v0
# As root: the password file goes to secrets/, which the service account cannot write.
admin_login="$(
  load_app_env
  cd "$ROOT/server"
  python manage.py ensure_admin --password-file "$SECRETS_DIR/admin-password"
)"

# --- Web ---
say "--- web (nginx, supervisor, gunicorn)"
if [ "$settings_changed" = 1 ]; then
  "$ROOT/scripts/make_public.sh" --restart
else
  "$ROOT/scripts/make_public.sh"
fi

say ""
say "OpenSurfaces runs at http://$SERVER_NAME/ (admin: http://$SERVER_NAME/admin/ $admin_login)"
say "Next: ./scripts/start_worker.sh for the Celery worker; logs are in $RUN_DIR/."
