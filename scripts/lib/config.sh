# The operator configuration, scripts/config.sh: create it from its template, load it,
# and refuse bad values with the variable and the reason. Source after lib/common.sh.
#
# OPENSURFACES_CONFIG names another file (the tests use it); on first use a value can
# be seeded from the environment, e.g. SERVER_NAME=example.org ./scripts/install_all.sh.

CONFIG_FILE="${OPENSURFACES_CONFIG:-$ROOT/scripts/config.sh}"
TEMPLATES_DIR="$ROOT/scripts/templates"
RUN_DIR="$ROOT/run"
SECRETS_DIR="$ROOT/secrets"

# Every variable of config.sh, in the template's order.
CONFIG_VARS=(
  PROJECT_NAME SERVER_NAME SERVER_ALIASES SERVER_USER SITE_MODE DATA_DIR BACKUP_DIR
  PSQL_VERSION DB_CLUSTER DB_NAME DB_USER DB_HOST DB_PORT
  MEMCACHED_SERVERS MEMCACHED_MEMORY_MB MEMCACHED_ITEM_SIZE
  RABBITMQ_HOST RABBITMQ_PORT RABBITMQ_VHOST RABBITMQ_USER
  GUNICORN_WORKERS GUNICORN_TIMEOUT GUNICORN_BIND WEB_UPSTREAMS UPLOAD_MAX_SIZE
)

# The ones create_config asks for in a terminal, with what each means.
declare -A CONFIG_QUESTIONS=(
  [PROJECT_NAME]="name of the supervisor program, nginx site and logrotate file"
  [SERVER_NAME]="public host name of the site"
  [SERVER_USER]="service account that runs gunicorn and Celery (created if missing)"
  [DATA_DIR]="folder for static files and media"
  [BACKUP_DIR]="folder for database backups"
  [PSQL_VERSION]="PostgreSQL version"
  [DB_CLUSTER]="PostgreSQL cluster"
  [DB_NAME]="database name"
  [DB_USER]="database role"
)

# Print the PostgreSQL version to use: the cluster on port 5432, else the newest server
# installed, else the one apt would install.
detect_psql_version() {
  local version=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    version="$(pg_lsclusters --no-header 2>/dev/null | awk '$3 == 5432 { print $1; exit }')"
  fi
  [ -n "$version" ] || version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$version" ] && command -v apt-cache >/dev/null 2>&1; then
    version="$(apt-cache depends postgresql 2>/dev/null |
      sed -n 's/^ *Depends: postgresql-\([0-9][0-9.]*\)$/\1/p' | head -n 1)"
  fi
  printf '%s' "${version:-15}"
}

# Print the cluster of that version on port 5432 if there is one (Debian makes "main"),
# else labelmaterial, which install_all.sh creates.
detect_db_cluster() {
  local cluster=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    cluster="$(pg_lsclusters --no-header 2>/dev/null |
      awk -v version="$1" '$1 == version && $3 == 5432 { print $2; exit }')"
  fi
  printf '%s' "${cluster:-labelmaterial}"
}

# Print the default of a variable; later defaults may use earlier values.
config_default() {
  case "$1" in
    PROJECT_NAME) printf 'opensurfaces' ;;
    SERVER_NAME) printf 'localhost' ;;
    SERVER_ALIASES) printf '' ;;
    SERVER_USER) printf 'opensurfaces' ;;
    SITE_MODE) printf 'production' ;;
    DATA_DIR) printf '%s' "$ROOT/data" ;;
    BACKUP_DIR) printf '%s' "$ROOT/backup" ;;
    PSQL_VERSION) detect_psql_version ;;
    DB_CLUSTER) detect_db_cluster "$PSQL_VERSION" ;;
    DB_NAME | DB_USER) printf 'labelmaterial' ;;
    DB_HOST | RABBITMQ_HOST) printf '127.0.0.1' ;;
    DB_PORT) printf '5432' ;;
    MEMCACHED_SERVERS) printf '127.0.0.1:11211' ;;
    MEMCACHED_MEMORY_MB) printf '256' ;;
    MEMCACHED_ITEM_SIZE) printf '4m' ;;
    RABBITMQ_PORT) printf '5672' ;;
    RABBITMQ_VHOST | RABBITMQ_USER) printf '%s' "$PROJECT_NAME" ;;
    GUNICORN_WORKERS) printf 'auto' ;;
    GUNICORN_TIMEOUT) printf '600' ;;
    GUNICORN_BIND) printf 'unix:%s/gunicorn.sock' "$RUN_DIR" ;;
    WEB_UPSTREAMS) printf '%s' "$GUNICORN_BIND" ;;
    UPLOAD_MAX_SIZE) printf '64m' ;;
    *) return 1 ;;
  esac
}

