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
        (vec!["--clear", "tpm"], "\"tpm\" is not a rule"),
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
