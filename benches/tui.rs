//! The TUI at 100k keys, in process: the work behind one frame after a
//! keypress (move, page), a `/` filter keystroke, a sort, and loading the
//! store into the app for the first frame. Each measurement is the update
//! plus a full render into an 80×24 `TestBackend`.
//!
//! Run with `cargo bench --bench tui`.

mod support;

use std::time::Duration;

use criterion::Criterion;
use keydesk::tui::app::App;
use keydesk::tui::event::{Event, Key};
use keydesk::tui::update::update;
use keydesk::tui::view::{Theme, render};
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
    c.final_summary();
}
