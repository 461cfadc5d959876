# The library's errors (error-…) and the words of its domain (domain-…):
# names, keys, the stores. The CLI and the TUI print these as they are.

## Key names

# What a name may be, beside an input field and in the "enter a name" error.
domain-name-rule = { $min }–{ $max } characters: Chinese characters, letters, digits, _ or -
error-name-empty = enter a name ({ $rule })
error-name-too-short = name is too short: { $count } { $count ->
        [one] character
       *[other] characters
    }, at least { $min } needed
error-name-too-long = name is too long: { $count } characters, at most { $max } allowed
# $character is one of the error-name-char-… descriptions below.
error-name-invalid-character = { $character } at position { $position } is not allowed — use Chinese characters, letters, digits, _ or -
error-name-look-alike-radical = { $character } at position { $position } is a radical that looks like a Chinese character but is a different one, so the name would not match what it looks like — { $advice }
error-name-radical-type-instead = type { $character } ({ $code }) instead
error-name-radical-type-itself = type the Chinese character itself
error-name-looks-like-secret = this name contains an API key: never put a secret in a name
error-name-looks-like-key = this name looks like an API key ({ $prefix } followed by { $min } or more letters or digits): never put a secret in a name
# A refused character, safe to print: $code is its code point (U+001B).
error-name-char-space = a space
error-name-char-full-width-space = a full-width space ({ $code })
error-name-char-control = a control character ({ $code })
error-name-char-invisible = an invisible character ({ $code })
error-name-char-space-like = a space character ({ $code })
error-name-char-other = '{ $character }' ({ $code })

## API keys as typed or pasted

error-key-wrong-length = a key is { $length } characters long
error-key-missing-prefix = a key starts with "{ $prefix }"
error-key-invalid-character = a key contains only letters and digits after "{ $prefix }"
error-key-checksum-mismatch = the key's checksum does not match (mistyped or not a keydesk key)

## The audit log

