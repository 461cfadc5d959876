#!/usr/bin/env bash
# Benchmarks `keydesk serve` against nginx on this machine, all in one run, on
# loopback, with wrk (64 keep-alive connections):
#
#   1. nginx `return 200`                      (the baseline: an HTTP round trip)
#   2. keydesk /verify with a valid key         (vs 1)
#   3. nginx auth_request → keydesk → stub     (vs 4: the cost of the check)
#   4. nginx proxy_pass → stub, no auth
#   5. keydesk --upstream (proxy) → stub        (vs 4)
#   6. crates/keydesk-serve/examples/bare_proxy → stub: a minimal hyper proxy with no key check
#      on keydesk's upstream code, the ceiling for 5 (vs 4)
#   7. keydesk /verify, 16 keys in turn, no rules   (the same, through wrk's Lua)
#   8. keydesk /verify, 16 keys in turn, each under `--rpm 100000`, never
#      reached (vs 7: the cost of the limiter; 16 keys so that no key comes
#      near 100,000 accepted in any minute of the run)
#   9. keydesk's resident memory with 100,000 keys loaded
#
# The stub upstream is nginx answering `return 200`, the same server block
# of the same nginx process for 4, 5 and 6. nginx runs one worker per core
# (`worker_processes auto`), keydesk one tokio worker thread per core (its
# default); wrk runs 2 threads on the same cores. The script prints all three
# and the load average before and after. Needs nginx and wrk (Debian:
# apt-get install nginx wrk; .ci/run installs them).
#
#   scripts/bench-serve.sh                 # 3 rounds of 5 s per target, medians
#   DURATION=10s ROUNDS=5 KEYS=100000 scripts/bench-serve.sh
#   KEYDESK_THREADS=1 scripts/bench-serve.sh   # keydesk serve --threads 1
#   COMPARE_BIN=/tmp/keydesk-old scripts/bench-serve.sh   # also that build's proxy mode
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-100000}
CONNECTIONS=64
THREADS=2

