#!/usr/bin/env bash
# Installs a small real npm project for the npm real-tree test (test/scan/npm-real.test.ts):
# `npm install` from the npm registry of a handful of real packages — a scoped one, nested
# version conflicts (express's debug@2 under a top-level debug@4), devDependencies and an alias.
# The test's truth is `npm ls --all --json --long` run in that directory; nothing is committed.
#
#   scripts/fetch-test-npm.sh [TARGET_DIR]      (default: test/.cache/npm-project)
#
# Idempotent: when TARGET_DIR already holds an install of exactly this package.json, nothing is
# done. Progress goes to stderr; any failure exits non-zero.
set -euo pipefail
[ $# -gt 0 ] && target="$(realpath -m -- "$1")"
cd "$(dirname "$0")/.."
target="${target:-test/.cache/npm-project}"
log() { echo "fetch-test-npm: $*" >&2; }

command -v npm >/dev/null || { log "npm not found"; exit 1; }

manifest='{
  "name": "stella-npm-real-test",
  "version": "1.0.0",
  "private": true,
  "license": "MIT",
  "dependencies": {
    "express": "4.21.2",
    "@sindresorhus/is": "4.6.0",
    "ms-alias": "npm:ms@2.1.2"
  },
  "devDependencies": {
    "debug": "4.3.7",
    "rimraf": "3.0.2"
  }
}'

if [ -f "$target/package.json" ] && [ "$(cat "$target/package.json")" = "$manifest" ] \
  && [ -f "$target/node_modules/.package-lock.json" ] && [ -f "$target/package-lock.json" ]; then
  log "have $target (delete it to reinstall)"
  exit 0
fi

partial="$target.partial"
rm -rf "$partial"
mkdir -p "$partial"
printf '%s' "$manifest" > "$partial/package.json"
log "npm install in $partial"
# --ignore-scripts: no package code runs; --no-audit/--no-fund: no other registry endpoints.
(cd "$partial" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error --no-update-notifier >&2)
[ -f "$partial/node_modules/express/package.json" ] || { log "npm install left no node_modules/express"; exit 1; }
rm -rf "$target"
mv "$partial" "$target"
log "installed $(find "$target/node_modules" -name package.json -path '*/node_modules/*' | wc -l) package.json files into $target"
