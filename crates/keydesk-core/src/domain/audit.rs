//! The audit log's vocabulary: who made a change ([`Actor`]), what it was
//! ([`AuditEvent`]) and the stored, hash-chained [`AuditEntry`]; the
//! [`AuditKey`] that seals entries, and what a check of the chain found
//! ([`ChainReport`]).
//!
//! An entry never holds a secret or a secret's hash: at most the masked hint
//! that `list` shows anyway.
//!
//! Why a key: a chain of plain SHA-256 digests only catches accidental or
//! naive edits — whoever can write the database can recompute every digest
//! after the one they changed. Entries sealed with HMAC-SHA-256 under a key
//! kept outside the database cannot be re-sealed without that key. The
//! library never reads the key from anywhere: the program using it passes it
//! in (keydesk's CLI and TUI keep it in a `0600` file next to the config).

use std::fmt;

use time::OffsetDateTime;

use super::id::KeyId;

/// The program a change came through. Non-exhaustive: keydesk may gain
/// front-ends, and an entry written by a newer one must still be readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Interface {
    /// The full-screen terminal app (`keydesk` with no command).
    Tui,
    /// A `keydesk` command (`create`, `rotate`, …).
    Cli,
    /// A Rust program using the library directly (the default).
    Library,
    /// `keydesk serve`, the HTTP gateway.
    Serve,
}

impl Interface {
    /// The stable name (`tui`, `cli`, `library`, `serve`) kept in entries and
    /// accepted by [`Interface::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Tui => "tui",
            Interface::Cli => "cli",
            Interface::Library => "library",
            Interface::Serve => "serve",
        }
    }

    /// The interface whose [`Interface::as_str`] is `s`, for filters and
    /// stored entries; `None` for any other text.
    pub fn parse(s: &str) -> Option<Interface> {
        [Interface::Tui, Interface::Cli, Interface::Library, Interface::Serve]
            .into_iter()
            .find(|i| i.as_str() == s)
    }
}

/// The stable name, also where people read it (an audit line's "tui
/// 0.1.0"): it names a keydesk program, like the version beside it, so it is
/// the same in every language, and the log's filter finds what is shown.
impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who made a change and from where, as far as the process can tell. Read
/// from the OS and the environment once per process ([`Actor::from_process`])
/// and given to the store, which stamps it on every entry it writes.
///
/// The environment is the user's to set: `SUDO_USER` and `SSH_CONNECTION` say
/// what sudo and sshd said, unless the user changed them. The uid comes from
/// the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The OS user name of the process's real uid (`None` when it has none).
    pub user: Option<String>,
    /// The process's real uid, from the kernel (`None` where there is none).
    pub uid: Option<u32>,
    /// `SUDO_USER`: who ran `sudo`.
    pub sudo_user: Option<String>,
    /// The SSH client's address and port, from `SSH_CONNECTION`.
    pub ssh_client: Option<SshClient>,
    /// The program the change came through.
    pub interface: Interface,
    /// keydesk's version.
    pub version: String,
}

/// Where an SSH session came from, as sshd put it in `SSH_CONNECTION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshClient {
    /// The client's address (IPv4 or IPv6, as written).
    pub address: String,
    /// The client's port.
    pub port: u16,
}

