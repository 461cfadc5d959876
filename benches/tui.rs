//! The TUI at 100k keys, in process: the work behind one frame after a
//! keypress (move, page), a `/` filter keystroke, a sort, and loading the
//! store into the app for the first frame. Each measurement is the update
//! plus a full render into an 80×24 `TestBackend`. The database has usage
//! counts (every third key, 30 days), loaded into the app as the storage
//! worker does; the same keypresses are measured again at 120×40 with the
//! details pane and its sparklines, and the worker's read of every key's
//! counts (which follows the first frame, on the worker) is timed on its own.
//!
//! The audit log screen on a log of 1,000,000 entries, through the real
//! storage worker: `L` to the first frame with entries, a page-down frame
//! (waiting for a page whenever the screen asks for one, as if every
//! prefetch came too late), one page read at seq 500,000, and one search job
//! of a filter that matches nothing (10,000 entries looked at).
//!
//! Run with `cargo bench --bench tui`.

mod support;

use std::time::Duration;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};

use criterion::Criterion;
use keydesk::domain::UsageQuery;
use keydesk::tui::Wake;
use keydesk::tui::app::App;
use keydesk::tui::event::Command;
use keydesk::tui::event::Job;
use keydesk::tui::event::{Event, Key};
use keydesk::tui::log_search::LogRequest;
use keydesk::tui::update::update;
use keydesk::tui::view::{Theme, render};
use keydesk::tui::worker::{Storage, Worker};
use keydesk::{KeyStore, Store};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::BenchDb;
use time::{OffsetDateTime, UtcOffset};

struct Screen {
    app: App,
    terminal: Terminal<TestBackend>,
    theme: Theme,
}

impl Screen {
    /// The app after its first load; `with_usage` also after the usage read
    /// that follows it (the first frame does not wait for that read).
    fn loaded(path: &std::path::Path, (width, height): (u16, u16), with_usage: bool) -> Screen {
        let store = Store::open(path).unwrap();
        let listing = store.load().unwrap();
        let mut app = App::new(UtcOffset::from_hms(8, 0, 0).unwrap(), OffsetDateTime::now_utc());
        update(&mut app, Event::Resize { width, height });
        update(
            &mut app,
            Event::Loaded {
                change_counter: listing.change_counter,
                records: listing.records,
            },
        );
        if with_usage {
            let query = UsageQuery::last(None, 30, 24, OffsetDateTime::now_utc());
            let usage = store.usage(&query).map_err(|e| e.to_string());
            update(&mut app, Event::UsageLoaded(query, usage));
        }
        let mut screen = Screen {
            app,
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
            theme: Theme::new(true),
        };
        screen.draw();
        screen
    }

    fn draw(&mut self) {
        let (app, theme) = (&self.app, &self.theme);
        self.terminal.draw(|frame| drop(render(frame, app, theme))).unwrap();
    }

    fn key(&mut self, key: Key) {
        update(&mut self.app, Event::Key(key));
        self.draw();
    }
}

/// The log screen over the storage worker, answering its page requests.
struct LogBench {
    screen: Screen,
    worker: Worker,
    wakes: Receiver<Wake>,
}

impl LogBench {
    fn new(store: Storage) -> LogBench {
        let mut app = App::new(UtcOffset::from_hms(8, 0, 0).unwrap(), OffsetDateTime::now_utc());
        update(&mut app, Event::Resize { width: 80, height: 24 });
        let (tx, wakes) = mpsc::channel();
        LogBench {
            screen: Screen {
                app,
                terminal: Terminal::new(TestBackend::new(80, 24)).unwrap(),
                theme: Theme::new(true),
            },
            worker: Worker::spawn(store, tx).unwrap(),
            wakes,
        }
    }

    /// A key, every page it asks for read and taken in, then the frame.
    fn key(&mut self, key: Key) {
        let mut commands = update(&mut self.screen.app, Event::Key(key));
        while let Some(Command::Store(Job::LogPage(request))) = commands.pop() {
            for event in self.read(request) {
                commands.extend(update(&mut self.screen.app, event));
            }
        }
        self.screen.draw();
    }

