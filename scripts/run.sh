#!/usr/bin/env bash
# Usage: ./scripts/run.sh
#
# Run OpenSurfaces on the embedded default, with no services to install: SQLite and a
# file cache under data/, a Celery broker kept in SQLite, gunicorn on 127.0.0.1:$PORT
# (default 8000), a Celery worker and Celery beat. Ctrl-C stops all of them.
# The first run creates venv/, the database, the demo data and an admin account;
# later runs reuse them. Logs: run/gunicorn.log, run/celery-worker.log, run/celery-beat.log.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
WEB_WORKERS="${WEB_WORKERS:-2}"
TASK_WORKERS="${TASK_WORKERS:-1}"

ensure_venv requirements.lock
export PATH="$VENV_DIR/bin:$PATH"
export DJANGO_SETTINGS_MODULE=config.settings
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
# In-house annotation works out of the box: tasks go to the local marketplace, are
# posted every 30 s, and small batches do not wait for a full HIT.
export CROWD_MARKETPLACE="${CROWD_MARKETPLACE:-local}"
export CROWD_DISPATCH_INTERVAL="${CROWD_DISPATCH_INTERVAL:-30}"
export CROWD_LEFTOVER_SECONDS="${CROWD_LEFTOVER_SECONDS:-0}"

cd "$ROOT"
mkdir -p data run
cd server

python manage.py migrate --noinput -v0
python manage.py collectstatic --noinput -v0
if [ ! -f "$ROOT/data/.demo-loaded" ]; then
  say "Loading the demo photos ..."
  python manage.py load_demo
  touch "$ROOT/data/.demo-loaded"
fi
admin_login="$(python manage.py ensure_admin --password-file "$ROOT/data/admin-password.txt")"
python manage.py mtconfigure >/dev/null
python manage.py mtconsume >/dev/null 2>&1 || say "(no tasks posted yet; beat retries every ${CROWD_DISPATCH_INTERVAL} s)"

pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    say "Stopping ..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap cleanup INT TERM EXIT

gunicorn config.wsgi:application \
  --bind "$HOST:$PORT" --workers "$WEB_WORKERS" --timeout 120 \
  --access-logfile "$ROOT/run/gunicorn.log" --error-logfile "$ROOT/run/gunicorn.log" \
  --capture-output &
pids+=($!)
celery -A config worker --queues celery,images --concurrency "$TASK_WORKERS" \
  --hostname "embedded@%h" --loglevel INFO >>"$ROOT/run/celery-worker.log" 2>&1 &
pids+=($!)
celery -A config beat --schedule "$ROOT/run/celerybeat-schedule" \
  --loglevel INFO >>"$ROOT/run/celery-beat.log" 2>&1 &
pids+=($!)

if ! wait_for_http "http://$HOST:$PORT/" 60; then
  die "the web server did not start; see $ROOT/run/gunicorn.log"
fi
say ""
say "OpenSurfaces is running at http://$HOST:$PORT/"
say "Admin: http://$HOST:$PORT/admin/  $admin_login"
say "Annotate: http://$HOST:$PORT/crowd/work/   Review: http://$HOST:$PORT/mturk/admin/"
say "Logs in $ROOT/run/. Press Ctrl-C to stop."

# Stop everything as soon as any one process exits.
status=0
wait -n "${pids[@]}" || status=$?
say "A process exited (status $status); see the logs in $ROOT/run/."
exit "$status"
