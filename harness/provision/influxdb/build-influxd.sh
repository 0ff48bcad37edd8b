#!/usr/bin/env bash
# Build the real InfluxDB 2.x server (influxd) from its Go module, offline from container
# registries: only the Go module proxy and crates.io are used.
#
# Usage: build-influxd.sh <version> <outdir> [expected-go-module-sum]
#   <version>  e.g. 2.8.0 (the Go module version is v<version>)
#   <outdir>   receives influxd and build-info.json (written atomically at the end)
#   [sum]      the pinned `h1:` module sum; when given, the downloaded module must match it
#              (needed for versions the checksum database does not know: GOSUMDB=off then).
#
# Steps (each logged as "step: ..."):
#   1. go mod download the influxdb module, verify its Sum against the pin
#   2. copy the module Dir to a writable work dir (go.mod has a `replace`, so `go install` refuses)
#   3. go install influxdata/pkg-config (version from influxdb's go.mod): cgo calls it to build
#      libflux (Rust) with cargo
#   4. go build ./cmd/influxd with tags sqlite_foreign_keys,sqlite_json (no `assets`: no UI)
# Known obstacles handled: GOTOOLCHAIN=local (use the machine's Go), RUSTUP_TOOLCHAIN=stable (flux
# pins an old Rust), RUSTC_WRAPPER appending --cap-lints=warn (flux denies warnings; RUSTFLAGS does
# not reach build-dependencies).
set -euo pipefail

version="${1:?usage: build-influxd.sh <version> <outdir> [expected-go-module-sum]}"
outdir="${2:?usage: build-influxd.sh <version> <outdir> [expected-go-module-sum]}"
expected_sum="${3:-}"
module="github.com/influxdata/influxdb/v2"

cache_root="${HOMEIQ_CACHE_DIR:-$HOME/.cache/homeiq-harness}"
work="$cache_root/influxd-work"
tools="$work/tools"
src="$work/src/influxdb-$version"
mkdir -p "$outdir" "$tools"

step() { echo "step: $* ($(date -u +%H:%M:%S))"; }

# One build per version at a time; a run that waited finds the other's result and stops.
exec 9>"$outdir/.build.lock"
if ! flock -n 9; then
  step "waiting for a concurrent build of $version (lock $outdir/.build.lock)"
  flock 9
fi
if [[ -x "$outdir/influxd" && -s "$outdir/build-info.json" && -z "${HOMEIQ_INFLUXD_REBUILD:-}" ]]; then
  step "already built: $outdir/influxd (set HOMEIQ_INFLUXD_REBUILD=1 to rebuild)"
  exit 0
fi

export GOTOOLCHAIN=local
export RUSTUP_TOOLCHAIN=stable
export CGO_ENABLED=1
export GOFLAGS="-mod=mod -buildvcs=false"

# 1. module download (+ pinned-sum check)
step "go mod download $module@v$version"
dl_json="$work/download-$version.json"
if [[ -n "$expected_sum" ]]; then
  # Verified against the pin below; the checksum database does not know every version (2.8.0: 404).
  GOSUMDB=off go mod download -json "$module@v$version" >"$dl_json"
else
  go mod download -json "$module@v$version" >"$dl_json"
fi
mod_dir="$(jq -r .Dir "$dl_json")"
mod_sum="$(jq -r .Sum "$dl_json")"
commit="$(jq -r '.Origin.Hash // "unknown"' "$dl_json")"
if [[ -z "$mod_dir" || "$mod_dir" == null ]]; then
  echo "go mod download gave no Dir: $(cat "$dl_json")" >&2
  exit 2
fi
if [[ -n "$expected_sum" && "$mod_sum" != "$expected_sum" ]]; then
  echo "module sum mismatch for $module@v$version: expected $expected_sum, got $mod_sum" >&2
  exit 3
fi
echo "module $module@v$version sum $mod_sum commit $commit"

# 2. writable copy
step "copy $mod_dir -> $src"
rm -rf "$src"
mkdir -p "$(dirname "$src")"
cp -r "$mod_dir" "$src"
chmod -R u+w "$src"

# 3. influxdata/pkg-config wrapper (and the rustc wrapper)
pc_version="$(awk '$1 == "github.com/influxdata/pkg-config" { print $2 }' "$src/go.mod")"
flux_version="$(awk '$1 == "github.com/influxdata/flux" { print $2 }' "$src/go.mod")"
pc_bin="$tools/pkg-config-$pc_version"
if [[ ! -x "$pc_bin/pkg-config" ]]; then
  step "go install github.com/influxdata/pkg-config@$pc_version"
  GOBIN="$pc_bin" go install "github.com/influxdata/pkg-config@$pc_version"
fi
rustc_wrapper="$tools/rustc-cap-lints"
cat >"$rustc_wrapper" <<'EOF'
#!/bin/sh
# cargo calls: $RUSTC_WRAPPER <rustc> <args...>; cap lints so new-rustc warnings do not fail deny(warnings)
rustc="$1"; shift
for a in "$@"; do
  case "$a" in -V|-vV|--version) exec "$rustc" "$@" ;; esac
done
exec "$rustc" "$@" --cap-lints=warn
EOF
chmod +x "$rustc_wrapper"
export PKG_CONFIG="$pc_bin/pkg-config"
export RUSTC_WRAPPER="$rustc_wrapper"

# 4. build (cgo -> pkg-config -> cargo build of libflux, then the Go link)
step "go build ./cmd/influxd (flux $flux_version: cargo builds libflux first; this is the long step)"
build_date="$(jq -r '.Time // empty' "$(jq -r .Info "$dl_json")")"
ldflags="-s -w -X main.version=$version -X main.commit=$commit -X main.date=${build_date}"
tmp_bin="$outdir/influxd.tmp.$$"
# -v lists each package as it is compiled: the progress the caller shows every 30 s
(cd "$src" && go build -v -tags sqlite_foreign_keys,sqlite_json -ldflags "$ldflags" -o "$tmp_bin" ./cmd/influxd)

step "smoke: influxd version"
"$tmp_bin" version
sha="$(sha256sum "$tmp_bin" | cut -d' ' -f1)"
jq -n --arg version "$version" --arg commit "$commit" --arg moduleSum "$mod_sum" \
  --arg flux "$flux_version" --arg pkgConfig "$pc_version" --arg go "$(go env GOVERSION)" \
  --arg rustc "$(rustc --version)" --arg sha256 "$sha" --arg builtAt "$(date -u +%FT%TZ)" \
  --arg tags "sqlite_foreign_keys,sqlite_json" \
  '{version:$version, commit:$commit, goModuleSum:$moduleSum, flux:$flux, pkgConfig:$pkgConfig,
    go:$go, rustc:$rustc, tags:$tags, sha256:$sha256, builtAt:$builtAt}' >"$outdir/build-info.json"
mv -f "$tmp_bin" "$outdir/influxd"
step "done: $outdir/influxd sha256 $sha"
