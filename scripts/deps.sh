#!/usr/bin/env bash
# Installs the Debian packages smesec needs, quietly and idempotently: packages already
# installed are skipped, so a second run costs a few dpkg-query calls and no network.
#
#   scripts/deps.sh run    what building and running the server needs
#   scripts/deps.sh test   everything: running, plus compilers, checkers and test services
#
# Debian bookworm, as root (or through sudo when it is there).
set -euo pipefail

mode=${1:-test}

# --- building and running -------------------------------------------------------------
# Toolchain and build system.
run_build=(build-essential cmake pkg-config ca-certificates)
# Libraries libsmesec and the server link: storage (SQLite, PostgreSQL client), JSON,
# password hashing and random numbers, HTTP.
run_libs=(libsqlite3-dev libpq-dev libjansson-dev libsodium-dev libmicrohttpd-dev)
# Libraries for the guideline commons: XLSX workbooks, PDF text, ZIP/XML of office files,
# Unicode normalisation, YAML catalogs and the service standard, Japanese word segmentation
# with its dictionary.
run_next=(libxlsxwriter-dev libpoppler-glib-dev libzip-dev libxml2-dev libutf8proc-dev
    libyaml-dev libmecab-dev mecab mecab-ipadic-utf8)

# --- testing and checking -------------------------------------------------------------
# clang for the sanitizer and fuzz builds (its runtime libraries are in libclang-rt),
# clang-format and clang-tidy for the style checks, git to list the tracked sources.
test_tools=(clang clang-format clang-tidy libclang-rt-14-dev git)
# Test frameworks: cmocka for the C tests, libcurl for the HTTP tests' client, and Python's
# jsonschema to validate the OSCAL and STIX exports against their published schemas.
test_libs=(libcmocka-dev libcurl4-openssl-dev python3-jsonschema)
# Services and drivers: a PostgreSQL server for the storage contract suite, wrk for the load
# benchmark, Chromium for the browser tests (driven from Node.js through playwright-core) and
# a Japanese font so its screenshots show the text instead of empty boxes.
test_services=(postgresql wrk chromium fonts-ipafont-gothic)
test_node=(nodejs npm)

case $mode in
run) wanted=("${run_build[@]}" "${run_libs[@]}" "${run_next[@]}") ;;
test)
    wanted=("${run_build[@]}" "${run_libs[@]}" "${run_next[@]}" "${test_tools[@]}"
        "${test_libs[@]}" "${test_services[@]}")
    # A machine may bring its own Node.js and npm; Debian's npm would overwrite that npm.
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        wanted+=("${test_node[@]}")
    fi
    ;;
*)
    echo "usage: scripts/deps.sh run|test" >&2
    exit 2
    ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#wanted[@]} packages for '$mode' are installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi

echo "deps: installing ${#missing[@]} packages: ${missing[*]}"
log=$(mktemp "${TMPDIR:-/tmp}/smesec-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -q &&
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    </dev/null >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "deps: cannot install: ${missing[*]}" >&2
    exit 1
fi
echo "deps: installed ${missing[*]}"
