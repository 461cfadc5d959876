//! Finding the programs a test drives besides keydesk (shells, man, systemd's
//! tools), from Debian packages that `.ci/run` installs: a test without one
//! is skipped here, saying which package brings it, and fails under CI.

use std::path::{Path, PathBuf};

/// The path of `program`, or `None` once the test has said it is skipped
/// (see [`super::skip`]) because Debian package `package` is not installed.
pub fn installed(program: &str, package: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/bin", "/usr/sbin", "/bin", "/sbin"])
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        super::skip(&format!(
            "{program} is not installed (Debian package `{package}`; .ci/run installs it)"
        ));
    }
    found
}
