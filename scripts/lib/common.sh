# Shared helpers for the scripts in scripts/. Source it; it defines functions only
# (plus ROOT, the repository directory, and VENV_DIR).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV_DIR="${VENV_DIR:-$ROOT/venv}"

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print the path of a Python 3.11 interpreter, or fail with what to install.
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  die "Python 3.11 is needed (apt-get install python3.11 python3.11-venv, or set PYTHON=...)"
}

# Create $VENV_DIR if needed and install a lock file into it; skip when already installed.
#   ensure_venv requirements.lock
ensure_venv() {
  local lock="$ROOT/$1" marker stamp
  [ -f "$lock" ] || die "missing $lock"
  if [ ! -x "$VENV_DIR/bin/python" ]; then
    say "Creating the virtual environment in $VENV_DIR ..."
    "$(find_python)" -m venv "$VENV_DIR"
  fi
  marker="$VENV_DIR/.installed-$(basename "$lock")"
  stamp="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ "$(cat "$marker" 2>/dev/null)" != "$stamp" ]; then
    say "Installing Python packages from $(basename "$lock") ..."
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
    printf '%s\n' "$stamp" >"$marker"
  fi
}

# Install Debian packages that are missing (as root; with sudo otherwise).
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]} ..."
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || true
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Wait until a URL answers (any HTTP status); fail after $2 seconds.
wait_for_http() {
  local url="$1" timeout="${2:-60}" start
  start=$(date +%s)
  until "$VENV_DIR/bin/python" - "$url" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass
PY
  do
    [ $(( $(date +%s) - start )) -lt "$timeout" ] || return 1
    sleep 0.5
  done
}
