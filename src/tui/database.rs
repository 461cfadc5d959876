//! What the header calls the open database, as k9s names its context: the
//! file's name, or a PostgreSQL server's `host/db`, from the same parsed
//! parts as every message's [`crate::store::designation::shown`] (never a
//! password).

use std::path::Path;

use crate::store::designation::{self, Form};

/// The open database's name for the header.
pub fn label(designation: &str) -> String {
    match designation::form(designation) {
        Form::Path => Path::new(designation)
            .file_name()
            .map_or_else(|| designation.to_owned(), |name| name.to_string_lossy().into_owned()),
        // What cannot be parsed is shown as every message shows it.
        Form::Url | Form::Libpq => {
            designation::host_and_database(designation).unwrap_or_else(|| crate::i18n::words::shown(designation))
        }
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
