//! What may be shown of a database's name. `--db`, `KEYDESK_DB` and the
//! config file's `db` take a file's path or a PostgreSQL URL, and a URL may
//! hold a password (`user:secret@`, `?password=`, `?PASSWORD=`, an unencoded
//! `@` inside it…) in more ways than a pattern could find and cut out. So
//! nothing here edits the text: the parts a message may show (scheme, user,
//! hosts, ports, database) are parsed out, each checked to be only what such
//! a part can be, and the display is built from them alone. Text whose parts
//! cannot be told apart shows its scheme and nothing else.
//!
//! Always compiled: a keydesk built without PostgreSQL still has to show
//! (or refuse) a URL someone gives it without repeating its password.

/// What a database designation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A file's path.
    Path,
    /// `scheme://…` (anything with `://`): keydesk uses `postgres://` and
    /// `postgresql://`, and refuses the rest.
    Url,
    /// libpq's `key=value …` connection string: refused, since keydesk
    /// takes URLs (and taking it for a file's path would print it).
    Libpq,
}

/// Whether `text` is a path, a URL or a libpq connection string.
pub fn form(text: &str) -> Form {
    if text.contains("://") {
        Form::Url
    } else if looks_like_libpq(text) {
        Form::Libpq
    } else {
        Form::Path
    }
}

/// `text` as every message, `config show` and log line shows it: a path as
/// it is, a URL or connection string as `scheme://user@host:port/db` at
/// most, never any part of a password.
pub fn shown(text: &str) -> String {
    match form(text) {
        Form::Path if looks_like_schemeless_url(text) => unparsable(None),
        Form::Path => text.to_owned(),
        Form::Url => match url_parts(text) {
            Ok(parts) => parts.to_string(),
            Err(scheme) => unparsable(scheme),
        },
        Form::Libpq => libpq_parts(text).map_or_else(|| unparsable(Some("postgres")), |parts| parts.to_string()),
    }
}

/// The short name of a database server's designation, as a status line
/// names its context: `host/db` (several hosts comma-separated; no scheme,
/// user, port or password), from the same parsed parts as [`shown`].
/// `None` for a path, or a designation whose parts cannot be told apart.
pub fn host_and_database(text: &str) -> Option<String> {
    let parts = match form(text) {
        Form::Path => return None,
        Form::Url => url_parts(text).ok()?,
        Form::Libpq => libpq_parts(text)?,
    };
    let hosts = parts.hosts.unwrap_or_default();
    let hosts: Vec<&str> = hosts.split(',').map(without_port).collect();
    let hosts = hosts.join(",");
    Some(match parts.db.as_deref() {
        None | Some("") => hosts,
        Some(db) => format!("{hosts}/{}", encoded(db)),
    })
}

/// `host` of `host:port` (`[::1]` of `[::1]:5433`); a host without a port
/// as it is.
fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if is_port(port) && (!name.contains(':') || name.ends_with(']')) => name,
        _ => host,
    }
}

/// Whether every part of `text` can be told apart, as [`shown`] needs to
/// show them: a URL that fails this (an unencoded `@` in its password) is
/// one whose server, as a client would read it, is not what was meant.
pub fn is_clear(text: &str) -> bool {
    match form(text) {
        Form::Path => true,
        Form::Url => url_parts(text).is_ok(),
        Form::Libpq => libpq_parts(text).is_some(),
    }
}

/// Whether `text` carries a password (`user:secret@`, `password=` in any
/// case). Text that cannot be parsed counts as carrying one when it could.
pub fn has_password(text: &str) -> bool {
    match form(text) {
        Form::Path => false,
        Form::Url => url_parts(text).map_or_else(|_| could_hold_password(text), |parts| parts.password),
        Form::Libpq => libpq_parts(text).map_or_else(|| could_hold_password(text), |parts| parts.password),
    }
}

/// A "path" whose first component reads `user:secret@host…`: a URL whose
/// `postgres://` was left off, taken for a file name. Its password must not
/// be shown as part of the path (a real file named so is shown without it,
/// a small price for never echoing a password).
fn looks_like_schemeless_url(text: &str) -> bool {
    let first = text.split('/').find(|part| !part.is_empty()).unwrap_or("");
    first.split_once(':').is_some_and(|(_, rest)| rest.contains('@'))
}

