//! What the header calls the open database, as k9s names its context: the
//! file's name, or a PostgreSQL server's `host/db`. Built from what
//! [`crate::i18n::words::shown`] lets any message show of the designation
//! (never a password), then shortened.

use std::path::Path;

use crate::store::designation::{self, Form};

/// The open database's name for the header.
pub fn label(designation: &str) -> String {
    match designation::form(designation) {
        Form::Path => Path::new(designation)
            .file_name()
            .map_or_else(|| designation.to_owned(), |name| name.to_string_lossy().into_owned()),
        Form::Url | Form::Libpq => host_and_database(&crate::i18n::words::shown(designation)),
    }
}

/// `host/db` of `scheme://user@host:port/db` (already made safe to show):
/// the scheme, the user and the port left out.
fn host_and_database(shown: &str) -> String {
    let Some((_, rest)) = shown.split_once("://") else {
        return shown.to_owned();
    };
    let rest = rest.split_once('@').map_or(rest, |(_, after)| after);
    let (hosts, database) = rest.split_once('/').unwrap_or((rest, ""));
    let host = match hosts.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => hosts,
    };
    match database {
        "" => host.to_owned(),
        _ => format!("{host}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn a_file_shows_its_name_and_a_server_its_host_and_database_never_a_password() {
        assert_eq!(label("/home/alice/.local/share/keydesk/keys.redb"), "keys.redb");
        assert_eq!(
            label("postgres://keydesk:s3cret@db.internal:5432/keys"),
            "db.internal/keys"
        );
        assert_eq!(label("postgresql://[::1]:5433/keydesk"), "[::1]/keydesk");
        assert_eq!(label("postgres://db.internal/keys?password=s3cret"), "db.internal/keys");
        for url in [
            "postgres://u:s3cret@h/db",
            "postgres://h/db?password=s3cret",
            "postgres://u:s3c@ret@h/d",
        ] {
            assert!(!label(url).contains("s3c"), "{url}: {}", label(url));
        }
    }
}
