//! TLS on the TCP listener (`--tls-cert`, `--tls-key`), with rustls and the
//! ring provider, so keys can cross a network without a gateway in front.
//!
//! The certificate and key are read again on SIGHUP (a renewed certificate
//! from certbot or an ACME client needs no restart). The pair lives behind
//! one resolver that every handshake asks, so a reload changes what *new*
//! connections see while open ones keep the session they have; a new pair
//! that cannot be read, or whose key does not match its certificate, is
//! refused and the old one stays. Messages name the files, never their
//! contents.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{Error as TlsError, ServerConfig};
use zeroize::{Zeroize, Zeroizing};

use super::access_log::AccessLog;

/// Where the PEM certificate chain and private key are read from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The server's TLS: an acceptor for connections and the pair it presents,
/// which [`Tls::reload`] replaces.
pub struct Tls {
    files: TlsFiles,
    current: Arc<Reloadable>,
    acceptor: TlsAcceptor,
}

impl Tls {
    /// Reads the pair; an error names the file and what is wrong with it.
    pub fn load(files: TlsFiles) -> Result<Tls, String> {
        let current = Arc::new(Reloadable(ArcSwap::from_pointee(read_pair(&files)?)));
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| tr!("cli-serve-tls-setup", error = e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(current.clone());
        // The server speaks HTTP/1.1 only; saying so lets a client that
        // offers h2 settle at once.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            files,
            current,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }

    /// Reads the files again and, when the new pair is good, presents it on
    /// new connections. On error the old pair stays.
    pub fn reload(&self) -> Result<(), String> {
        let pair = read_pair(&self.files)?;
        self.current.0.store(Arc::new(pair));
        Ok(())
    }

    pub fn files(&self) -> &TlsFiles {
        &self.files
    }
}

/// Answers every SIGHUP: reopens the access log's file (logrotate's
/// `postrotate`), reloads the TLS pair, if there is one, and says what
/// happened. Installed whatever the options, before the server announces
/// itself, since SIGHUP's default action would end the process:
/// `systemctl reload` (and a stray `kill -HUP`) must never stop a gateway.
pub fn spawn_reloader(tls: Option<Arc<Tls>>, access_log: Option<Arc<AccessLog>>) -> std::io::Result<JoinHandle<()>> {
    let mut hangup = signal(SignalKind::hangup())?;
    let access_log = access_log.filter(|log| log.has_file());
    Ok(tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            // The writer thread reopens the file and says so.
            if let Some(log) = &access_log {
                log.reopen();
            }
            match &tls {
                Some(tls) => reload(tls).await,
                None if access_log.is_none() => tracing::info!("{}", tr!("cli-serve-sighup-nothing")),
                None => {}
            }
        }
    }))
}

async fn reload(tls: &Arc<Tls>) {
    let reloading = tls.clone();
    // File reads block; keep them off the threads serving requests.
    let reloaded = tokio::task::spawn_blocking(move || reloading.reload()).await;
    let files = tls.files();
    let cert = files.cert.display().to_string();
    match reloaded {
        Ok(Ok(())) => {
            tracing::info!(path = %cert, "{}", tr!("cli-serve-sighup-reloaded", path = cert.as_str()))
        }
        Ok(Err(why)) => {
            tracing::warn!(path = %cert, error = %why, "{}", tr!("cli-serve-sighup-kept", reason = why.as_str()))
        }
        Err(_) => tracing::warn!(
            path = %cert,
            "{}",
            tr!("cli-serve-sighup-kept", reason = tr!("cli-serve-sighup-failed"))
        ),
    }
}

/// The pair every handshake is given; swapped whole on reload, so a
/// handshake never sees a certificate with another certificate's key.
#[derive(Debug)]
struct Reloadable(ArcSwap<CertifiedKey>);

impl ResolvesServerCert for Reloadable {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.load_full())
    }
}

