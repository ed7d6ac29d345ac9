#!/usr/bin/env bash
# Usage: ./scripts/flush_memcached.sh
#
# Empty memcached (every server of MEMCACHED_SERVERS): every cached page and fragment is
# rendered again from PostgreSQL on its next request. Nothing is lost: the cache is
# never the only copy of anything.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"

[ $# -eq 0 ] || usage
load_config
for server in $MEMCACHED_SERVERS; do
  host="${server%:*}" port="${server##*:}"
  exec 3<>"/dev/tcp/$host/$port" || die "memcached does not answer on $server"
  printf 'flush_all\r\n' >&3
  read -r -t 5 reply <&3 || reply=""
  exec 3>&-
  [ "${reply%$'\r'}" = OK ] || die "memcached on $server answered '${reply%$'\r'}' to flush_all"
  say "flushed memcached on $server"
done
