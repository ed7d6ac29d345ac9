#!/usr/bin/env bash
# Usage: sudo ./scripts/enable_debug.sh
#
# Put the site in debug mode: SITE_MODE=debug in scripts/config.sh, so gunicorn runs
# with DJANGO_ENV=development and DJANGO_DEBUG=true (tracebacks in the browser, for
# anyone who can reach the site: not on a public host). Restarts gunicorn and flushes
# memcached. ./scripts/enable_production.sh switches back.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

[ $# -eq 0 ] || usage
site_mode_set debug
say "Warning: debug pages show settings and code to every visitor."
