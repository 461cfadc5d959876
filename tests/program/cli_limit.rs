//! Key policies on the command line: `keydesk limit`, `create`'s policy
//! flags, the policy in `list` and `list --json`, and `verify --explain`'s
//! rules, through the real binary.

use crate::common;

use common::{stderr, stdout};
use serde_json::{Value, json};

type Env = common::cli_env::CliEnv;

fn limit_json(env: &Env, id: &str) -> Value {
    serde_json::from_str(&stdout(&env.ok(&["limit", id, "--json"]))).unwrap()
}

#[test]
fn limit_shows_sets_keeps_and_clears_rules() {
    let env = Env::new();
    let (_, id) = env.create("svc", &[]);
    let empty = env.ok(&["limit", &id]);
    assert!(stdout(&empty).starts_with("no rules:"), "{}", stdout(&empty));

    let set = env.ok(&["limit", &id, "--rpm", "60", "--allow-methods", "get,POST"]);
    assert_eq!(
        stdout(&set),
        "rpm           60 requests per minute\nmethods       GET, POST\n"
    );
    let said = stderr(&set);
    assert!(said.contains(&format!("Policy of svc ({id}) changed:")), "{said}");
    assert!(
        said.contains("  rpm: set to 60\n") && said.contains("  methods: set to GET,POST\n"),
        "{said}"
    );

    // Other rules are kept; one changed, one cleared, one added.
    let more = env.ok(&[
        "limit",
        &id,
        "--rpm",
        "120",
        "--clear",
        "methods",
        "--allow-ips",
        "10.0.0.0/8",
    ]);
    assert!(stderr(&more).contains("  rpm: 60 → 120\n"), "{}", stderr(&more));
    assert!(
        stderr(&more).contains("  methods: removed (was GET,POST)\n"),
        "{}",
        stderr(&more)
    );
    assert_eq!(
        limit_json(&env, &id),
        json!({"id": id, "policy": {"rpm": 120, "ips": ["10.0.0.0/8"]}, "text": "rpm=120 ips=10.0.0.0/8"})
    );
    assert_eq!(env.key("svc")["policy"], json!({"rpm": 120, "ips": ["10.0.0.0/8"]}));

    let again = env.ok(&["limit", &id, "--rpm", "120"]);
    assert!(stderr(&again).contains("nothing changed"), "{}", stderr(&again));
    env.ok(&["limit", &id, "--clear", "all"]);
    assert_eq!(limit_json(&env, &id)["policy"], json!({}));
}

