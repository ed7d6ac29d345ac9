#!/usr/bin/env bash
# Usage: ./scripts/create_config.sh [--print]
#
# Create scripts/config.sh from scripts/templates/config.sh if it is missing: in a
# terminal it asks for the main values (Enter keeps the default shown), otherwise it
# takes the defaults, or values given in the environment (SERVER_NAME=example.org ...).
# An existing file is only checked. Every script runs this on first use.
# --print also prints the configuration, one VAR=value a line.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"

case "${1:-}" in
  "") print=false ;;
  --print) print=true ;;
  *) usage ;;
esac

load_config
say "$CONFIG_FILE is valid."
if $print; then
  config_print
fi