for program in nginx wrk; do
    command -v "$program" >/dev/null || [ -x "/usr/sbin/$program" ] || {
        echo "bench-serve: $program is not installed (apt-get install $program)" >&2
        exit 2
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

. scripts/lib.sh


echo "== building (release) and filling a database with $KEYS keys"
cargo build --release --quiet --bin keydesk
cargo build --release --quiet -p keydesk-serve --example bare_proxy
cargo run --release --quiet --example populate -- --count "$KEYS" --db "$WORK/keys.redb" --secrets-out "$WORK/secrets"
KEY=$(head -n1 "$WORK/secrets")
# 16 keys without rules and 16 under an rpm rule, for targets 7 and 8; wrk
# sends them in turn (the same Lua script for both, so its cost is on both).
make_keys() { # file-suffix [create flags…]
    local suffix=$1; shift
    for i in $(seq 16); do
        target/release/keydesk create --db "$WORK/keys.redb" --name "bench-$suffix-$i" --accept-terms "$@" 2>/dev/null
    done >"$WORK/keys-$suffix"
}
make_keys plain
make_keys rpm --rpm 100000
lua_for() { # file-suffix → a wrk script sending those keys in turn
    {
        echo "local keys = {"
        sed 's/.*/  "&",/' "$WORK/keys-$1"
        echo "}"
        echo 'local i = 0'
        echo 'request = function()'
        echo '  i = i % #keys + 1'
        echo '  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. keys[i] })'
        echo 'end'
    } >"$WORK/keys-$1.lua"
}
lua_for plain
lua_for rpm

STUB=$(free_port); AUTH=$(free_port); PLAIN=$(free_port); VERIFY=$(free_port); PROXY=$(free_port); BARE=$(free_port)
THREAD_ARGS=()
[ -n "${KEYDESK_THREADS:-}" ] && THREAD_ARGS=(--threads "$KEYDESK_THREADS")

USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
cat >"$WORK/nginx.conf" <<EOF
$USER_LINE
daemon off;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/body;
    proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi;
    scgi_temp_path $WORK/scgi;
    upstream stub { server 127.0.0.1:$STUB; keepalive 64; }
    upstream keydesk { server 127.0.0.1:$VERIFY; keepalive 64; }
    server { listen 127.0.0.1:$STUB; location / { return 200 "ok"; } }
    server {
        listen 127.0.0.1:$PLAIN;
        location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://stub; }
    }
    server {
        listen 127.0.0.1:$AUTH;
        location = /_keydesk_auth {
            internal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://keydesk/verify;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
        location / {
            auth_request /_keydesk_auth;
            auth_request_set \$key_id \$upstream_http_x_keydesk_key_id;
            proxy_set_header X-Keydesk-Key-Id \$key_id;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://stub;
        }
    }
}
EOF
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
NGINX_PID=$!
PIDS+=($NGINX_PID)
target/release/keydesk serve --db "$WORK/keys.redb" --listen "127.0.0.1:$VERIFY" "${THREAD_ARGS[@]}" 2>"$WORK/verify.log" &
VERIFY_PID=$!
PIDS+=($VERIFY_PID)
target/release/keydesk serve --db "$WORK/keys.redb" --listen "127.0.0.1:$PROXY" "${THREAD_ARGS[@]}" \
    --upstream "http://127.0.0.1:$STUB" 2>"$WORK/proxy.log" &
PROXY_PID=$!
PIDS+=($PROXY_PID)
target/release/examples/bare_proxy "127.0.0.1:$BARE" "127.0.0.1:$STUB" 2>"$WORK/bare.log" &
PIDS+=($!)
PORTS=($STUB $PLAIN $AUTH $VERIFY $PROXY $BARE)
if [ -n "${COMPARE_BIN:-}" ]; then
    COMPARE=$(free_port)
    "$COMPARE_BIN" serve --db "$WORK/keys.redb" --listen "127.0.0.1:$COMPARE" "${THREAD_ARGS[@]}" \
        --upstream "http://127.0.0.1:$STUB" 2>"$WORK/compare.log" &
    PIDS+=($!)
    PORTS+=($COMPARE)
fi
for port in "${PORTS[@]}"; do wait_port "$port"; done
NGINX_WORKERS=$(pgrep -c -P "$NGINX_PID" || true)
KEYDESK_WORKERS=$(grep -cx keydesk-serve /proc/"$PROXY_PID"/task/*/comm 2>/dev/null | awk -F: '{ n += $2 } END { print n }')

rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
RSS_IDLE=$(rss_mib "$VERIFY_PID")

# wrk's requests/s and p99 (in µs) of one run: $1 a URL, or `URL lua:SUFFIX`
# to send the keys of that file in turn.
run() {
    local out args=(-H "Authorization: Bearer $KEY")
    case "$1" in
        *" lua:"*) args=(-s "$WORK/keys-${1##* lua:}.lua") ;;
    esac
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${args[@]}" "${1%% *}")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "bench-serve: WARNING: $1 answered non-2xx; its figures are not comparable:" >&2
        echo "$out" >&2
    fi
    local rps p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000; else f = 1;
        printf "%.0f", v * f }' <<<"$out")
    echo "$rps $p99"
}

report() { # name rps p99 [baseline-name base-rps base-p99]
    printf "%-42s %10.0f req/s   p99 %7s µs" "$1" "$2" "$3"
    if [ $# -gt 3 ]; then
        awk -v r="$2" -v br="$5" -v p="$3" -v bp="$6" -v n="$4" \
            'BEGIN { printf "   = %.2fx the req/s, %.2fx the p99 of %s", r / br, p / bp, n }'
    fi
    echo
}

echo "== wrk: $THREADS threads, $CONNECTIONS connections, keep-alive, $DURATION each, $ROUNDS rounds, on $(nproc) cores"
echo "== nginx: $NGINX_WORKERS worker processes; keydesk serve: $KEYDESK_WORKERS tokio worker threads (plus its index and Verifier threads)"
echo "== load before: $(uptime)"
# Each round measures every target once, one after the other; the figures
# are each target's median over the rounds. On a shared machine the load
# drifts within seconds: alternating the targets spreads the drift over all
# of them instead of charging it to whichever ran during a busy spell.
NAMES=(base verify plain auth proxy bare verify16 verify16rpm)
declare -A URL=(
    [base]="http://127.0.0.1:$STUB/" [verify]="http://127.0.0.1:$VERIFY/verify"
    [verify16]="http://127.0.0.1:$VERIFY/verify lua:plain" [verify16rpm]="http://127.0.0.1:$VERIFY/verify lua:rpm"
    [plain]="http://127.0.0.1:$PLAIN/v1/models" [auth]="http://127.0.0.1:$AUTH/v1/models"
    [proxy]="http://127.0.0.1:$PROXY/v1/models" [bare]="http://127.0.0.1:$BARE/v1/models"
)
if [ -n "${COMPARE_BIN:-}" ]; then
    NAMES+=(compare)
    URL[compare]="http://127.0.0.1:$COMPARE/v1/models"
fi
declare -A RPS P99
for round in $(seq "$ROUNDS"); do
    for name in "${NAMES[@]}"; do
        read -r rps p99 < <(run "${URL[$name]}")
        RPS[$name]+="$rps "
        P99[$name]+="$p99 "
    done
    echo "   round $round: $(for name in "${NAMES[@]}"; do printf "%s %s/s " "$name" "$(awk '{ printf "%.0f", $NF }' <<<"${RPS[$name]}")"; done)"
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m() { median "${RPS[$1]}"; }
p() { median "${P99[$1]}"; }
echo "== medians of $ROUNDS rounds"
report "nginx return 200" "$(m base)" "$(p base)"
report "keydesk /verify (valid key)" "$(m verify)" "$(p verify)" "nginx return 200" "$(m base)" "$(p base)"
report "keydesk /verify, 16 keys, no rules" "$(m verify16)" "$(p verify16)"
report "keydesk /verify, 16 keys, rpm 100000" "$(m verify16rpm)" "$(p verify16rpm)" "no rules" "$(m verify16)" "$(p verify16)"
report "nginx proxy_pass → stub" "$(m plain)" "$(p plain)"
report "nginx auth_request → keydesk, → stub" "$(m auth)" "$(p auth)" "nginx proxy_pass" "$(m plain)" "$(p plain)"
report "keydesk --upstream → stub" "$(m proxy)" "$(p proxy)" "nginx proxy_pass" "$(m plain)" "$(p plain)"
report "bare hyper proxy (no check) → stub" "$(m bare)" "$(p bare)" "nginx proxy_pass" "$(m plain)" "$(p plain)"
if [ -n "${COMPARE_BIN:-}" ]; then
    report "$COMPARE_BIN --upstream → stub" "$(m compare)" "$(p compare)" "nginx proxy_pass" "$(m plain)" "$(p plain)"
fi
echo "== load after: $(uptime)"

echo "== memory of keydesk serve with $KEYS keys: ${RSS_IDLE} MiB RSS at start, $(rss_mib "$VERIFY_PID") MiB after the runs"
