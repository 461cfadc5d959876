//! Process-level protection for a program that holds secrets in memory.

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
