#!/usr/bin/env bash
# Command-line cases: arguments and standard input -> expected exit status and text.
#
#   tests/cli/run.sh path/to/smesec
#
# Each case is one line of the table below:
#
#   t NAME STATUS STDIN EXPECT [VAR=VALUE...] -- ARGUMENTS...
#
# STATUS is a number, several joined with '|' (any of them), or 'fail' (any non-zero).
# STDIN is the text fed to the program ('' for none; a newline is added).
# EXPECT is a '|'-joined list of out:TEXT, err:TEXT or any:TEXT: each TEXT must appear in
# standard output, standard error, or either ('' to check nothing).
# VAR=VALUE before '--' are set in the program's environment.
# Cases run in order on one temporary SQLite database, $db; each runs under a time limit.
# Prints "N passed, N failed" at the end; the exit status is 1 if any case failed.
set -uo pipefail

bin=${1:?usage: tests/cli/run.sh path/to/smesec}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || {
    echo "cli: '$bin' is not an executable" >&2
    exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smesec-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
db=$tmp/cli.db
unset SMESEC_DB

passed=0
failed=0

status_ok() {
    local want=$1 got=$2 s
    if [ "$want" = fail ]; then
        [ "$got" -ne 0 ]
        return
    fi
    local IFS='|'
    for s in $want; do
        [ "$got" = "$s" ] && return 0
    done
    return 1
}

stream_name() {
    case $1 in
    out) echo stdout ;;
    err) echo stderr ;;
    *) echo "stdout or stderr" ;;
    esac
}

t() {
    local name=$1 want=$2 input=$3 expect=$4
    shift 4
    local vars=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        vars+=("$1")
        shift
    done
    shift
    local got=0 problems=() item stream text
    if [ -n "$input" ]; then
        printf '%s\n' "$input" |
            timeout 30 env "${vars[@]}" "$bin" "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
    else
        timeout 30 env "${vars[@]}" "$bin" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || got=$?
    fi
    if [ "$got" -eq 124 ]; then
        problems+=("did not finish within 30 s")
    elif ! status_ok "$want" "$got"; then
        problems+=("exit status $got, expected $want")
    fi
    if [ -n "$expect" ]; then
        local IFS='|'
        for item in $expect; do
            stream=${item%%:*}
            text=${item#*:}
            case $stream in
            out) grep -qF -- "$text" "$tmp/out" ;;
            err) grep -qF -- "$text" "$tmp/err" ;;
            any) cat "$tmp/out" "$tmp/err" | grep -qF -- "$text" ;;
            *) false ;;
            esac || problems+=("no '$text' in $(stream_name "$stream")")
        done
        unset IFS
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok - $name"
    else
        failed=$((failed + 1))
        echo "not ok - $name: ${vars[*]} smesec $*"
        printf '    %s\n' "${problems[@]}"
        echo "    --- stdout"
        sed 's/^/    /' "$tmp/out" | head -n 20
        echo "    --- stderr"
        sed 's/^/    /' "$tmp/err" | head -n 20
    fi
}

version=$(sed -n 's/^project(smesec VERSION \([0-9.]*\).*/\1/p' \
    "$(dirname "$0")/../../CMakeLists.txt" 2>/dev/null)

