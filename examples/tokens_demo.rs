//! Writes a small database whose keys have token counts, for trying the
//! TUI's token views by hand (the details pane, the Tokens sort, the
//! clean-up view by spend). The counts go through a real Verifier
//! (`count_tokens`, then `close`), as `keydesk serve --upstream` writes
//! them; they all fall in the current hour.
//!
//! `cargo run --example tokens_demo -- /tmp/demo.redb`, then
//! `keydesk --db /tmp/demo.redb`.

use keydesk::domain::TokenUsage;
use keydesk::{KeyName, KeyStore, Store, Verifier};

/// (key name, model, answers, input and output tokens per answer)
const KEYS: [(&str, &str, u32, u64, u64); 4] = [
    ("chat-gateway", "gpt-4o-mini-2024-07-18", 40, 30_000, 9_000),
    ("analytics-batch", "gpt-4o-2024-08-06", 6, 50_000, 20_000),
    ("support-bot", "claude-3-5-haiku", 25, 4_000, 1_500),
    ("生产-助手", "gpt-4o-mini", 3, 1_200, 300),
];

fn main() {
    let path = std::env::args().nth(1).expect("usage: tokens_demo DATABASE_FILE");
    let store = Store::open(&path).expect("open the database");
    // The keys first: a Verifier knows the keys there were when it started.
    let created: Vec<_> = KEYS
        .iter()
        .map(|(name, ..)| store.create(&KeyName::parse(name).unwrap()).expect("create"))
        .collect();
    let verifier = Verifier::new(store.clone()).expect("a verifier");
    for ((secret, record), (name, model, answers, input, output)) in created.iter().zip(KEYS) {
        let id = verifier.verify(secret.expose()).expect("the new key verifies");
        for _ in 0..answers {
            let usage = TokenUsage {
                model: Some(model.to_owned()),
                input,
                output,
                known: true,
                complete: true,
                ..TokenUsage::default()
            };
            verifier.count_tokens(&id, &usage);
        }
        println!("{} {name}", record.id);
    }
    store.create(&KeyName::parse("unused").unwrap()).expect("create");
    verifier.close().expect("the counts reach the file");
}
