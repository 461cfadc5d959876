//! Process-level protection for a program that holds secrets in memory,
//! and the rule for files that decide which keys verify (the database, the
//! config file naming it): whoever can change one of those controls the
//! gate, so only their owner may write them.

use std::path::{Path, PathBuf};

/// Who besides the user running keydesk may own a file it trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owners {
    /// The user running keydesk only: the database, which keydesk made.
    Me,
    /// That user or root: a config file may be the system's
    /// (`/etc/keydesk/config.toml`), which only root can change anyway.
    MeOrRoot,
}

/// Why a file keydesk trusts cannot be trusted: whoever may change it
/// controls which keys verify. Each carries what the fix needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Untrusted {
    /// Another user (`owner`) owns it; keydesk runs as `me`.
    Owner {
        /// The owner's user ID.
        owner: u32,
        /// keydesk's effective user ID.
        me: u32,
    },
    /// Users other than its owner may write it (`mode`: its permission
    /// bits); `chmod 600 path` fixes it.
    Writable {
        /// The file's permission bits.
        mode: u32,
        /// The file.
        path: PathBuf,
    },
    /// A file that must be private that others may read.
    Readable {
        /// The file's permission bits.
        mode: u32,
        /// The file.
        path: PathBuf,
    },
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Untrusted::Owner { owner, me } => write!(f, "it is owned by user {owner} and you are user {me}"),
            Untrusted::Writable { mode, path } => write!(
                f,
                "it is writable by other users (mode {mode:o}); run: chmod 600 {}",
                path.display()
            ),
            Untrusted::Readable { mode, path } => write!(
                f,
                "other users may read it (mode {mode:o}); run: chmod 600 {}",
                path.display()
            ),
        }
    }
}

/// Why a file keydesk trusts cannot be: another user owns it, or users
/// other than its owner may write it. `None` when it can be trusted. `meta`
/// is the opened file's.
#[cfg(unix)]
#[allow(unsafe_code)] // geteuid, justified below
pub fn untrusted(path: &Path, meta: &std::fs::Metadata, owners: Owners) -> Option<Untrusted> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let owner_trusted = meta.uid() == me || (owners == Owners::MeOrRoot && meta.uid() == 0);
    if !owner_trusted {
        return Some(Untrusted::Owner { owner: meta.uid(), me });
    }
    (meta.mode() & 0o022 != 0).then(|| Untrusted::Writable {
        mode: meta.mode() & 0o777,
        path: path.to_owned(),
    })
}

/// Elsewhere files have no Unix owner and mode to check.
#[cfg(not(unix))]
pub fn untrusted(_path: &Path, _meta: &std::fs::Metadata, _owners: Owners) -> Option<Untrusted> {
    None
}

/// Why [`read_trusted`] would not read a file.
#[derive(Debug)]
#[non_exhaustive]
pub enum Refusal {
    /// Not a regular file: a FIFO (which would block), a device (which
    /// may never end), a folder…
    NotAFile(FileKind),
    /// Who may change (or read) it, from [`untrusted`] or the privacy rule.
    Untrusted(Untrusted),
    /// Larger than the limit the caller gave.
    TooLarge,
    /// It could not be opened or read.
    Io(std::io::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotAFile(kind) => write!(f, "it is {kind}, not a regular file (a symlink to one is fine)"),
            Refusal::Untrusted(reason) => write!(f, "{reason}"),
            Refusal::TooLarge => f.write_str("it is too large to be this file: check that it is the right one"),
            Refusal::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Whether a file must also be unreadable by others (a key or a password),
/// beside being unwritable by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    /// Others may read it (a config file).
    Readable,
    /// Only its owner may read it: mode `0600` or stricter.
    Private,
}

/// Reads a small file that decides something keydesk trusts — the config
/// file, the audit key, a password file — by one rule: a regular file (a
/// symlink to one is fine) of at most `max_bytes`, owned as `owners` says
/// and writable by its owner only (readable only by it too when `privacy`
/// says so). Everything is checked on the opened file, so nothing can be
/// swapped in between the check and the read, and a FIFO or a device is
/// never read. `Ok(None)`: there is no such file. The bytes are zeroised
/// when dropped.
pub fn read_trusted(
    path: &Path,
    max_bytes: u64,
    owners: Owners,
    privacy: Privacy,
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, Refusal> {
    use std::io::Read;
    let mut file = match open_without_blocking(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Refusal::Io(e)),
    };
    let meta = file.metadata().map_err(Refusal::Io)?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile(file_kind(&meta.file_type())));
    }
    if let Some(reason) = untrusted(path, &meta, owners).or_else(|| exposed(path, &meta, privacy)) {
        return Err(Refusal::Untrusted(reason));
    }
    // The size is checked again on what is read: the file may grow meanwhile.
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    if meta.len() <= max_bytes {
        (&mut file)
            .take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(Refusal::Io)?;
    }
    if meta.len() > max_bytes || bytes.len() as u64 > max_bytes {
        return Err(Refusal::TooLarge);
    }
    Ok(Some(bytes))
}

