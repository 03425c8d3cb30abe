#!/bin/sh
# Render the HTML report of the default scenario and take a headless Chromium screenshot, to check
# by eye that the report renders (not part of `npm test`: CI has no Chromium).
# Usage: sh sim/screenshot.sh [OUT.png] [extra `npm start` arguments…]
set -eu
out="${1:-${TMPDIR:-/tmp}/headroom-report.png}"
[ $# -gt 0 ] && shift
html="${TMPDIR:-/tmp}/headroom-report-screenshot.html"
npx tsx sim/cli.ts --out "$html" "$@" >/dev/null
profile="$(mktemp -d)"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" \
  --screenshot="$out" --window-size=1400,2400 "file://$html" 2>/dev/null
rm -rf "$profile"
echo "$out"