impl Actor {
    /// This process's actor through `interface`. The user, uid, `SUDO_USER`
    /// and `SSH_CONNECTION` are read from the OS and the environment on the
    /// first call in the process and kept: they describe the process, and
    /// the user database lookup (NSS: files, LDAP, sssd…) is not free.
    pub fn from_process(interface: Interface) -> Actor {
        let process = PROCESS.get_or_init(ProcessIdentity::read);
        Actor {
            user: process.user.clone(),
            uid: process.uid,
            sudo_user: process.sudo_user.clone(),
            ssh_client: process.ssh_client.clone(),
            interface,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// Who a store records as making its changes: an actor given outright, or
/// this process's ([`Actor::from_process`]), looked up only when the store
/// first writes an entry — so opening a store to read it costs no lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorSource {
    /// This actor, whatever process writes (a server acting for a client, a test).
    Given(Actor),
    /// This process's actor through this interface, looked up when first needed.
    Process(Interface),
}

impl ActorSource {
    /// The actor: the given one, or this process's ([`Actor::from_process`]).
    pub fn resolve(&self) -> Actor {
        match self {
            ActorSource::Given(actor) => actor.clone(),
            ActorSource::Process(interface) => Actor::from_process(*interface),
        }
    }
}

impl From<Actor> for ActorSource {
    fn from(actor: Actor) -> Self {
        ActorSource::Given(actor)
    }
}

/// The part of an actor that is the same for every store of a process.
struct ProcessIdentity {
    user: Option<String>,
    uid: Option<u32>,
    sudo_user: Option<String>,
    ssh_client: Option<SshClient>,
}

static PROCESS: std::sync::OnceLock<ProcessIdentity> = std::sync::OnceLock::new();
static PROCESS_LOOKUPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl ProcessIdentity {
    fn read() -> ProcessIdentity {
        PROCESS_LOOKUPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (uid, user) = os_user();
        ProcessIdentity {
            user: user.or_else(|| var("USER")),
            uid,
            sudo_user: var("SUDO_USER"),
            ssh_client: var("SSH_CONNECTION").as_deref().and_then(SshClient::parse),
        }
    }
}

/// How many times this process has read its identity from the OS (0 or 1):
/// for the test that opening and reading a store looks nothing up.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub fn process_identity_lookups() -> usize {
    PROCESS_LOOKUPS.load(std::sync::atomic::Ordering::Relaxed)
}

impl SshClient {
    /// `SSH_CONNECTION` is "client-address client-port server-address server-port".
    pub fn parse(connection: &str) -> Option<SshClient> {
        let mut words = connection.split_ascii_whitespace();
        let address = words.next()?.to_owned();
        let port = words.next()?.parse().ok()?;
        Some(SshClient { address, port })
    }
}

impl fmt::Display for SshClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.address.contains(':') {
            write!(f, "[{}]:{}", self.address, self.port)
        } else {
            write!(f, "{}:{}", self.address, self.port)
        }
    }
}

#[allow(unsafe_code)] // getuid and getpwuid_r, justified below
#[cfg(unix)]
fn os_user() -> (Option<u32>, Option<String>) {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: an all-zero passwd is a valid value for getpwuid_r to fill in.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call and buf's length is passed.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
    let name = (rc == 0 && !found.is_null()).then(|| {
        // SAFETY: on success pw_name points to a NUL-terminated string in buf.
        unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }
            .to_string_lossy()
            .into_owned()
    });
    (Some(uid), name)
}

#[cfg(not(unix))]
fn os_user() -> (Option<u32>, Option<String>) {
    (None, None)
}

/// What happened. The entry's `name` is the key's name at the time (the new
/// name for a rename).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditEvent {
    /// A key was created.
    Created {
        /// The expiry it was created with; `None`: never.
        expires_at: Option<OffsetDateTime>,
        /// The policy it was created with, in its text form
        /// ([`Policy`](crate::domain::Policy)'s `Display`; empty: no rules).
        policy: String,
    },
    /// A key was renamed.
    Renamed {
        /// Its name before (the entry's `name` is the new one).
        from: String,
    },
    /// A key was deleted.
    Deleted,
    /// A key was disabled.
    Disabled,
    /// A disabled key was enabled again.
    Enabled,
    /// A key was given a new secret.
    Rotated {
        /// Until when the previous secret still verifies.
        grace_until: OffsetDateTime,
    },
    /// A key's expiry was set, changed or removed.
    ExpiryChanged {
        /// The new expiry; `None`: never.
        expires_at: Option<OffsetDateTime>,
    },
    /// A key's policy was set, changed or cleared.
    PolicyChanged {
        /// The policy before, in its text form (empty: no rules).
        from: String,
        /// The policy after, in its text form (empty: no rules).
        to: String,
    },
    /// The database was created or upgraded to a newer schema.
    SchemaUpgraded {
        /// The schema version before (0: a new database).
        from: u64,
        /// The schema version after.
        to: u64,
    },
}

impl AuditEvent {
    /// The action's stable name (in `log --json`).
    pub fn action(&self) -> &'static str {
        match self {
            AuditEvent::Created { .. } => "create",
            AuditEvent::Renamed { .. } => "rename",
            AuditEvent::Deleted => "delete",
            AuditEvent::Disabled => "disable",
            AuditEvent::Enabled => "enable",
            AuditEvent::Rotated { .. } => "rotate",
            AuditEvent::ExpiryChanged { .. } => "expire",
            AuditEvent::PolicyChanged { .. } => "policy",
            AuditEvent::SchemaUpgraded { .. } => "upgrade",
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3, … in the order written, without gaps.
    pub seq: u64,
    /// UTC, to the second.
    pub at: OffsetDateTime,
    /// What happened.
    pub event: AuditEvent,
    /// `None` for an entry about the whole database (a schema upgrade).
    pub key: Option<KeyId>,
    /// The key's name at the time (as stored: sanitise before display).
    pub name: Option<String>,
    /// The key's masked hint at the time (after a rotation: the new one).
    pub masked: Option<String>,
    /// Who did it, and through which program.
    pub actor: Actor,
    /// The previous entry's seal (SHA-256 or HMAC-SHA-256 of its encoding);
    /// zeros for the first entry.
    pub previous_hash: [u8; 32],
    /// Sealed with the audit key (HMAC-SHA-256) rather than plain SHA-256:
    /// written by a store that had the key.
    pub keyed: bool,
}

/// The key that seals audit entries with HMAC-SHA-256. Its bytes are
/// zeroised on drop and never shown (`Debug` prints no byte of them).
#[derive(Clone)]
pub struct AuditKey(zeroize::Zeroizing<[u8; AuditKey::LEN]>);

impl AuditKey {
    /// The length of a key in bytes: HMAC-SHA-256 takes one block of digest size.
    pub const LEN: usize = 32;

