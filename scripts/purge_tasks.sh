#!/usr/bin/env bash
# Usage: ./scripts/purge_tasks.sh [--yes]
#
# Throw away every task waiting in the Celery queues (celery, images) on RabbitMQ.
# Warning: the tasks are lost. Crowd submissions stay in PostgreSQL and the periodic
# sweeps queue their processing (and missing thumbnails) again, but one-off tasks such
# as approvals, bonuses and HIT updates are gone. Asks first, unless --yes.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

case "${1:-}" in
  --yes) ;;
  "")
    say "Warning: this discards every task waiting in the queues celery and images."
    say "Approvals, bonuses and HIT updates still queued are lost; submissions are queued again by the sweeps."
    confirm "Purge the queues?" || die "nothing was purged"
    ;;
  *) usage ;;
esac
load_config
app_exec celery -A config purge --force --queues celery,images
