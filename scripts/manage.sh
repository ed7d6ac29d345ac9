#!/usr/bin/env bash
# Usage: ./scripts/manage.sh COMMAND [ARGS...]
#
# Run a Django management command on the production stack: as SERVER_USER, with the
# settings of secrets/production.env (PostgreSQL, memcached, RabbitMQ), in server/.
# Run it as root or as SERVER_USER. Examples:
#   ./scripts/manage.sh migrate
#   ./scripts/manage.sh add_photos /path/to/photos --license "CC BY 2.0"
#   ./scripts/manage.sh shell
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

[ $# -gt 0 ] || usage
load_config
app_exec python manage.py "$@"
