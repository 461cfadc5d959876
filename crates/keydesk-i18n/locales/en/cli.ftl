# The command line: what the subcommands print for people (cli-…), the
# config file's messages and `config show` (config-…), and `--help` (help-…).
# Machine output (--json, `verify`'s ID or `invalid`, exit codes) is not here:
# it is the same in every language.
#
# A help text is one line per paragraph: clap prints line breaks as they are.

## --help: the program, each subcommand (help-cmd-…, with `.long` for
## `--help` where it says more than `-h`) and each argument (help-arg-…).

help-keydesk = Manage the API keys of an AI service: a full-screen TUI, and a CLI for scripts
    .long =
        Manage the API keys of an AI service.

        Run without a subcommand to open the full-screen TUI. The subcommands are for scripts and services; they are safe to run while the TUI is open.
help-exit-codes =
    Exit codes:
      0  success
      1  invalid key (verify: also disabled, expired, or a rotated-out secret past
         its grace), no key with that ID, or a change the key's state does not
         allow (enable, rotate or expire an expired key); nothing was written;
         doctor: something needs attention (a warning or an error)
      2  usage error: bad arguments, invalid name, missing --accept-terms/--yes,
         a duplicate name without a terminal or --allow-duplicate-name, a zero,
         malformed, too long or past duration or date (--expires-in, --grace, …)
      3  database busy, unreadable, damaged, insecure or not a keydesk database
      4  cancelled at a confirmation prompt
      5  cannot write output; `create` then deletes the new key again (if that
         fails too, stderr names the key: delete it, its secret is lost); after
         `rotate` the key stays rotated and its old secret keeps its grace
      6  serve: cannot listen on the address (in use, not permitted)
      7  log --check: the chain holds as far as it could be checked, but the
         seals of keyed entries were not: there is no audit key file

# clap's own parts, in a language other than English (English keeps clap's).
help-heading-usage = Usage:
help-heading-commands = Commands
help-heading-arguments = Arguments
help-heading-options = Options
help-builtin-help = Print help
help-builtin-help-more = Print help (see more with '--help')
help-builtin-help-summary = Print help (see a summary with '-h')
help-builtin-version = Print version
help-builtin-help-command = Print this message or the help of the given subcommand(s)
help-builtin-help-command-arg = Print help for the subcommand(s)
help-tag-env = [env: { $name }]
help-tag-default = [default: { $value }]
help-tag-possible-values = [possible values: { $values }]
help-tag-list-separator = {", "}
help-tag-possible-values-heading = Possible values:

