#!/usr/bin/env bash
# Setup, stage 1 of 2: a Node >= 22.22 for the project and its dependencies from the lockfile.
# Then hands over to setup.ts (stage 2: Docker engine, Compose v2, images, InfluxDB) running on that Node.
# Idempotent: a second run on a ready machine does nothing expensive.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE="${HOMEIQ_CACHE_DIR:-$HOME/.cache/homeiq-harness}"
mkdir -p "$CACHE"
T0=$(date +%s.%N)

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

version_ge() { # version_ge A B: A >= B (dotted numeric)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# --- npm: the package manager that installs everything else ---------------------------------
step "npm"
t=$(date +%s.%N)
if ! command -v npm >/dev/null 2>&1; then
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
    say "found: no npm; installing Debian's npm (used only to fetch the project's own Node)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    die "npm not found: install Node.js >= 22.22 (https://nodejs.org) or any npm, then run 'npm run setup' again"
  fi
fi
say "found: npm $(npm --version 2>/dev/null) on node $(node --version 2>/dev/null || echo none) ($(elapsed "$t"))"

# --- project dependencies, including the project's own Node 24 (npm package 'node') ----------
# The 'node' devDependency puts a Node 24 binary at node_modules/.bin/node, which every
# 'npm run' script finds first on PATH. The system's node is left untouched.
step "dependencies (npm ci from package-lock.json)"
t=$(date +%s.%N)
stamp="node_modules/.homeiq-lock.sha256"
want=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/node ]; then
  say "found: node_modules matches package-lock.json; nothing to do ($(elapsed "$t"))"
else
  say "installing (lockfile changed or node_modules missing)"
  log="$CACHE/npm-ci.log"
  if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    grep -vE 'EBADENGINE|Unknown user config' "$log" | tail -n 20 >&2
    die "npm ci failed (full log: $log)"
  fi
  [ -x node_modules/.bin/node ] || die "npm ci did not produce node_modules/.bin/node (log: $log)"
  echo "$want" > "$stamp"
  say "did: npm ci ($(elapsed "$t"))"
fi
NODE_BIN="$ROOT/node_modules/.bin/node"
nv=$("$NODE_BIN" --version | sed 's/^v//')
version_ge "$nv" "22.22.0" || die "project Node is $nv, need >= 22.22: delete node_modules and run 'npm run setup' again"
say "project node: v$nv at node_modules/.bin/node (system node: $(command -v node >/dev/null && node --version || echo none), untouched)"

# --- stage 2 ---------------------------------------------------------------------------------
export PATH="$ROOT/node_modules/.bin:$PATH"
export HOMEIQ_CACHE_DIR="$CACHE"
export HOMEIQ_SETUP_T0="$T0"
exec "$NODE_BIN" harness/provision/setup.ts "$@"
