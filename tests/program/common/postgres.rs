//! A throwaway PostgreSQL server for tests: `initdb` and `pg_ctl` on a
//! temporary directory, listening only on a Unix socket inside it, stopped
//! (`pg_ctl stop -m immediate`) when dropped.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: then the server
//! runs as the unprivileged `postgres` user (which Debian's package creates)
//! through `runuser`, and the temporary directory is handed to that user. The
//! server trusts every local connection: it is reachable only through its
//! socket in a directory of its own, and lives as long as the test.
//!
//! [`PgServer::start_with_tls`] starts one that also listens on
//! `127.0.0.1` (on a free port) with TLS, for the tests of certificate
//! checking.
//!
//! Debian keeps the server's programs off `PATH`
//! (`/usr/lib/postgresql/<version>/bin`); they are looked up there, or in
//! `KEYDESK_PG_BIN`, or on `PATH`. Without them [`PgServer::shared`] returns
//! `None` after [`super::skip`] said why.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The oldest server the PostgreSQL backend supports and is tested on.
pub const MIN_VERSION: u32 = 15;
/// How long a server may take to start on a loaded CI machine.
const START_DEADLINE: Duration = Duration::from_secs(60);
/// The unprivileged account a server started by root runs as.
const SERVER_USER: &str = "postgres";

pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Whether the server also listens on TCP `127.0.0.1:port` with TLS (its
    /// certificate and key are `server.crt` and `server.key` in `dir`).
    tls: bool,
    databases: AtomicU32,
}

/// A server certificate chain and its private key, both PEM.
pub struct TlsIdentity<'a> {
    pub cert_pem: &'a str,
    pub key_pem: &'a str,
}

