//! Where the server listens: `HOST:PORT`, or `unix:/path` for a gateway on
//! the same host (no port to guard, and file permissions decide who may ask).
//!
//! Plain HTTP on an address other than loopback would carry keys across a
//! network in clear, so it needs TLS (`--tls-cert`) or `--insecure-http`,
//! and the latter still prints a warning.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

/// A parsed `--listen`.
#[derive(Debug, Clone)]
pub enum Address {
    Tcp { text: String, addrs: Vec<SocketAddr> },
    Unix(PathBuf),
}

impl Address {
    pub fn parse(text: &str) -> Result<Address, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(tr!("cli-serve-listen-unix-path"));
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        let addrs: Vec<SocketAddr> = text
            .to_socket_addrs()
            .map_err(|e| tr!("cli-serve-listen-form", address = text, error = e.to_string()))?
            .collect();
        if addrs.is_empty() {
            return Err(tr!("cli-serve-listen-no-address", address = text));
        }
        Ok(Address::Tcp {
            text: text.to_owned(),
            addrs,
        })
    }

    /// Refuses a non-loopback TCP address without TLS or `--insecure-http`,
    /// and warns with the latter.
    pub fn check_exposure(&self, insecure_http: bool, tls: bool) -> Result<(), String> {
        let Address::Tcp { text, addrs } = self else {
            return Ok(());
        };
        if tls || addrs.iter().all(|addr| addr.ip().is_loopback()) {
            return Ok(());
        }
        if !insecure_http {
            return Err(tr!("cli-serve-listen-exposed", address = text.as_str()));
        }
        tracing::warn!(address = %text, "{}", tr!("cli-serve-plain-http-warning", address = text.as_str()));
        Ok(())
    }
}

pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

pub enum Stream {
    /// With the client's address, for `X-Forwarded-For`.
    Tcp(TcpStream, SocketAddr),
    Unix(UnixStream),
}

impl Listener {
    pub async fn bind(address: &Address) -> Result<Listener, String> {
        match address {
            Address::Tcp { text, addrs } => TcpListener::bind(addrs.as_slice())
                .await
                .map(Listener::Tcp)
                .map_err(|e| {
                    tr!(
                        "cli-serve-cannot-listen",
                        address = text.as_str(),
                        error = e.to_string()
                    )
                }),
            Address::Unix(path) => bind_unix(path).await,
        }
    }

    pub async fn accept(&self) -> std::io::Result<Stream> {
        match self {
            Listener::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                // Answers are small and must not wait for Nagle's timer.
                stream.set_nodelay(true)?;
                Ok(Stream::Tcp(stream, peer))
            }
            Listener::Unix(listener, _) => Ok(Stream::Unix(listener.accept().await?.0)),
        }
    }

    /// `http://127.0.0.1:7411` (`https://` with TLS; the real port when 0
    /// was asked for) or `unix:/path`.
    pub fn describe(&self, tls: bool) -> String {
        match self {
            Listener::Tcp(listener) => match listener.local_addr() {
                Ok(addr) => format!("{}://{addr}", if tls { "https" } else { "http" }),
                Err(_) => tr!("cli-serve-unknown-address"),
            },
            Listener::Unix(_, path) => format!("unix:{}", path.display()),
        }
    }
}

impl Drop for Listener {
    /// A socket file left behind would make the next start think another
    /// server is running there.
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Binds a Unix socket, replacing a stale socket file from a server that
/// died, but never a live one nor a file that is not a socket.
async fn bind_unix(path: &PathBuf) -> Result<Listener, String> {
    use std::os::unix::fs::FileTypeExt;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(tr!("cli-serve-socket-path-taken", path = path.display().to_string()));
        }
        if UnixStream::connect(path).await.is_ok() {
            return Err(tr!("cli-serve-socket-in-use", path = path.display().to_string()));
        }
        let _ = std::fs::remove_file(path);
    }
    UnixListener::bind(path)
        .map(|listener| Listener::Unix(listener, path.clone()))
        .map_err(|e| {
            tr!(
                "cli-serve-cannot-listen",
                address = path.display().to_string(),
                error = e.to_string()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keydesk_i18n::{Lang, with_lang};

    #[test]
    fn the_refusal_of_plain_http_reads_in_chinese_with_its_flags() {
        let open = Address::parse("0.0.0.0:8080").unwrap();
        let refusal = with_lang(Lang::ZhCn, || open.check_exposure(false, false).unwrap_err());
        assert!(refusal.contains("明文"), "{refusal}");
        assert!(
            refusal.contains("0.0.0.0:8080") && refusal.contains("--tls-cert"),
            "{refusal}"
        );
        let no_path = with_lang(Lang::ZhCn, || Address::parse("unix:").unwrap_err());
        assert!(no_path.contains("需要一个路径"), "{no_path}");
    }

    #[test]
    fn loopback_needs_no_flag_and_other_addresses_need_tls_or_the_flag() {
        for ok in ["127.0.0.1:7411", "[::1]:7411", "unix:/tmp/k.sock"] {
            Address::parse(ok).unwrap().check_exposure(false, false).unwrap();
        }
        let open = Address::parse("0.0.0.0:8080").unwrap();
        let refusal = open.check_exposure(false, false).unwrap_err();
        assert!(
            refusal.contains("--insecure-http") && refusal.contains("--tls-cert"),
            "{refusal}"
        );
        open.check_exposure(true, false).unwrap();
        open.check_exposure(false, true).unwrap();
    }

    #[test]
    fn a_bad_address_is_a_usage_error() {
        for bad in ["7411", "unix:", "host-without-port"] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }
}
