#!/usr/bin/env bash
# Runs the browser tests (ui.mjs) against a real `tutela serve` on a free loopback port with a fresh data folder.
# Usage: run.sh TUTELA_BINARY SOURCE_DIR ARTIFACT_DIR. Exits 77 (skipped) when Chromium or playwright-core is not
# installed (scripts/install-deps installs both).
set -euo pipefail
tutela=$1 source=$2 artifacts=$3
here=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/chromium ] || { echo "skipped: /usr/bin/chromium is missing (Debian chromium)"; exit 77; }
[ -d "$here/node_modules/playwright-core" ] || { echo "skipped: run npm ci in tests/browser"; exit 77; }
work=$(mktemp -d)
trap 'kill -TERM "${server:-0}" 2>/dev/null || true; wait "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$artifacts"
password="correct horse battery"
printf '%s\n' "$password" >"$work/pw"
"$tutela" tenants init --data "$work/data" --quiet 2>/dev/null
"$tutela" tenants add --data "$work/data" acme --quiet
for user in carol:compliance dave:compliance pat:privacy cust:customer; do
  "$tutela" users add --data "$work/data" --tenant acme --name "${user%%:*}" --role "${user##*:}" \
    --password-file "$work/pw" --quiet
done
"$tutela" serve --data "$work/data" --catalog-dir "$source/examples/catalog" --listen 127.0.0.1:0 \
  --port-file "$work/port" --quiet &
server=$!
# Up to 60 s: on a loaded CI machine the start (catalog, migrations) can be slow; the server exits on failure.
for _ in $(seq 1 600); do [ -s "$work/port" ] && break; kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
[ -s "$work/port" ] || { echo "the server did not start within 60 s"; exit 1; }
node "$here/ui.mjs" "http://127.0.0.1:$(cat "$work/port")" "$source" "$artifacts" "$password"
