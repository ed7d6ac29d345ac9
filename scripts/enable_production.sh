#!/usr/bin/env bash
# Usage: sudo ./scripts/enable_production.sh
#
# Put the site in production mode (the default): SITE_MODE=production in
# scripts/config.sh, so gunicorn runs with DJANGO_ENV=production and DEBUG off, and
# refuses to start on unsafe settings (manage.py check --deploy). Restarts gunicorn and
# flushes memcached.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

[ $# -eq 0 ] || usage
site_mode_set production