# Where the audit chain breaks (after "audit log tampered with: ").
domain-audit-entry-changed = entry { $seq } was changed
domain-audit-entry-removed = entry { $seq } was removed
domain-audit-entry-inserted = entry { $seq } was inserted (it does not follow entry { $previous })
domain-audit-entry-unindexed = the key index disagrees with entry { $seq } (the chain is intact; a key's history would be wrong)
domain-audit-entry-unsealed = entry { $seq } is not sealed with the audit key, though entries before it are (it was re-sealed without the key)
domain-audit-entry-unexpected = entry { $seq } is not the one expected: it or an entry before it was changed
domain-audit-head-invalid = `{ $head }` is not an audit log head: expected SEQ:DIGEST as `keydesk log --head` prints it (a number, a colon, 64 hex digits)

## The database file

# $path is the database's path; $seconds how long keydesk waited (2.0).
error-store-busy = the database { $path } is busy: another keydesk process held it for over { $seconds } s; try again
error-store-not-a-database = { $path } is not a keydesk database (not a redb file); it was left untouched
error-store-foreign-database = { $path } is a redb database of another program, not keydesk; it was left untouched
error-store-newer-schema = { $path } was written by a newer keydesk (schema { $found }; this build reads up to { $supported }); upgrade keydesk — the file was left untouched
error-store-needs-upgrade = the database { $path } needs an upgrade (schema { $found } to { $current }): run keydesk once with write access to it; nothing was changed
error-store-missing = no database at { $path }: check the path (keydesk creates one only when you create a key or start the TUI)
# $kind is one of the error-store-kind-… below.
error-store-not-a-file = { $path } is { $kind }, not a database file: choose a regular file with --db or KEYDESK_DB
error-store-kind-char-device = a character device
error-store-kind-block-device = a block device
error-store-kind-fifo = a named pipe (FIFO)
error-store-kind-socket = a socket
error-store-kind-directory = a directory
error-store-kind-other = not a regular file
error-store-empty-file = { $path } is an empty file, not a keydesk database (keydesk never leaves one empty); it was left untouched: remove it, or choose another path
# $reason is one of the error-store-insecure-… below.
error-store-insecure = refusing to use { $path }: { $reason }
error-store-insecure-owner = it is owned by user { $owner } and you are user { $me }
# $mode is octal (666).
error-store-insecure-writable = it is writable by other users (mode { $mode }); run: chmod 600 { $path }
error-file-not-private = other users may read it (mode { $mode }); run: chmod 600 { $path }
error-file-not-regular = it is { $kind }, not a regular file (a symlink to one is fine)
error-file-too-large = it is too large to be this file: check that it is the right one
error-store-not-found = no key with ID { $id }
error-store-corrupt = the database { $path } is damaged: { $detail }
# $reason is what redb found wrong, in its own words.
error-store-restore-from-backup = { $reason }; restore it from a backup
error-store-unreadable-structure = unreadable structure
# $reason is the operating system's (or redb's) own message.
error-store-io = cannot use { $path }: { $reason }
error-store-previous-io = an earlier write failed (disk full or I/O error); nothing further was written
error-store-database = database error on { $path }: { $reason }
error-store-no-data-dir = cannot find a home directory to keep the database in; pass --db PATH or set KEYDESK_DB
error-audit-key-missing = the audit log of { $location } is sealed with an audit key (entry { $seq } is), and this program has none, so nothing was written: every program that changes this database needs the same key file (keydesk: `audit_key_file` in `keydesk config show`)
error-audit-key-mismatch = entry { $seq } of the audit log of { $location } is not sealed with this program's audit key, so nothing was written: the hosts that change this database must share one key file (keydesk: `audit_key_file` in `keydesk config show`), or the entry was changed (run `keydesk log --check`)

## Records and audit entries that cannot be read ($id: a key's ID, or error-audit-entry)

error-record-empty = record { $id } is empty
error-record-unknown-version = record { $id } has unknown format version { $version }
error-record-malformed = record { $id } cannot be decoded: { $reason }
error-record-bad-timestamp = bad timestamp: { $reason }
error-record-bad-policy = its policy cannot be read: { $reason }
error-audit-entry = audit entry { $seq }
error-audit-entry-changed = it was changed; run `keydesk log --check`
error-audit-index-disagrees = the key index does not match the log; run `keydesk log --check`

## Changes a key's state refuses ($at, $now: RFC 3339 times)

error-refused-expired-new-expiry = key { $id } expired at { $at } and cannot be given a new expiry: delete it, or create a new key
error-refused-expired-enable = key { $id } expired at { $at } and cannot be enabled again: delete it, or create a new key
error-refused-expired-rotate = key { $id } expired at { $at } and cannot be rotated: create a new key
error-refused-past-expiry = the expiry of key { $id } must be in the future: { $at } is not after { $now }
error-refused-past-expiry-new-key = the expiry of a new key must be in the future: { $at } is not after { $now }
error-refused-negative-grace = a grace period cannot be negative
error-refused-grace-too-long = the grace period is too long

## PostgreSQL ($location: postgres://user@host:port/db, never with a password)

# $detail is the client's or the server's own words.
error-pg-unreachable = cannot reach the PostgreSQL server { $location }: { $detail }
error-pg-server = PostgreSQL error on { $location }: { $detail }
error-pg-not-initialised = the PostgreSQL database { $location } has no keydesk tables: create a key there first (`keydesk create`, as a role that may create tables), or check --db
error-pg-newer-schema = the PostgreSQL database { $location } was set up by a newer keydesk (schema { $found }; this build knows up to { $supported }); upgrade keydesk — nothing was changed
error-pg-invalid-url = not a valid PostgreSQL URL: { $reason }
error-pg-url-ambiguous = its parts cannot be told apart: percent-encode any @ : / ? in the user name or password (%40 %3A %2F %3F)
# $seconds: connect_timeout= of the URL (10 without it).
error-pg-connect-timed-out = connecting (TCP, TLS and login) did not finish within { $seconds } s (connect_timeout)
# $seconds: connect_timeout=, at least 5.
error-pg-call-timed-out = the server did not answer within { $seconds } s; the connection was closed and will be made again
error-pg-connection-closed = the connection to the server was closed
# Stands for a URL that is not even postgres://…, so nothing of it is shown.
# What a database URL or connection string shows instead of parts that cannot be told apart (after "postgres://…").
error-db-unparsable = (unparsable)
error-pg-record-damaged = record { $id } is damaged: { $reason }
error-pg-record-time-out-of-range = a time out of range
error-pg-record-bad-hash = a hash that is not 32 bytes
error-pg-audit-entry-changed = audit entry { $seq } was changed; run `keydesk log --check`
error-pg-import-foreign-audit-log = the PostgreSQL database already has an audit log of its own ({ $count ->
        [one] { $count } entry
       *[other] { $count } entries
    }) that does not begin with the file's: import into a database without one
# $problem is one of the error-pg-root-certificate… below, or the OS's message.
error-pg-root-certificates = PGSSLROOTCERT (the CA certificates for PostgreSQL TLS): { $problem }
error-pg-root-certificates-not-pem = not a valid PEM certificate file
error-pg-root-certificates-none = no PEM certificate (-----BEGIN CERTIFICATE-----) in the file
error-pg-root-certificate-unusable = a certificate cannot be used as a CA: { $reason }
