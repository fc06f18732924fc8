#!/usr/bin/env bash
# Incident sharing at scale: ingest of a large CSV of incident reports and the statistics over
# them, on SQLite and on PostgreSQL.
#
#   bench/sharing.sh [path/to/sharing_bench]
#
# Without a path it builds the release flavour (scripts/build.sh release). BENCH_RECORDS
# (default 1000000) reports are written to a CSV file and imported for one provider with
# sm_sharing_import_csv (one transaction, row by row, statements prepared once), after 19
# other providers have sent 5,000 reports each; then the full statistics release for
# providers, the public release, and their STIX and CSV exports are timed (best and median of
# five), with the regional counts straight from the reports by GROUP BY for comparison. See
# bench/sharing_bench.c.
#
# SQLite: a new file in a temporary folder. PostgreSQL: a fresh database on the throwaway
# cluster of scripts/pg.sh (started when needed; note it runs with fsync=off), dropped
# afterwards; BENCH_PG=0 skips it. Targets: at least 50,000 reports a second ingested on
# SQLite, and the statistics under 200 ms. On a machine others are using, the CPU-time
# figure (ingest_records_per_cpu_second) is the steadier one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
records=${BENCH_RECORDS:-1000000}

if [ $# -gt 0 ]; then
    bin=$1
    case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
else
    bash "$root/scripts/build.sh" release >/dev/null
    bin=$(find "$root/build/release" -name sharing_bench -type f -perm -u+x | head -n 1)
fi
[ -x "$bin" ] || {
    echo "bench: '$bin' is not an executable" >&2
    exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smesec-sharing-bench.XXXXXX")
pg_db=
pg_admin=
cleanup() {
    if [ -n "$pg_db" ]; then
        psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# Prints the figures of one run, indented, with the targets checked.
report() {
    local out=$1
    sed 's/^/    /' "$out"
    awk -F= '
        $1 == "ingest_records_per_second" { rate = $2 }
        $1 == "stats_full_release_ms_best" { stats = $2 }
        END {
            printf "    ingest target (50000/s): %s\n", (rate >= 50000 ? "met" : "not met")
            printf "    statistics target (200 ms): %s\n", (stats < 200 ? "met" : "not met")
        }' "$out"
}

echo "sharing benchmark: $records reports"
echo "sqlite:"
"$bin" "$tmp/bench.db" "$records" "$tmp/reports.csv" >"$tmp/sqlite.out"
report "$tmp/sqlite.out"

if [ "${BENCH_PG:-1}" != 0 ]; then
    command -v psql >/dev/null || {
        echo "bench: psql is missing (scripts/deps.sh test)" >&2
        exit 1
    }
    pg_admin=$(bash "$root/scripts/pg.sh" start)
    pg_db=smesec_bench_$$
    psql -q "$pg_admin" -c "CREATE DATABASE $pg_db" >/dev/null
    echo "postgresql:"
    "$bin" "${pg_admin%/*}/$pg_db" "$records" "$tmp/reports.csv" >"$tmp/pg.out"
    report "$tmp/pg.out"
fi
