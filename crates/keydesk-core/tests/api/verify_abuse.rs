//! A flood of junk keys must cost no database I/O at all: the checksum
//! rejects them before the file is touched.

use keydesk_core::{KeyName, KeyStore, Store};
use rand::RngExt;
use rand::distr::{Alphanumeric, SampleString};

/// This thread's read and write system-call counts (Linux).
fn thread_syscalls() -> (u64, u64) {
    let io = std::fs::read_to_string("/proc/thread-self/io").expect("Linux /proc/thread-self/io");
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/thread-self/io"))
    };
    (field("syscr:"), field("syscw:"))
}

#[cfg(target_os = "linux")]
#[test]
fn a_million_random_strings_cause_no_database_io() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let store = Store::open(&path).unwrap();
    let (secret, _) = store.create(&KeyName::parse("real-key").unwrap()).unwrap();
    let counter_before = store.change_counter().unwrap();
    let file_before = std::fs::read(&path).unwrap();

    // Junk of every shape: random text, key-shaped strings with a bad
    // checksum, and one-character mutations of a real key.
    let mut rng = rand::rng();
    let candidates: Vec<String> = (0..1_000_000)
        .map(|i| match i % 3 {
            0 => {
                let len = rng.random_range(0..60);
                (0..len).map(|_| rng.random::<char>()).collect()
            }
            1 => format!("sk-{}", Alphanumeric.sample_string(&mut rng, 38)),
            _ => {
                let mut bytes = secret.expose().as_bytes().to_vec();
                let at = rng.random_range(3..bytes.len());
                bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
                String::from_utf8(bytes).unwrap()
            }
        })
        .collect();

    // Reading the counters costs a few read calls itself; measure that cost
    // with nothing in between, so the flood is held to exactly the same.
    let (r0, w0) = thread_syscalls();
    let (r1, w1) = thread_syscalls();
    let (probe_reads, probe_writes) = (r1 - r0, w1 - w0);

    let (reads_before, writes_before) = thread_syscalls();
    let mut accepted = 0;
    for candidate in &candidates {
        if store.verify(candidate).unwrap().is_some() {
            accepted += 1;
        }
    }
    let (reads_after, writes_after) = thread_syscalls();

    // A random key-shaped string passes a 6-character base62 checksum with
    // probability 62^-6; not one of these may reach the database.
    assert_eq!(accepted, 0);
    assert_eq!(
        writes_after - writes_before,
        probe_writes,
        "write system calls during the flood"
    );
    assert_eq!(
        reads_after - reads_before,
        probe_reads,
        "read system calls during the flood"
    );
    assert_eq!(store.change_counter().unwrap(), counter_before);
    assert!(
        std::fs::read(&path).unwrap() == file_before,
        "the database file changed"
    );

    // The counters do see I/O, so the zeros above mean something.
    let (reads, _) = thread_syscalls();
    store.verify(secret.expose()).unwrap();
    assert!(
        thread_syscalls().0 > reads + probe_reads,
        "a real verify reads the file"
    );
}