impl PgServer {
    /// One server for the whole test binary, started on first use and
    /// stopped when the process exits. `None` (after saying why, which fails
    /// under CI) when no server can be started here.
    #[allow(unsafe_code)]
    pub fn shared() -> Option<&'static PgServer> {
        static SHARED: OnceLock<Option<PgServer>> = OnceLock::new();
        let server = SHARED.get_or_init(|| match PgServer::start() {
            Ok(server) => {
                // Statics are never dropped: stop the server when the test
                // binary exits, or it would outlive the run.
                extern "C" fn stop_shared() {
                    if let Some(Some(server)) = SHARED.get() {
                        server.stop();
                        let _ = std::fs::remove_dir_all(server.dir.path());
                    }
                }
                // SAFETY: registers a plain function without arguments.
                unsafe { libc::atexit(stop_shared) };
                Some(server)
            }
            Err(reason) => {
                super::skip(&format!("no PostgreSQL server for this test: {reason}"));
                None
            }
        });
        server.as_ref()
    }

    /// Starts a new server of its own (for tests that stop and restart it).
    pub fn start() -> Result<PgServer, String> {
        PgServer::start_with(None)
    }

    /// Starts a new server that also listens on `127.0.0.1:`[`PgServer::port`]
    /// with `ssl=on` and this certificate (the socket stays plain).
    pub fn start_with_tls(identity: TlsIdentity<'_>) -> Result<PgServer, String> {
        PgServer::start_with(Some(identity))
    }

    fn start_with(identity: Option<TlsIdentity<'_>>) -> Result<PgServer, String> {
        let bin = find_bin_dir()?;
        check_version(&bin)?;
        let dir = tempfile::Builder::new()
            .prefix("keydesk-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        hand_to_server_user(dir.path())?;
        let server = PgServer {
            dir,
            bin,
            // Without TLS only the socket's file name: the server listens on
            // no TCP port.
            port: if identity.is_some() { free_port()? } else { 5432 },
            tls: identity.is_some(),
            databases: AtomicU32::new(0),
        };
        let data = server.data_dir();
        let init = server.run_as_server(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        if !init.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&init.stderr)));
        }
        if let Some(identity) = identity {
            server.write_tls_files(&identity)?;
        }
        server.pg_ctl_start()?;
        Ok(server)
    }

    /// The directory of the server's socket (what libpq calls the host).
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The TCP port of a server started with TLS (otherwise only the name
    /// of its socket).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's certificate and key, owned by the server user; the key
    /// readable by it alone, or PostgreSQL refuses to start.
    fn write_tls_files(&self, identity: &TlsIdentity<'_>) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        for (name, text, mode) in [
            ("server.crt", identity.cert_pem, 0o644),
            ("server.key", identity.key_pem, 0o600),
        ] {
            let path = self.dir.path().join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            hand_to_server_user(&path)?;
        }
        Ok(())
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The directory of the server's programs, where its client tools
    /// (`pg_dump`, `pg_restore`, `psql`) of the same version are too.
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// A URL for database `db` as the superuser `postgres`.
    pub fn url(&self, db: &str) -> String {
        self.url_as("postgres", db)
    }

    /// A URL for database `db` as `user` (no password: the server trusts
    /// local connections).
    pub fn url_as(&self, user: &str, db: &str) -> String {
        format!(
            "postgres://{user}@/{db}?host={}&port={}",
            self.socket_dir().display(),
            self.port
        )
    }

    /// A new, empty database; returns its URL.
    pub fn create_database(&self) -> String {
        self.url(&self.create_database_named())
    }

    /// A new, empty database; returns its name.
    pub fn create_database_named(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("keydesk_test_{}_{n}", std::process::id());
        self.execute("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Runs SQL as the superuser in database `db`, panicking on failure.
    pub fn execute(&self, db: &str, sql: &str) {
        let mut client = postgres::Client::connect(&self.url(db), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to the test server: {e}"));
        client.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Freezes the server, as a hung host would: SIGSTOP to the postmaster,
    /// then to every process it started (the sessions among them), so
    /// connections stay open and the kernel keeps acknowledging what is sent
    /// on them, but nothing answers. Undone by [`PgServer::resume`].
    pub fn pause(&self) {
        self.signal_all(libc::SIGSTOP);
    }

    /// Lets a server frozen by [`PgServer::pause`] run again.
    pub fn resume(&self) {
        self.signal_all(libc::SIGCONT);
    }

    /// Signals the postmaster first (so it starts no process after its
    /// children are listed), then its children.
    #[allow(unsafe_code)]
    fn signal_all(&self, signal: libc::c_int) {
        let Some(postmaster) = self.postmaster_pid() else {
            return;
        };
        // SAFETY: kill(2) with a pid read from the server's own pid file.
        unsafe { libc::kill(postmaster, signal) };
        let children = Command::new("pgrep")
            .args(["-P", &postmaster.to_string()])
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        for child in children
            .lines()
            .filter_map(|pid| pid.trim().parse::<libc::pid_t>().ok())
        {
            // SAFETY: as above, for a child of the postmaster.
            unsafe { libc::kill(child, signal) };
        }
    }

    /// The first line of `postmaster.pid`, while the server runs.
    fn postmaster_pid(&self) -> Option<libc::pid_t> {
        let text = std::fs::read_to_string(self.data_dir().join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// Stops the server at once, as a crash or a lost network would.
    pub fn stop(&self) {
        // A paused server could not stop: it must run to handle the signal.
        self.resume();
        let data = self.data_dir();
        let _ = self.run_as_server("pg_ctl", &["stop", "-D", path_str(&data), "-m", "immediate", "-w"]);
    }

    /// Starts the server again after [`PgServer::stop`], on the same socket
    /// and data.
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl_start()
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let data = self.data_dir();
        let log = self.dir.path().join("server.log");
        // fsync off: a test server's data need not survive a power cut, and
        // it makes each test's database and writes much cheaper. Commits
        // stay synchronous, so a stop (`-m immediate`, as a crash) keeps
        // every committed transaction, as a real server does.
        let mut options = format!(
            "-k {} -p {} -c fsync=off -c full_page_writes=off -c max_connections=300",
            self.socket_dir().display(),
            self.port
        );
        if self.tls {
            // initdb's -A trust also trusts 127.0.0.1 in pg_hba.conf.
            options.push_str(&format!(
                " -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                self.dir.path().join("server.crt").display(),
                self.dir.path().join("server.key").display()
            ));
        } else {
            options.push_str(" -c listen_addresses=''");
        }
        let started = self.run_as_server(
            "pg_ctl",
            &[
                "start",
                "-D",
                path_str(&data),
                "-l",
                path_str(&log),
                "-W",
                "-o",
                &options,
            ],
        )?;
        if !started.status.success() {
            return Err(format!(
                "pg_ctl start failed: {}",
                String::from_utf8_lossy(&started.stderr)
            ));
        }
        self.wait_until_ready(&log)
    }

    /// Polls `pg_isready` until the server accepts connections (on its
    /// socket, and on TCP too when it has TLS).
    fn wait_until_ready(&self, log: &Path) -> Result<(), String> {
        let deadline = Instant::now() + START_DEADLINE;
        let port = self.port.to_string();
        let mut hosts = vec![path_str(self.socket_dir())];
        if self.tls {
            hosts.push("127.0.0.1");
        }
        loop {
            let mut all_ready = true;
            for host in &hosts {
                let ready = Command::new(self.bin.join("pg_isready"))
                    .args(["-q", "-h", host, "-p", &port, "-t", "1"])
                    .status()
                    .map_err(|e| format!("pg_isready: {e}"))?;
                all_ready &= ready.success();
            }
            if all_ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!(
                    "the server was not ready within {START_DEADLINE:?}; its log:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs one of the server's programs, as the server user when we are root.
    fn run_as_server(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let program = self.bin.join(program);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", SERVER_USER, "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[allow(unsafe_code)]
fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Where `initdb`, `pg_ctl` and `pg_isready` are: `KEYDESK_PG_BIN`, the
/// newest of Debian's `/usr/lib/postgresql/*/bin`, or `PATH`.
fn find_bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("KEYDESK_PG_BIN") {
        return Ok(dir.into());
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .ok_or_else(|| "initdb and pg_ctl not found (install postgresql, or set KEYDESK_PG_BIN)".to_owned())
}

fn check_version(bin: &Path) -> Result<(), String> {
    let out = Command::new(bin.join("initdb"))
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "initdb (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
    let major = text
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.split('.').next())
        .and_then(|v| v.parse::<u32>().ok())
        .ok_or_else(|| format!("cannot read the version of initdb: {text:?}"))?;
    if major < MIN_VERSION {
        return Err(format!("PostgreSQL {major} is older than {MIN_VERSION}"));
    }
    Ok(())
}

/// A TCP port on 127.0.0.1 nothing listens on now (another process could
/// take it before the server does: unlikely enough for a test).
fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The server user must own its directory (the data directory inside must be
/// its own, and the socket goes here); the temporary directory's parent is
/// world-traversable `/tmp`. Also its certificate and key files.
fn hand_to_server_user(dir: &Path) -> Result<(), String> {
    if !running_as_root() {
        return Ok(());
    }
    let out = Command::new("id")
        .args(["-u", SERVER_USER])
        .output()
        .map_err(|e| e.to_string())?;
    let uid: u32 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| format!("running as root, and there is no {SERVER_USER} user to run the server as"))?;
    std::os::unix::fs::chown(dir, Some(uid), None).map_err(|e| format!("chown {}: {e}", dir.display()))
}
