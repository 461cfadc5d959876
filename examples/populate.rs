//! Fills a keydesk database with many keys, quickly, through the real store
//! code in one transaction:
//!
//! ```sh
//! cargo run --release --example populate -- --count 100000 --db /tmp/keys.redb
//! ```
//!
//! Names are `svc-000123`, one in ten Chinese; creation times are spread over
//! the past year; `--usage-days 30` gives every third key usage counts. The secrets are discarded unless `--secrets-out PATH` is
//! given (one per line, file mode 0600), e.g. to benchmark verification.
//!
//! It ends with the file's size per key and where those bytes go, table by
//! table (`--count 0` shows that for an existing file).

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use keydesk::{KeyStore, Store};

#[path = "../benches/support/populate.rs"]
mod populate;

#[derive(Parser)]
#[command(about = "Fill a keydesk database with test keys in one transaction")]
struct Args {
    /// How many keys to add.
    #[arg(long, default_value_t = 100_000)]
    count: usize,
    /// The database file (created if missing; keys are added to existing ones).
    #[arg(long)]
    db: PathBuf,
    /// Write the new secrets here, one per line. Otherwise they are discarded.
    #[arg(long)]
    secrets_out: Option<PathBuf>,
    /// Give every `--usage-every`-th key usage counts for each of this many
    /// past days (and a Last Used of now).
    #[arg(long, default_value_t = 0)]
    usage_days: u32,
    /// See `--usage-days`.
    #[arg(long, default_value_t = 3)]
    usage_every: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let store = Store::open(&args.db)?;
    let started = Instant::now();
    let secrets = populate::populate(&store, args.count)?;
    let took = started.elapsed();

    if let Some(path) = &args.secrets_out {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = BufWriter::new(options.open(path)?);
        for secret in &secrets {
            writeln!(out, "{}", secret.expose())?;
        }
        out.flush()?;
    }
    drop(secrets);
    if args.usage_days > 0 {
        let used = populate::add_usage(&store, args.usage_days, args.usage_every)?;
        println!("gave {used} keys usage counts for {} days", args.usage_days);
    }

    let total = store.load_hash_index()?.1.len();
    let size = fs::metadata(&args.db)?.len();
    println!(
        "added {} keys in {:.2} s ({:.0} keys/s); {} now holds {total} keys in {size} bytes = {:.0} bytes/key",
        args.count,
        took.as_secs_f64(),
        args.count as f64 / took.as_secs_f64(),
        args.db.display(),
        size as f64 / total.max(1) as f64,
    );
    print_breakdown(&args.db, size, total)?;
    Ok(())
}

/// Where the file's bytes go, table by table: what keys and values take
/// (`stored`), what the B-tree adds (`meta`: branch keys, leaf offsets) and
/// what lies unused in its pages (`frag`), then the pages no table holds.
fn print_breakdown(path: &std::path::Path, size: u64, keys: usize) -> Result<(), Box<dyn std::error::Error>> {
    use redb::{ReadableDatabase, ReadableTableMetadata, TableHandle};
    let db = redb::Database::open(path)?;
    let per_key = |bytes: u64| bytes as f64 / keys.max(1) as f64;
    println!(
        "{:<14} {:>8} {:>7} {:>6} {:>8} {:>10} {:>9} {:>7} {:>9}",
        "table", "entries", "height", "leaves", "branches", "stored/key", "meta/key", "frag/key", "pages/key"
    );
    let write = db.begin_write()?;
    let all = write.stats()?;
    write.abort()?;
    let page_size = all.page_size() as u64;
    let txn = db.begin_read()?;
    let mut page_bytes = 0;
    for handle in txn.list_tables()? {
        let name = handle.name().to_owned();
        let table = txn.open_untyped_table(handle)?;
        let stats = table.stats()?;
        let pages = (stats.leaf_pages() + stats.branch_pages()) * page_size;
        page_bytes += pages;
        println!(
            "{name:<14} {:>8} {:>7} {:>6} {:>8} {:>10.1} {:>9.1} {:>7.1} {:>9.1}",
            table.len()?,
            stats.tree_height(),
            stats.leaf_pages(),
            stats.branch_pages(),
            per_key(stats.stored_bytes()),
            per_key(stats.metadata_bytes()),
            per_key(stats.fragmented_bytes()),
            per_key(pages),
        );
    }
    drop(txn);
    println!(
        "tables' pages {:.1}/key; allocated pages {:.1}/key; rest of the file (free pages, redb's own) {:.1}/key",
        per_key(page_bytes),
        per_key(all.allocated_pages() * page_size),
        per_key(size.saturating_sub(page_bytes)),
    );
    Ok(())
}
