# Helpers for the production stack scripts: running commands as the service account
# with the production environment, rendering the templates in scripts/templates/,
# services, secrets and confirmations. Source after lib/common.sh and lib/config.sh,
# then call load_config.

NGINX_PID_FILE=/run/nginx.pid

# --- Running as the service account ---

# Replace this shell by COMMAND run as SERVER_USER, with the production environment
# (secrets/production.env, then secrets/local.env), in server/, with the venv on PATH.
# Open files (a log redirection, a lock) are kept.
app_exec() {
  local runner="$ROOT/scripts/lib/app_env.sh"
  if [ "$(id -u)" -eq 0 ]; then
    exec setpriv --reuid="$SERVER_USER" --regid="$SERVER_GROUP" --init-groups --reset-env \
      env OPENSURFACES_CONFIG="$CONFIG_FILE" "$runner" "$@"
  elif [ "$(id -un)" = "$SERVER_USER" ]; then
    exec "$runner" "$@"
  fi
  die "run this as root or as $SERVER_USER"
}

# Run COMMAND as app_exec does, and come back.
app_run() { (app_exec "$@"); }

# Export the production environment into this shell (for scripts run as SERVER_USER).
load_app_env() {
  [ -r "$ENV_FILE" ] || die "cannot read $ENV_FILE: run ./scripts/install_all.sh as root first"
  set -o allexport
  # shellcheck source=/dev/null
  source "$ENV_FILE"
  # shellcheck source=/dev/null
  [ ! -r "$LOCAL_ENV_FILE" ] || source "$LOCAL_ENV_FILE"
  set +o allexport
  export PATH="$VENV_DIR/bin:$PATH"
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo $0): $1"
}

# --- Questions ---

# Ask QUESTION and succeed only on y/yes. Without a terminal, refuse: the caller's
# --yes is the only way to agree non-interactively.
confirm() {
  local answer
  [ -t 0 ] || die "refusing: '$1' needs an answer and there is no terminal to ask (pass --yes); nothing was changed"
  read -r -p "$1 [y/N] " answer
  [[ "$answer" =~ ^([yY]|[yY][eE][sS])$ ]]
}

# --- PostgreSQL as the site's role (password from secrets/, never trust) ---

# psql on DATABASE as DB_USER, stopping at the first error.
#   db_psql postgres -c 'SELECT 1'
db_psql() {
  local database="$1"
  shift
  PGPASSWORD="$(cat "$DB_PASSWORD_FILE")" PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 --no-password \
    --host "$DB_HOST" --port "$DB_PORT" --username "$DB_USER" --dbname "$database" "$@"
}

# --- Secrets ---

# Print the path of a random secret in secrets/, creating it on first use, and make sure
# of its owner and mode (the file is never printed).
#   secret_file django-secret-key opensurfaces:opensurfaces 600
secret_file() {
  local path="$SECRETS_DIR/$1" owner="$2" mode="$3"
  if [ ! -s "$path" ]; then
    (umask 077 && head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 50 >"$path")
  fi
  chown "$owner" "$path"
  chmod "$mode" "$path"
  printf '%s' "$path"
}

# --- Templates ---

# Derive what the templates need from the configuration and export it for envsubst.
template_vars() {
  local name endpoint
  REPO_DIR="$ROOT"
  SERVER_HOME="$(getent passwd "$SERVER_USER" | cut -d: -f6)"
  SERVER_HOME="${SERVER_HOME:-/nonexistent}"
  NGINX_SERVER_NAMES="$SERVER_NAME${SERVER_ALIASES:+ $SERVER_ALIASES}"
  ALLOWED_HOSTS="$(tr -s ' ' ',' <<<"$NGINX_SERVER_NAMES")"
  SITE_URL="http://$SERVER_NAME"
  MEMCACHED_LOCATION="$(tr -s ' ' ',' <<<"$MEMCACHED_SERVERS")"
  CELERY_BROKER_URL="amqp://$RABBITMQ_USER:$(cat "$SECRETS_DIR/rabbitmq-password" 2>/dev/null)@$RABBITMQ_HOST:$RABBITMQ_PORT/$RABBITMQ_VHOST"
  if [ "$SITE_MODE" = debug ]; then
    DJANGO_ENV=development DJANGO_DEBUG=true
  else
    DJANGO_ENV=production DJANGO_DEBUG=false
  fi
  UPSTREAM_SERVERS=""
  for endpoint in $WEB_UPSTREAMS; do
    UPSTREAM_SERVERS+="${UPSTREAM_SERVERS:+$'\n'}    server $endpoint fail_timeout=0;"
  done
  TEMPLATE_VARS=(
    "${CONFIG_VARS[@]}" REPO_DIR RUN_DIR SECRETS_DIR VENV_DIR SERVER_GROUP SERVER_HOME
    NGINX_SERVER_NAMES ALLOWED_HOSTS SITE_URL MEMCACHED_LOCATION CELERY_BROKER_URL
    DJANGO_ENV DJANGO_DEBUG UPSTREAM_SERVERS NGINX_PID_FILE
  )
  for name in "${TEMPLATE_VARS[@]}"; do export "${name?}"; done
}

