#!/usr/bin/env bash
# Backup and restore drill (`make restore-drill`): prove a backup can be restored and checked.
#
#   1. seed a scratch database with demo data and one whole journey (sealed consent + plan PDFs)
#   2. back it up the way the README says: pg_dump -Fc of the database, a tar of the var dir
#   3. restore both into a *fresh* scratch database and var dir
#   4. check the restored copy: `audit_verify` on the chain, `verify_pdf` on every sealed PDF
#      exported from the restored database (and the seal key/certificate came back with the tar)
#
# Exits non-zero on any failure and always drops its databases and temp folder. PostgreSQL is
# taken from DATABASE_URL's host/port/user when it is a postgres:// URL, else 127.0.0.1:5432
# as postgres; the scratch databases are named pathway_ops_drill_*.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}

url=${DATABASE_URL:-}
if [[ "$url" =~ ^postgres(ql)?://([^:@/]+)?(:[^@]*)?@?([^:/]*)(:([0-9]+))?/ ]]; then
    PGUSER=${BASH_REMATCH[2]:-postgres}; PGHOST=${BASH_REMATCH[4]:-127.0.0.1}
    PGPORT=${BASH_REMATCH[6]:-5432}
else
    PGUSER=postgres; PGHOST=127.0.0.1; PGPORT=5432
fi
export PGUSER PGHOST PGPORT
SRC=pathway_ops_drill_src_$$
DST=pathway_ops_drill_restored_$$
work=$(mktemp -d -t pathway-drill.XXXXXX)

# The demo's records are sealed with the test PKI's time-stamps (as `make demo` does).
PKI_PORT=$(( 20000 + $$ % 20000 ))
pki_pid=""

cleanup() {
    [ -n "$pki_pid" ] && kill "$pki_pid" 2>/dev/null || true
    dropdb --if-exists --force "$SRC" 2>/dev/null || true
    dropdb --if-exists --force "$DST" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The environment a clinic's own instance would have, pointed at one database and var dir.
as_instance() {
    local db=$1 var=$2; shift 2
    env -u CONSENT_SEAL_KEY_PATH -u CONSENT_SEAL_CERT_PATH -u CONSENT_TRUST_ROOT_PATH \
        -u CELERY_BROKER_URL -u REDIS_URL \
        PATHWAY_ENV=development CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=WARNING \
        PATHWAY_TESTPKI_PORT="$PKI_PORT" \
        DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db" PATHWAY_VAR_DIR="$var" \
        EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend \
        "$PY" manage.py "$@"
}

echo "== 1. seed $SRC"
createdb "$SRC"
mkdir -p "$work/var" "$work/backup" "$work/restored-var" "$work/pdfs"
as_instance "$SRC" "$work/var" migrate --noinput -v0
as_instance "$SRC" "$work/var" make_clinic_certificate --if-missing --test-pki
as_instance "$SRC" "$work/var" testpki_serve >"$work/testpki.log" 2>&1 &
pki_pid=$!
sleep 3
as_instance "$SRC" "$work/var" seed_demo >/dev/null
as_instance "$SRC" "$work/var" demo_journey --out "$work/journey" >/dev/null
kill "$pki_pid" 2>/dev/null || true
pki_pid=""

echo "== 2. back up (pg_dump -Fc, tar of the var dir)"
pg_dump -Fc -f "$work/backup/pathway.dump" "$SRC"
tar -C "$work/var" -czf "$work/backup/var.tar.gz" .
ls -l "$work/backup"

echo "== 3. restore into $DST and a fresh var dir"
createdb "$DST"
pg_restore --no-owner --exit-on-error -d "$DST" "$work/backup/pathway.dump"
tar -C "$work/restored-var" -xzf "$work/backup/var.tar.gz"
test -s "$work/restored-var/seal/clinic-seal.key.pem" || { echo "seal key missing" >&2; exit 1; }

echo "== 4. check the restored copy"
as_instance "$DST" "$work/restored-var" audit_verify
as_instance "$DST" "$work/restored-var" shell -c "
from pathlib import Path
from records.models import SealedRecord
from records.selectors import record_content
out = Path('$work/pdfs')
for row in SealedRecord.objects.all():
    (out / f'{row.kind}-{row.pk}.pdf').write_bytes(record_content(row))
"
count=0
for pdf in "$work"/pdfs/*.pdf; do
    [ -e "$pdf" ] || break
    as_instance "$DST" "$work/restored-var" verify_pdf "$pdf" >/dev/null
    echo "verified $(basename "$pdf")"
    count=$((count + 1))
done
if [ "$count" -lt 2 ]; then
    echo "expected at least a consent and a plan record in the restored database, found $count" >&2
    exit 1
fi
echo "== restore drill passed: audit chain intact, $count sealed PDFs verified"
