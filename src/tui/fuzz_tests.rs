//! Property test of the whole TUI state machine: arbitrary event sequences —
//! keys, hostile pastes (up to 100 KB; control, escape, bidi, zero-width and
//! combining characters), resizes down to 1×1, reloads with hostile stored
//! names — go through `update`, the side effects are played back as the event
//! loop would, and every frame is rendered. It must never panic, never ask the
//! store for an invalid name, and never put a control character on screen.
//!
//! Runs a bounded number of cases in `cargo test`; for a longer run:
//! `PROPTEST_CASES=20000 cargo test --release --lib tui::fuzz_tests`.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::CopyResult;
use super::app::App;
use super::event::{Change, Command, Event, Job, Key};
use super::testing::{NOW, OFFSET, record, records};
use super::update::update;
use super::view::{Theme, render};
use crate::domain::{KeyName, KeyRecord, SecretKey};

/// Characters chosen to break things: controls, escapes, bidi overrides,
/// zero-width, combining marks, wide CJK, emoji, and the keys the app binds.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::sample::select(vec![
            'n', 'e', 'd', 'c', 'y', 's', 'S', 'q', 'j', 'k', 'g', 'G', '.', '/', '?', ' ', '-', '_', 'a', '1',
        ]),
        2 => any::<char>(),
        1 => proptest::sample::select(vec![
            '\u{1b}', '\u{7}', '\u{0}', '\n', '\r', '\t', '\u{7f}', '\u{9b}', '\u{202E}', '\u{202D}', '\u{2066}',
            '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{301}', '\u{20DD}', '生', '产', '键', '😀', '\u{FFFD}',
        ]),
    ]
}

fn nasty_string(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(nasty_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        6 => nasty_char().prop_map(Key::Char),
        1 => proptest::sample::select(vec!['c', 'o', 'u', 'w', 'a']).prop_map(Key::Ctrl),
        4 => proptest::sample::select(vec![
            Key::Enter, Key::Esc, Key::Tab, Key::BackTab, Key::Backspace, Key::Delete, Key::Up, Key::Down,
            Key::Left, Key::Right, Key::Home, Key::End, Key::PageUp, Key::PageDown, Key::F(1),
        ]),
    ]
}

fn hostile_records() -> impl Strategy<Value = Vec<KeyRecord>> {
    proptest::collection::vec(nasty_string(80), 0..12).prop_map(|names| {
        let mut all = records();
        all.extend(
            names
                .iter()
                .enumerate()
                .map(|(i, name)| record(100 + i as u32, name, NOW, None)),
        );
        all
    })
}

#[derive(Debug, Clone)]
enum Input {
    Key(Key),
    Paste(String),
    HugePaste(char, usize),
    Resize(u16, u16),
    Tick,
    Reload(Vec<KeyRecord>),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        20 => key().prop_map(Input::Key),
        3 => nasty_string(200).prop_map(Input::Paste),
        1 => (nasty_char(), 1_000..100_000usize).prop_map(|(c, n)| Input::HugePaste(c, n)),
        3 => (1..=160u16, 1..=60u16).prop_map(|(w, h)| Input::Resize(w, h)),
        1 => Just(Input::Tick),
        1 => hostile_records().prop_map(Input::Reload),
    ]
}