    /// A new key from the operating system's random source.
    pub fn generate() -> AuditKey {
        use rand::TryRng;
        let mut bytes = zeroize::Zeroizing::new([0u8; AuditKey::LEN]);
        rand::rngs::SysRng
            .try_fill_bytes(bytes.as_mut())
            .expect("the operating system's random source failed");
        AuditKey(bytes)
    }

    /// The key made of `bytes` (which the caller should zeroise).
    pub fn from_bytes(bytes: &[u8; AuditKey::LEN]) -> AuditKey {
        AuditKey(zeroize::Zeroizing::new(*bytes))
    }

    /// The key's bytes, for the seal and for writing the key file.
    pub fn expose(&self) -> &[u8; AuditKey::LEN] {
        &self.0
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// An entry as it must still be found later: its sequence number and the
/// seal it carries. Written `SEQ:DIGEST` (the digest in lowercase hex) by
/// `keydesk log --head`, for monitoring or a ticket to keep.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// The entry's sequence number.
    pub seq: u64,
    /// The seal the entry carries at its end.
    pub digest: [u8; 32],
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.seq)?;
        self.digest.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHead({self})")
    }
}

/// Text that is not a [`ChainHead`] (`head`: the text as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHead {
    /// The text as given.
    pub head: String,
}

impl fmt::Display for InvalidHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an audit log head: expected SEQ:DIGEST as `keydesk log --head` prints it (a number, a \
             colon, 64 hex digits)",
            self.head
        )
    }
}

impl std::error::Error for InvalidHead {}

impl std::str::FromStr for ChainHead {
    type Err = InvalidHead;

    /// `SEQ:DIGEST`: a sequence number of 1 or more and 64 hex digits.
    fn from_str(text: &str) -> Result<ChainHead, InvalidHead> {
        let invalid = || InvalidHead { head: text.to_owned() };
        let (seq, hex) = text.trim().split_once(':').ok_or_else(invalid)?;
        let seq: u64 = seq.parse().ok().filter(|&n| n > 0).ok_or_else(invalid)?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let mut digest = [0u8; 32];
        for (byte, pair) in digest.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(ChainHead { seq, digest })
    }
}

/// What a walk of the whole chain found. Non-exhaustive: a check may learn
/// to report more; only stores make one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainReport {
    /// How many entries the log holds.
    pub entries: u64,
    /// The first entry at which the chain does not hold, if any.
    pub broken: Option<ChainBreak>,
    /// The first entry sealed with the audit key; `None`: none is (keyed
    /// sealing has not begun, or the log is empty).
    pub keyed_from: Option<u64>,
    /// Whether the keyed entries' seals were checked: `false` when there are
    /// keyed entries and the store was given no key, so only their order
    /// and links were.
    pub seals_checked: bool,
    /// The newest entry, as `log --head` prints it.
    pub head: Option<ChainHead>,
}

/// What a caller reads from the log: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only entries about this key.
    pub key: Option<KeyId>,
    /// Only entries at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Only entries older than this sequence number (the next page).
    pub before_seq: Option<u64>,
    /// At most this many entries.
    pub limit: Option<usize>,
}

/// The first entry at which the chain does not hold.
#[allow(missing_docs)] // documented by the error-types rewrite (branch core-errors)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first entry that cannot be trusted.
    pub seq: u64,
    pub kind: BreakKind,
}

