#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: trust authentication, 127.0.0.1 only, its
# Unix socket inside its own folder, owned by the user postgres (the server refuses to run
# as root).
#
#   scripts/pg.sh start   initialise if needed, start if not running; prints the URL
#   scripts/pg.sh url     prints the URL of the running cluster
#   scripts/pg.sh stop    stops it (the data stays for the next start)
#
# SMESEC_PG_DIR  the cluster's folder (default ${TMPDIR:-/tmp}/smesec-pg)
# SMESEC_PG_PORT the port; without it the first free port from 55432 up is taken
set -euo pipefail

dir=${SMESEC_PG_DIR:-${TMPDIR:-/tmp}/smesec-pg}
data=$dir/data
portfile=$dir/port

die() {
    echo "pg: $*" >&2
    exit 1
}

find_bindir() {
    local d
    if command -v pg_config >/dev/null; then
        d=$(pg_config --bindir)
        if [ -x "$d/initdb" ]; then
            echo "$d"
            return
        fi
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ]; then
            echo "$d"
            return
        fi
    done
    die "cannot find initdb: is the postgresql package installed? (scripts/deps.sh test)"
}

# Runs a command as postgres, from the cluster's folder so the server never starts in a
# folder it cannot read.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    elif [ "$(id -un)" = postgres ]; then
        (cd "$dir" && "$@")
    else
        (cd "$dir" && sudo -u postgres -- "$@")
    fi
}

port_in_use() {
    (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null
}

running() {
    [ -f "$data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

url() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$portfile")/postgres"
}

start() {
    if [ ! -d "$dir" ]; then
        mkdir -p "$dir"
        chmod 700 "$dir"
    fi
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "the user postgres cannot reach '$dir' (a parent folder is closed): set SMESEC_PG_DIR"
    fi
    if running; then
        url
        return
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_pg "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            die "initdb failed in '$data'"
        }
    fi
    local port
    if [ -n "${SMESEC_PG_PORT:-}" ]; then
        port=$SMESEC_PG_PORT
        port_in_use "$port" && die "port $port is in use"
    else
        port=55432
        while port_in_use "$port"; do
            port=$((port + 1))
            [ "$port" -lt 55532 ] || die "no free port in 55432-55531"
        done
    fi
    as_pg "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start \
        >/dev/null || {
        tail -n 30 "$dir/server.log" >&2
        die "cannot start the server in '$data'"
    }
    echo "$port" >"$portfile"
    url
}

stop() {
    if running; then
        as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
        echo "pg: stopped" >&2
    fi
}

bindir=$(find_bindir)
case ${1:-} in
start) start ;;
stop) stop ;;
url)
    running || die "not running (scripts/pg.sh start)"
    url
    ;;
*)
    echo "usage: scripts/pg.sh start|stop|url" >&2
    exit 2
    ;;
esac