/// Plays a command back the way the event loop would, against an in-memory
/// list, and returns the event it would produce.
fn effect(command: Command, records: &mut Vec<KeyRecord>) -> Option<Event> {
    match command {
        Command::Store(Job::Create { name, expires_at }) => {
            assert!(
                KeyName::parse(name.as_str()).is_ok(),
                "invalid name sent to the store: {name:?}"
            );
            let created = KeyRecord {
                expires_at,
                ..record(1000 + records.len() as u32, name.as_str(), NOW, None)
            };
            records.push(created.clone());
            Some(Event::Created(Ok((SecretKey::generate(), created))))
        }
        Command::Store(Job::Disable(id)) => {
            let found = records.iter_mut().find(|r| r.id == id)?;
            found.disabled_at.get_or_insert(NOW);
            Some(Event::Changed(Change::Disabled, Ok(found.clone())))
        }
        Command::Store(Job::Enable(id)) => {
            let found = records.iter_mut().find(|r| r.id == id)?;
            found.disabled_at = None;
            Some(Event::Changed(Change::Enabled, Ok(found.clone())))
        }
        Command::Store(Job::SetExpiry { id, expires_at }) => {
            let found = records.iter_mut().find(|r| r.id == id)?;
            found.expires_at = expires_at;
            Some(Event::Changed(Change::ExpirySet, Ok(found.clone())))
        }
        Command::Store(Job::SetPolicy { id, policy }) => {
            assert_eq!(
                crate::domain::policy::Policy::parse(&policy.to_string()).as_ref(),
                Ok(&policy),
                "a policy sent to the store reads back the same"
            );
            let found = records.iter_mut().find(|r| r.id == id)?;
            found.policy = policy;
            Some(Event::Changed(Change::PolicySet, Ok(found.clone())))
        }
        Command::Store(Job::Rotate { id, grace }) => {
            let found = records.iter_mut().find(|r| r.id == id)?;
            let secret = SecretKey::generate();
            found.previous = Some(Box::new(crate::domain::PreviousSecret {
                hash: found.hash,
                masked: std::mem::replace(&mut found.masked, secret.masked()),
                grace_until: NOW + grace,
                last_used: found.last_used.take(),
            }));
            found.hash = secret.hash();
            Some(Event::Rotated(Ok((secret, found.clone()))))
        }
        Command::Store(Job::Rename { id, name }) => {
            assert!(
                KeyName::parse(name.as_str()).is_ok(),
                "invalid name sent to the store: {name:?}"
            );
            let found = records.iter_mut().find(|r| r.id == id)?;
            found.name = name.into_string();
            Some(Event::Renamed(Ok(found.clone())))
        }
        Command::Store(Job::Delete(id)) => {
            let at = records.iter().position(|r| r.id == id)?;
            Some(Event::Deleted(Ok(records.remove(at))))
        }
        Command::Store(Job::Bulk { bulk, ids }) => {
            let mut done = Vec::new();
            for id in ids {
                let at = records.iter().position(|r| r.id == id)?;
                match bulk {
                    crate::tui::event::Bulk::Disable => {
                        records[at].disabled_at.get_or_insert(NOW);
                        done.push(records[at].clone());
                    }
                    crate::tui::event::Bulk::Delete => done.push(records.remove(at)),
                }
            }
            Some(Event::Bulk(bulk, Ok(done)))
        }
        // An empty log: the screen must cope with hostile input on it too.
        Command::Store(Job::LogPage(request)) => Some(Event::LogPage {
            search: request.search,
            page: Ok(super::log_search::LogPage {
                matches: Vec::new(),
                next_before: None,
            }),
        }),
        Command::Store(Job::Refresh) => Some(Event::Loaded {
            change_counter: 2,
            records: records.clone(),
        }),
        Command::CopySecret => Some(Event::Copied {
            secret: true,
            result: CopyResult::Copied("sent".into()),
        }),
        Command::CopyText(_) => Some(Event::Copied {
            secret: false,
            result: CopyResult::Failed("off".into()),
        }),
        Command::ClearScreen | Command::Suspend | Command::Quit => None,
    }
}

fn assert_screen_is_clean(terminal: &Terminal<TestBackend>) {
    for cell in terminal.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "a control or bidi character reached the screen: {:?}",
            cell.symbol()
        );
    }
}

fn run(inputs: Vec<Input>) {
    let mut app = App::new(OFFSET, NOW);
    let mut records = records();
    let mut size = (80u16, 24u16);
    let mut queue: Vec<Event> = vec![
        Event::Resize {
            width: size.0,
            height: size.1,
        },
        Event::Loaded {
            change_counter: 1,
            records: records.clone(),
        },
    ];
    for input in inputs {
        queue.push(match input {
            Input::Key(key) => Event::Key(key),
            Input::Paste(text) => Event::Paste(text),
            Input::HugePaste(c, n) => {
                Event::Paste(std::iter::repeat_n(c, n).chain("\u{1b}[31m\u{202E}x".chars()).collect())
            }
            Input::Resize(w, h) => {
                size = (w, h);
                Event::Resize { width: w, height: h }
            }
            Input::Tick => Event::Tick { now: NOW },
            Input::Reload(new) => {
                records = new;
                Event::Loaded {
                    change_counter: 3,
                    records: records.clone(),
                }
            }
        });
        while let Some(event) = queue.pop() {
            for command in update(&mut app, event) {
                queue.extend(effect(command, &mut records));
            }
        }
        let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        terminal
            .draw(|frame| drop(render(frame, &app, &Theme::new(false))))
            .unwrap();
        assert_screen_is_clean(&terminal);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_event_sequence_is_handled_and_rendered_safely(inputs in proptest::collection::vec(input(), 1..80)) {
        run(inputs);
    }
}

#[test]
fn the_named_hostile_cases_are_handled() {
    run(vec![
        Input::Key(Key::Char('n')),
        Input::Paste("\u{1b}]52;c;ZXZpbA==\u{7}生产\u{202E}-gateway\n_01\u{0}".into()),
        Input::HugePaste('键', 100_000),
        Input::Resize(1, 1),
        Input::Key(Key::Tab),
        Input::Key(Key::Char(' ')),
        Input::Key(Key::Enter),
        Input::Resize(80, 24),
        Input::Key(Key::Esc),
        Input::Reload(vec![record(9, "\u{1b}[2J\u{1b}]0;pwned\u{7}", NOW, None)]),
        Input::Key(Key::Char('/')),
        Input::Paste("\u{1b}[2J".into()),
    ]);
}
