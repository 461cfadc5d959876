//! A database in a temporary directory and the keydesk command line run on
//! it: what the CLI tests share.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use super::{keydesk, run_with_stdin, stderr, stdout};

pub struct CliEnv {
    _dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl CliEnv {
    /// A path for a database that does not exist yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.redb");
        CliEnv { _dir: dir, db }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        run_with_stdin(keydesk(&self.db).args(args), stdin)
    }

    /// Runs `args`, which must succeed.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "keydesk {args:?}: {}", stderr(&out));
        out
    }

    /// A new key named `name`, made with `create` and `extra` options:
    /// (secret, id).
    pub fn create(&self, name: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec!["create", "--name", name, "--accept-terms"];
        args.extend(extra);
        let secret = stdout(&self.ok(&args)).trim().to_owned();
        let id = self.key(name)["id"].as_str().unwrap().to_owned();
        (secret, id)
    }

    /// `list --json` with `extra` options.
    pub fn list_json(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["list", "--json"];
        args.extend(extra);
        serde_json::from_slice(&self.ok(&args).stdout).unwrap()
    }

    /// The listed key named `name`.
    pub fn key(&self, name: &str) -> Value {
        self.list_json(&[]).into_iter().find(|k| k["name"] == name).unwrap()
    }
}