#[test]
fn a_bad_value_exits_2_naming_the_bad_part_and_changes_nothing() {
    let env = Env::new();
    let (_, id) = env.create("svc", &["--rpm", "10"]);
    for (args, part) in [
        (
            vec!["--allow-ips", "10.0.0.0/8,300.1.1.1"],
            "ips: \"300.1.1.1\" is not an IP address or CIDR block",
        ),
        (
            vec!["--allow-paths", "/v1/*,/v1/[x"],
            "paths: \"/v1/[x\" is not a valid pattern",
        ),
        (vec!["--rpm", "sixty"], "rpm: \"sixty\" is not a whole number"),
        (vec!["--rps", "100001"], "rps: 100001 is more than the maximum, 100000"),
        (
            vec!["--max-parallel", "0"],
            "max-parallel: 0 would refuse every request",
        ),
        (vec!["--clear", "burst"], "\"burst\" is not a rule"),
        (
            vec!["--token-budget", "5000/year"],
            "token-budget: \"year\" is not a period (day, week or month)",
        ),
        (
            vec!["--token-budget", "5k/day"],
            "token-budget: \"5k\" is not a whole number",
        ),
        (
            vec!["--spend-limit", "2O/month"],
            "spend-limit: \"2O\" is not an amount",
        ),
        (vec!["--tpm", "0"], "tpm: 0 would refuse every request"),
    ] {
        let out = env.run(&[&["limit", id.as_str()], args.as_slice()].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(part), "{args:?}: {}", stderr(&out));
    }
    let chinese = env.run(&["--lang", "zh-CN", "limit", &id, "--allow-ips", "10.0.0.0/33"]);
    assert_eq!(chinese.status.code(), Some(2));
    assert!(
        stderr(&chinese).contains("无法设置策略：ips：\"10.0.0.0/33\" 不是 IP 地址或 CIDR 网段"),
        "{}",
        stderr(&chinese)
    );
    assert_eq!(limit_json(&env, &id)["text"], "rpm=10", "nothing was written");
    let refused = env.run(&["create", "--name", "bad", "--accept-terms", "--models", "gpt-4o,"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("models: an empty value"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(env.list_json(&[]).len(), 1, "no key made");
}

#[test]
fn create_takes_the_policy_flags_and_list_shows_the_rules() {
    let env = Env::new();
    let (_, id) = env.create(
        "limited",
        &[
            "--rpm",
            "60",
            "--max-parallel",
            "4",
            "--models",
            "gpt-4o-mini,llama3*",
            "--allow-paths",
            "/v1/*",
        ],
    );
    env.create("free", &[]);
    assert_eq!(
        env.key("limited")["policy"],
        json!({"rpm": 60, "max-parallel": 4, "paths": ["/v1/*"], "models": ["gpt-4o-mini", "llama3*"]})
    );
    assert_eq!(env.key("free")["policy"], json!({}));
    let table = stdout(&env.ok(&["list"]));
    assert!(table.lines().next().unwrap().trim_end().ends_with("Rules"), "{table}");
    let row = table.lines().find(|l| l.contains(&id)).unwrap();
    assert!(
        row.trim_end().ends_with("active  rpm,max-parallel,paths,models"),
        "{table}"
    );
}

#[test]
fn verify_explain_lists_the_rules_and_verify_counts_toward_none() {
    let env = Env::new();
    let (secret, id) = env.create("svc", &["--rpm", "1", "--allow-methods", "GET"]);
    // More verifies than the rate allows: the CLI neither counts nor enforces.
    for _ in 0..3 {
        let out = env.run_with_stdin(&["verify"], &format!("{secret}\n"));
        assert_eq!(out.status.code(), Some(0));
    }
    let out = env.run_with_stdin(&["verify", "--explain"], &format!("{secret}\n"));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], id);
    assert!(
        lines[1].contains("verify itself neither enforces nor counts toward them"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("  rpm           1 request per minute: a gateway refuses requests over it")
            && lines[2].contains("under its rpm limit now"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "  methods       GET: a request with another method is refused"
    );
    assert!(!text.contains(&secret[3..]));
}

#[test]
fn token_rules_are_set_shown_with_their_period_and_reset_and_spend_needs_prices() {
    let env = Env::new();
    // Two config files in one folder: the same audit key beside them.
    let folder = env.db.parent().unwrap().join("config");
    std::fs::create_dir_all(&folder).unwrap();
    let (plain, priced) = (folder.join("plain.toml"), folder.join("priced.toml"));
    std::fs::write(&plain, "").unwrap();
    std::fs::write(
        &priced,
        "[prices]\ncurrency = \"USD\"\n[prices.\"gpt-4o-mini*\"]\ninput_per_million = 0.15\noutput_per_million = 0.60\n",
    )
    .unwrap();
    let (plain, priced) = (plain.to_str().unwrap(), priced.to_str().unwrap());
    let (_, id) = env.create(
        "metered",
        &["--config", plain, "--tpm", "20000", "--token-budget", "5000000/month"],
    );
    let json = |config: &str, offset: &str| -> Value {
        let out = env.ok(&["--config", config, "--utc-offset", offset, "limit", &id, "--json"]);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let shown = json(plain, "+08:00");
    assert_eq!(shown["text"], "tpm=20000 token-budget=5000000/month");
    let budget = &shown["policy"]["token-budget"];
    assert_eq!(shown["policy"]["tpm"], 20000);
    assert_eq!(
        (budget["limit"].as_u64(), budget["used"].as_u64()),
        (Some(5_000_000), Some(0))
    );
    assert_eq!(budget["period"], "month");
    // The 1st of next month, midnight, in the offset shown.
    let resets = budget["resets_at"].as_str().unwrap();
    let reset = time::OffsetDateTime::parse(resets, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(resets.ends_with("T00:00:00+08:00") && reset.to_offset(time::macros::offset!(+8)).day() == 1);
    let listed = &env.key("metered")["policy"]["token-budget"];
    assert_eq!(
        (&listed["used"], &listed["period"]),
        (&budget["used"], &budget["period"])
    );
    assert!(
        listed["resets_at"].as_str().unwrap().ends_with("T00:00:00Z"),
        "{listed}"
    );

    let no_prices = env.run(&["--config", plain, "limit", &id, "--spend-limit", "20/month"]);
    assert_eq!(no_prices.status.code(), Some(2), "{}", stderr(&no_prices));
    assert!(
        stderr(&no_prices).contains("cannot set spend-limit: no model has a price"),
        "{}",
        stderr(&no_prices)
    );

    let set = env.ok(&[
        "--config",
        priced,
        "limit",
        &id,
        "--spend-limit",
        "20.50/month",
        "--clear",
        "tpm",
    ]);
    assert!(
        stderr(&set).contains("  spend-limit: set to 20.5/month\n"),
        "{}",
        stderr(&set)
    );
    assert!(
        stdout(&set).contains("spend-limit   20.5 (the [prices] currency) a month\n"),
        "{}",
        stdout(&set)
    );
    let spend = &json(priced, "+00:00")["policy"]["spend-limit"];
    assert_eq!(
        (
            spend["limit"].as_str(),
            spend["used"].as_str(),
            spend["currency"].as_str()
        ),
        (Some("20.50"), Some("0.00"), Some("USD"))
    );
    let audit = stdout(&env.ok(&["--config", plain, "log", "--key", &id]));
    assert!(
        audit.contains("spend-limit=20.5/month"),
        "every change is audited: {audit}"
    );
}