/// For text that cannot be parsed: whether some of it could be a password
/// (`password` anywhere, a `:` before an `@` after the scheme), so that it
/// is treated as one that holds it.
fn could_hold_password(text: &str) -> bool {
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    rest.to_ascii_lowercase().contains("password")
        || rest.rsplit_once('@').is_some_and(|(before, _)| before.contains(':'))
}

/// What [`shown`] puts after `…` in place of text that cannot be parsed.
/// In English: front-ends that speak other languages replace it
/// (keydesk-i18n's `words`).
pub const UNPARSABLE: &str = "(unparsable)";

/// What is shown of text that cannot be parsed: its scheme, when it has a
/// plain one, and a word saying why the rest is not shown.
fn unparsable(scheme: Option<&str>) -> String {
    let scheme = scheme.map(|scheme| format!("{scheme}://")).unwrap_or_default();
    format!("{scheme}…{UNPARSABLE}")
}

/// The parts of a database designation that may be shown, each checked.
#[derive(Debug, Default, PartialEq, Eq)]
struct Parts {
    scheme: String,
    user: Option<String>,
    /// `host[:port]`, comma-separated, or a socket folder.
    hosts: Option<String>,
    ports: Option<String>,
    db: Option<String>,
    password: bool,
}

impl std::fmt::Display for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if let Some(user) = &self.user {
            write!(f, "{}@", encoded(user))?;
        }
        write!(f, "{}", self.hosts.as_deref().unwrap_or_default())?;
        if let Some(ports) = &self.ports {
            write!(f, ":{ports}")?;
        }
        write!(f, "/{}", encoded(self.db.as_deref().unwrap_or_default()))
    }
}

/// A user or database name as a URL spells it: characters other than
/// letters, digits and `._-$+~` percent-encoded, so what is shown can be
/// pasted back and names the same user (`user%40server`, as Azure's are).
fn encoded(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() || "._-$+~".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// A URL's parts: `scheme://[user[:password]@]hosts[/db][?params]`. Only
/// the scheme (`Err`) when any part is not what it can be: a second `@`
/// (an unencoded one in the password) leaves no way to know where the
/// password ends.
fn url_parts(text: &str) -> Result<Parts, Option<&str>> {
    let (scheme, rest) = text.split_once("://").ok_or(None)?;
    let scheme = plain_scheme(scheme).ok_or(None)?;
    let fail = Err(Some(scheme));
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    if tail.contains('@') {
        return fail;
    }
    let mut parts = Parts {
        scheme: scheme.to_owned(),
        ..Parts::default()
    };
    let hosts = match authority.split_once('@') {
        Some((_, hosts)) if hosts.contains('@') => return fail,
        Some((userinfo, hosts)) => {
            let (user, password) = userinfo.split_once(':').map_or((userinfo, false), |(u, _)| (u, true));
            parts.password = password;
            parts.user = part(user, is_name).ok_or(Some(scheme))?;
            hosts
        }
        None => authority,
    };
    parts.hosts = authority_hosts(hosts).ok_or(Some(scheme))?;
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    parts.db = part(path.strip_prefix('/').unwrap_or(path), is_name).ok_or(Some(scheme))?;
    for param in query.split('&').filter(|param| !param.is_empty()) {
        let (key, value) = param.split_once('=').ok_or(Some(scheme))?;
        let value = decode(value).ok_or(Some(scheme))?;
        parts.set(key, &value).ok_or(Some(scheme))?;
    }
    Ok(parts)
}

impl Parts {
    /// One `key=value` of a URL's parameters or a connection string;
    /// `None` when a part that would be shown is not what it can be.
    /// Keys that are never shown are not looked at, except to know that
    /// there is a password.
    fn set(&mut self, key: &str, value: &str) -> Option<()> {
        let checked = |valid: fn(&str) -> bool| valid(value).then(|| value.to_owned());
        match key.to_ascii_lowercase().as_str() {
            "password" => self.password = true,
            "user" => self.user = Some(checked(is_name)?),
            "dbname" => self.db = Some(checked(is_name)?),
            "host" => self.hosts = Some(checked(|v| v.split(',').all(is_host))?),
            "hostaddr" => {
                let address = checked(|v| v.split(',').all(is_host))?;
                self.hosts.get_or_insert(address);
            }
            "port" => self.ports = Some(checked(|v| v.split(',').all(is_port))?),
            _ => {}
        }
        Some(())
    }
}

/// A percent-encoded part, decoded and checked by `valid`: `Some(None)`
/// when empty, `None` when not valid.
fn part(raw: &str, valid: fn(&str) -> bool) -> Option<Option<String>> {
    if raw.is_empty() {
        return Some(None);
    }
    let decoded = decode(raw)?;
    valid(&decoded).then_some(Some(decoded))
}

/// `host[:port]`, comma-separated, as a URL's authority holds them.
fn authority_hosts(raw: &str) -> Option<Option<String>> {
    if raw.is_empty() {
        return Some(None);
    }
    let mut shown = Vec::new();
    for item in raw.split(',') {
        let (host, port) = match item.strip_prefix('[') {
            Some(rest) => {
                let (inside, after) = rest.split_once(']')?;
                (
                    format!("[{inside}]"),
                    after.strip_prefix(':').or(after.is_empty().then_some("")),
                )
            }
            None => {
                let (host, port) = item.split_once(':').unwrap_or((item, ""));
                (decode(host)?, Some(port))
            }
        };
        let port = port?;
        if !(is_host(&host) && (port.is_empty() || is_port(port))) {
            return None;
        }
        shown.push(if port.is_empty() {
            host
        } else {
            format!("{host}:{port}")
        });
    }
    Some(Some(shown.join(",")))
}

/// A scheme as RFC 3986 allows it: a letter, then letters, digits, `+-.`.
fn plain_scheme(scheme: &str) -> Option<&str> {
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(scheme)
}

/// A user or database name, once decoded: anything printable (a URL's
/// parts are told apart before decoding, so `%40` in a user name is its
/// `@`, not the end of a password); shown percent-encoded by [`encoded`].
fn is_name(text: &str) -> bool {
    !text.is_empty() && !text.chars().any(char::is_control)
}

/// A host name, an IP address (IPv6 in brackets) or a socket folder.
fn is_host(text: &str) -> bool {
    if let Some(inside) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return !inside.is_empty() && inside.chars().all(|c| c.is_ascii_hexdigit() || ":.".contains(c));
    }
    let allowed = |c: char| c.is_alphanumeric() || "._-".contains(c) || (c == '/' && text.starts_with('/'));
    !text.is_empty() && text.chars().all(allowed)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.chars().all(|c| c.is_ascii_digit())
}