# name                              status  stdin              expect
t 'help lists the commands'         0       ''                 'out:serve|out:migrate|out:user|out:seed' -- --help
t 'version prints the version'      0       ''                 "out:${version:-.}" -- --version
t 'unknown command is a usage error' '2|64' ''                 'err:frobnicate' -- frobnicate
t 'unknown option is a usage error' '2|64'  ''                 'err:--frobnicate' -- --frobnicate
t 'migrate a fresh database'        0       ''                 'any:applied' -- migrate --db "$db"
t 'migrate again has nothing to do' 0       ''                 'any:up to date' -- migrate --db "$db"
t 'SMESEC_DB names the database'    0       ''                 'any:up to date' SMESEC_DB="$db" -- migrate
t 'user add with password on stdin' 0       'alice-password-1' '' -- user add alice --role operator --db "$db"
t 'user add an existing name fails' fail    'alice-password-1' 'err:alice' -- user add alice --role operator --db "$db"
t 'user add with an unknown role'   fail    'bob-password-1'   'err:janitor' -- user add bob --role janitor --db "$db"
t 'user add with a short password'  fail    'short'            'err:password' -- user add carol --role reviewer --db "$db"
t 'user add without a password'     fail    ''                 'err:password' -- user add carol --role reviewer --db "$db"
t 'user add with a bad username'    fail    'frank-password-1' "err:Bad Name" -- user add 'Bad Name' --role operator --db "$db"
t 'user add with a display name'    0       'dave-password-1'  '' -- user add dave --role analyst --name 'Dave D' --db "$db"
t 'user add without a role'         '2|64'  'erin-password-1'  'err:role' -- user add erin --db "$db"
t 'user passwd an existing user'    0       'alice-password-2' '' -- user passwd alice --db "$db"
t 'user passwd a short password'    fail    'short'            'err:password' -- user passwd alice --db "$db"
t 'user passwd an unknown user'     fail    'nobody-password'  'err:nobody' -- user passwd nobody --db "$db"
t 'user add an association'        0       'assoc-password-1' '' -- user add assoc --role association --db "$db"
t 'user industry ties it'           0       ''                 'out:物流' -- user industry assoc 物流 --db "$db"
t 'user industry unties it'         0       ''                 'out:no industry' -- user industry assoc --db "$db"
t 'user industry not an association' fail   ''                 'err:association' -- user industry dave 物流 --db "$db"
t 'user industry an unknown user'   fail    ''                 'err:nobody' -- user industry nobody 物流 --db "$db"
t 'user industry without a user'    '2|64'  ''                 'err:USERNAME' -- user industry --db "$db"
t 'seed the demo data'              0       ''                 'any:operator' -- seed --demo --db "$db"
t 'seed the demo data again'        0       ''                 '' -- seed --demo --db "$db"
t 'registry due sends the reminders' 0      ''                 'out:renewal schedule as of|out:overdue|out:reminders sent: 3' -- registry due --db "$db"
t 'registry due again sends nothing' 0      ''                 'out:reminders sent: 0' -- registry due --db "$db"
t 'registry due on a given day'     0       ''                 'out:as of 2020-01-01|out:no registration is due' -- registry due --today 2020-01-01 --db "$db"
t 'registry due with a bad date'    '2|64'  ''                 'err:--today' -- registry due --today 2030-02-30 --db "$db"
t 'registry export to a file'       0       ''                 'out:registry.csv' -- registry export --csv registry.csv --db "$db"
t 'registry export needs --csv'     '2|64'  ''                 'err:--csv' -- registry export --db "$db"
t 'registry import a dry run'       0       ''                 'out:nothing was imported' -- registry import registry.csv --dry-run --db "$db"
t 'registry import updates in place' 0      ''                 'out:(0 new' -- registry import registry.csv --db "$db"
t 'registry import a missing file'  fail    ''                 'err:no-such.csv' -- registry import no-such.csv --db "$db"
t 'registry import a foreign file'  fail    ''                 'err:row 1' -- registry import "$bin" --db "$db"
t 'registry without a subcommand'   '2|64'  ''                 'err:registry' -- registry
t 'provider token by name'          0       ''                 'out:' -- provider token '（架空）北海道あんしんITサポート株式会社' --db "$db"
t 'provider token by id'            0       ''                 '' -- provider token 1 --db "$db"
t 'provider token an unknown one'   fail    ''                 "err:no provider 'nobody'" -- provider token nobody --db "$db"
t 'provider token needs a provider' '2|64'  ''                 'err:which provider' -- provider token --db "$db"
t 'provider without a subcommand'   '2|64'  ''                 'err:provider' -- provider
t 'seed without --demo'             '2|64'  ''                 '' -- seed --db "$db"
t 'a database in a missing folder'  fail    ''                 'err:/nonexistent-dir/x.db' -- migrate --db /nonexistent-dir/x.db
t 'serve with a bad listen address' fail    ''                 'err:nonsense' -- serve --db "$db" --listen nonsense
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