/// Opens `path` for reading; a FIFO's open returns at once instead of
/// waiting for a writer (the type check then refuses it).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK | libc::O_NOCTTY);
    options.open(path)
}

/// Why a file that must be private is not: others may read it.
#[cfg(unix)]
fn exposed(path: &Path, meta: &std::fs::Metadata, privacy: Privacy) -> Option<Untrusted> {
    use std::os::unix::fs::MetadataExt;
    (privacy == Privacy::Private && meta.mode() & 0o077 != 0).then(|| Untrusted::Readable {
        mode: meta.mode() & 0o777,
        path: path.to_owned(),
    })
}

#[cfg(not(unix))]
fn exposed(_path: &Path, _meta: &std::fs::Metadata, _privacy: Privacy) -> Option<Untrusted> {
    None
}

/// Keeps secrets in this process's memory from reaching a core dump, and
/// (on Linux) stops other processes of the same user from attaching a
/// debugger to read them. Called first thing by the binary; library users
/// who handle secrets may call it too. Best effort: failures are ignored,
/// since a missing protection must not stop the program.
#[allow(unsafe_code)] // setrlimit and prctl, justified below
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

// getrlimit, prctl and mkfifo, each justified where called.
#[allow(unsafe_code)]
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

    #[test]
    fn a_trusted_file_is_a_small_regular_file_only_its_owner_may_change() {
        use std::os::unix::fs::PermissionsExt;

        use super::{Owners, Privacy, Refusal, read_trusted};
        let dir = tempfile::tempdir().unwrap();
        let read = |path: &std::path::Path, privacy| read_trusted(path, 16, Owners::Me, privacy);
        let path = dir.path().join("f");
        assert!(matches!(read(&path, Privacy::Readable), Ok(None)), "missing");
        std::fs::write(&path, b"hunter2\n").unwrap();
        std::fs::set_permissions(&path, PermissionsExt::from_mode(0o644)).unwrap();
        assert_eq!(
            read(&path, Privacy::Readable).unwrap().unwrap().as_slice(),
            b"hunter2\n"
        );
        let exposed = read(&path, Privacy::Private).unwrap_err().to_string();
        assert!(exposed.contains("chmod 600"), "{exposed}");
        std::fs::set_permissions(&path, PermissionsExt::from_mode(0o620)).unwrap();
        assert!(matches!(read(&path, Privacy::Readable), Err(Refusal::Untrusted(_))));
        std::fs::set_permissions(&path, PermissionsExt::from_mode(0o600)).unwrap();

        let large = dir.path().join("large");
        std::fs::write(&large, [b'x'; 17]).unwrap();
        assert!(matches!(read(&large, Privacy::Readable), Err(Refusal::TooLarge)));
        // Neither of these is ever read: one would block, one never ends.
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path we pass.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(matches!(read(&fifo, Privacy::Readable), Err(Refusal::NotAFile(_))));
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(read(&zero, Privacy::Readable), Err(Refusal::NotAFile(_))));
        // A symlink to a regular file is that file.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(read(&link, Privacy::Private).unwrap().is_some());
    }
}

/// What a path that is not a regular file is instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A character device (such as `/dev/null`).
    CharDevice,
    /// A block device (a disk or a partition).
    BlockDevice,
    /// A named pipe (FIFO).
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// A directory.
    Directory,
    /// Anything else that is not a regular file.
    Other,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Fifo => "a named pipe (FIFO)",
            FileKind::Socket => "a socket",
            FileKind::Directory => "a directory",
            FileKind::Other => "not a regular file",
        })
    }
}

/// What a path that is not a regular file is instead.
pub fn file_kind(kind: &std::fs::FileType) -> FileKind {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return FileKind::CharDevice;
        }
        if kind.is_block_device() {
            return FileKind::BlockDevice;
        }
        if kind.is_fifo() {
            return FileKind::Fifo;
        }
        if kind.is_socket() {
            return FileKind::Socket;
        }
    }
    if kind.is_dir() {
        FileKind::Directory
    } else {
        FileKind::Other
    }
}
