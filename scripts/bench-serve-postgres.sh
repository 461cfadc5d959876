#!/usr/bin/env bash
# `keydesk serve` /verify backed by PostgreSQL against the same backed by the
# redb file, and the TUI's first frame on each (scripts/tui-first-frame.py),
# in one run on this machine: the same 100,000 keys (built into a
# file by examples/populate.rs, then copied with `keydesk migrate`, which is
# timed), two servers, wrk on loopback (2 threads, 64 keep-alive
# connections), runs alternating between the two, ROUNDS times.
#
# Needs wrk and PostgreSQL's server programs (Debian: apt-get install wrk
# postgresql; the latter's are found under /usr/lib/postgresql/*/bin). Run as
# root, the throwaway server runs as the `postgres` user.
#
#   scripts/bench-serve-postgres.sh
#   DURATION=30s ROUNDS=5 KEYS=100000 scripts/bench-serve-postgres.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-100000}
PGBIN=${KEYDESK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[ -x "$PGBIN/initdb" ] || { echo "bench: no PostgreSQL server programs (apt-get install postgresql)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench: wrk is not installed" >&2; exit 2; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
EXTRA_CLEANUP='as_pg "$PGBIN/pg_ctl" stop -D "$WORK/pg" -m immediate >/dev/null 2>&1 || true'
. scripts/lib.sh
[ "$(id -u)" = 0 ] && chown postgres "$WORK"


echo "== building (release) and filling a database with $KEYS keys"
cargo build --release --quiet
cargo run --release --quiet --example populate -- --count "$KEYS" --db "$WORK/keys.redb" --secrets-out "$WORK/secrets"
KEY=$(head -n1 "$WORK/secrets")

echo "== a throwaway PostgreSQL ($("$PGBIN/postgres" --version)) on a Unix socket"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" start -D "$WORK/pg" -l "$WORK/pg.log" -W -o "-k $WORK -c listen_addresses=''" >/dev/null
for _ in $(seq 600); do "$PGBIN/pg_isready" -q -h "$WORK" && break; sleep 0.1; done
"$PGBIN/psql" -q -h "$WORK" -U postgres -c "CREATE DATABASE keydesk"
URL="postgres://postgres@/keydesk?host=$WORK"

echo "== keydesk migrate of $KEYS keys"
START=$(date +%s.%N)
target/release/keydesk migrate --from "$WORK/keys.redb" --to "$URL"
echo "migrate took $(echo "$(date +%s.%N) - $START" | bc) s"

echo "== the TUI's first frame on $KEYS keys (target for PostgreSQL: <= 300 ms on loopback)"
echo "redb file:  $(python3 scripts/tui-first-frame.py target/release/keydesk "$WORK/keys.redb" "$KEYS")"
echo "PostgreSQL: $(python3 scripts/tui-first-frame.py target/release/keydesk "$URL" "$KEYS")"

REDB=$(free_port); PG=$(free_port)
target/release/keydesk --db "$WORK/keys.redb" serve --listen "127.0.0.1:$REDB" 2>/dev/null & PIDS+=($!)
KEYDESK_DB="$URL" target/release/keydesk serve --listen "127.0.0.1:$PG" 2>/dev/null & PIDS+=($!)
wait_port "$REDB"; wait_port "$PG"

run() { wrk -t2 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $KEY" "http://127.0.0.1:$1/verify" \
    | awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} END {printf "%s req/s, p99 %s\n", rps, p99}'; }
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
    echo "round $round: redb       $(run "$REDB")"
    echo "round $round: PostgreSQL $(run "$PG")"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
