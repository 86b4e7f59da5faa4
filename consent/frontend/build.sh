#!/usr/bin/env bash
# Bring the pinned signature_pad and htmx (package-lock.json: exact versions and sha512 integrity,
# checked by `npm ci`) into static/consent/vendor/, where the signing page loads signature_pad and
# templates/base.html loads htmx on every page. The file is built,
# never committed. Safe to run again: it does nothing when the lock file has not changed.
# The dev dependency axe-core stays in node_modules/ for the browser tests' accessibility check
# (tests/browser/test_workspace.py); it is never served.
set -euo pipefail
cd "$(dirname "$0")"
dest=../../static/consent/vendor
stamp="$dest/.built-$(sha256sum package-lock.json | cut -c1-16)"
if [ -f "$stamp" ] && [ -f "$dest/signature_pad.umd.min.js" ] \
    && [ -f "$dest/htmx.min.js" ] \
    && [ -f node_modules/axe-core/axe.min.js ]; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing npm (to fetch the pinned signature_pad and htmx) ..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
        echo "Please install npm first: sudo apt-get install npm" >&2
        exit 1
    fi
fi
echo "Fetching signature_pad and htmx as pinned in consent/frontend/package-lock.json ..."
npm ci --ignore-scripts --no-audit --no-fund --silent
mkdir -p "$dest"
cp node_modules/signature_pad/dist/signature_pad.umd.min.js "$dest/"
cp node_modules/signature_pad/LICENSE "$dest/signature_pad.LICENSE" 2>/dev/null || true
cp node_modules/htmx.org/dist/htmx.min.js "$dest/"
cp node_modules/htmx.org/LICENSE "$dest/htmx.LICENSE" 2>/dev/null || true
rm -f "$dest"/.built-*
touch "$stamp"
