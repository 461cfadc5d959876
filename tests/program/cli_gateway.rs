//! `keydesk gateway`: what it refuses, and the Traefik and Envoy
//! configurations it prints, read back as YAML (by Python's PyYAML; neither
//! gateway can be installed here). The nginx and Caddy configurations are
//! run by the real servers in `serve/gateways.rs`.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{keydesk_without_db, skip, stderr, stdout};

const KEYDESK: &str = "--keydesk=http://127.0.0.1:7411";
const UPSTREAM: &str = "--upstream=http://10.0.0.5:8000";

/// What `keydesk gateway ARGS…` prints; it must succeed.
fn printed(args: &[&str]) -> String {
    let output = keydesk_without_db().arg("gateway").args(args).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    stdout(&output)
}

/// `yaml` read by PyYAML, as JSON; `None` (the test skipped) without it.
fn parsed_yaml(yaml: &str) -> Option<Value> {
    let has_yaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_yaml {
        skip("python3 with PyYAML is not installed (apt-get install python3-yaml; .ci/run installs it)");
        return None;
    }
    let script = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(yaml.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "not YAML: {}\n{yaml}", stderr(&output));
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn traefik_gets_a_file_provider_configuration_whose_forward_auth_trusts_no_client_header() {
    let Some(config) = parsed_yaml(&printed(&["traefik", KEYDESK, UPSTREAM])) else {
        return;
    };
    let http = &config["http"];
    let router = &http["routers"]["keydesk"];
    assert_eq!(strings(&router["entryPoints"]), ["keydesk"]);
    assert_eq!(strings(&router["middlewares"]), ["keydesk-verify", "keydesk-strip-key"]);
    let service = router["service"].as_str().unwrap();
    let servers = &http["services"][service]["loadBalancer"]["servers"];
    assert_eq!(servers[0]["url"], "http://10.0.0.5:8000");

    let auth = &http["middlewares"]["keydesk-verify"]["forwardAuth"];
    assert_eq!(auth["address"], "http://127.0.0.1:7411/verify");
    // Trusting them would let a client choose the method and URI keydesk judges.
    assert_eq!(auth["trustForwardHeader"], false);
    assert_eq!(
        strings(&auth["authRequestHeaders"]),
        ["Authorization", "X-Api-Key", "X-Goog-Api-Key"]
    );
    assert_eq!(
        strings(&auth["authResponseHeaders"]),
        ["X-Keydesk-Key-Id", "X-Keydesk-Key-Name"]
    );
    let stripped = &http["middlewares"]["keydesk-strip-key"]["headers"]["customRequestHeaders"];
    for header in ["Authorization", "X-Api-Key", "X-Goog-Api-Key"] {
        assert_eq!(stripped[header], "", "{header}");
    }
}

#[test]
fn envoy_gets_a_complete_configuration_with_ext_authz_before_the_router() {
    let yaml = printed(&["envoy", KEYDESK, UPSTREAM, "--listen=127.0.0.1:9090"]);
    let Some(config) = parsed_yaml(&yaml) else { return };
    let resources = &config["static_resources"];
    let listener = &resources["listeners"][0];
    assert_eq!(listener["address"]["socket_address"]["address"], "127.0.0.1");
    assert_eq!(listener["address"]["socket_address"]["port_value"], 9090);
    let manager = &listener["filter_chains"][0]["filters"][0]["typed_config"];
    let filters: Vec<&str> = manager["http_filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        filters,
        [
            "envoy.filters.http.header_mutation",
            "envoy.filters.http.ext_authz",
            "envoy.filters.http.router"
        ]
    );
    let set: Vec<&str> = manager["http_filters"][0]["typed_config"]["mutations"]["request_mutations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["append"]["header"]["key"].as_str())
        .collect();
    assert_eq!(
        set,
        ["x-forwarded-method", "x-forwarded-uri", "x-forwarded-for", "x-real-ip"]
    );

    let authz = &manager["http_filters"][1]["typed_config"];
    assert_eq!(authz["failure_mode_allow"], false);
    let service = &authz["http_service"];
    assert_eq!(service["path_prefix"], "/verify");
    assert_eq!(service["server_uri"]["cluster"], "keydesk_verify");
    let sent: Vec<&str> = service["authorization_request"]["allowed_headers"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["exact"].as_str().unwrap())
        .collect();
    for header in ["authorization", "x-forwarded-method", "x-forwarded-uri", "x-real-ip"] {
        assert!(sent.contains(&header), "{header} is not sent: {sent:?}");
    }

    let route = &manager["route_config"]["virtual_hosts"][0]["routes"][0];
    assert_eq!(route["route"]["timeout"], "0s", "streams would be cut");
    let clusters = resources["clusters"].as_array().unwrap();
    let endpoint_of = |name: &str| {
        let cluster = clusters.iter().find(|c| c["name"] == name).expect(name);
        cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"].clone()
    };
    assert_eq!(endpoint_of("keydesk_verify")["port_value"], 7411);
    assert_eq!(
        endpoint_of(route["route"]["cluster"].as_str().unwrap())["address"],
        "10.0.0.5"
    );
}

#[test]
fn bad_urls_and_addresses_exit_2_and_say_what_to_write() {
    for (args, problem) in [
        (
            vec!["nginx", "--keydesk=127.0.0.1:7411"],
            "starting with http:// or https://",
        ),
        (
            vec!["caddy", KEYDESK, "--upstream=http://10.0.0.5:8000/v1"],
            "no path, query or user",
        ),
        (
            vec!["traefik", "--keydesk=http://x;}"],
            "the host must be a name or an IP address",
        ),
        (
            vec!["envoy", KEYDESK, "--listen=8080"],
            "use HOST:PORT, [IPV6]:PORT or :PORT",
        ),
        (vec!["apache", KEYDESK], "invalid value 'apache'"),
        (vec!["nginx"], "--keydesk <URL>"),
    ] {
        let output = keydesk_without_db().arg("gateway").args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(problem), "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let output = keydesk_without_db()
        .args(["--lang=zh-CN", "gateway", "nginx", "--keydesk=ftp://x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("请使用以 http:// 或 https:// 开头的 URL"),
        "{}",
        stderr(&output)
    );
}
