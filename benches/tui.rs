//! The TUI at 100k keys, in process: the work behind one frame after a
//! keypress (move, page), a `/` filter keystroke, a sort, and loading the
//! store into the app for the first frame. Each measurement is the update
//! plus a full render into an 80×24 `TestBackend`.
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
use keydesk::tui::Wake;
use keydesk::tui::app::App;
use keydesk::tui::app::LogRequest;
use keydesk::tui::event::Command;
use keydesk::tui::event::{Event, Key};
use keydesk::tui::update::update;
use keydesk::tui::view::{Theme, render};
use keydesk::tui::worker::{Job, Storage, Worker};
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
    fn loaded(db: &BenchDb) -> Screen {
        let listing = Store::open(&db.path).unwrap().load().unwrap();
        let mut app = App::new(UtcOffset::from_hms(8, 0, 0).unwrap(), OffsetDateTime::now_utc());
        update(&mut app, Event::Resize { width: 80, height: 24 });
        update(
            &mut app,
            Event::Loaded {
                change_counter: listing.change_counter,
                records: listing.records,
            },
        );
        let mut screen = Screen {
            app,
            terminal: Terminal::new(TestBackend::new(80, 24)).unwrap(),
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
        while let Some(Command::LoadLog(request)) = commands.pop() {
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
    let store: Storage = Arc::new(Store::open_existing(support::audit_db()).unwrap());
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
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();

    let mut group = c.benchmark_group("tui_100k");
    let mut screen = Screen::loaded(&db);
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
    group.bench_function("load_100k_and_first_frame", |b| b.iter(|| Screen::loaded(&db)));
    group.finish();
    log_screen(&mut c);
    c.final_summary();
}
