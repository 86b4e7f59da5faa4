#!/usr/bin/env bash
# Prepare a fresh Debian machine with Python 3.11+: the system libraries WeasyPrint needs, a
# virtualenv in .venv, and the exact versions in requirements.lock. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Pathway needs Python 3.11 or newer as '$PY' (set PYTHON=... to choose another)." >&2
    exit 1
fi

missing=()
"$PY" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
# The test suite checks sealed PDFs with tools no one here wrote (qpdf; pdftoppm/pdfsig).
command -v qpdf >/dev/null || missing+=(qpdf)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v xgettext >/dev/null || missing+=(gettext)  # makemessages, and the test that the Spanish catalog covers every marked string
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing system packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "Please install these Debian packages first: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.installed-$(sha256sum requirements.lock | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Installing Python packages from requirements.lock ..."
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
    rm -f .venv/.installed-*
    touch "$stamp"
fi
mkdir -p var
consent/frontend/build.sh  # the pinned signature_pad and htmx (npm ci, into static/)
