#!/usr/bin/env bash
# Resident memory of `keydesk serve` (100,000 keys) under abuse, printed in
# MiB from /proc/PID/status (VmRSS, and VmHWM, the peak):
#
#   1. at start
#   2. after a flood of junk keys (wrk, 64 and then 1000 connections, each
#      request a random-looking key with a bad checksum)
#   3. while 1000 slowloris connections are open (each sends part of a
#      request head, then a header line every 2 s, never finishing), and
#      after --header-timeout has closed them; two waves
#
# Needs wrk and python3.   DURATION=10s KEYS=100000 scripts/serve-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
KEYS=${KEYS:-100000}
SLOW=${SLOW:-1000}
command -v wrk >/dev/null || { echo "serve-memory: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

. scripts/lib.sh

echo "== building (release) and filling a database with $KEYS keys"
cargo build --release --quiet --bin keydesk
cargo run --release --quiet --example populate -- --count "$KEYS" --db "$WORK/keys.redb"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/keydesk serve --db "$WORK/keys.redb" --listen "127.0.0.1:$PORT" --header-timeout 10s \
    2>"$WORK/serve.log" &
PID=$!
PIDS+=($PID)
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

mem() { awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.1f MiB RSS (peak %.1f)", r / 1024, h / 1024 }' "/proc/$PID/status"; }
echo "== load: $(uptime)"
echo "start:                                  $(mem)"

# Junk: sk- + 38 characters whose checksum is wrong.
JUNK="sk-$(head -c 200 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 38)"
for connections in 64 1000; do
    out=$(wrk -t2 -c"$connections" -d"$DURATION" -H "Authorization: Bearer $JUNK" "http://127.0.0.1:$PORT/verify")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    printf "after a junk-key flood, %4d conns:     %s  (%s req/s, all 401)\n" "$connections" "$(mem)" "$rps"
done

cat >"$WORK/slowloris.py" <<'EOF'
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
conns = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /verify HTTP/1.1\r\nHost: x\r\n")
    conns.append(s)
print("open", flush=True)
for _ in range(30):
    time.sleep(2)
    for s in conns:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass
EOF
# Twice: a second wave landing on the same memory shows whether it is
# reused (bounded) or grows.
for wave in 1 2; do
python3 "$WORK/slowloris.py" "$PORT" "$SLOW" >"$WORK/slow.out" &
SLOW_PID=$!
PIDS+=($SLOW_PID)
for _ in $(seq 600); do grep -q open "$WORK/slow.out" 2>/dev/null && break; sleep 0.1; done
sleep 1
open=$(ls "/proc/$PID/fd" | wc -l)
echo "wave $wave: $SLOW slowloris connections open:  $(mem)  ($open file descriptors)"
# --header-timeout (10 s) closes them; wait for the descriptors to go.
for _ in $(seq 300); do
    [ "$(ls "/proc/$PID/fd" | wc -l)" -lt 30 ] && break
    sleep 0.1
done
echo "wave $wave: after the header timeout:         $(mem)  ($(ls "/proc/$PID/fd" | wc -l) file descriptors)"
kill "$SLOW_PID" 2>/dev/null || true
rm -f "$WORK/slow.out"
done
curl -s -o /dev/null -w "still answering: /healthz %{http_code}\n" "http://127.0.0.1:$PORT/healthz" || true