help-arg-db = Database file, or a PostgreSQL URL postgres://user@host/db (its password from PGPASSWORD, ~/.pgpass or --db-password-file, never on the command line) [default: the user's data directory, e.g. ~/.local/share/keydesk/keydesk.redb]
help-arg-db-password-file = A file holding the PostgreSQL password for a postgres:// --db (its first line)
help-arg-utc-offset = Show times in this UTC offset: ±HH:MM or ±H:MM, minutes optional (+08:00, +8, -5:30, UTC+8, Z), from -12:00 to +14:00 [default: the system's local offset]
help-arg-busy-timeout = While another process holds the database, keep trying this long before reporting it busy: a duration from 0s to 10m, e.g. 2s or 500ms
help-arg-config = The config file [default: the platform's config folder, e.g. ~/.config/keydesk/config.toml; a missing default file is fine, a missing named one is an error]
help-arg-lang = The language of screens and messages: en or zh-CN (简体中文) [default: from LC_ALL, LC_MESSAGES or LANG, zh_CN.UTF-8 meaning Chinese; else English]
help-arg-clipboard = How copies reach your clipboard: `auto` uses the system clipboard on a local desktop and your terminal (OSC 52) over SSH or without a display
help-clipboard-auto = system clipboard on a local desktop, OSC 52 over SSH or without a display
help-clipboard-system = always the system clipboard (fails over SSH without a display)
help-clipboard-osc52 = always OSC 52 through the terminal
help-clipboard-off = never copy; select the text on screen instead
help-arg-clear-clipboard-after = Clear a copied key from the clipboard after this long, if it is still there: a duration from 1s to 24h, e.g. 30s, or `off` to never clear
help-arg-no-mouse = Leave the mouse to the terminal (its own text selection everywhere) instead of clicks and the wheel in keydesk
help-arg-ascii = Draw with ASCII only (borders of + - |, no arrows or dots), for a terminal that cannot show UTF-8; the screen is then in English [default: from the config file's unicode, else ASCII unless LC_ALL, LC_CTYPE or LANG names a UTF-8 locale]

help-arg-key-id = The key's ID (ak-…)
help-arg-name = 2–64 characters: Chinese characters, letters, digits, _ or -
help-arg-allow-duplicate-name = Use the name even if another key already has it, without asking
help-arg-yes = Do not ask for confirmation (required when stdin is not a terminal)

help-cmd-verify = Check a key read from standard input (never from arguments: those are visible in `ps`)
    .long =
        Check a key read from standard input (never from arguments: those are visible in `ps`).

        Prints the key's ID and exits 0 if it is live; prints `invalid` and exits 1 otherwise (the same answer for malformed, unknown, deleted, disabled and expired keys, and for a rotated-out secret after its grace). Records Last Used, at most once per key per minute, and counts the check for the key's usage (one database write per check of a known key).
help-arg-verify-quiet = Print nothing; the exit code is the answer
help-arg-verify-explain = Say why a key is invalid (unknown, disabled, expired at …, previous secret whose grace ended at …), or for a valid key the rules a gateway applies to it. For the operator holding the key; never for a service's callers

help-cmd-list = List keys: name, ID, masked key, created at, last used, status
help-arg-list-json = A stable JSON array (RFC 3339 UTC times; `null` for never used, no expiry, no rotation; `policy` an object of rule → value, `{"{"}{"}"}` for none) instead of a table
help-arg-list-status = Only keys in this state now
help-arg-list-expiring-within = Only keys that have not expired but will within this duration (e.g. 7d), for a job that warns before keys expire

help-cmd-create = Create a key. Prints only the secret on stdout, so `KEY=$(keydesk create …)` works
    .long =
        Create a key. Prints only the secret on stdout, so `KEY=$(keydesk create …)` works.

        The ID and masked key go to stderr. The secret is shown this once and never again.
help-arg-create-accept-terms = Confirm you have read the agreement (`keydesk agreement`) and understand the risks
help-arg-create-expires-in = The key stops verifying after this long: a whole number and s, m, h or d (e.g. 30d). Default: never
help-arg-create-expires-at = The key stops verifying at this instant (RFC 3339, e.g. 2026-12-31T23:59:59Z)

help-cmd-log = The audit log: who changed which key, when and from where, newest first
    .long =
        The audit log: who changed which key, when and from where, newest first.

        Every change (create, rename, delete, disable, enable, rotate, expiry, schema upgrade) is recorded with the change itself, sealed with the audit key (HMAC-SHA-256; the file `audit_key_file` in `keydesk config show`, made on first use). `--check` walks the chain and names the first entry that was changed, removed or inserted (exit 1), or says it is intact (exit 0), or that it could not check the seals without the key file (exit 7). `--head` prints the newest entry as SEQ:DIGEST; keep it, and `--check --expect SEQ:DIGEST` later proves that entry and everything before it are unchanged, which also exposes entries cut off the end.
help-arg-log-key = Only entries about this key (its ID, ak-…); kept after the key is deleted
help-arg-log-since = Only entries from this long ago until now (e.g. 7d, 24h)
help-arg-log-json = A stable JSON array (RFC 3339 UTC times) instead of lines
help-arg-log-check = Check the hash chain instead of printing the log
help-arg-log-expect = With --check: the entry SEQ (as --head printed it) must still be there unchanged
help-arg-log-head = Print the newest entry as SEQ:DIGEST, to keep for a later --check --expect

help-cmd-usage = How often keys were presented, per UTC day, by outcome: accepted, or refused as disabled, expired, or a rotated-out secret past its end
    .long =
        How often keys were presented, per UTC day, by outcome: accepted, or refused as disabled, expired, or a rotated-out secret past its end.

        With an ID: every day of the range and the total; without: one line per key with its totals. Counted by `verify`, the `Verifier` and `serve` (written in batches every 30 s).
help-arg-usage-id = Only this key (its ID, ak-…)
help-arg-usage-days = How many days back, today (UTC) included: 1 to 400 (what is kept)
help-arg-usage-by = `model`: one row per key and model, with its input and output tokens and their cost (from [prices] in the config file)
help-arg-usage-json = A stable JSON array of {"{"}id, name, total, input_tokens, output_tokens, cost, currency, …, days: [{"{"}date, …counts{"}"}]{"}"} (only days with a count or tokens; cost is null without [prices]) instead of a table

help-cmd-cleanup = Find keys unused for a while (never-used keys count from their creation); list them, or disable or delete them all in one transaction, one audit entry per key
    .long =
        Find keys unused for a while (never-used keys count from their creation); list them, or disable or delete them all in one transaction, one audit entry per key.

        Without --yes on a terminal it asks first; without a terminal it refuses unless --yes.
help-arg-cleanup-unused-for = Unused for at least this long (e.g. 90d)
help-arg-cleanup-disable = Disable the keys found (reversible: `enable` undoes it). Already disabled or expired keys are left out
help-arg-cleanup-delete = Delete the keys found
help-arg-cleanup-dry-run = Say what would be done, and change nothing
help-arg-cleanup-json = A stable JSON object {"{"}unused_for_days, action, dry_run, keys: [{"{"}id, name, created_at, last_used{"}"}]{"}"} instead of a table

help-cmd-disable = Stop a key verifying, reversibly (`enable` undoes it). Safer than delete as a first step
help-cmd-enable = Let a disabled key verify again. An expired key cannot be enabled

help-cmd-rotate = Give a key a new secret (same ID, name and expiry). Prints only the new secret on stdout
    .long =
        Give a key a new secret (same ID, name and expiry). Prints only the new secret on stdout.

        The old secret keeps verifying for the grace period, then stops. Rotating again during a grace ends the older grace at once. Cannot be undone.
help-arg-rotate-grace = How long the old secret keeps verifying: a whole number and s, m, h or d (e.g. 24h), or `now` for not at all

help-cmd-expire = Set or remove a key's expiry. An expired key stays expired: delete it or create a new one
help-arg-expire-in = Expire after this long from now (e.g. 30d)
help-arg-expire-at = Expire at this instant (RFC 3339, e.g. 2026-12-31T23:59:59Z)
help-arg-expire-never = Never expire

help-cmd-rename = Rename a key
help-cmd-delete = Delete a key. Applications using it can no longer call the service
help-cmd-agreement = Print the API key agreement that `create --accept-terms` refers to
help-cmd-config = The config file: where it is looked for, and the settings keydesk runs with
help-cmd-config-path = Print the path of the config file keydesk reads (whether or not it exists)
help-cmd-config-show = Print each setting, its effective value and where it came from (command line, environment, config file and line, or default)

help-cmd-serve = Check keys over HTTP: a forward-auth endpoint for gateways, or (with --upstream) a proxy
    .long =
        Check keys over HTTP: a forward-auth endpoint for gateways, or (with --upstream) a proxy.

        `ANY /verify` answers 200 with X-Keydesk-Key-Id for a live key and 401 otherwise; gateways (nginx auth_request, Caddy forward_auth, Traefik forwardAuth, Envoy ext_authz) ask it before forwarding. With --upstream URL every request is checked and then forwarded without its key. Stops on SIGTERM/SIGINT after finishing requests in flight and writing Last Used.
help-arg-serve-listen = Where to listen: HOST:PORT, or unix:/path/to/socket
help-arg-serve-upstream = Proxy mode: check each request's key, then forward it to this http:// URL (e.g. http://127.0.0.1:11434 for Ollama). Without it only /verify is served
help-arg-serve-upstream-auth-file = A file holding the upstream's own API key, sent to it as `Authorization: Bearer …` (e.g. for a vLLM started with --api-key)
help-arg-serve-allow-query-key = Also read a key from the `key` query parameter (of the request, or, without --upstream, of X-Original-URI / X-Forwarded-Uri). Off by default: query strings end up in access logs
help-arg-serve-insecure-http = Allow plain HTTP on an address other than loopback. Keys would cross the network in clear
help-arg-serve-tls-cert = Serve HTTPS with this PEM certificate chain (with --tls-key; TCP only). Both files are read again on SIGHUP; a bad new pair keeps the old one
help-arg-serve-tls-key = The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)
help-arg-serve-header-timeout = Close a connection whose request headers take longer than this (slow or idle clients)
help-arg-serve-upstream-connect-timeout = Give up connecting to the upstream after this long (answer 502)
help-arg-serve-upstream-timeout = Give up waiting for the upstream's response headers after this long (answer 504). A response that has started streaming is never cut
help-arg-serve-shutdown-timeout = On SIGTERM/SIGINT, wait at most this long for requests in flight before exiting
help-arg-serve-max-index-age = Answer 503 (and /readyz not ready) when the key index has not been confirmed current for this long, e.g. because the database cannot be read: fail closed rather than on old keys
help-arg-serve-fail-static = Fail static: while the database cannot be read, keep answering from the last index however old it is (/readyz answers 503 "degraded"); for a fleet on a shared PostgreSQL that must ride out the database's outages. Last Used is kept in memory, one entry per key, and written when the database is back
help-arg-serve-max-connections = At most this many client connections at once; more wait to be accepted
help-arg-serve-threads = Worker threads (default: one per core)
help-arg-serve-log-format = How serve writes its messages to stderr: text (for a person) or json (one object per line, for a log collector)
help-arg-serve-trusted-proxies = Connections from these networks may name the client's address in X-Forwarded-For (or, for /verify, X-Real-IP), for keys with an address rule. Default: loopback for /verify, none in proxy mode
help-arg-serve-max-model-body = Proxy mode reads at most this many bytes of a request body to find its model, for keys with a model rule; a larger body gets 413
help-arg-serve-count-tokens = Proxy mode reads the token usage out of the answers it relays (OpenAI, Anthropic, Ollama, Gemini), without holding them back; off relays them unread
help-arg-serve-stream-usage = inject: ask OpenAI streams that do not ask for their usage for it (stream_options.include_usage), and take the usage chunk back out of what the client gets; off: such streams are counted as requests with unknown tokens
help-arg-serve-access-log = Write one JSON line per request to this file (created 0600, appended to, reopened on SIGHUP for logrotate), or to stdout with -. Off by default. Lines name the key's ID, never the key; the query string and header values are never written

help-cmd-migrate = Copy a database file's keys (hashes, never secrets; lifecycle and Last Used) and its audit log into PostgreSQL, then check the counts on both sides. Safe to run again: keys already there are left alone, and an audit log already copied is recognised
help-arg-migrate-from = The database file to copy from (it is only read, after any schema upgrade)
help-arg-migrate-to = The PostgreSQL database to copy to: postgres://user@host/db (the password from PGPASSWORD, ~/.pgpass or --db-password-file)

help-cmd-gateway = Print a configuration for nginx, Caddy, Traefik or Envoy that asks keydesk (`serve` without --upstream) about every request before passing it to the model server
    .long =
        Print a configuration for nginx, Caddy, Traefik or Envoy that asks keydesk (`serve` without --upstream) about every request before passing it to the model server.

        nginx: `upstream` blocks and one `server` block for the `http` context; Caddy: one site block; Traefik: a dynamic configuration for its file provider; Envoy: a complete configuration file. Each sends keydesk the request's method, URI and client address, passes refusals on (with nginx, a limit refusal becomes 429 with Retry-After through a mapping in the configuration), gives the model server the key's ID and name, and removes the key before forwarding. Nothing is read or written but standard output.
help-arg-gateway-gateway = Which gateway to write the configuration for
help-arg-gateway-keydesk = Where `keydesk serve` (without --upstream) listens: http://HOST:PORT or https://HOST:PORT
help-arg-gateway-upstream = The model server to forward allowed requests to: http://HOST:PORT or https://HOST:PORT. Without it: Ollama's http://127.0.0.1:11434, which the configuration says
help-arg-gateway-listen = Where the gateway listens: HOST:PORT, [IPV6]:PORT, or :PORT for every interface
help-cmd-backup = Copy the database file to PATH while keydesk runs (one consistent state), check the copy, and print what it holds
    .long =
        Copy the database file to PATH while keydesk runs (one consistent state), check the copy, and print what it holds.

        The copy is taken under a shared lock with one read transaction: other keydesk processes wait for it (within --busy-timeout) rather than change the file meanwhile. It is written beside PATH under a temporary name, mode 600, fsynced, opened and checked (redb's integrity check, every key, the audit chain), and only then renamed to PATH. An existing PATH is replaced only with --force. For a PostgreSQL database use pg_dump (see the guide).
help-cmd-restore = Put a backup made by `keydesk backup` back as the database, after checking it
    .long =
        Put a backup made by `keydesk backup` back as the database, after checking it.

        The backup is copied beside the database and the copy checked (schema, upgrading an older one; redb's integrity check; every key; the audit chain, with the audit key when there is one) before the database is touched; a backup whose chain is broken is refused. A database already there is replaced only with --force, and kept as <db>.before-restore. For a PostgreSQL database use pg_restore (see the guide).
help-arg-backup-path = Where to write the backup (a file; its directory must exist)
help-arg-backup-force = Replace a file already at PATH
help-arg-restore-path = The backup to restore (it is only read)
help-arg-restore-force = Replace the database already there, keeping it as <db>.before-restore

help-cmd-completions = Print the completion script for a shell (bash, zsh, fish, elvish or powershell)
    .long =
        Print the completion script for a shell (bash, zsh, fish, elvish or powershell), made from the same command line keydesk parses, so it always matches this version.

        bash: `source <(keydesk completions bash)` in ~/.bashrc, or save it as /usr/share/bash-completion/completions/keydesk. zsh: save it as `_keydesk` in a folder of your $fpath. fish: save it as ~/.config/fish/completions/keydesk.fish. The descriptions are in the language keydesk runs in (--lang).
help-arg-completions-shell = The shell to write the script for
help-cmd-man = Print keydesk's manual page, or a subcommand's, as roff for man(1)
    .long =
        Print keydesk's manual page, or a subcommand's (`keydesk man create` is keydesk-create(1), `keydesk man config path` is keydesk-config-path(1)), as roff for man(1): `keydesk man create | man -l -`.

        With --out-dir, write every page there instead (keydesk.1, keydesk-create.1, …), e.g. into /usr/local/share/man/man1, and print each file's path. The pages are in the language keydesk runs in (--lang).
help-arg-man-page = The subcommand whose page to print, e.g. create or config path [default: keydesk(1) itself]
help-arg-man-out-dir = Write every page into this folder (made if missing) instead of printing one

## Values on the command line, checked before a command runs.

cli-lang-invalid = use en or zh-CN
cli-busy-timeout-invalid = use a duration from 0s to 10m, e.g. 2s or 500ms: { $forms }
cli-db-env-empty = { $var } is set but empty: set it to a database file, or unset it to use the default database
cli-db-path-empty = the database path is empty
cli-audit-key-malformed = it is not an audit key (64 hex digits)
cli-audit-key-unusable = cannot use the audit key file { $path }: { $reason }
cli-audit-key-cannot-create = cannot create the audit key file { $path }: { $error } (name another with `audit_key_file` in the config file)
config-path-empty = the path is empty
cli-clear-after-invalid = use a duration from 1s to 24h, or off to never clear: { $forms }
cli-name-missing-value = --name is missing its value: '{ $option }' is an option, not a name
cli-duration-forms = a whole number followed by ms, s, m, h or d, e.g. 250ms, 30s, 5m, 24h, 30d
cli-instant-forms = an RFC 3339 date and time with an offset, e.g. 2026-12-31T23:59:59Z or 2026-12-31T23:59:59+08:00, in the future
cli-duration-invalid = invalid duration '{ $input }': use { $forms }
cli-duration-bare = '{ $input }' has no unit: write { $input }s for seconds; use { $forms }
cli-duration-too-long = '{ $input }' is too long: use { $forms }
cli-too-far-ahead = '{ $input }' is too far ahead: at most { $max } days from now
cli-duration-zero = a duration of zero is not allowed: use { $forms }
cli-grace-invalid = { $error }; or `now` for no grace period
cli-instant-invalid = invalid date and time '{ $input }': use { $forms }
cli-instant-past = '{ $input }' is not in the future: use { $forms }
cli-too-far = that is too far in the future: use { $forms }
cli-not-shown = (not shown)
cli-gateway-url-scheme = use a URL starting with http:// or https://, e.g. http://127.0.0.1:7411
cli-gateway-url-extra = give only the scheme, host and port, e.g. http://127.0.0.1:7411 (no path, query or user)
cli-gateway-url-host = the host must be a name or an IP address (IPv6 in brackets) and the port from 1 to 65535, e.g. http://[::1]:7411
cli-gateway-listen-invalid = use HOST:PORT, [IPV6]:PORT or :PORT, with a port from 1 to 65535, e.g. 127.0.0.1:8080
cli-man-unknown-page = keydesk has no subcommand '{ $name }' to show the manual page of; the pages are: { $pages }
cli-man-cannot-write = cannot write the manual page { $path }: { $error }

## clap's parse errors, in a language other than English (English keeps clap's).

cli-clap-error = error:
cli-clap-value-required = a value is required for '{ $arg }' but none was supplied
cli-clap-invalid-value = invalid value '{ $value }' for '{ $arg }'
cli-clap-possible-values = possible values: { $values }
cli-clap-value-rejected = invalid value '{ $value }' for '{ $arg }': { $reason }
cli-clap-unknown-argument = unexpected argument '{ $arg }' found
cli-clap-unknown-subcommand = unrecognized subcommand '{ $name }'
cli-clap-missing = the following required arguments were not provided:
cli-clap-conflict = the argument '{ $arg }' cannot be used with { $other }
cli-clap-repeated = the argument '{ $arg }' cannot be used multiple times
cli-clap-similar = tip: a similar one exists: { $similar }
cli-clap-try-help = For more information, try '--help'.

## Failures every command may report.

cli-cannot-read-input = cannot read input: { $error }
cli-cannot-write-output = cannot write output: { $error }
cli-cannot-write-settings = cannot write the settings: { $error }
cli-no-postgres-support = { $db }: this keydesk was built without PostgreSQL support (cargo feature `postgres`)
cli-db-libpq = the database (--db, KEYDESK_DB or the config file's db) looks like a libpq connection string (key=value …), which keydesk does not take: write it as a URL, postgres://user@host:port/db, with the password in PGPASSWORD, ~/.pgpass or a file named by --db-password-file
cli-db-not-postgres-url = { $db } is not a PostgreSQL URL: the database is a file's path or postgres://user@host:port/db (or postgresql://, in lower case)
cli-password-on-command-line = refusing a password in { $option } ({ $url }): other users can read the command line; set the URL in KEYDESK_DB, or the password in PGPASSWORD, ~/.pgpass or a file named by --db-password-file
cli-cannot-read-password-file = cannot read the password file { $file }: { $error }
cli-invalid-name = invalid name: { $error }
cli-no-such-id = no key with that ID: IDs look like ak-0123456789abcdef (see `keydesk list`)

## Prompts. The answer is y or yes (or 是) for yes; anything else is no.

cli-confirm = { $question } [y/N]
cli-secret-prompt = Paste the key and press Enter:
cli-echo-off-failed = cannot turn off echo on the terminal ({ $error }), so the key would be shown: pipe it in instead
cli-echo-unsupported = reading a key from a terminal without echo is only supported on Unix: pipe it in instead

## The TUI's start, from the command line.

cli-needs-terminal = keydesk needs a terminal; for scripts use a subcommand, see --help
cli-dumb-terminal = this terminal (TERM=dumb) cannot show the full-screen app; use a subcommand, see --help
cli-tui-create-question = There is no database at { $path }. Create a new, empty one?
cli-tui-not-created = no database was created
# Shown when connecting takes longer than half a second. $seconds: the URL's connect_timeout (10 without it).
cli-tui-connecting = connecting to the PostgreSQL server { $location } (giving up after { $seconds } s; Ctrl+C stops)…

## list, create, rename, delete

cli-list-empty = (no keys yet: create one with `keydesk create --name NAME --accept-terms`)
cli-create-needs-terms = creating a key requires agreeing to the agreement: read it with `keydesk agreement`, then pass --accept-terms
cli-created = Created key { $name } (ID { $id }, { $masked }). The secret above is shown only this once: store it now.
cli-secret-undelivered-deleted = cannot write the secret to standard output ({ $error }), so the key was deleted again
cli-secret-lost = key { $id } was created, but its secret was lost: delete it (`keydesk delete { $id } --yes`). Writing the secret failed ({ $error }) and so did deleting the key ({ $delete_error })
cli-renamed = Renamed key { $id } to { $name }.
cli-duplicate-name = key { $id } ({ $masked }) is already named { $name }
cli-duplicate-refused = { $existing }: refusing a duplicate name without confirmation (stdin is not a terminal); pass --allow-duplicate-name to use it anyway
cli-duplicate-question = { $existing }. Use the same name anyway?
cli-duplicate-declined = nothing changed: the name is already in use
cli-delete-needs-yes = refusing to delete without confirmation: stdin is not a terminal, pass --yes
cli-delete-question = Delete key { $name } ({ $id }, { $masked })? Applications or scripts using it will no longer be able to call the service.
cli-delete-declined = not deleted
cli-deleted = Deleted key { $name } ({ $id }).

## disable, enable, expire, rotate, verify --explain

cli-disabled = Disabled key { $name } ({ $id }): it no longer verifies. `keydesk enable { $id }` undoes this.
cli-enabled = Enabled key { $name } ({ $id }): it verifies again.
cli-expiry-not-future = that expiry is not in the future: use { $forms }
cli-expires-at = Key { $name } ({ $id }) now expires at { $at } ({ $zone }).
cli-never-expires = Key { $name } ({ $id }) now never expires.
cli-rotated-old-until = the old secret keeps verifying until { $at } ({ $zone })
cli-rotated-old-stopped = the old secret no longer verifies
cli-rotated = Rotated key { $name } ({ $id }, now { $masked }): { $old }. The new secret above is shown only this once: store it now.
cli-rotate-undelivered-old-until = its old secret ({ $masked }) keeps verifying until { $at } ({ $zone }), as before
cli-rotate-undelivered-old-kept = its old secret is kept
cli-rotate-undelivered = THE NEW SECRET WAS NOT DELIVERED: cannot write it to standard output ({ $error }), and nobody has it. Key { $id } was rotated all the same (a rotation cannot be undone); { $old }. To get a secret your services can use, rotate again with working output: `keydesk rotate { $id } --grace DURATION > FILE`. That ends the old secret's grace at once (only one previous secret is kept), so pick a moment when you can update your services
cli-time-in-zone = { $at } ({ $zone })
cli-explain-previous-until = { $id } (the previous secret of a rotation: valid until { $at })
cli-explain-previous = { $id } (the previous secret of a rotation)
cli-explain-unknown = invalid: unknown key (malformed, never created, or deleted)
cli-explain-disabled = invalid: key { $id } is disabled (since { $since }); `keydesk enable { $id }` restores it
cli-explain-expired = invalid: key { $id } expired at { $at }
cli-explain-grace-ended = invalid: this is the previous secret of key { $id }, whose grace ended at { $at }; use the key's current secret

## log

cli-log-intact = audit log intact: { $count ->
        [one] { $count } entry
       *[other] { $count } entries
    }
cli-log-tampered = audit log tampered with: { $found }
cli-log-keyed-from-start = every entry is sealed with the audit key
cli-log-keyed-from = sealed with the audit key from entry { $first } on; entries 1–{ $before } were written before keyed sealing (SHA-256 only: anyone who could write the database could have rewritten them)
cli-log-not-keyed = no entry is sealed with the audit key (SHA-256 only: anyone who could write the database could have rewritten them)
cli-log-expected-found = entry { $seq } is as expected
cli-log-seals-not-checked = the seals of keyed entries were not checked: there is no audit key file at { $path } (only their order and links were)
cli-log-no-head = the audit log is empty: there is no entry to print
cli-log-empty = no audit entries
cli-log-by = by { $actor }
cli-log-expires = { $name } (expires { $at })
cli-log-old-secret-until = { $name } (old secret until { $at })
cli-log-never-expires = { $name } (never expires)
cli-log-schema = database schema { $from } -> { $to }
# A policy change: before and after in the policy text form (rpm=60 methods=GET,POST).
cli-log-policy-changed = { $name } (policy { $from } -> { $to })
# An empty policy in a log line.
cli-log-policy-none = none
# A creation with a policy: the usual details, then the policy.
cli-log-with-policy = { $detail } (policy { $policy })
cli-log-sudo = sudo from { $user }

## usage

cli-usage-day = DAY (UTC)
cli-usage-accepted = ACCEPTED
cli-usage-disabled = DISABLED
cli-usage-expired = EXPIRED
cli-usage-previous-ended = PREV-ENDED
cli-usage-total = total
cli-usage-id = ID
cli-usage-name = NAME
cli-usage-range = (last { $days } days, UTC)
cli-usage-no-keys = no keys
cli-usage-input-tokens = INPUT TOKENS
cli-usage-output-tokens = OUTPUT TOKENS
cli-usage-cost = COST ({ $currency })
cli-usage-model = MODEL
cli-usage-no-model = (none named)
cli-usage-no-tokens = no tokens counted in the last { $days } days (tokens are counted by `keydesk serve --upstream` only)

## cleanup

cli-cleanup-refused-disable = refusing to disable { $count ->
        [one] { $count } key
       *[other] { $count } keys
    } without confirmation: stdin is not a terminal, pass --yes
cli-cleanup-refused-delete = refusing to delete { $count ->
        [one] { $count } key
       *[other] { $count } keys
    } without confirmation: stdin is not a terminal, pass --yes
cli-cleanup-question-disable = Disable { $count ->
        [one] { $count } key
       *[other] { $count } keys
    } unused for { $days } days or more? They stop verifying until enabled again.
cli-cleanup-question-delete = Delete { $count ->
        [one] { $count } key
       *[other] { $count } keys
    } unused for { $days } days or more? Applications using them will no longer be able to call the service; this cannot be undone.
cli-cleanup-declined-disable = nothing disabled
cli-cleanup-declined-delete = nothing deleted
cli-cleanup-done-disable = Disabled { $count ->
        [one] { $count } key
       *[other] { $count } keys
    }.
cli-cleanup-done-delete = Deleted { $count ->
        [one] { $count } key
       *[other] { $count } keys
    }.
cli-cleanup-would-disable = Would disable { $count ->
        [one] { $count } key
       *[other] { $count } keys
    }.
cli-cleanup-would-delete = Would delete { $count ->
        [one] { $count } key
       *[other] { $count } keys
    }.
cli-cleanup-none = no unused keys
cli-cleanup-id = ID
cli-cleanup-name = NAME
cli-cleanup-last-used = LAST USED ({ $zone })
cli-cleanup-created = CREATED ({ $zone })
cli-cleanup-status = STATUS
cli-cleanup-never = never
cli-status-active = active
cli-status-disabled = disabled
cli-status-expired = expired
cli-status-deleted = deleted

## backup and restore

cli-backup-done = backed up { $keys ->
        [one] { $keys } key
       *[other] { $keys } keys
    } and { $entries ->
        [one] { $entries } audit entry
       *[other] { $entries } audit entries
    } (schema version { $schema }) to { $path }
cli-backup-exists = { $path } already exists: choose another path, or add --force to replace it
cli-backup-postgres = the database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --table='keydesk_*' --file=keydesk.dump "$URL" (see the guide)
cli-backup-chain-broken = the backup was written, but the audit log it copied does not check: { $found }
cli-copy-recovered = the copy needed recovery after a crash, and got it
cli-copy-chain-intact = audit chain intact; head { $head } (compare later with: keydesk log --check --expect { $head })
cli-copy-chain-empty = the audit log is empty
cli-copy-same-file = { $path } is the database itself: choose another file
cli-restore-done = restored { $keys ->
        [one] { $keys } key
       *[other] { $keys } keys
    } and { $entries ->
        [one] { $entries } audit entry
       *[other] { $entries } audit entries
    } (schema version { $schema }) from { $path } into { $db }
cli-restore-upgraded = the backup's schema was upgraded from version { $from } to { $to }
cli-restore-exists = there is already a database at { $db }: add --force to replace it (it is kept as { $db }.before-restore)
cli-restore-kept-exists = { $kept } already exists, from an earlier restore: move it away first
cli-restore-kept = the database it replaced is kept as { $kept }
cli-restore-chain-broken = not restoring { $path }: its audit log does not check: { $found }; the database was not touched
cli-restore-postgres = the database is PostgreSQL: restore a pg_dump archive with pg_restore, e.g. pg_restore --dbname="$URL" --single-transaction keydesk.dump (see the guide)

## migrate

cli-migrate-to-not-postgres = --to must be a PostgreSQL URL, postgres://user@host/db
cli-migrate-keys = keys: { $keys } in the file; { $copied } copied, { $present } already in PostgreSQL ({ $differing } of them differ there and were left as they are)
cli-migrate-audit = audit log: { $entries } entries in the file; { $copied } copied, { $present } already there
cli-migrate-usage = usage counts: { $buckets } hourly and daily buckets in the file; { $copied } copied, { $present } already there
cli-migrate-total = PostgreSQL now holds { $keys } keys and { $entries } audit entries; { $verdict }
cli-migrate-checks-out = every key of the file is there, the chain is intact and the usage counts are equal
cli-migrate-check-failed = THE CHECK FAILED (below)
cli-migrate-mismatch = the copy does not check out: { $missing } keys missing in PostgreSQL, { $copied } of { $entries } audit entries, chain: { $chain }, usage counts { $counts }
cli-migrate-chain-intact = intact
cli-migrate-counts-equal = equal
cli-migrate-counts-different = different

## serve, on the terminal (its HTTP answers and metrics stay English)

cli-serve-listening = keydesk serve: listening on { $address }
cli-serve-stopping = keydesk serve: { $signal }: finishing requests in flight
cli-serve-shutdown-timeout = keydesk serve: requests still running after --shutdown-timeout; closing them
cli-serve-accept-failed = keydesk serve: cannot accept connections ({ $failures } failed since the last report): { $error }
cli-serve-index-stale = keydesk serve: the key index has not been refreshed for { $seconds } s ({ $error }); { $answer }
cli-serve-index-stale-closed = keys are answered 503 until it is
cli-serve-index-stale-static = keys are answered from the last index (--fail-static)
cli-serve-index-current = keydesk serve: the key index is current again
cli-serve-cannot-start = cannot start: { $error }
cli-serve-cannot-handle-signals = cannot handle signals: { $error }
cli-serve-tls-on-unix = --tls-cert and --tls-key apply to a TCP --listen address, not a Unix socket
cli-serve-auth-file-unreadable = --upstream-auth-file { $path }: { $error }
cli-serve-auth-file-empty = --upstream-auth-file { $path }: the file is empty
cli-serve-duration-zero = must be more than zero: use { $forms }
cli-serve-bad-network = { $part } is not an IP address or CIDR block (e.g. 10.0.0.0/8, 127.0.0.1, ::1)
cli-serve-bad-body-size = must be a whole number of bytes from 1 to { $max }
cli-serve-listen-unix-path = --listen unix: needs a path, e.g. unix:/run/keydesk/keydesk.sock
cli-serve-listen-form = --listen { $address }: use HOST:PORT or unix:/PATH ({ $error })
cli-serve-listen-no-address = --listen { $address }: the host has no address
cli-serve-listen-exposed = --listen { $address } is reachable from other hosts, and keys would cross the network in clear over plain HTTP: add --tls-cert and --tls-key, listen on 127.0.0.1 behind a TLS gateway, or add --insecure-http
cli-serve-plain-http-warning = keydesk serve: WARNING: plain HTTP on { $address }: keys cross the network in clear (--insecure-http)
cli-serve-cannot-listen = cannot listen on { $address }: { $error }
cli-serve-socket-path-taken = cannot listen on { $path }: a file that is not a socket is there
cli-serve-socket-in-use = cannot listen on { $path }: another server is listening there
cli-serve-unknown-address = an unknown address
cli-serve-upstream-not-url = --upstream: not a URL: { $url }
cli-serve-upstream-not-http = --upstream: use an http:// URL (the upstream is normally on this host)
cli-serve-upstream-no-host = --upstream: the URL has no host
cli-serve-tls-setup = cannot set up TLS: { $error }
cli-serve-tls-cert-file = --tls-cert { $path }: { $problem }
cli-serve-tls-key-file = --tls-key { $path }: { $problem }
cli-serve-tls-mismatch = --tls-key { $key } does not belong to the certificate in --tls-cert { $cert }
cli-serve-tls-first-unparsable = --tls-cert { $path }: the first certificate cannot be parsed
cli-serve-pem-certificate = certificate
cli-serve-pem-private-key = private key
cli-serve-pem-no-certificate = no PEM certificate (-----BEGIN CERTIFICATE-----) in the file
cli-serve-pem-none = no PEM { $what } in the file
cli-serve-pem-too-large = a PEM section is too large
cli-serve-pem-invalid = not a valid PEM { $what } file
cli-serve-key-unusable = the private key is not an RSA, ECDSA or Ed25519 key ring can use
cli-serve-sighup-reloaded = keydesk serve: SIGHUP: new connections get the certificate now in { $path }
cli-serve-sighup-kept = keydesk serve: SIGHUP: keeping the certificate in use: { $reason }
cli-serve-sighup-failed = the reload failed
cli-serve-sighup-nothing = keydesk serve: SIGHUP: nothing to reload (no TLS certificate); still serving
cli-serve-access-log-empty = --access-log: give a file path, or - for stdout
cli-serve-access-log-unopenable = --access-log: cannot open { $path }: { $error }
cli-serve-access-log-failing = keydesk serve: the access log cannot be written: { $error }
cli-serve-sighup-access-log = keydesk serve: SIGHUP: access log reopened: { $path }
cli-serve-sighup-access-log-kept = keydesk serve: SIGHUP: still writing the access log to the file already open: { $reason }

## The config file and `config show`

config-file = config file: { $path }
config-file-missing = config file: { $path } (not found: defaults apply)
config-setting-source = ({ $source })
config-source-default = default
config-source-file = config file, line { $line }
config-source-environment = environment, { $name }
config-source-command-line = command line
config-no-home = no home folder is known, so there is no default config file (use --config)
config-named-missing = no config file here (named by --config or KEYDESK_CONFIG)
config-no-data-folder = (no data folder known)
config-local-offset = the system's local offset
config-url-without-postgres = (a URL; this keydesk was built without PostgreSQL support)
# $kind is one of the error-store-kind-… messages.
config-not-a-file = it is { $kind }, not a regular file: a config file must be one (a symlink to one is fine)
# $reason is error-store-insecure-owner or error-store-insecure-writable.
config-untrusted = refusing it, since whoever can change it chooses the database and so which keys open the gate: { $reason }
config-too-large = it is larger than 1 MiB, so it is not read: a config file is a few lines; check that this is the right file
config-cannot-read = cannot read the config file: { $error }
config-no-home-for-tilde = `~` cannot be expanded: no home folder is known
config-unknown-key-near = unknown key `{ $key }`, did you mean `{ $known }`?
config-unknown-key = unknown key `{ $key }`; the keys are { $keys }
config-toml = { $detail }
config-duration-not-a-string = write a duration as a string with its unit: { $fix } ({ $forms })

help-cmd-doctor = Check what usually goes wrong (the database, the config file, the audit chain, PostgreSQL, the clipboard route, the terminal) and say how to fix each
    .long =
        Check what usually goes wrong and say how to fix each: the database (path, owner, mode, schema version, free space, a lock another process holds), the config file (where, permissions, unknown keys), the audit chain, PostgreSQL when configured (reached, TLS, schema, role), the clipboard route a copy would take here and the terminal (locale, colours, mouse). Nothing is changed.

        Exit 0 when all is well, 1 when something needs attention. Findings about the surroundings (no clipboard route, no terminal, a locale that is not UTF-8) are information and never set 1.
help-arg-doctor-json = Print the findings as JSON: an object with `needs_attention` (true or false) and `findings`, each with `check` (an id such as database.mode), `level` (ok, info, warning or error), `message` and `fix` (null when there is nothing to do)
config-prices-not-a-table = `prices` must be a table: [prices] with `currency = "USD"`, then one [prices."model-glob"] per model
config-prices-no-currency = [prices] needs one `currency` (for example `currency = "USD"`): every price is in it
config-prices-bad-currency = `currency` must be a short name (at most 16 bytes, no control characters), not "{ $currency }"
config-prices-not-a-string = `{ $key }` must be a string
config-prices-model-not-a-table = the price of "{ $glob }" must be a table: [prices."{ $glob }"] with `input_per_million` and `output_per_million`
config-prices-unknown-key = unknown key `{ $key }` in a model's prices; the keys are { $keys }
config-prices-bad-amount = `{ $key }` must be an amount per million tokens: a number from 0 to 1000000 with at most six decimals (0.15, 2, "0.075")
config-prices-missing = the price of "{ $glob }" needs `{ $key }`
config-prices-bad-glob = "{ $glob }" is not a model pattern (`*`, `?` and `[…]` may be used; a `[` needs its `]`)
