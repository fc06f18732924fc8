#!/usr/bin/env bash
# Load benchmark of the public services search: 2,000 registered services in a fresh SQLite
# database, the server on 127.0.0.1, wrk over loopback.
#
#   bench/services_load.sh [path/to/smesec]
#
# Without a path it builds the release flavour (scripts/build.sh release). The services come
# from a generated CSV (BENCH_SERVICES, default 2000) put in with 'smesec registry import':
# 60 fictitious providers; each service of one type and class at varied prices, offered in
# 1 to 6 prefectures or (one in twenty) nationwide, with plain-words texts and a device, so
# pages are as large as real ones. Then, for BENCH_SECONDS (10) each, with BENCH_THREADS (2)
# wrk threads over BENCH_CONNECTIONS (32) connections:
#
#   html    the search page for eight prefectures with and without filters (cached)
#   api     GET /api/v1/services for the same searches (cached)
#   cold    the search page with a different device count on every request, so that every
#           request misses the cache: what the search and rendering cost on their own
#
# and prints requests per second, the 99th-percentile latency and the error count of each,
# then the server's peak resident memory. SMESEC_BENCH_SERVER_ARGS adds arguments to
# 'smesec serve' (e.g. "--threads 4").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

seconds=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}
services=${BENCH_SERVICES:-2000}

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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smesec-services-bench.XXXXXX")
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The registry CSV (the columns of 'smesec registry export'), generated with a fixed seed so
# every run loads the same registry.
awk -v n="$services" 'BEGIN {
    srand(20240315)
    print "registration_no,status,registered_on,renewal_on,status_note,provider," \
        "provider_fictitious,provider_prefecture,provider_email,name,class,type,prefectures," \
        "monthly_yen,device_monthly_yen,initial_yen,price_note,helpdesk,helpdesk_hours," \
        "helpdesk_channels,monitoring_24h,monitoring_method,onsite,remote_support,insurance," \
        "insurance_initial_response,insurance_pays,insurance_user_pays,contract_terms," \
        "contract_min_months,desc_helpdesk,desc_monitoring,desc_onsite,desc_insurance,summary," \
        "class1_since,customers_1y,monitored_endpoints,devices"
    split("network endpoint combined", types, " ")
    split("utm,effective,（架空）メーカーA,（架空）UTM-100,マルウェア対策、Webフィルタリング、不正侵入防御," \
          "|edr,effective,（架空）メーカーB,（架空）EDR Cloud,振る舞い検知と端末の隔離、ランサムウェア対策," \
          "|edr,partial,（架空）メーカーC,（架空）EDR Lite,振る舞い検知,検知のみ" \
          "|utm,unknown,（架空）メーカーD,（架空）UTM-S,C&Cへの通信の検知,C&Cのみ", devices, "|")
    for (i = 0; i < n; i++) {
        type = types[1 + int(rand() * 3)]
        cls = rand() < 0.2 ? 2 : 1
        if (rand() < 0.05) {
            prefs = "nationwide"
        } else {
            k = 1 + int(rand() * 6); prefs = ""; delete seen
            for (j = 0; j < k; j++) {
                p = 1 + int(rand() * 47)
                if (p in seen) continue
                seen[p] = 1
                prefs = prefs (prefs == "" ? "" : ";") sprintf("%02d", p)
            }
        }
        monthly = type != "endpoint" ? 3000 + int(rand() * 8000) : ""
        device = type != "network" ? 800 + int(rand() * 1300) : ""
        onsite = rand() < 0.67 ? "yes" : ""
        dev = devices[1 + int(rand() * 4)]
        printf "BENCH-%05d,registered,2024-01-01,2099-12-31,,（架空）ベンチ事業者%02d,1,13,," \
            "（架空）ベンチ用サービス %d,%d,%s,%s,%s,%s,%d,,yes,平日 9:00〜18:00,phone;email," \
            "yes,監視センターが24時間監視し、重要な警告は担当者が確認して連絡します。,%s,yes," \
            "yes,yes,駆付け費用と初動調査の費用を年間100万円まで補償,,1年契約,12," \
            "導入や使い方、怪しいメールなど、困ったときに電話やメールで相談できます。," \
            "不審な通信や端末の動きを24時間見張り、危ないときはすぐにお知らせします。," \
            "必要なときは、技術者が会社まで駆け付けて対応します。," \
            "被害にあったときの駆付けや調査の費用を保険で補償します。," \
            "（架空）ベンチマーク用に生成したサービス %d の概要。小さな会社でもすぐに始められます。" \
            ",,,,\"%s\"\n", i, i % 60, i, cls, type, prefs, monthly, device,
            (i % 3) * 10000, onsite, i, dev
    }
}' >"$tmp/services.csv"

db=$tmp/bench.db
"$bin" migrate --db "$db" >/dev/null
"$bin" registry import "$tmp/services.csv" --db "$db" >/dev/null

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

# The searches: eight prefectures, some with filters. A search page must list services, so
# a broken build cannot look fast.
searches='prefecture=01 prefecture=13 prefecture=27&type=endpoint prefecture=40&onsite=1
prefecture=23&class=2 prefecture=04&max_price=20000&devices=10 prefecture=34&sort=price
prefecture=47&ransomware=1'
for q in $searches; do
    n=$(curl -sf "$url/api/v1/services?$q" | grep -o '"total":[0-9]*' | head -n 1 | cut -d: -f2)
    if [ -z "$n" ] || [ "$n" -eq 0 ]; then
        echo "bench: the search '$q' found nothing" >&2
        exit 1
    fi
done

# wrk scripts that go round the searches; "cold" asks for a new device count every time.
lua_paths() {
    local prefix=$1
    printf 'local paths = {'
    for q in $searches; do printf '"%s?%s",' "$prefix" "$q"; done
    printf '}\nlocal i = 0\nrequest = function()\n  i = i + 1\n'
    printf '  return wrk.format("GET", paths[(i %% #paths) + 1])\nend\n'
}
lua_paths /services >"$tmp/html.lua"
lua_paths /api/v1/services >"$tmp/api.lua"
cat >"$tmp/cold.lua" <<'EOF'
local prefs = { "01", "13", "27", "40", "23", "04", "34", "47" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/services?prefecture=" .. prefs[(i % #prefs) + 1] ..
    "&devices=" .. math.random(2, 99999))
end
EOF

echo "$("$bin" --version 2>/dev/null | head -n 1) at $url; $services services;" \
    "wrk -t$threads -c$connections -d${seconds}s"
printf '%-6s %-44s %12s %12s %8s\n' run paths requests/s 'p99 latency' errors
for run in html api cold; do
    case $run in
    html) what="/services?prefecture=..  (8 searches)" ;;
    api) what="/api/v1/services?prefecture=..  (8)" ;;
    cold) what="/services?..&devices=random (cache miss)" ;;
    esac
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$tmp/$run.lua" "$url" \
        >"$tmp/wrk.out" 2>&1 || {
        cat "$tmp/wrk.out" >&2
        exit 1
    }
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
    errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
        /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
        END { print n + 0 }' "$tmp/wrk.out")
    printf '%-6s %-44s %12s %12s %8s\n' "$run" "$what" "$rps" "$p99" "$errors"
done

hwm=$(awk '/^VmHWM:/ { print $2, $3 }' "/proc/$server/status")
echo "server peak RSS (VmHWM): $hwm"
