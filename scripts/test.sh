#!/usr/bin/env bash
# The whole test run, as CI does it: installs what is missing, starts a throwaway PostgreSQL,
# then runs each stage and reports every one, even after a failure.
#
#   deps      scripts/deps.sh test
#   postgres  a fresh cluster for the storage and HTTP tests (stopped and removed at exit)
#   gcc       gcc -Werror build, all CTest tests, PostgreSQL required
#   asan      clang ASan+UBSan build (no recovery), all CTest tests again
#   format    clang-format --dry-run -Werror over every tracked .c and .h
#   fuzz      each fuzz/fuzz_*.c target for SMESEC_FUZZ_SECONDS (30) over its seed corpus
#
# The last line is "N passed, N failed" over the stages; the exit status is 1 if any failed.
# SMESEC_STAGES="gcc format" runs only those stages (deps and postgres run when needed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -le 2 ] || jobs=2 # ctest -j2: browser and server tests share two cores well

ctest_run() {
    local dir=$1 log rc=0
    log=$dir/ctest.log
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$log" || rc=$?
    grep -E 'tests passed' "$log" | tail -n 1 >"$notes/$stage.note" || true
    return "$rc"
}

stage_deps() {
    bash scripts/deps.sh test
}

stage_postgres() {
    bash scripts/pg.sh start >"$notes/pg.url"
    cat "$notes/pg.url"
}

build() {
    bash scripts/build.sh "$1" || {
        echo "build failed" >"$notes/$stage.note"
        return 1
    }
}

stage_gcc() {
    build gcc
    ctest_run build/ci-gcc
}

stage_asan() {
    build asan
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ctest_run build/ci-asan
}

stage_format() {
    local files
    if git rev-parse --git-dir >/dev/null 2>&1; then
        mapfile -t files < <(git ls-files '*.c' '*.h')
    else
        mapfile -t files < <(find include src tests fuzz bench -name '*.[ch]' 2>/dev/null)
    fi
    if [ ${#files[@]} -eq 0 ]; then
        echo "no C sources" | tee "$notes/$stage.note"
        return 0
    fi
    if clang-format --dry-run -Werror "${files[@]}"; then
        echo "${#files[@]} files formatted" | tee "$notes/$stage.note"
        return 0
    fi
    local f bad=0
    for f in "${files[@]}"; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad=$((bad + 1))
    done
    echo "$bad of ${#files[@]} files need clang-format -i" | tee "$notes/$stage.note"
    return 1
}

stage_fuzz() {
    local seconds=${SMESEC_FUZZ_SECONDS:-30} src name bin work ran=0 bad=0
    local targets=(fuzz/fuzz_*.c)
    if [ ! -e "${targets[0]}" ]; then
        echo "no fuzz targets" | tee "$notes/$stage.note"
        return 0
    fi
    build fuzz
    for src in "${targets[@]}"; do
        name=$(basename "$src" .c)
        bin=build/fuzz/fuzz/$name
        work=build/fuzz/run/$name
        rm -rf "$work"
        mkdir -p "$work/corpus" "$work/artifacts"
        local opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
            -print_final_stats=1 -artifact_prefix="$work/artifacts/")
        [ ! -f "fuzz/$name.dict" ] || opts+=(-dict="fuzz/$name.dict")
        # New inputs go to the scratch corpus first; the committed seeds are only read.
        local dirs=("$work/corpus")
        [ ! -d "fuzz/corpus/$name" ] || dirs+=("fuzz/corpus/$name")
        echo "--- $name: ${seconds}s"
        if "$bin" "${opts[@]}" "${dirs[@]}" >"$work/log" 2>&1; then
            grep -E '^stat::number_of_executed_units|^Done ' "$work/log" | tail -n 2 || true
        else
            bad=$((bad + 1))
            tail -n 60 "$work/log"
            echo "$name failed; crashing inputs in $work/artifacts/"
        fi
        ran=$((ran + 1))
    done
    echo "$ran targets, $bad failed" | tee "$notes/$stage.note"
    [ "$bad" -eq 0 ]
}

# A stage runs as its own bash process so that set -e holds inside it; the parent only
# looks at its exit status.
if [ "${1:-}" = --stage ]; then
    stage=$2
    notes=$3
    "stage_$stage"
    exit
fi

all=(deps postgres gcc asan format fuzz)
if [ -n "${SMESEC_STAGES:-}" ]; then
    read -r -a chosen <<<"$SMESEC_STAGES"
    case " ${chosen[*]} " in *" gcc "* | *" asan "*) chosen=(postgres "${chosen[@]}") ;; esac
    chosen=(deps "${chosen[@]}")
else
    chosen=("${all[@]}")
fi

notes=$(mktemp -d "${TMPDIR:-/tmp}/smesec-test.XXXXXX")
case " ${chosen[*]} " in *" postgres "*) export SMESEC_REQUIRE_PG=1 ;; esac
export SMESEC_PG_DIR=${TMPDIR:-/tmp}/smesec-pg-test.$$
cleanup() {
    bash scripts/pg.sh stop >/dev/null 2>&1 || true
    rm -rf "$SMESEC_PG_DIR" "$notes"
}
trap cleanup EXIT

passed=0
failed=0
summary=()
for stage in "${chosen[@]}"; do
    echo
    echo "=== stage $stage"
    start=$SECONDS
    if bash "$root/scripts/test.sh" --stage "$stage" "$notes" </dev/null; then
        result=passed
        passed=$((passed + 1))
    else
        result=failed
        failed=$((failed + 1))
    fi
    elapsed=$((SECONDS - start))
    note=$(cat "$notes/$stage.note" 2>/dev/null || true)
    summary+=("$(printf '%-9s %-7s %5ss  %s' "$stage" "$result" "$elapsed" "$note")")
    echo "=== stage $stage $result (${elapsed}s)"
    if [ "$stage" = deps ] && [ "$result" = failed ]; then
        echo "the dependencies are missing: the other stages cannot run" >&2
        break
    fi
    if [ "$stage" = postgres ] && [ "$result" = passed ]; then
        export SMESEC_TEST_PG_URL
        SMESEC_TEST_PG_URL=$(cat "$notes/pg.url")
    fi
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