/// Percent-decoding; `None` for a bad escape or bytes that are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The keywords of libpq's connection strings that mark one.
const LIBPQ_KEYWORDS: [&str; 16] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "application_name",
    "options",
    "service",
    "target_session_attrs",
    "channel_binding",
    "keepalives",
];

/// Whether a libpq keyword followed by `=` starts `text` or one of its
/// words (`host=db password=…`); a file whose name merely holds `=`
/// (`keys=old.redb`) is still a path.
fn looks_like_libpq(text: &str) -> bool {
    text.match_indices('=').any(|(at, _)| {
        let before = text[..at].trim_end();
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = before[start..].to_ascii_lowercase();
        let starts_a_word = before[..start].chars().next_back().is_none_or(char::is_whitespace);
        starts_a_word && LIBPQ_KEYWORDS.contains(&word.as_str())
    })
}

/// A connection string's parts (`key = value`, a value in single quotes
/// when it holds spaces, `\` escaping), shown as a URL would be.
fn libpq_parts(text: &str) -> Option<Parts> {
    let mut parts = Parts {
        scheme: "postgres".to_owned(),
        ..Parts::default()
    };
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let (value, after) = libpq_value(after.trim_start())?;
        parts.set(key, &value)?;
        rest = after.trim_start();
    }
    Some(parts)
}

