#!/usr/bin/env bash
# Usage: ./scripts/warm_cache.sh [URL]
#
# Fill memcached by visiting the site two links deep, as a visitor would (static files,
# media and the admin are skipped). By default it asks nginx on this machine for
# SERVER_NAME (http://127.0.0.1/ with that Host header); give another URL to warm the
# site through another address.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"

[ $# -le 1 ] || usage
load_config
url="${1:-http://127.0.0.1/}"
host_header=()
[ $# -eq 1 ] || host_header=(--header "Host: $SERVER_NAME")

command -v wget >/dev/null 2>&1 || die "wget is missing: apt-get install wget"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
status=0
wget --spider --recursive --level=2 --no-directories --no-verbose --execute robots=off \
  --reject-regex '/(static|media|admin)/' "${host_header[@]}" "$url" >wget.log 2>&1 || status=$?
pages="$(grep -c ' URL:' wget.log || true)"
# wget exits 8 when some link answered with an error (a 404, say); the rest is warm.
case "$status" in
  0) say "warmed $pages pages from $url" ;;
  8) say "warmed $pages pages from $url; some links answered with an error:"; grep -i 'error\|broken' wget.log | head -n 20 ;;
  *) cat wget.log >&2; die "wget failed (exit $status) on $url" ;;
esac
