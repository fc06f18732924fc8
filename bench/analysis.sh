#!/usr/bin/env bash
# Analysis throughput against MeCab alone, on a generated corpus of Japanese guideline text.
#
#   bench/analysis.sh [path/to/analysis_bench]
#
# Without a path it builds the release flavour (scripts/build.sh release). The corpus is made
# at run time in a temporary folder from the labelled excerpts in tests/data/labelled/: each
# copy shuffles their lines with its own seed, until it holds BENCH_MB (default 12) megabytes
# in BENCH_DOCS (8) files. It then times
#   - mecab over the whole corpus (mecab < corpus > /dev/null): wall and user seconds;
#   - the analyser on one thread, and with sm_analyze_many on BENCH_THREADS (2) threads,
# and prints MB/s, the analyser's time relative to mecab's (wall and user CPU, one thread)
# and peak resident memory (the analyser's ru_maxrss; mecab's from /usr/bin/time). Each run
# is repeated BENCH_REPEAT (3) times and the fastest kept, since other load on the machine
# only ever adds time; user CPU is the steadier figure on a busy machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

mb=${BENCH_MB:-12}
n_docs=${BENCH_DOCS:-8}
threads=${BENCH_THREADS:-2}
repeat=${BENCH_REPEAT:-3}

command -v mecab >/dev/null || {
    echo "bench: mecab is missing (apt-get install mecab mecab-ipadic-utf8)" >&2
    exit 1
}

if [ $# -gt 0 ]; then
    bin=$1
    case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
else
    bash "$root/scripts/build.sh" release >/dev/null
    bin=$(find "$root/build/release" -name analysis_bench -type f -perm -u+x | head -n 1)
fi
[ -x "$bin" ] || {
    echo "bench: '$bin' is not an executable" >&2
    exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smesec-analysis.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The corpus: shuffled copies of the labelled excerpts, dealt round-robin into n_docs files.
target=$((mb * 1000 * 1000))
size=0
seed=0
while [ "$size" -lt "$target" ]; do
    seed=$((seed + 1))
    out="$tmp/doc$((seed % n_docs)).txt"
    cat "$root"/tests/data/labelled/*.txt | tr -d '\f' |
        shuf --random-source=<(yes "$seed") >>"$out"
    size=$(cat "$tmp"/doc*.txt | wc -c)
done
cat "$tmp"/doc*.txt >"$tmp/corpus.txt"
bytes=$(wc -c <"$tmp/corpus.txt")
echo "corpus: $bytes bytes in $n_docs documents"

# mecab alone: wall, user and peak memory from GNU time when present, else bash's time.
mecab_once() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%e %U %M' -o "$tmp/mecab.time" mecab <"$tmp/corpus.txt" >/dev/null
    else
        TIMEFORMAT='%R %U ?'
        { time mecab <"$tmp/corpus.txt" >/dev/null; } 2>"$tmp/mecab.time"
    fi
    cat "$tmp/mecab.time"
}
m_wall=
for _ in $(seq "$repeat"); do
    read -r w u r < <(mecab_once)
    if [ -z "$m_wall" ] || awk -v a="$w" -v b="$m_wall" 'BEGIN { exit !(a < b) }'; then
        m_wall=$w m_rss=$r
    fi
    if [ -z "${m_user:-}" ] || awk -v a="$u" -v b="$m_user" 'BEGIN { exit !(a < b) }'; then
        m_user=$u
    fi
done

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
# The fastest of the repeated runs (by wall time) with the least user time seen.
best_of() {
    local best= line user min_user=
    for _ in $(seq "$repeat"); do
        line=$("$bin" "$root/data/catalog/sc3-catalog.yaml" "$1" "$tmp"/doc*.txt)
        user=$(field user <<<"$line")
        if [ -z "$best" ] || awk -v a="$(field wall <<<"$line")" -v b="$(field wall <<<"$best")" \
            'BEGIN { exit !(a < b) }'; then
            best=$line
        fi
        if [ -z "$min_user" ] || awk -v a="$user" -v b="$min_user" 'BEGIN { exit !(a < b) }'; then
            min_user=$user
        fi
    done
    sed "s/user=[^ ]*/user=$min_user/" <<<"$best"
}
one=$(best_of 1)
many=$(best_of "$threads")
a_wall=$(field wall <<<"$one")
a_user=$(field user <<<"$one")

awk -v b="$bytes" -v w="$m_wall" -v u="$m_user" -v r="$m_rss" \
    'BEGIN { printf "mecab:           %6.2f MB/s  wall %.2f s  user %.2f s  peak RSS %s KB\n", b / 1e6 / w, w, u, r }'
for line in "$one" "$many"; do
    awk -v t="$(field threads <<<"$line")" -v s="$(field mb_per_s <<<"$line")" \
        -v w="$(field wall <<<"$line")" -v u="$(field user <<<"$line")" \
        -v r="$(field maxrss_kb <<<"$line")" -v c="$(field compile_ms <<<"$line")" \
        'BEGIN { printf "analyser %d thr:  %6.2f MB/s  wall %.2f s  user %.2f s  peak RSS %s KB  (rules compiled in %s ms)\n", t, s, w, u, r, c }'
done
awk -v aw="$a_wall" -v au="$a_user" -v mw="$m_wall" -v mu="$m_user" \
    'BEGIN { printf "analyser / mecab, one thread: wall %.2fx, user CPU %.2fx (target <= 1.5x)\n", aw / mw, au / mu }'