/// One value of a connection string and the text after it.
fn libpq_value(text: &str) -> Option<(String, &str)> {
    let quoted = text.starts_with('\'');
    let mut value = String::new();
    let mut chars = text.char_indices().skip(usize::from(quoted));
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '\'' if quoted => return Some((value, &text[i + 1..])),
            c if c.is_whitespace() && !quoted => return Some((value, &text[i..])),
            c => value.push(c),
        }
    }
    (!quoted).then_some((value, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_database_come_from_the_parsed_parts_without_port_user_or_password() {
        assert_eq!(
            host_and_database("postgres://u:s3cret@db.internal:5432/keys").as_deref(),
            Some("db.internal/keys")
        );
        assert_eq!(
            host_and_database("postgresql://[::1]:5433/kd").as_deref(),
            Some("[::1]/kd")
        );
        assert_eq!(
            host_and_database("postgres://a:1,b:2/kd?password=s3cret").as_deref(),
            Some("a,b/kd")
        );
        assert_eq!(
            host_and_database("host=db.internal port=5432 dbname=keys password=s3cret").as_deref(),
            Some("db.internal/keys")
        );
        assert_eq!(host_and_database("/var/lib/keydesk/keys.redb"), None);
        // Parts that cannot be told apart are not guessed at.
        assert_eq!(host_and_database("postgres://u:s3c@ret@h/d"), None);
    }

    #[test]
    fn a_url_is_shown_as_its_parts_without_the_password() {
        for (url, expected) in [
            (
                "postgres://admin:hunter2@db.example.com:5433/keys",
                "postgres://admin@db.example.com:5433/keys",
            ),
            ("postgres://alice@h/kd?password=hunter2pw", "postgres://alice@h/kd"),
            (
                "postgres://alice@h/kd?PASSWORD=hunter2pw&sslmode=require",
                "postgres://alice@h/kd",
            ),
            (
                "postgresql://a@/keys?host=/run/pg&port=5433",
                "postgresql://a@/run/pg:5433/keys",
            ),
            ("postgres://u@h1:1,[::1]:2/d", "postgres://u@h1:1,[::1]:2/d"),
            ("postgres://%2Frun%2Fpg/keys", "postgres:///run/pg/keys"),
            ("postgres://db.example.com", "postgres://db.example.com/"),
            ("POSTGRES://alice:hunter2pw@h/kd", "POSTGRES://alice@h/kd"),
            // Encoded characters in names are theirs, and shown encoded.
            (
                "postgres://kd%40myserver:hunter2pw@myserver.postgres.database.azure.com/keys",
                "postgres://kd%40myserver@myserver.postgres.database.azure.com/keys",
            ),
            ("postgres://alice@h/k d?password=hunter2pw", "postgres://alice@h/k%20d"),
        ] {
            assert_eq!(shown(url), expected, "{url}");
        }
    }

    #[test]
    fn a_url_whose_parts_cannot_be_told_apart_shows_only_its_scheme() {
        for url in [
            "postgres://alice:hun@ter2pw@h/kd",
            "postgres://alice:12/34@h/kd",
            "postgres://alice:hunter2pw@h:notaport/kd",
            "postgres://alice:pw@h/kd?user=x@y",
            "postgres://alice@h/kd?password",
            "postgres://alice@h/kd?host=h%00",
        ] {
            assert_eq!(shown(url), "postgres://…(unparsable)", "{url}");
        }
        assert_eq!(shown("a b://alice:hunter2pw@h/kd"), "…(unparsable)");
        // A URL without its scheme is taken for a path, but not shown as one.
        assert_eq!(shown("alice:hunter2pw@db.example.com/kd"), "…(unparsable)");
        assert_eq!(shown("/var/lib/keydesk/keys.redb"), "/var/lib/keydesk/keys.redb");
        assert_eq!(shown("/srv/team@home/keys.redb"), "/srv/team@home/keys.redb");
    }

    #[test]
    fn a_libpq_connection_string_is_recognised_and_shown_as_a_url() {
        let text = "host=db.example.com port=5433 user=alice password='hun ter\\'2' dbname=keys";
        assert_eq!(form(text), Form::Libpq);
        assert_eq!(shown(text), "postgres://alice@db.example.com:5433/keys");
        assert!(has_password(text));
        assert_eq!(form("  PASSWORD = x"), Form::Libpq);
        assert_eq!(shown("password='unterminated"), "postgres://…(unparsable)");
        for path in [
            "/srv/keys.redb",
            "keys=old.redb",
            "/srv/host=x/keys.redb",
            "我的 密钥.redb",
        ] {
            assert_eq!(form(path), Form::Path, "{path}");
            assert_eq!(shown(path), path);
            assert!(!has_password(path));
        }
    }

    #[test]
    fn every_way_of_writing_a_password_is_recognised() {
        for text in [
            "postgres://admin:hunter2@db/keys",
            "postgres://admin:@db/keys",
            "postgres://admin@db/keys?PassWord=x",
            "postgres://alice:hun@ter2pw@h/kd",
            "host=db user=admin password=hunter2",
        ] {
            assert!(has_password(text), "{text}");
        }
        for text in [
            "postgres://admin@db/keys",
            "postgres://admin@db/keys?sslmode=require",
            "host=db",
        ] {
            assert!(!has_password(text), "{text}");
        }
    }
}