fn read_pair(files: &TlsFiles) -> Result<CertifiedKey, String> {
    let chain = read_chain(&files.cert)?;
    let key = read_key(&files.key)?;
    let pair = CertifiedKey::new(chain, key);
    match pair.keys_match() {
        Ok(()) => Ok(pair),
        Err(TlsError::InconsistentKeys(_)) => Err(tr!(
            "cli-serve-tls-mismatch",
            key = files.key.display().to_string(),
            cert = files.cert.display().to_string()
        )),
        Err(_) => Err(tr!(
            "cli-serve-tls-first-unparsable",
            path = files.cert.display().to_string()
        )),
    }
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let what = |problem: String| {
        tr!(
            "cli-serve-tls-cert-file",
            path = path.display().to_string(),
            problem = problem
        )
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|e| what(pem_problem(e, tr!("cli-serve-pem-certificate"))))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| what(pem_problem(e, tr!("cli-serve-pem-certificate"))))?;
    if chain.is_empty() {
        return Err(what(tr!("cli-serve-pem-no-certificate")));
    }
    Ok(chain)
}

/// Reads the private key into memory that is wiped afterwards; the signing
/// key ring builds from it is all that stays.
fn read_key(path: &Path) -> Result<Arc<dyn tokio_rustls::rustls::sign::SigningKey>, String> {
    let what = |problem: String| {
        tr!(
            "cli-serve-tls-key-file",
            path = path.display().to_string(),
            problem = problem
        )
    };
    let text = Zeroizing::new(std::fs::read(path).map_err(|e| what(e.to_string()))?);
    let mut key =
        PrivateKeyDer::from_pem_slice(&text).map_err(|e| what(pem_problem(e, tr!("cli-serve-pem-private-key"))))?;
    let signing = ring::sign::any_supported_type(&key);
    key.zeroize();
    signing.map_err(|_| what(tr!("cli-serve-key-unusable")))
}

/// What is wrong with a PEM file, in words that never quote it: the parser's
/// own messages can hold lines of the file, and this one may be a key.
fn pem_problem(error: pem::Error, what: String) -> String {
    match error {
        pem::Error::Io(e) => e.to_string(),
        pem::Error::NoItemsFound => tr!("cli-serve-pem-none", what = what),
        pem::Error::SectionTooLarge => tr!("cli-serve-pem-too-large"),
        _ => tr!("cli-serve-pem-invalid", what = what),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, cert: &str, key: &str) -> TlsFiles {
        let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert_path, cert).unwrap();
        std::fs::write(&key_path, key).unwrap();
        TlsFiles {
            cert: cert_path,
            key: key_path,
        }
    }

    fn generated() -> (String, String) {
        let pair = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        (pair.cert.pem(), pair.signing_key.serialize_pem())
    }

    #[test]
    fn a_matching_pair_loads_and_errors_name_the_file_not_its_contents() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generated();
        let (_, other_key) = generated();
        Tls::load(files(dir.path(), &cert, &key)).unwrap();

        let mismatched = Tls::load(files(dir.path(), &cert, &other_key)).err().unwrap();
        assert!(mismatched.contains("does not belong"), "{mismatched}");
        let key_swapped_in = Tls::load(files(dir.path(), &key, &key)).err().unwrap();
        assert!(key_swapped_in.starts_with("--tls-cert"), "{key_swapped_in}");
        let cert_as_key = Tls::load(files(dir.path(), &cert, &cert)).err().unwrap();
        assert!(cert_as_key.starts_with("--tls-key"), "{cert_as_key}");
        let garbage = Tls::load(files(dir.path(), &cert, "-----BEGIN PRIVATE KEY-----\n!!!\n"))
            .err()
            .unwrap();
        assert!(garbage.contains("not a valid PEM"), "{garbage}");

        let body = |pem: &str| pem.lines().nth(1).unwrap().to_owned();
        for message in [&mismatched, &key_swapped_in, &cert_as_key, &garbage] {
            assert!(message.contains(dir.path().to_str().unwrap()), "{message}");
            assert!(
                !message.contains(&body(&key)) && !message.contains(&body(&other_key)),
                "{message}"
            );
        }
    }

    #[test]
    fn a_bad_reload_keeps_the_pair_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generated();
        let tls = Tls::load(files(dir.path(), &cert, &key)).unwrap();
        let before = tls.current.0.load_full();
        std::fs::write(&tls.files().key, "not a key").unwrap();
        assert!(tls.reload().is_err());
        assert!(Arc::ptr_eq(&before, &tls.current.0.load_full()));

        let (cert, key) = generated();
        files(dir.path(), &cert, &key);
        tls.reload().unwrap();
        assert!(!Arc::ptr_eq(&before, &tls.current.0.load_full()));
    }
}
