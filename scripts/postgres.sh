#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth and a
# database `test`, as the test suite expects. Starts or creates the cluster if needed.
set -euo pipefail

pg_url="${HABLA_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if psql "$pg_url" -Atqc 'select 1' >/dev/null 2>&1; then exit 0; fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
cluster=$(pg_lsclusters -h | head -n 1 | awk '{print $1" "$2}')
conf_dir="/etc/postgresql/${cluster% *}/${cluster#* }"
# Local test server only: trust connections from this machine, as CI expects.
if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf_dir/pg_hba.conf"; then
  sed -i 's/^\(local\|host\)\(.*\)\(md5\|peer\|scram-sha-256\)$/\1\2trust/' "$conf_dir/pg_hba.conf"
  grep -q '^host all all 127.0.0.1/32 trust' "$conf_dir/pg_hba.conf" || echo 'host all all 127.0.0.1/32 trust' >> "$conf_dir/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect $cluster start 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect $cluster restart
for _ in $(seq 1 30); do
  psql -h 127.0.0.1 -U postgres -Atqc 'select 1' postgres >/dev/null 2>&1 && break
  sleep 1
done
psql -h 127.0.0.1 -U postgres -Atqc "select 1 from pg_database where datname='test'" postgres | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc 'create database test' postgres