    fn read(&mut self, request: LogRequest) -> Vec<Event> {
        self.worker.submit(Job::LogPage(request)).unwrap();
        match self.wakes.recv().unwrap() {
            Wake::Stored(events) => {
                self.worker.finished();
                events
            }
            _ => unreachable!("only the worker sends"),
        }
    }
}

fn log_screen(c: &mut Criterion) {
    let store: Storage = Arc::new(
        Store::builder(support::audit_db())
            .create_if_missing(false)
            .open()
            .unwrap(),
    );
    let mut group = c.benchmark_group("tui_log_1M");
    let mut bench = LogBench::new(store);
    group.bench_function("open_log_first_frame", |b| {
        b.iter(|| {
            bench.key(Key::Char('L'));
            assert!(bench.screen.app.log.as_ref().unwrap().rows().len() >= 500);
            bench.key(Key::Esc);
        })
    });
    bench.key(Key::Char('L'));
    group.bench_function("keypress_page_down_frame", |b| b.iter(|| bench.key(Key::PageDown)));
    let request = |before_seq, needle: &str| LogRequest {
        key: None,
        before_seq,
        needle: needle.to_owned(),
        search: u64::MAX,
    };
    group.bench_function("page_read_at_500000", |b| {
        b.iter(|| bench.read(request(Some(500_000), "")))
    });
    group.sample_size(10);
    group.bench_function("search_job_no_match_10000_entries", |b| {
        b.iter(|| bench.read(request(Some(900_000), "no-such-thing")))
    });
    group.finish();
}

fn main() {
    let db = BenchDb::cached(100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = db.copy_into(dir.path());
    let started = std::time::Instant::now();
    let used = support::populate::add_usage(&Store::open(&path).unwrap(), 30, 3).unwrap();
    eprintln!(
        "bench data: {used} keys given 30 days of counts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let store = Store::open(&path).unwrap();
    let mut reads = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let found = store
            .usage(&UsageQuery::last(None, 30, 24, OffsetDateTime::now_utc()))
            .unwrap();
        reads.push(started.elapsed());
        assert_eq!(found.len(), used);
    }
    reads.sort();
    println!(
        "usage: the worker's read of every key's 30-day and 24-hour counts at 100k keys ({used} with counts): \
         median {:.1} ms",
        reads[2].as_secs_f64() * 1e3
    );
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();

    let mut group = c.benchmark_group("tui_100k");
    let mut screen = Screen::loaded(&path, (80, 24), true);
    let mut down = true;
    group.bench_function("keypress_move_frame", |b| {
        b.iter(|| {
            screen.key(if down { Key::Down } else { Key::Up });
            down = !down;
        })
    });
    let mut forward = true;
    group.bench_function("keypress_page_frame", |b| {
        b.iter(|| {
            screen.key(if forward { Key::PageDown } else { Key::PageUp });
            forward = !forward;
        })
    });

    // A filter keystroke: alternately typing a character that narrows the
    // list and deleting it again, over all 100k keys each time.
    screen.key(Key::Char('/'));
    screen.key(Key::Char('s'));
    let mut typed = false;
    group.bench_function("filter_keystroke_frame", |b| {
        b.iter(|| {
            screen.key(if typed { Key::Backspace } else { Key::Char('v') });
            typed = !typed;
        })
    });
    screen.key(Key::Esc);

    group.sample_size(10);
    group.bench_function("sort_cycle_frame", |b| b.iter(|| screen.key(Key::Char('s'))));
    group.bench_function("load_100k_and_first_frame", |b| {
        b.iter(|| Screen::loaded(&path, (80, 24), false))
    });

    // At 120×40 the details pane is beside the table: a move redraws it.
    let mut wide = Screen::loaded(&path, (120, 40), true);
    let mut down = true;
    group.sample_size(30);
    group.bench_function("keypress_move_frame_with_details_pane_120x40", |b| {
        b.iter(|| {
            wide.key(if down { Key::Down } else { Key::Up });
            down = !down;
        })
    });
    group.finish();
    log_screen(&mut c);
    c.final_summary();
}
