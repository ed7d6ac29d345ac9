# OpenSurfaces operator configuration, read by every script in scripts/.
#
# Generated on first use from scripts/templates/config.sh (scripts/create_config.sh
# asks for the main values when run in a terminal). Not in git. After editing, run
# ./scripts/install_all.sh (or ./scripts/make_public.sh) again to apply the change.

# --- Site ---
# Names the supervisor program, the nginx site and the logrotate file.
PROJECT_NAME='${PROJECT_NAME}'
# Public host name nginx answers to; other names get the connection closed (444).
SERVER_NAME='${SERVER_NAME}'
# More host names for the same site, space-separated (e.g. 'www.example.org').
SERVER_ALIASES='${SERVER_ALIASES}'
# Account that runs gunicorn and Celery and owns run/ and the files in DATA_DIR.
SERVER_USER='${SERVER_USER}'
# production, or debug (tracebacks in the browser; see scripts/enable_debug.sh).
SITE_MODE='${SITE_MODE}'

# --- Files ---
# static/ (collected assets, served by nginx) and media/ (images).
DATA_DIR='${DATA_DIR}'
# Database dumps and media archives (scripts/backup_database.sh).
BACKUP_DIR='${BACKUP_DIR}'

# --- PostgreSQL ---
# Cluster, database and role keep the project's old name, labelmaterial, so that old
# dumps restore as they are.
PSQL_VERSION='${PSQL_VERSION}'
DB_CLUSTER='${DB_CLUSTER}'
DB_NAME='${DB_NAME}'
DB_USER='${DB_USER}'
DB_HOST='${DB_HOST}'
DB_PORT='${DB_PORT}'

# --- memcached ---
# host:port of each server, space-separated; more than one makes a pool.
MEMCACHED_SERVERS='${MEMCACHED_SERVERS}'
MEMCACHED_MEMORY_MB='${MEMCACHED_MEMORY_MB}'
# Largest item (-I); rendered pages can be big.
MEMCACHED_ITEM_SIZE='${MEMCACHED_ITEM_SIZE}'

# --- RabbitMQ (the Celery broker) ---
RABBITMQ_HOST='${RABBITMQ_HOST}'
RABBITMQ_PORT='${RABBITMQ_PORT}'
RABBITMQ_VHOST='${RABBITMQ_VHOST}'
RABBITMQ_USER='${RABBITMQ_USER}'

# --- gunicorn and nginx ---
# Worker processes: auto is 2 x cores + 1, counted when gunicorn starts.
GUNICORN_WORKERS='${GUNICORN_WORKERS}'
# Seconds a request may take, in gunicorn and in nginx's proxy timeouts.
GUNICORN_TIMEOUT='${GUNICORN_TIMEOUT}'
# Where gunicorn listens: unix:/path/to.sock, or host:port for nginx on another machine.
GUNICORN_BIND='${GUNICORN_BIND}'
# What nginx proxies to, space-separated (unix:/path or host:port), one per gunicorn host.
WEB_UPSTREAMS='${WEB_UPSTREAMS}'
# Largest request body nginx accepts (uploads), in nginx's units (k, m, g).
UPLOAD_MAX_SIZE='${UPLOAD_MAX_SIZE}'
