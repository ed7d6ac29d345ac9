#!/usr/bin/env bash
# Usage: scripts/exec_gunicorn.sh
#
# Run gunicorn for the production site; supervisor starts it as SERVER_USER (program
# $PROJECT_NAME, see /etc/supervisor/conf.d/$PROJECT_NAME.conf), so use
# `supervisorctl start|stop|restart $PROJECT_NAME` rather than running it by hand.
# Loads secrets/production.env, refuses to start when `manage.py check --deploy` finds
# an error (DEBUG, the development secret key, no allowed hosts, SQLite), removes a
# stale socket, and replaces itself by gunicorn: 2 x cores + 1 workers by default
# (GUNICORN_WORKERS), bound to GUNICORN_BIND (run/gunicorn.sock). Output goes to
# supervisor's log, run/gunicorn.log.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

load_config
[ "$(id -un)" = "$SERVER_USER" ] || die "run by supervisor as $SERVER_USER: supervisorctl start $PROJECT_NAME"
load_app_env
cd "$ROOT/server"

python manage.py check --deploy --fail-level ERROR

if [[ "$GUNICORN_BIND" == unix:* ]]; then
  # Supervisor runs one gunicorn: a socket left here is from one that died.
  rm -f "${GUNICORN_BIND#unix:}"
fi

# The socket is left connectable by every local account (gunicorn's default umask 0),
# as port 80 is: nginx's workers (www-data) must reach it.
exec gunicorn config.wsgi:application \
  --name "$PROJECT_NAME" \
  --bind "$GUNICORN_BIND" \
  --workers "$(gunicorn_workers)" \
  --timeout "$GUNICORN_TIMEOUT" \
  --graceful-timeout 30 \
  --access-logfile - \
  --access-logformat '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"' \
  --error-logfile -
