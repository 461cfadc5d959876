#!/usr/bin/env bash
# What counting tokens costs `keydesk serve --upstream`, all in one run, on
# loopback: the same keydesk build twice, `--count-tokens on` and `off`, in
# front of the same upstream, measured in turn (round by round, so a load
# that drifts on a shared machine is spread over both).
#
#   1. throughput (wrk, 64 keep-alive connections, POST
#      /v1/chat/completions): a JSON chat completion with usage, and an SSE
#      stream of 100 chunks with a usage chunk, both answered by nginx
#      `return 200` (the whole answer at once: the relay's cost, not the
#      upstream's, is what is measured);
#   2. one streamed answer of 1,000 SSE chunks, each written and flushed on
#      its own by a small Python upstream: time to first byte and total
#      time, by curl, median of many requests.
#
# Printed: each figure with on vs off as a ratio, keydesk's own CPU time
# per request (on a shared machine, less swayed by other work than
# requests/s), and the load average before and after. Needs nginx, wrk, curl and python3 (.ci/run installs
# nginx and wrk).
#
#   scripts/bench-tokens.sh
#   DURATION=10s ROUNDS=5 STREAMS=50 scripts/bench-tokens.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
STREAMS=${STREAMS:-30}
CONNECTIONS=64
THREADS=2

for program in nginx wrk curl python3; do
    command -v "$program" >/dev/null || [ -x "/usr/sbin/$program" ] || {
        echo "bench-tokens: $program is not installed" >&2
        exit 2
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

. scripts/lib.sh

echo "== building (release)"
cargo build --release --quiet --bin keydesk
cargo run --release --quiet --example populate -- --count 1 --db "$WORK/keys.redb" --secrets-out "$WORK/secrets"
KEY=$(head -n1 "$WORK/secrets")

# The answers: a chat completion of about 2 KB, and a stream of 100 chunks
# (about 20 KB) ending with OpenAI's usage-only chunk and [DONE].
python3 - "$WORK" <<'EOF'
import json, sys
work = sys.argv[1]
text = "The quick brown fox jumps over the lazy dog. " * 40
completion = {"id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 19, "completion_tokens": 400, "total_tokens": 419}}
open(f"{work}/completion.json", "w").write(json.dumps(completion))
def chunk(content, n):
    c = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0, "model": "gpt-4o-mini",
         "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}], "usage": None}
    return "data: " + json.dumps(c, separators=(",", ":")) + "\n\n"
def stream(n):
    usage = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0, "model": "gpt-4o-mini",
             "choices": [], "usage": {"prompt_tokens": 19, "completion_tokens": n, "total_tokens": 19 + n}}
    return "".join(chunk(f"token {i} ", i) for i in range(n)) + "data: " + json.dumps(usage) + "\n\ndata: [DONE]\n\n"
open(f"{work}/stream100.sse", "w").write(stream(100))
open(f"{work}/stream1000.sse", "w").write(stream(1000))
EOF

STUB=$(free_port); SLOW=$(free_port); ON=$(free_port); OFF=$(free_port)
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
    server {
        listen 127.0.0.1:$STUB;
        location = /json/v1/chat/completions { default_type application/json; alias $WORK/completion.json; }
        location = /sse/v1/chat/completions { default_type text/event-stream; alias $WORK/stream100.sse; }
    }
}
EOF
# nginx serves files to GET only; POSTs are turned into GETs of the file.
sed -i 's|alias \([^;]*\);|alias \1; error_page 405 =200 $uri;|' "$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
PIDS+=($!)

# The 1,000-chunk stream, one write and flush per chunk.
cat >"$WORK/slow.py" <<'EOF'
import socket, sys, threading
port, path = int(sys.argv[1]), sys.argv[2]
events = [e + "\n\n" for e in open(path).read().split("\n\n") if e]
def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                return
            data += more
        head, _, data = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(data) < length:
            data += conn.recv(65536)
        data = data[length:]
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        for event in events:
            body = event.encode()
            conn.sendall(b"%x\r\n%s\r\n" % (len(body), body))
        conn.sendall(b"0\r\n\r\n")
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(64)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
EOF
python3 "$WORK/slow.py" "$SLOW" "$WORK/stream1000.sse" &
PIDS+=($!)

start_keydesk() { # port upstream-port on|off
    target/release/keydesk serve --db "$WORK/keys.redb" --listen "127.0.0.1:$1" \
        --upstream "http://127.0.0.1:$2" --count-tokens "$3" 2>"$WORK/keydesk-$1.log" &
    PIDS+=($!)
    PID_OF[$1]=$!
}
declare -A PID_OF
start_keydesk "$ON" "$STUB" on
start_keydesk "$OFF" "$STUB" off
SLOW_ON=$(free_port); SLOW_OFF=$(free_port)
start_keydesk "$SLOW_ON" "$SLOW" on
start_keydesk "$SLOW_OFF" "$SLOW" off
for port in "$STUB" "$SLOW" "$ON" "$OFF" "$SLOW_ON" "$SLOW_OFF"; do wait_port "$port"; done

BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
EOF

# The answers must be what the benchmark says they are.
for port in "$ON" "$OFF"; do
    for kind in json sse; do
        got=$(curl -sf -X POST -H "Authorization: Bearer $KEY" -d "$BODY" "http://127.0.0.1:$port/$kind/v1/chat/completions" | wc -c)
        [ "$got" -gt 1000 ] || { echo "bench-tokens: $kind through $port answered $got bytes" >&2; exit 1; }
    done
done

# wrk's requests/s and request count of one run.
rps() {
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/post.lua" "$1" |
        awk '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 } END { print r, n }'
}
# CPU time (user + system, in clock ticks) a process has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "== wrk: $THREADS threads, $CONNECTIONS connections, keep-alive, $DURATION each, $ROUNDS rounds, on $(nproc) cores"
echo "== load before: $(uptime)"
declare -A RPS TICKS COUNT
for round in $(seq "$ROUNDS"); do
    # Which goes first alternates, so that neither always runs after the
    # other's load.
    order="on off"; [ $((round % 2)) = 0 ] && order="off on"
    for kind in json sse; do
        for mode in $order; do
            port=$ON; [ "$mode" = off ] && port=$OFF
            before=$(cpu_ticks "${PID_OF[$port]}")
            read -r r n < <(rps "http://127.0.0.1:$port/$kind/v1/chat/completions")
            RPS[$kind-$mode]+="$r "
            TICKS[$kind-$mode]=$(( ${TICKS[$kind-$mode]:-0} + $(cpu_ticks "${PID_OF[$port]}") - before ))
            COUNT[$kind-$mode]=$(( ${COUNT[$kind-$mode]:-0} + n ))
        done
    done
    last() { awk '{ print $NF }' <<<"$1"; }
    printf "   round %s: json on %s off %s, sse on %s off %s req/s\n" "$round" \
        "$(last "${RPS[json-on]}")" "$(last "${RPS[json-off]}")" "$(last "${RPS[sse-on]}")" "$(last "${RPS[sse-off]}")"
done
for kind in json sse; do
    on=$(median "${RPS[$kind-on]}"); off=$(median "${RPS[$kind-off]}")
    label="non-streaming (JSON, ~2 KB)"; [ "$kind" = sse ] && label="streaming (SSE, 100 chunks, ~20 KB)"
    printf "%-40s counting on %8.0f req/s   off %8.0f req/s   on/off = %s\n" "$label" "$on" "$off" "$(ratio "$on" "$off")"
    # keydesk's own CPU time per request: less swayed by what else runs.
    cpu_on=$(awk -v t="${TICKS[$kind-on]}" -v n="${COUNT[$kind-on]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')
    cpu_off=$(awk -v t="${TICKS[$kind-off]}" -v n="${COUNT[$kind-off]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')
    printf "%-40s keydesk CPU per request: on %s µs   off %s µs   off/on = %s\n" "" "$cpu_on" "$cpu_off" "$(ratio "$cpu_off" "$cpu_on")"
done

# Time to first byte and total time of the 1,000-chunk stream, in turn.
declare -A FIRST TOTAL
for _ in $(seq "$STREAMS"); do
    for mode in on off off on; do
        port=$SLOW_ON; [ "$mode" = off ] && port=$SLOW_OFF
        read -r first total < <(curl -s -o /dev/null -w "%{time_starttransfer} %{time_total}\n" -X POST \
            -H "Authorization: Bearer $KEY" -d "$BODY" "http://127.0.0.1:$port/v1/chat/completions")
        FIRST[$mode]+="$first "
        TOTAL[$mode]+="$total "
    done
done
ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
f_on=$(median "${FIRST[on]}"); f_off=$(median "${FIRST[off]}")
t_on=$(median "${TOTAL[on]}"); t_off=$(median "${TOTAL[off]}")
echo "1,000-chunk SSE stream, median of $((2 * STREAMS)) each (on, off, off, on in turn):"
printf "   time to first byte   on %7s ms   off %7s ms   on/off = %s\n" "$(ms "$f_on")" "$(ms "$f_off")" "$(ratio "$f_on" "$f_off")"
printf "   total time           on %7s ms   off %7s ms   on/off = %s (throughput on/off = %s)\n" \
    "$(ms "$t_on")" "$(ms "$t_off")" "$(ratio "$t_on" "$t_off")" "$(ratio "$t_off" "$t_on")"
echo "== load after: $(uptime)"
