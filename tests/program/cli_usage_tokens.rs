//! `keydesk usage` shows tokens: written through a real Verifier
//! (`count_tokens`, then `close`), read back by the real binary, per key and
//! per model (`--by model`), priced by the config file's `[prices]`, in
//! JSON and in tables in English and Chinese.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{keydesk, name, stderr, stdout};
use keydesk::domain::TokenUsage;
use keydesk::{KeyStore, Store, Verifier};
use serde_json::Value;

/// A database with two keys whose answers a Verifier counted: `alpha` with
/// two models and an answer that named none, `beta` with nothing.
fn counted() -> (tempfile::TempDir, PathBuf, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let (secret, alpha) = store.create(&name("alpha")).unwrap();
    let (_, beta) = store.create(&name("beta")).unwrap();
    let verifier = Verifier::new(store.clone()).unwrap();
    let id = verifier.verify(secret.expose()).unwrap();
    let answer = |model: Option<&str>, input, output, cache_read| TokenUsage {
        model: model.map(str::to_owned),
        input,
        output,
        cache_read,
        known: true,
        complete: true,
        ..TokenUsage::default()
    };
    for _ in 0..3 {
        verifier.count_tokens(&id, &answer(Some("gpt-4o-mini"), 1_000_000, 500_000, 0));
    }
    verifier.count_tokens(&id, &answer(Some("claude-3-5-haiku"), 200, 40, 100));
    verifier.count_tokens(&id, &answer(None, 7, 3, 0));
    let cut = TokenUsage {
        complete: false,
        ..answer(Some("claude-3-5-haiku"), 10, 5, 0)
    };
    verifier.count_tokens(&id, &cut);
    verifier.count_tokens(&id, &TokenUsage::default());
    verifier.close().unwrap();
    (dir, db, alpha.id.to_string(), beta.id.to_string())
}

/// A config file beside the database, with prices for one model family.
fn priced_config(dir: &Path) -> PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[prices]\ncurrency = \"USD\"\n\n[prices.\"gpt-4o-mini*\"]\ninput_per_million = 0.15\n\
         output_per_million = 0.60\n",
    )
    .unwrap();
    config
}

