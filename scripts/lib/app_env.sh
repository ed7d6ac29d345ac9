#!/usr/bin/env bash
# Usage: scripts/lib/app_env.sh COMMAND [ARGS...]   (run by app_exec in lib/stack.sh)
#
# Run COMMAND with the production environment (secrets/production.env, then
# secrets/local.env) and the venv on PATH, in server/.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

load_config
load_app_env
cd "$ROOT/server"
exec "$@"