_is_hostname() {
  [ ${#1} -le 253 ] &&
    [[ "$1" =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$ ]]
}
_is_port() { [[ "$1" =~ ^[0-9]{1,5}$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
_is_path() { [[ "$1" =~ ^/[A-Za-z0-9/._-]*$ ]] && [ "$1" != / ]; }
_is_endpoint() { # unix:/path or host:port
  if [[ "$1" == unix:* ]]; then _is_path "${1#unix:}"; else _is_hostname "${1%:*}" && _is_port "${1##*:}"; fi
}

# Print why VALUE is not acceptable for VARIABLE; print nothing when it is.
config_problem() {
  local name="$1" value="$2" item
  case "$name" in
    PROJECT_NAME)
      [[ "$value" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
        echo "must start with a letter or _ and hold only letters, digits and _ (it names files in /etc)" ;;
    SERVER_NAME)
      _is_hostname "$value" || echo "is not a host name (letters, digits, hyphens and dots, e.g. surfaces.example.org)" ;;
    SERVER_ALIASES)
      for item in $value; do
        _is_hostname "$item" || { echo "holds '$item', which is not a host name"; break; }
      done ;;
    SERVER_USER)
      if [ "$value" = root ] || { id -u "$value" >/dev/null 2>&1 && [ "$(id -u "$value")" -eq 0 ]; }; then
        echo "is refused: the site must not run as root (use a service account such as opensurfaces)"
      elif ! [[ "$value" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then
        echo "is not a valid account name (lower-case letters, digits, _ and -, at most 32)"
      fi ;;
    SITE_MODE)
      [[ "$value" =~ ^(production|debug)$ ]] || echo "must be production or debug" ;;
    DATA_DIR | BACKUP_DIR)
      _is_path "$value" || echo "must be an absolute path of letters, digits and / . _ - (no spaces), not /" ;;
    PSQL_VERSION)
      [[ "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]] || echo "is not a PostgreSQL version number such as 15" ;;
    DB_CLUSTER | RABBITMQ_VHOST | RABBITMQ_USER)
      [[ "$value" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || echo "may hold only letters, digits and _ . -" ;;
    DB_NAME | DB_USER)
      [[ "$value" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
        echo "must be a plain PostgreSQL name (lower-case letters, digits and _, not starting with a digit)" ;;
    DB_HOST | RABBITMQ_HOST)
      _is_hostname "$value" || echo "is not a host name or IPv4 address" ;;
    DB_PORT | RABBITMQ_PORT)
      _is_port "$value" || echo "is not a port number (1-65535)" ;;
    MEMCACHED_SERVERS)
      [ -n "$value" ] || echo "is empty (give host:port, e.g. 127.0.0.1:11211)"
      for item in $value; do
        [[ "$item" == *:* ]] && _is_endpoint "$item" || { echo "holds '$item', which is not host:port"; break; }
      done ;;
    MEMCACHED_MEMORY_MB)
      [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 64 ] || echo "must be a number of megabytes, at least 64" ;;
    MEMCACHED_ITEM_SIZE)
      [[ "$value" =~ ^[1-9][0-9]*[km]$ ]] || echo "must be a size such as 4m or 1024k" ;;
    GUNICORN_WORKERS)
      [[ "$value" =~ ^(auto|[1-9][0-9]*)$ ]] || echo "must be auto or a positive number" ;;
    GUNICORN_TIMEOUT)
      [[ "$value" =~ ^[1-9][0-9]*$ ]] || echo "must be a positive number of seconds" ;;
    GUNICORN_BIND)
      _is_endpoint "$value" || echo "must be unix:/absolute/path.sock or host:port" ;;
    WEB_UPSTREAMS)
      [ -n "$value" ] || echo "is empty (give unix:/path.sock or host:port)"
      for item in $value; do
        _is_endpoint "$item" || { echo "holds '$item', which is neither unix:/path nor host:port"; break; }
      done ;;
    UPLOAD_MAX_SIZE)
      [[ "$value" =~ ^[1-9][0-9]*[kKmMgG]?$ ]] || echo "must be a size such as 64m or 1g" ;;
    *) echo "is not a configuration variable" ;;
  esac
}