#[allow(missing_docs)] // documented by the error-types rewrite (branch core-errors)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakKind {
    /// The entry's content does not match its own hash, or it cannot be read.
    Changed,
    /// There is no entry with this number, though later ones exist (or the
    /// database recorded that it had written it).
    Removed,
    /// The entry does not follow the one before it: it was inserted, or
    /// written to replace another.
    Inserted,
    /// The chain holds, but the index of entries by key disagrees with the
    /// log about this entry (a row missing, or naming another key): the
    /// entry would be missing from, or wrongly in, a key's history.
    Unindexed,
    /// The entry is sealed with plain SHA-256 though an entry before it is
    /// sealed with the key: someone without the key re-sealed it.
    Unsealed,
    /// The entry given to `--expect` is not what the log holds there: this
    /// entry or one before it was changed.
    Unexpected,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.kind {
            BreakKind::Changed => write!(f, "entry {seq} was changed"),
            BreakKind::Removed => write!(f, "entry {seq} was removed"),
            BreakKind::Inserted => write!(
                f,
                "entry {seq} was inserted (it does not follow entry {})",
                seq.saturating_sub(1)
            ),
            BreakKind::Unindexed => write!(
                f,
                "the key index disagrees with entry {seq} (the chain is intact; a key's history would be wrong)"
            ),
            BreakKind::Unsealed => write!(
                f,
                "entry {seq} is not sealed with the audit key, though entries before it are (it was re-sealed \
                 without the key)"
            ),
            BreakKind::Unexpected => write!(
                f,
                "entry {seq} is not the one expected: it or an entry before it was changed"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_connection_gives_the_client_address_and_port() {
        let client = SshClient::parse("203.0.113.7 52114 10.0.0.2 22").unwrap();
        assert_eq!(client.to_string(), "203.0.113.7:52114");
        let v6 = SshClient::parse("2001:db8::1 40000 2001:db8::2 22").unwrap();
        assert_eq!(v6.to_string(), "[2001:db8::1]:40000");
        assert_eq!(SshClient::parse("garbage"), None);
        assert_eq!(SshClient::parse("1.2.3.4 notaport 5.6.7.8 22"), None);
    }

    #[test]
    fn chain_breaks_read_in_english_with_the_entry_number() {
        let at = |kind| ChainBreak { seq: 12345, kind };
        let kinds = [
            BreakKind::Changed,
            BreakKind::Removed,
            BreakKind::Inserted,
            BreakKind::Unindexed,
            BreakKind::Unsealed,
            BreakKind::Unexpected,
        ];
        let english: Vec<String> = kinds.map(|kind| at(kind).to_string()).to_vec();
        assert_eq!(
            english,
            [
                "entry 12345 was changed",
                "entry 12345 was removed",
                "entry 12345 was inserted (it does not follow entry 12344)",
                "the key index disagrees with entry 12345 (the chain is intact; a key's history would be wrong)",
                "entry 12345 is not sealed with the audit key, though entries before it are (it was re-sealed \
                 without the key)",
                "entry 12345 is not the one expected: it or an entry before it was changed",
            ]
        );
    }

    #[test]
    fn an_audit_key_never_shows_its_bytes() {
        let key = AuditKey::from_bytes(&[0xab; AuditKey::LEN]);
        let shown = format!("{key:?} {:?}", Some(key.clone()));
        assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
        assert_ne!(AuditKey::generate().expose(), AuditKey::generate().expose());
    }

    #[test]
    fn a_head_reads_back_as_it_is_printed_and_anything_else_is_refused() {
        let head = ChainHead {
            seq: 42,
            digest: std::array::from_fn(|i| i as u8 * 8),
        };
        let text = head.to_string();
        assert_eq!(
            text,
            format!("42:{}", (0..32).map(|i| format!("{:02x}", i * 8)).collect::<String>())
        );
        assert_eq!(text.parse::<ChainHead>(), Ok(head));
        assert_eq!(
            format!("{text}\n").parse::<ChainHead>(),
            Ok(head),
            "as `log --head` ends it"
        );
        let hex = &text[3..];
        for bad in [
            "",
            "42",
            &format!("0:{hex}"),
            &format!("x:{hex}"),
            "42:abc",
            &format!("42:{}zz", &hex[2..]),
        ] {
            let refused = bad.parse::<ChainHead>().unwrap_err();
            assert_eq!(refused.head, bad);
            assert!(refused.to_string().contains("SEQ:DIGEST"), "{bad}: {refused}");
        }
    }

    #[test]
    fn interface_names_are_fixed_words() {
        let all = [Interface::Tui, Interface::Cli, Interface::Library, Interface::Serve];
        let shown: Vec<String> = all.map(|i| i.to_string()).to_vec();
        assert_eq!(shown, ["tui", "cli", "library", "serve"]);
    }

    #[test]
    fn interface_names_round_trip() {
        for i in [Interface::Tui, Interface::Cli, Interface::Library, Interface::Serve] {
            assert_eq!(Interface::parse(i.as_str()), Some(i));
        }
    }
}
