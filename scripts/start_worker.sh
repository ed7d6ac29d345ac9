#!/usr/bin/env bash
# Usage: ./scripts/start_worker.sh [CONCURRENCY] [--beat | --no-beat]
#
# Run a Celery worker for the production stack, in the foreground (Ctrl-C or TERM stops
# it), as SERVER_USER, taking tasks from RabbitMQ's queues celery and images. Run as
# root or as SERVER_USER; output goes to run/celery-worker.log (tail -f it).
#   CONCURRENCY  worker processes; default and maximum: half the cores, since nginx,
#                gunicorn, PostgreSQL and memcached share the machine.
#   --beat       also run Celery beat (the periodic tasks); refused while a beat runs.
#   --no-beat    never run beat.
# Without either, the worker runs beat unless another worker already does (the lock
# run/celerybeat.lock; that worker's pid is in run/celerybeat.pid). A worker runs the
# task code it started with: restart it after changing tasks.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

concurrency="" beat=auto
for arg in "$@"; do
  case "$arg" in
    --beat) beat=yes ;;
    --no-beat) beat=no ;;
    -*) usage ;;
    *) [ -z "$concurrency" ] || usage; concurrency="$arg" ;;
  esac
done
load_config

cores="$(nproc)"
limit=$((cores / 2 > 0 ? cores / 2 : 1))
concurrency="${concurrency:-$limit}"
[[ "$concurrency" =~ ^[1-9][0-9]*$ ]] || die "concurrency '$concurrency' is not a positive number"
if [ "$concurrency" -gt "$limit" ]; then
  die "concurrency $concurrency is refused: this machine has $cores cores and a worker may use" \
    "at most half of them ($limit), because nginx, gunicorn, PostgreSQL and memcached run here too"
fi

# One beat at a time: the worker running it holds this lock (fd 9) until it exits.
beat_lock="$RUN_DIR/celerybeat.lock"
beat_pidfile="$RUN_DIR/celerybeat.pid"
beat_args=()
if [ "$beat" != no ]; then
  exec 9>>"$beat_lock"
  if flock --nonblock 9; then
    beat=yes
    # Periodic tasks are due again from now on; a schedule left by an older Celery or
    # Python could stop beat from starting.
    rm -f "$beat_pidfile" "$RUN_DIR/$PROJECT_NAME-celerybeat-schedule"*
    beat_args=(--beat --schedule "$RUN_DIR/$PROJECT_NAME-celerybeat-schedule" --pidfile "$beat_pidfile")
  else
    running="$(cat "$beat_pidfile" 2>/dev/null || echo unknown)"
    if [ "$beat" = yes ]; then
      die "a Celery beat already runs (worker pid $running, $beat_pidfile): only one may run," \
        "or every periodic task would be sent twice; start this worker without --beat"
    fi
    beat=no
    say "Celery beat already runs (worker pid $running); this worker starts without it."
  fi
fi
[ "$beat" = yes ] || exec 9>&-

say "Celery worker $PROJECT_NAME-$$: concurrency $concurrency, queues celery and images," \
  "beat ${beat/yes/included}; log: $RUN_DIR/celery-worker.log"
exec >>"$RUN_DIR/celery-worker.log" 2>&1
app_exec celery -A config worker \
  --queues celery,images \
  --concurrency "$concurrency" \
  --hostname "$PROJECT_NAME-$$@%h" \
  --loglevel INFO \
  "${beat_args[@]}"