# Ask for one value in the terminal until it is acceptable.
_config_ask() {
  local name="$1" answer problem
  while true; do
    read -r -p "$name (${CONFIG_QUESTIONS[$name]}) [${!name}]: " answer
    answer="${answer:-${!name}}"
    problem="$(config_problem "$name" "$answer")"
    if [ -z "$problem" ]; then
      printf -v "$name" '%s' "$answer"
      return 0
    fi
    say "  $name='$answer' $problem"
  done
}

# Write CONFIG_FILE from the template: values from the environment or the defaults,
# asked for in a terminal (questions only when stdin and stdout are terminals).
config_create() {
  local name problem interactive=false
  [ -t 0 ] && [ -t 1 ] && interactive=true
  say "Creating $CONFIG_FILE ..."
  for name in "${CONFIG_VARS[@]}"; do
    [ -n "${!name+set}" ] || printf -v "$name" '%s' "$(config_default "$name")"
    if $interactive && [ -n "${CONFIG_QUESTIONS[$name]:-}" ]; then
      _config_ask "$name"
    fi
    problem="$(config_problem "$name" "${!name}")"
    [ -z "$problem" ] || die "cannot create $CONFIG_FILE: $name='${!name}' $problem"
    export "${name?}"
  done
  mkdir -p "$(dirname "$CONFIG_FILE")"
  envsubst "$(printf '${%s} ' "${CONFIG_VARS[@]}")" <"$TEMPLATES_DIR/config.sh" >"$CONFIG_FILE.tmp"
  mv "$CONFIG_FILE.tmp" "$CONFIG_FILE"
  chmod 644 "$CONFIG_FILE"
}

# Load CONFIG_FILE (creating it on first use), check every value, and set the derived
# variables the scripts share. Dies naming the variable and the reason on a bad value.
load_config() {
  local name problem problems=()
  [ -f "$CONFIG_FILE" ] || config_create
  # shellcheck source=/dev/null
  source "$CONFIG_FILE"
  for name in "${CONFIG_VARS[@]}"; do
    # A file made from an older template lacks newer variables: they take the default.
    [ -n "${!name+set}" ] || printf -v "$name" '%s' "$(config_default "$name")"
    problem="$(config_problem "$name" "${!name}")"
    [ -z "$problem" ] || problems+=("$name='${!name}' $problem")
  done
  if [ ${#problems[@]} -gt 0 ]; then
    for problem in "${problems[@]}"; do printf 'error: %s: %s\n' "$CONFIG_FILE" "$problem" >&2; done
    exit 1
  fi
  SERVER_GROUP="$(id -gn "$SERVER_USER" 2>/dev/null || printf '%s' "$SERVER_USER")"
  ENV_FILE="$SECRETS_DIR/production.env"
  LOCAL_ENV_FILE="$SECRETS_DIR/local.env"
  PSQL_DUMP_FILE="$BACKUP_DIR/pg_dump.sql.gz"
  DB_PASSWORD_FILE="$SECRETS_DIR/db-password"
  NGINX_SITE="/etc/nginx/sites-available/$PROJECT_NAME"
  NGINX_LINK="/etc/nginx/sites-enabled/$PROJECT_NAME"
  SUPERVISOR_CONF="/etc/supervisor/conf.d/$PROJECT_NAME.conf"
  LOGROTATE_CONF="/etc/logrotate.d/nginx-$PROJECT_NAME"
}

# Print the configuration, one VAR=value a line.
config_print() {
  local name
  for name in "${CONFIG_VARS[@]}"; do printf '%s=%s\n' "$name" "${!name}"; done
}

# Replace (or add) one assignment in CONFIG_FILE, after checking the value.
config_set() {
  local name="$1" value="$2" problem
  problem="$(config_problem "$name" "$value")"
  [ -z "$problem" ] || die "$name='$value' $problem"
  if grep -q "^$name=" "$CONFIG_FILE"; then
    sed -i "s|^$name=.*|$name='$value'|" "$CONFIG_FILE"
  else
    printf "%s='%s'\n" "$name" "$value" >>"$CONFIG_FILE"
  fi
  printf -v "$name" '%s' "$value"
}

# Print the calling script's usage header (its first comment block) and exit 2.
usage() {
  sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
  exit 2
}