RENDER_CHANGED=0
RENDER_PREVIOUS=""
TEMPLATE_VARS=()

# Install SOURCE as DEST with MODE (e.g. 644) and OWNER (user:group) unless DEST is
# already identical; say created/updated/unchanged. Sets RENDER_CHANGED (0 or 1) and
# RENDER_PREVIOUS (a copy of the replaced file, or empty if DEST was new).
install_file() {
  local source="$1" dest="$2" mode="$3" owner="$4" verb=updated
  RENDER_CHANGED=0
  RENDER_PREVIOUS=""
  if [ -f "$dest" ] && cmp -s "$source" "$dest" &&
    [ "$(stat -c '%a %U:%G' "$dest")" = "$mode $owner" ]; then
    say "unchanged: $dest"
    return 0
  fi
  if [ -e "$dest" ]; then
    RENDER_PREVIOUS="$(mktemp)"
    cp -p "$dest" "$RENDER_PREVIOUS"
  else
    verb=created
  fi
  install -D -m "$mode" -o "${owner%%:*}" -g "${owner#*:}" "$source" "$dest"
  say "$verb: $dest"
  RENDER_CHANGED=1
}

# Put back what install_file replaced (or remove what it created), after a failed check.
restore_file() {
  local dest="$1"
  if [ -n "$RENDER_PREVIOUS" ]; then
    cp -p "$RENDER_PREVIOUS" "$dest"
  else
    rm -f "$dest"
  fi
}

# Render scripts/templates/TEMPLATE into DEST, substituting only TEMPLATE_VARS
# (nginx's own $variables pass through), then install_file it.
render_file() {
  local template="$TEMPLATES_DIR/$1" dest="$2" mode="$3" owner="$4" rendered leftover
  [ ${#TEMPLATE_VARS[@]} -gt 0 ] || template_vars
  rendered="$(mktemp)"
  envsubst "$(printf '${%s} ' "${TEMPLATE_VARS[@]}")" <"$template" >"$rendered"
  leftover="$(grep -oE '\$\{[A-Z][A-Z0-9_]*\}' "$rendered" | sort -u | tr '\n' ' ' || true)"
  if [ -n "$leftover" ]; then
    rm -f "$rendered"
    die "$template uses variables the renderer does not know: $leftover"
  fi
  install_file "$rendered" "$dest" "$mode" "$owner"
  rm -f "$rendered"
}

# --- Services ---

# The init scripts in /etc/init.d do the work where systemd does not run; `service`
# picks whichever the host has.
service_running() { service "$1" status >/dev/null 2>&1; }

# Start a service unless it runs; restart it instead when RESTART is 1 and it ran.
#   service_ensure memcached [RESTART]
service_ensure() {
  local name="$1" restart="${2:-0}"
  if ! service_running "$name"; then
    say "Starting $name ..."
    service "$name" start >/dev/null
  elif [ "$restart" = 1 ]; then
    say "Restarting $name (its configuration changed) ..."
    service "$name" restart >/dev/null
  fi
}

# True when HOST (of host or host:port) is this machine.
is_local_host() {
  case "${1%:*}" in
    127.* | localhost | ::1 | "$(hostname)" | "$(hostname -f 2>/dev/null)") return 0 ;;
    *) return 1 ;;
  esac
}

# The state of the gunicorn program in supervisor (RUNNING, STOPPED, ...), or nothing
# when supervisord does not run or does not know it.
program_state() {
  supervisorctl status "$PROJECT_NAME" 2>/dev/null | awk -v name="$PROJECT_NAME" '$1 == name { print $2 }'
}

# Print the number of gunicorn workers: GUNICORN_WORKERS, or 2 x cores + 1 for auto.
gunicorn_workers() {
  if [ "$GUNICORN_WORKERS" = auto ]; then
    echo $((2 * $(nproc) + 1))
  else
    echo "$GUNICORN_WORKERS"
  fi
}

# Wait until nginx answers /healthz for SERVER_NAME on this machine; fail after $1 s.
wait_for_site() {
  local timeout="${1:-60}" start=$SECONDS
  until "$VENV_DIR/bin/python" - "$SERVER_NAME" <<'PY' 2>/dev/null; do
import sys, urllib.request
request = urllib.request.Request("http://127.0.0.1/healthz", headers={"Host": sys.argv[1]})
assert urllib.request.urlopen(request, timeout=5).read() == b"ok"
PY
    [ $((SECONDS - start)) -lt "$timeout" ] || return 1
    sleep 1
  done
}

# --- Site mode ---

# Set SITE_MODE (production or debug) in config.sh, render the settings again and
# restart gunicorn with them (make_public.sh), and flush memcached.
site_mode_set() {
  local mode="$1"
  require_root "it changes scripts/config.sh and restarts gunicorn"
  load_config
  config_set SITE_MODE "$mode"
  "$ROOT/scripts/make_public.sh"
  "$ROOT/scripts/flush_memcached.sh"
  say "SITE_MODE=$mode: $(grep -E '^DJANGO_(ENV|DEBUG)=' "$ENV_FILE" | tr '\n' ' ')"
  say "Restart Celery workers (start_worker.sh) to give them these settings too."
}
