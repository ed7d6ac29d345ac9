#!/usr/bin/env bash
# Usage: ./scripts/make_private.sh
#
# Take the site down (as root): stop gunicorn and remove its supervisor program, remove
# the nginx site and the logrotate file, and delete the socket. Settings, database,
# media and logs stay; ./scripts/make_public.sh brings the site back.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

[ $# -eq 0 ] || usage
require_root "it writes to /etc and stops services"
load_config

if [ -e "$SUPERVISOR_CONF" ]; then
  rm -f "$SUPERVISOR_CONF"
  say "removed: $SUPERVISOR_CONF"
fi
if supervisorctl pid >/dev/null 2>&1; then
  supervisorctl reread >/dev/null
  # Stops the program and forgets it now that its file is gone.
  supervisorctl update "$PROJECT_NAME"
fi

if [ -e "$NGINX_LINK" ] || [ -e "$NGINX_SITE" ]; then
  rm -f "$NGINX_LINK" "$NGINX_SITE"
  say "removed: $NGINX_SITE (and its link in sites-enabled)"
  if service_running nginx; then
    nginx -t -q
    service nginx reload >/dev/null
  fi
fi

if [ -e "$LOGROTATE_CONF" ]; then
  rm -f "$LOGROTATE_CONF"
  say "removed: $LOGROTATE_CONF"
fi
if [[ "$GUNICORN_BIND" == unix:* ]]; then
  rm -f "${GUNICORN_BIND#unix:}"
fi
say "The site is private: ./scripts/make_public.sh publishes it again."
