//! Process-level protection for a program that holds secrets in memory,
//! and the rule for files that decide which keys verify (the database, the
//! config file naming it): whoever can change one of those controls the
//! gate, so only their owner may write them.

use std::path::Path;

/// Who besides the user running keydesk may own a file it trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owners {
    /// The user running keydesk only: the database, which keydesk made.
    Me,
    /// That user or root: a config file may be the system's
    /// (`/etc/keydesk/config.toml`), which only root can change anyway.
    MeOrRoot,
}

/// Why a file keydesk trusts cannot be: another user owns it, or users
/// other than its owner may write it (the message gives the `chmod` that
/// fixes it). `None` when it can be trusted. `meta` is the opened file's.
#[cfg(unix)]
pub fn untrusted(path: &Path, meta: &std::fs::Metadata, owners: Owners) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let owner_trusted = meta.uid() == me || (owners == Owners::MeOrRoot && meta.uid() == 0);
    if !owner_trusted {
        return Some(tr!("error-store-insecure-owner", owner = meta.uid(), me = me));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(tr!(
            "error-store-insecure-writable",
            // Octal, as chmod takes it: text, not a number to format.
            mode = format!("{:o}", meta.mode() & 0o777),
            path = path.display().to_string()
        ));
    }
    None
}

/// Elsewhere files have no Unix owner and mode to check.
#[cfg(not(unix))]
pub fn untrusted(_path: &Path, _meta: &std::fs::Metadata, _owners: Owners) -> Option<String> {
    None
}

/// Keeps secrets in this process's memory from reaching a core dump, and
/// (on Linux) stops other processes of the same user from attaching a
/// debugger to read them. Called first thing by the binary; library users
/// who handle secrets may call it too. Best effort: failures are ignored,
/// since a missing protection must not stop the program.
pub fn protect_process_memory() {
    #[cfg(unix)]
    {
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit only reads the struct we pass.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes a plain integer argument.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn core_dumps_are_off_afterwards() {
        super::protect_process_memory();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit fills the struct we pass; prctl(GET) has no arguments.
        let (dumpable, rc) = unsafe {
            (
                libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0),
                libc::getrlimit(libc::RLIMIT_CORE, &mut limit),
            )
        };
        assert_eq!(rc, 0);
        assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
        assert_eq!(dumpable, 0);
    }
}
