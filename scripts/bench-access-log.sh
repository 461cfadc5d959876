#!/usr/bin/env bash
# What `--access-log` costs `keydesk serve`'s forward-auth: /verify with a
# valid key on two servers of the same build and database, one without an
# access log and one writing it to a file, measured in turns (off, on, off,
# on, …) in one run so that both see the same machine load. wrk, 64
# keep-alive connections, 2 threads. Prints each round's requests per second,
# the medians, their ratio, the lines written and dropped, and the load
# average before and after. Needs wrk (apt-get install wrk).
#
#   scripts/bench-access-log.sh            # 3 rounds of 5 s each
#   DURATION=10s ROUNDS=5 scripts/bench-access-log.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
command -v wrk >/dev/null || { echo "bench-access-log: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

. scripts/lib.sh

cargo build --release --quiet --bin keydesk
KEY=$(target/release/keydesk create --db "$WORK/keys.redb" --name bench --accept-terms 2>/dev/null)
OFF=$(free_port); ON=$(free_port)
target/release/keydesk serve --db "$WORK/keys.redb" --listen "127.0.0.1:$OFF" 2>"$WORK/off.err" &
PIDS+=($!)
target/release/keydesk serve --db "$WORK/keys.redb" --listen "127.0.0.1:$ON" \
    --access-log "$WORK/access.log" 2>"$WORK/on.err" &
PIDS+=($!)
wait_port "$OFF"; wait_port "$ON"

rps() { # port → requests per second of one wrk run on /verify
    wrk -t2 -c64 -d"$DURATION" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$1/verify" |
        awk '/Requests\/sec/ { print $2 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
: >"$WORK/off"; : >"$WORK/on"
for round in $(seq "$ROUNDS"); do
    off=$(rps "$OFF"); on=$(rps "$ON")
    echo "round $round: off $off req/s, on $on req/s"
    echo "$off" >>"$WORK/off"; echo "$on" >>"$WORK/on"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
OFF_MEDIAN=$(median <"$WORK/off"); ON_MEDIAN=$(median <"$WORK/on")
echo "median: off $OFF_MEDIAN req/s, on $ON_MEDIAN req/s, on/off $(awk -v a="$ON_MEDIAN" -v b="$OFF_MEDIAN" 'BEGIN { printf "%.3f", a / b }')"
DROPPED=$(curl -s "http://127.0.0.1:$ON/metrics" | awk '/^keydesk_access_log_dropped_total/ { print $2 }')
echo "access log: $(wc -l <"$WORK/access.log") lines written so far, $DROPPED dropped"
