#!/usr/bin/env bash
# Usage: ./scripts/queue_length.sh
#
# Print, for each Celery queue (celery, images) on RabbitMQ, the tasks waiting in it
# and the workers consuming it: "queue messages consumers", one queue a line.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

[ $# -eq 0 ] || usage
load_config
app_exec python - <<'PY'
from config.celery import app

with app.connection_for_read() as connection:
    connection.ensure_connection(max_retries=1)
    print("queue messages consumers")
    for queue in ("celery", "images"):
        channel = connection.channel()
        try:
            _, messages, consumers = channel.queue_declare(queue=queue, passive=True)
        except connection.channel_errors:
            messages, consumers = 0, 0  # not declared yet: no worker ever started
        else:
            channel.close()
        print(queue, messages, consumers)
PY
