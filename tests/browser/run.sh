#!/usr/bin/env bash
# Browser tests: starts the real server on a fresh demo database and drives Debian's headless
# Chromium against it with playwright-core, through node's built-in test runner.
#
#   tests/browser/run.sh path/to/smesec
#
# Installs playwright-core and axe-core into tests/browser/node_modules (from package-lock.json)
# when one is missing; it never downloads a browser. Screenshots go to SMESEC_BROWSER_ARTIFACTS, by
# default browser-artifacts/ in the current folder (CTest runs this in the build folder).
# SMESEC_CHROMIUM overrides /usr/bin/chromium.
set -euo pipefail

bin=${1:?usage: tests/browser/run.sh path/to/smesec}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
export SMESEC_BROWSER_ARTIFACTS=${SMESEC_BROWSER_ARTIFACTS:-$PWD/browser-artifacts}

chromium=${SMESEC_CHROMIUM:-/usr/bin/chromium}
for need in node npm "$chromium"; do
    command -v "$need" >/dev/null || {
        echo "browser: '$need' is missing (scripts/deps.sh test)" >&2
        exit 1
    }
done

# Installed when any package of package.json is missing (playwright-core, axe-core).
missing() {
    for pkg in playwright-core axe-core; do
        [ -f "$here/node_modules/$pkg/package.json" ] || return 0
    done
    return 1
}
if missing; then
    # Several builds may run this at once (CTest in two build folders): one installs.
    (
        flock 9
        if missing; then
            npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
        fi
    ) 9>"${TMPDIR:-/tmp}/smesec-browser-npm.lock"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smesec-browser.XXXXXX")
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

db=$tmp/browser.db
"$bin" migrate --db "$db" >/dev/null
"$bin" seed --demo --db "$db" >/dev/null

: >"$tmp/server.out"
"$bin" serve --db "$db" --listen 127.0.0.1:0 >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!

# The server's first line on stdout names the address it listens on.
url=
for _ in $(seq 1 200); do
    line=$(head -n 1 "$tmp/server.out" || true)
    if [[ $line =~ listening\ on\ (http://127\.0\.0\.1:[0-9]+/) ]]; then
        url=${BASH_REMATCH[1]}
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "browser: the server did not say where it listens" >&2
    echo "--- stdout" >&2
    cat "$tmp/server.out" >&2
    echo "--- stderr" >&2
    cat "$tmp/server.err" >&2
    exit 1
fi
echo "browser: server at $url (pid $server)"

status=0
SMESEC_URL=$url SMESEC_CHROMIUM=$chromium \
    node --test --test-reporter=spec --test-concurrency=1 "$here"/*.test.mjs || status=$?

# Stop the server as an operator would: SIGTERM lets it finish and exit 0, and under the
# sanitizers that exit is also where leaks are reported.
if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    for _ in $(seq 1 150); do
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$server" 2>/dev/null; then
        echo "browser: the server did not stop within 15 s of SIGTERM" >&2
        kill -KILL "$server" 2>/dev/null || true
    fi
fi
exit_status=0
wait "$server" || exit_status=$?
server=
if [ "$exit_status" -ne 0 ]; then
    echo "browser: the server exited with status $exit_status" >&2
    status=1
fi

if [ "$status" -ne 0 ]; then
    echo "--- server stderr (last 40 lines)"
    tail -n 40 "$tmp/server.err"
fi
echo "browser: screenshots in $SMESEC_BROWSER_ARTIFACTS"
exit "$status"
