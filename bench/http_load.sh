#!/usr/bin/env bash
# HTTP load benchmark: the server on a fresh demo SQLite database, loaded by wrk over loopback.
#
#   bench/http_load.sh [path/to/smesec]
#
# Without a path it builds the release flavour (scripts/build.sh release). For each path it
# prints requests per second, the 99th-percentile latency and the count of error responses,
# then the server's peak resident memory. Bounded: BENCH_SECONDS (10) per path, with
# BENCH_THREADS (2) wrk threads over BENCH_CONNECTIONS (32) connections, on 127.0.0.1 only.
# SMESEC_BENCH_SERVER_ARGS adds arguments to 'smesec serve' (e.g. "--threads 4").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

seconds=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}
paths=(/ /api/v1/prefectures)

command -v wrk >/dev/null || {
    echo "bench: wrk is missing (scripts/deps.sh test)" >&2
    exit 1
}

if [ $# -gt 0 ]; then
    bin=$1
    case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
else
    bash "$root/scripts/build.sh" release >/dev/null
    bin=$(find "$root/build/release" -name smesec -type f -perm -u+x | head -n 1)
fi
[ -x "$bin" ] || {
    echo "bench: '$bin' is not an executable" >&2
    exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smesec-bench.XXXXXX")
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

db=$tmp/bench.db
"$bin" migrate --db "$db" >/dev/null
"$bin" seed --demo --db "$db" >/dev/null

: >"$tmp/server.out"
read -r -a extra <<<"${SMESEC_BENCH_SERVER_ARGS:-}"
"$bin" serve --db "$db" --listen 127.0.0.1:0 --no-access-log "${extra[@]}" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!

url=
for _ in $(seq 1 100); do
    if [[ $(head -n 1 "$tmp/server.out") =~ listening\ on\ (http://127\.0\.0\.1:[0-9]+)/ ]]; then
        url=${BASH_REMATCH[1]}
        break
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "bench: the server did not start" >&2
    cat "$tmp/server.out" "$tmp/server.err" >&2
    exit 1
fi

echo "$("$bin" --version 2>/dev/null | head -n 1) at $url; wrk -t$threads -c$connections -d${seconds}s"
printf '%-24s %12s %12s %10s\n' path requests/s 'p99 latency' errors
for path in "${paths[@]}"; do
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$url$path" >"$tmp/wrk.out" 2>&1 || {
        cat "$tmp/wrk.out" >&2
        exit 1
    }
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
    # Error responses plus connect/read/write/timeout socket errors.
    errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
        /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
        END { print n + 0 }' "$tmp/wrk.out")
    printf '%-24s %12s %12s %10s\n' "$path" "$rps" "$p99" "$errors"
done

hwm=$(awk '/^VmHWM:/ { print $2, $3 }' "/proc/$server/status")
echo "server peak RSS (VmHWM): $hwm"
