#!/usr/bin/env bash
# Vendor front-end assets from the npm registry into src/shequ/static/vendor/.
#
# No CDN is used at runtime: every file the templates load is served by Django
# from our own origin, which keeps a `default-src 'self'` Content-Security-Policy
# workable.
#
# Usage:  scripts/vendor_static.sh
#
# Idempotent: the vendor directory is wiped and rewritten on every run.
# Needs: bash, npm, node, tar, sed.
#
# To upgrade a package, change its version AND its integrity hash below
# (get the hash with: npm view <pkg>@<version> dist.integrity).
set -euo pipefail

# name|version|sha512 integrity (as published in the registry's dist.integrity)
PINS=(
  "@tabler/core|1.6.1|sha512-lgmR9gcxRp5JlLxcmRi9Rz85JrEvH6Bz71KnlcPVSa97wtwQNjgSs3g3fxwbAlulHyRMghhIV04QUuW3pqDsIg=="
  # htmx.org "latest" is 4.x; we stay on the 2.x line on purpose.
  "htmx.org|2.0.11|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
  "echarts|6.1.0|sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
  "leaflet|1.9.4|sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/shequ/static/vendor"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vendor_static.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Download one package tarball with `npm pack`, check its integrity against the
# pinned hash and unpack it into $TMP/<dir>/package/.
fetch() {
  local name="$1" version="$2" integrity="$3" dir="$4"
  local tarball actual
  mkdir -p "$TMP/$dir"
  tarball="$(cd "$TMP" && npm pack --silent --loglevel=error \
               --pack-destination "$TMP" "$name@$version" | tail -n 1)"
  actual="$(node -e 'const c=require("crypto"),f=require("fs");
    process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' \
    "$TMP/$tarball")"
  if [[ "$actual" != "$integrity" ]]; then
    echo "ERROR: integrity mismatch for $name@$version" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    exit 1
  fi
  tar -xzf "$TMP/$tarball" -C "$TMP/$dir"
  printf '  %-14s %s\n' "$name" "$version"
}

# Copy a file, dropping any `sourceMappingURL` comment: the .map files are not
# vendored, and Django's ManifestStaticFilesStorage fails collectstatic when a
# referenced source map is missing.
copy_stripped() {
  local src="$1" dst="$2"
  sed -E \
    -e 's@/\*# sourceMappingURL=[^*]*\*/@@' \
    -e 's@^//# sourceMappingURL=.*$@@' \
    "$src" > "$dst"
}

command -v npm >/dev/null || { echo "ERROR: npm not found" >&2; exit 1; }
command -v node >/dev/null || { echo "ERROR: node not found" >&2; exit 1; }

echo "Pinned versions:"
for pin in "${PINS[@]}"; do
  IFS='|' read -r name version integrity <<<"$pin"
  case "$name" in
    @tabler/core) dir=tabler ;;
    htmx.org)     dir=htmx ;;
    *)            dir="$name" ;;
  esac
  fetch "$name" "$version" "$integrity" "$dir"
done

rm -rf "$DEST"
mkdir -p "$DEST"/{tabler,htmx,echarts,leaflet/images}

# --- Tabler (CSS + JS bundle, which includes Bootstrap's JS) -----------------
P="$TMP/tabler/package"
copy_stripped "$P/dist/css/tabler.min.css" "$DEST/tabler/tabler.min.css"
copy_stripped "$P/dist/js/tabler.min.js"   "$DEST/tabler/tabler.min.js"
if [[ -f "$P/LICENSE" ]]; then
  cp "$P/LICENSE" "$DEST/tabler/LICENSE"
else
  # The @tabler/core npm tarball ships no LICENSE file; its package.json says
  # "MIT" and the dist banner points at the upstream LICENSE (MIT). Rebuild it
  # from the banner's copyright lines plus the standard MIT text.
  {
    echo "The MIT License (MIT)"
    echo
    grep -m2 -oE 'Copyright [0-9]{4}(-[0-9]{4})? .*' "$P/dist/css/tabler.min.css" \
      | sed -E 's/^Copyright /Copyright (c) /'
    cat <<'EOF'

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.

(Reconstructed by scripts/vendor_static.sh: the npm tarball of @tabler/core
does not include a LICENSE file. Upstream: https://github.com/tabler/tabler/blob/main/LICENSE)
EOF
  } > "$DEST/tabler/LICENSE"
fi

# Refuse to vendor a Tabler CSS that pulls fonts/styles from another origin.
if grep -qE '@import|url\(["'"'"']?(https?:)?//' "$DEST/tabler/tabler.min.css"; then
  echo "ERROR: tabler.min.css references external URLs (@import or url(http...))" >&2
  exit 1
fi

# --- htmx --------------------------------------------------------------------
P="$TMP/htmx/package"
copy_stripped "$P/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
cp "$P/LICENSE" "$DEST/htmx/LICENSE"

# --- ECharts (Apache-2.0: keep LICENSE and NOTICE, plus bundled d3 licence) ---
P="$TMP/echarts/package"
copy_stripped "$P/dist/echarts.min.js" "$DEST/echarts/echarts.min.js"
cp "$P/LICENSE" "$DEST/echarts/LICENSE"
[[ -f "$P/NOTICE" ]] && cp "$P/NOTICE" "$DEST/echarts/NOTICE"
[[ -f "$P/licenses/LICENSE-d3" ]] && cp "$P/licenses/LICENSE-d3" "$DEST/echarts/LICENSE-d3"

# --- Leaflet -----------------------------------------------------------------
P="$TMP/leaflet/package"
copy_stripped "$P/dist/leaflet.js"  "$DEST/leaflet/leaflet.js"
copy_stripped "$P/dist/leaflet.css" "$DEST/leaflet/leaflet.css"
cp "$P"/dist/images/*.png "$DEST/leaflet/images/"
cp "$P/LICENSE" "$DEST/leaflet/LICENSE"

# --- Manifest ----------------------------------------------------------------
{
  echo "# Generated by scripts/vendor_static.sh -- do not edit by hand."
  echo "# Source: npm registry tarballs (npm pack), sha512-verified."
  for pin in "${PINS[@]}"; do
    IFS='|' read -r name version integrity <<<"$pin"
    echo "$name@$version $integrity"
  done
} > "$DEST/VERSIONS.txt"

echo
echo "Vendored into ${DEST#"$ROOT"/}:"
(cd "$DEST" && find . -type f | sort | sed 's@^\./@  @')
echo "Total: $(du -sh "$DEST" | cut -f1) ($(du -sb "$DEST" | cut -f1) bytes)"
