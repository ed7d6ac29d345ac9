#!/usr/bin/env bash
# Usage: ./scripts/make_public.sh [--restart]
#
# Publish the site (as root). Renders from scripts/templates/ and scripts/config.sh:
#   secrets/production.env                        settings read by gunicorn and Celery
#   /etc/nginx/sites-available/$PROJECT_NAME      linked in sites-enabled
#   /etc/supervisor/conf.d/$PROJECT_NAME.conf     gunicorn (scripts/exec_gunicorn.sh)
#   /etc/logrotate.d/nginx-$PROJECT_NAME          run/nginx-*.log weekly, 52 kept
# checks them (nginx -t, logrotate -d, supervisorctl reread), then starts nginx,
# supervisor and gunicorn where they are not running. Unchanged files are left alone
# and nothing is restarted for them; a changed file reloads or restarts only its user.
# --restart also restarts gunicorn. ./scripts/make_private.sh undoes this.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

restart_app=0
case "${1:-}" in
  "") ;;
  --restart) restart_app=1 ;;
  *) usage ;;
esac
require_root "it writes to /etc and starts services"
load_config
template_vars
install -d -o "$SERVER_USER" -g "$SERVER_GROUP" -m 755 "$RUN_DIR"

# --- Settings ---
render_file production.env "$ENV_FILE" 640 "root:$SERVER_GROUP"
[ "$RENDER_CHANGED" = 0 ] || restart_app=1

# --- nginx ---
# Disable Debian's stock default site: it claims default_server on port 80, which the
# site's catch-all (444 for unknown hosts) needs. A default site someone edited is kept.
nginx_stock_default_site() {
  local available=/etc/nginx/sites-available/default stock
  [ "$(readlink -f /etc/nginx/sites-enabled/default 2>/dev/null)" = "$available" ] || return 1
  stock="$(dpkg-query -W -f='${Conffiles}\n' nginx-common nginx 2>/dev/null |
    awk -v path="$available" '$1 == path { print $2; exit }')"
  [ -n "$stock" ] && [ "$(md5sum <"$available" | cut -d' ' -f1)" = "$stock" ]
}

render_file nginx-site.conf "$NGINX_SITE" 644 root:root
nginx_changed=$RENDER_CHANGED
if [ "$(readlink "$NGINX_LINK" 2>/dev/null)" != "$NGINX_SITE" ]; then
  ln -sfn "$NGINX_SITE" "$NGINX_LINK"
  say "enabled: $NGINX_LINK"
  nginx_changed=1
fi
if nginx_stock_default_site; then
  rm -f /etc/nginx/sites-enabled/default
  say "disabled the stock nginx site /etc/nginx/sites-enabled/default"
  nginx_changed=1
fi
if ! nginx_check="$(nginx -t 2>&1)"; then
  restore_file "$NGINX_SITE"
  [ -e "$NGINX_SITE" ] || rm -f "$NGINX_LINK"
  die "nginx refused the configuration, so the previous one was put back:
$nginx_check
(another site claiming 'listen 80 default_server' must be disabled first)"
fi

# --- logrotate ---
render_file logrotate.conf "$LOGROTATE_CONF" 644 root:root
if ! logrotate_check="$(logrotate -d "$LOGROTATE_CONF" 2>&1)" || grep -qi '^error' <<<"$logrotate_check"; then
  restore_file "$LOGROTATE_CONF"
  die "logrotate refused $LOGROTATE_CONF, so the previous one was put back:
$logrotate_check"
fi

# --- supervisor ---
render_file supervisor.conf "$SUPERVISOR_CONF" 644 root:root
supervisor_changed=$RENDER_CHANGED

# --- Start or reload what needs it ---
if ! service_running nginx; then
  service_ensure nginx
elif [ "$nginx_changed" = 1 ]; then
  say "Reloading nginx ..."
  service nginx reload >/dev/null
fi

if ! supervisorctl pid >/dev/null 2>&1; then
  service_ensure supervisor
  start=$SECONDS
  until supervisorctl pid >/dev/null 2>&1; do
    [ $((SECONDS - start)) -lt 30 ] || die "supervisord did not start; see /var/log/supervisor/supervisord.log"
    sleep 0.5
  done
elif [ "$supervisor_changed" = 1 ]; then
  supervisorctl reread
  # Adds the program, or restarts it with its new configuration.
  supervisorctl update "$PROJECT_NAME"
  restart_app=0
fi

case "$(program_state)" in
  RUNNING | STARTING)
    if [ "$restart_app" = 1 ]; then
      say "Restarting gunicorn (its settings changed) ..."
      supervisorctl restart "$PROJECT_NAME"
    fi
    ;;
  *) supervisorctl start "$PROJECT_NAME" ;;
esac

if ! wait_for_site 90; then
  die "the site does not answer on http://$SERVER_NAME/; see $RUN_DIR/gunicorn.log and $RUN_DIR/nginx-error.log"
fi
say "The site is public at http://$SERVER_NAME/ (nginx -> gunicorn: supervisorctl status $PROJECT_NAME)."
