#!/usr/bin/env python3
"""Times the keydesk TUI from spawn to its first full frame, in a
pseudo-terminal (80x24): the first frame whose title shows the key count,
complete once that frame ends (the cursor is hidden after each frame is
written; ratatui writes only what changed, so the count is looked for alone,
not as "N keys"). Prints the median of RUNS runs. Used by scripts/bench-serve-postgres.sh to compare the file with
PostgreSQL; `cargo bench --bench process` measures the file alone.

    scripts/tui-first-frame.py BINARY DB KEYS [RUNS]
"""
import fcntl, os, pty, select, statistics, struct, sys, termios, time

def first_frame(binary, db, keys):
    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        # The size first: the program reads it as it starts.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.environ.update(KEYDESK_DB=db, TERM="xterm-256color")
        os.execv(binary, [binary])
    seen, count = b"", str(keys).encode()
    deadline = started + 30
    def framed():
        at = seen.find(count)
        return at >= 0 and seen.find(b"\x1b[?25l", at) >= 0
    while not framed():
        if time.monotonic() > deadline:
            raise SystemExit(f"no first frame within 30 s: {seen[-400:]!r}")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            seen += os.read(fd, 65536)
    elapsed = time.monotonic() - started
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed

binary, db, keys = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 10
first_frame(binary, db, keys)  # warm the page cache and the server
times = sorted(first_frame(binary, db, keys) for _ in range(runs))
print(f"TUI start to first full frame, {keys} keys: median {statistics.median(times) * 1e3:.1f} ms "
      f"(min {times[0] * 1e3:.1f}, max {times[-1] * 1e3:.1f}, {runs} runs)")