fn json(command: &mut Command) -> Vec<Value> {
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn usage_json_shows_the_tokens_a_verifier_counted_without_prices() {
    let (_dir, db, alpha, beta) = counted();
    let all = json(keydesk(&db).args(["usage", "--json"]));
    let of = |id: &str| all.iter().find(|k| k["id"] == id).unwrap().clone();
    let a = of(&alpha);
    assert_eq!(a["input_tokens"], 3_000_000 + 200 + 7 + 10);
    assert_eq!(a["output_tokens"], 1_500_000 + 40 + 3 + 5);
    assert_eq!(a["cached_input_tokens"], 100);
    assert_eq!(a["answers_with_usage"], 6);
    assert_eq!(a["answers_without_usage"], 1);
    // The cut answer, and the one without usage (which was not read whole).
    assert_eq!(a["answers_incomplete"], 2);
    assert_eq!(a["cost"], Value::Null, "no prices, no cost");
    assert_eq!(a["total"]["accepted"], 1, "the request counts stay");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(a["days"][0]["date"], today.as_str());
    assert_eq!(a["days"][0]["output_tokens"], a["output_tokens"]);
    assert_eq!(of(&beta)["input_tokens"], 0);
}

#[test]
fn usage_by_model_prices_each_model_and_names_the_unpriced() {
    let (dir, db, alpha, _) = counted();
    let config = priced_config(dir.path());
    let rows = json(
        keydesk(&db)
            .arg("--config")
            .arg(&config)
            .args(["usage", "--by", "model", "--json"]),
    );
    assert_eq!(rows.len(), 3, "one row per model of alpha; beta has none: {rows:?}");
    assert!(rows.iter().all(|r| r["id"] == alpha.as_str()));
    let model = |m: Value| rows.iter().find(|r| r["model"] == m).unwrap().clone();
    let mini = model("gpt-4o-mini".into());
    assert_eq!(
        (mini["input_tokens"].clone(), mini["output_tokens"].clone()),
        (3_000_000.into(), 1_500_000.into())
    );
    // 3 × 0.15 + 1.5 × 0.60
    assert_eq!(mini["cost"], serde_json::json!(1.35));
    assert_eq!(mini["cost_micros"], 1_350_000);
    assert_eq!(mini["currency"], "USD");
    let haiku = model("claude-3-5-haiku".into());
    assert_eq!(haiku["input_tokens"], 210);
    assert_eq!(haiku["answers_incomplete"], 1);
    assert_eq!(haiku["cost_micros"], 0);
    assert_eq!(haiku["unpriced_models"], serde_json::json!(["claude-3-5-haiku"]));
    assert_eq!(model(Value::Null)["input_tokens"], 7);

    let key = json(
        keydesk(&db)
            .arg("--config")
            .arg(&config)
            .args(["usage", &alpha, "--json"]),
    );
    assert_eq!(key[0]["cost"], serde_json::json!(1.35));
    assert_eq!(key[0]["unpriced_models"], serde_json::json!([null, "claude-3-5-haiku"]));
}

#[test]
fn usage_tables_show_tokens_and_cost_in_english_and_chinese() {
    let (dir, db, alpha, beta) = counted();
    let config = priced_config(dir.path());
    for (lang, input, cost) in [
        ("en", "INPUT TOKENS", "COST (USD)"),
        ("zh-CN", "输入词元", "费用（USD）"),
    ] {
        let run = |args: &[&str]| {
            let out = keydesk(&db)
                .arg("--config")
                .arg(&config)
                .env("KEYDESK_LANG", lang)
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            stdout(&out)
        };
        let table = run(&["usage"]);
        assert!(table.lines().next().unwrap().contains(input), "{table}");
        assert!(table.lines().next().unwrap().contains(cost), "{table}");
        let alpha_line = table.lines().find(|l| l.starts_with(&alpha)).unwrap();
        assert!(alpha_line.contains("3000217") && alpha_line.contains("1.35"), "{table}");
        let beta_line = table.lines().find(|l| l.starts_with(&beta)).unwrap();
        assert!(beta_line.trim_end().ends_with("0.00"), "{table}");

        let by_model = run(&["usage", "--by", "model"]);
        assert_eq!(by_model.lines().count(), 4, "{by_model}");
        let haiku = by_model.lines().find(|l| l.contains("claude-3-5-haiku")).unwrap();
        assert!(haiku.trim_end().ends_with('-'), "unpriced: {by_model}");

        let one = run(&["usage", &alpha, "--days", "2"]);
        assert_eq!(one.lines().count(), 1 + 1 + 2 + 1, "{one}");
        assert!(one.lines().last().unwrap().contains("1.35"), "{one}");
    }
}

#[test]
fn usage_without_tokens_keeps_its_table_and_by_model_says_there_are_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    Store::open(&db).unwrap().create(&name("quiet")).unwrap();
    let out = keydesk(&db).arg("usage").output().unwrap();
    assert!(!stdout(&out).contains("INPUT"), "{}", stdout(&out));
    let out = keydesk(&db).args(["usage", "--by", "model"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("no tokens counted"), "{}", stdout(&out));
}

#[test]
fn a_bad_price_is_a_config_error_naming_its_line() {
    let (dir, db, _, _) = counted();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[prices]\ncurrency = \"USD\"\n[prices.\"gpt-*\"]\ninput_per_million = -1\noutput_per_million = 1\n",
    )
    .unwrap();
    let out = keydesk(&db).arg("--config").arg(&config).arg("usage").output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("config.toml:4") && err.contains("input_per_million"),
        "{err}"
    );
    std::fs::write(&config, "[prices]\ncurrency = \"USD\"\n[prices.m]\ninput = 1\n").unwrap();
    let out = keydesk(&db).arg("--config").arg(&config).arg("usage").output().unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("config.toml:4") && err.contains("unknown key `input`"),
        "{err}"
    );
}
