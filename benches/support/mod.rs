//! Benchmark databases, built once with the populate code and cached under
//! `<target dir>/bench-data/` so reruns start at once. Delete that directory
//! to rebuild. Benchmarks never write to the cached files: each works on a
//! private copy.

#![allow(dead_code)] // each benchmark uses a different part

pub mod populate;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use keydesk::Store;

/// A cached database of `count` keys and the secrets of all of them.
pub struct BenchDb {
    pub count: usize,
    pub path: PathBuf,
    pub secrets: Vec<String>,
}

impl BenchDb {
    /// The database of `count` keys, built on first use.
    pub fn cached(count: usize) -> BenchDb {
        let dir = target_dir().join("bench-data");
        fs::create_dir_all(&dir).expect("create bench-data directory");
        let path = dir.join(format!("keys-{count}.redb"));
        let secrets_path = dir.join(format!("secrets-{count}.txt"));
        // The secrets file is renamed into place last: if it is there, the
        // database next to it is complete.
        if let Ok(text) = fs::read_to_string(&secrets_path) {
            let secrets: Vec<String> = text.lines().map(str::to_owned).collect();
            if secrets.len() == count {
                return BenchDb { count, path, secrets };
            }
        }
        let _ = fs::remove_file(&secrets_path);
        let _ = fs::remove_file(&path);
        let started = Instant::now();
        let store = Store::open(&path).expect("create bench database");
        let secrets: Vec<String> = populate::populate(&store, count)
            .expect("populate bench database")
            .iter()
            .map(|s| s.expose().to_owned())
            .collect();
        let partial = secrets_path.with_extension("partial");
        // Owner-only, like every file keydesk writes that holds secrets.
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&partial).expect("write secrets");
        for secret in &secrets {
            writeln!(file, "{secret}").expect("write secrets");
        }
        drop(file);
        fs::rename(&partial, &secrets_path).expect("write secrets");
        eprintln!(
            "bench data: built {count} keys in {:.2} s at {}",
            started.elapsed().as_secs_f64(),
            path.display()
        );
        BenchDb { count, path, secrets }
    }

    /// A private copy in `dir`, for benchmarks that write (or might).
    pub fn copy_into(&self, dir: &Path) -> PathBuf {
        let copy = dir.join(format!("keys-{}.redb", self.count));
        fs::copy(&self.path, &copy).expect("copy bench database");
        copy
    }

    pub fn bytes_per_key(&self) -> f64 {
        let size = fs::metadata(&self.path).expect("stat bench database").len();
        size as f64 / self.count as f64
    }
}

/// Cargo's target directory (honouring `CARGO_TARGET_DIR`), found from the
/// benchmark executable's own path: `<target>/<profile>/deps/<bench>`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("benchmark executable path");
    exe.ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "deps"))
        .and_then(|deps| deps.parent()?.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// A database whose audit log has 1,000,000 entries (the creates of as many
/// keys, in batches of 100,000), built on first use under target/bench-data.
pub fn audit_db() -> PathBuf {
    const ENTRIES: usize = 1_000_000;
    let dir = target_dir().join("bench-data");
    let path = dir.join("audit-1000000.redb");
    let done = dir.join("audit-1000000.done");
    if done.exists() {
        return path;
    }
    fs::create_dir_all(&dir).unwrap();
    let _ = fs::remove_file(&path);
    let started = Instant::now();
    let store = Store::open(&path).unwrap();
    for _ in 0..ENTRIES / 100_000 {
        // The secrets are dropped (and zeroised) at once: only the log is read.
        populate::populate(&store, 100_000).unwrap();
    }
    fs::write(&done, b"").unwrap();
    eprintln!(
        "bench data: built {ENTRIES} audit entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    path
}
