# Shared by the benchmark scripts (sourced, not run): a work folder and the
# processes started in it, cleaned up on exit, and loopback ports.

WORK=$(mktemp -d)
PIDS=()
# Extra clean-up a script needs before its processes go (e.g. a database
# server): set EXTRA_CLEANUP to a command.
EXTRA_CLEANUP=${EXTRA_CLEANUP:-}
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "$EXTRA_CLEANUP" ] && eval "$EXTRA_CLEANUP"
    rm -rf "$WORK"
}
trap cleanup EXIT

# A loopback port nothing listens on right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits (at most 60 s) until something accepts connections on port $1.
wait_port() {
    for _ in $(seq 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$(basename "$0"): nothing listens on port $1" >&2
    exit 1
}
