# `keydesk doctor`: each finding says what was found; a fix says what to do.

doctor-level-ok = ok
doctor-level-info = info
doctor-level-warning = warning
doctor-level-error = error
doctor-fix = fix: { $fix }
doctor-all-well = All is well.
doctor-needs-attention = { $count ->
    [one] One finding needs attention.
   *[other] { $count } findings need attention.
}
doctor-chmod = chmod { $mode } { $path }
doctor-file-owner = { $path } belongs to user { $owner }, and you are user { $me }: keydesk refuses it, since its owner decides which keys verify
doctor-file-owner-fix = run keydesk as user { $owner } instead, or give it to yourself: sudo chown { $me } { $path }

## The config file

doctor-config-none = no config file at { $path }: keydesk's defaults apply
doctor-config-read = { $path } read without a problem
doctor-config-unreadable = cannot look at the config file { $path }: { $error }
doctor-config-fix-path = check the path, or name another file with --config or KEYDESK_CONFIG
doctor-config-named-missing = the config file { $path } named by --config or KEYDESK_CONFIG does not exist
doctor-config-named-missing-fix = create it, or correct --config or KEYDESK_CONFIG (without either, keydesk reads the default file if there is one)
doctor-config-not-a-file = the config file { $path } is { $kind }, not a regular file
doctor-config-writable = other users may change the config file { $path } (mode { $mode }), so they could choose the database: keydesk refuses it
doctor-config-mode-ok = only its owner may change it (mode { $mode })
doctor-config-unknown-key = { $path }:{ $line }: unknown key `{ $key }`: keydesk refuses the whole file
doctor-config-rename-key = rename it on line { $line } to `{ $known }`
doctor-config-remove-key = remove line { $line }; the keys are { $keys }
doctor-config-fix-line = correct that line of { $path }; `keydesk config show` prints what keydesk reads once it is right

## The database file

doctor-db-path = { $path } ({ $size })
doctor-db-none-yet = no database yet at { $path }: the first `keydesk` (or `keydesk create`) makes it
doctor-db-missing = no database at { $path }
doctor-db-path-fix = check --db, KEYDESK_DB or `db` in the config file (`keydesk config show` says which set it); `keydesk create` makes a new database
doctor-db-unreadable = cannot look at { $path }: { $error }
doctor-db-not-a-file = { $path } is { $kind }, not a database file
doctor-db-empty = { $path } is empty: keydesk never leaves an empty database, so it is something else's
doctor-db-empty-fix = find out what made it, then remove it (rm { $path }) or choose another path
doctor-db-owner-ok = owned by you
doctor-db-mode-writable = other users may write the database (mode { $mode }), and so decide which keys verify: keydesk refuses it
doctor-db-mode-readable = other users may read the database (mode { $mode }): every key's name, limits and use, and the audit log (secrets are not in it, only their hashes); keydesk makes it 600
doctor-db-mode-ok = only you may read or write it (mode { $mode })
doctor-db-schema-current = schema version { $version }, this keydesk's
doctor-db-schema-older = schema version { $found }, older than this keydesk's { $current }: it is upgraded the next time keydesk opens it for writing
doctor-db-schema-older-fix = take a copy of the file, then run `keydesk list` as its owner to upgrade it now
doctor-db-schema-newer = schema version { $found }, made by a newer keydesk (this one knows { $current }): this keydesk refuses it
doctor-db-schema-newer-fix = upgrade keydesk on this host
doctor-db-needs-recovery = the file was not closed cleanly (a crash or power loss): the next keydesk that opens it for writing repairs it
doctor-db-needs-recovery-fix = run `keydesk list` once to repair it now
doctor-db-damaged-fix = keep the file for inspection and restore the database from a backup
doctor-db-lock-free = no other process holds it
doctor-db-lock-held = another process has held the database for longer than the busy timeout ({ $seconds } s): every keydesk command waits that long, then fails as busy
doctor-db-lock-held-fix = find the process with `fuser -v { $path }` (or `lsof { $path }`) and end it; keydesk itself holds the file only for one operation at a time
doctor-db-space-ok = { $free } free on its file system
doctor-db-space-low = only { $free } free on the database's file system: a write copies the pages it changes before freeing the old ones, and fails when it cannot
doctor-db-space-low-fix = free at least { $least } there, or move the database to a file system with room

## The audit chain

doctor-audit-intact = the audit chain is intact: { $count ->
    [one] 1 entry
   *[other] { $count } entries
}
doctor-audit-sealed = entries are sealed with the audit key from entry { $first } on, and every seal checks
doctor-audit-not-keyed = no entry is sealed with the audit key yet: the first change keydesk makes seals it and every later one
doctor-audit-key-missing = entries are sealed with an audit key, but there is no key file at { $path }: their seals cannot be checked, and changes to keys will be refused
doctor-audit-key-missing-fix = copy the audit key file from the host that sealed them to { $path } (mode 600), or name it with `audit_key_file` in the config file
doctor-audit-key-unusable-fix = fix the file as the message says; `keydesk log --check` checks the chain with it
doctor-audit-broken = the audit log was tampered with: { $found }
doctor-audit-broken-fix = keep the database for inspection (`keydesk log --check` names the entry), find out who could write it, and restore it from a backup
doctor-audit-failed-fix = `keydesk log --check` shows the same error; fix the database first
doctor-audit-no-database = not checked: there is no database to check
doctor-audit-unready = not checked until the database's findings above are fixed
doctor-audit-not-permitted = not checked: this login is a verifier, which may not read the audit log (check it as an admin)

## PostgreSQL

doctor-pg-reachable = reached { $location }
doctor-pg-setup-fix = pass the password in a file (--db-password-file), PGPASSWORD or ~/.pgpass, never in the URL on the command line
doctor-pg-unreachable-fix = check that the server runs and that the host and port in the URL are right: psql "{ $location }" -c 'select 1' tries the same
doctor-pg-refused-fix = check the user, the database's name and the password (--db-password-file, PGPASSWORD or ~/.pgpass)
doctor-pg-tls-on = the connection is encrypted (TLS)
doctor-pg-tls-local = the connection is not encrypted, but stays on this host (a socket or loopback address)
doctor-pg-tls-off = the connection to another host is not encrypted: the login and every key hash cross the network in the clear
doctor-pg-tls-off-fix = turn on ssl on the server and add sslmode=require to the URL
doctor-pg-schema-empty = keydesk's tables are not in this database
doctor-pg-schema-empty-fix = run `keydesk create` (or the TUI) once as a role that may create tables; then run sql/postgres-roles.sql
doctor-pg-schema-older-fix = run keydesk once as the tables' owner to upgrade them, then sql/postgres-roles.sql again
doctor-pg-role-owner = this login owns keydesk's tables: it may do anything to them, more than managing keys needs
doctor-pg-role-owner-fix = for everyday use, log in as a member of keydesk_admin (people) or keydesk_verifier (gateways): see sql/postgres-roles.sql
doctor-pg-role-admin = this login may manage keys and write the audit log (admin)
doctor-pg-role-verifier = this login may verify keys only (verifier): right for `keydesk serve`, but it cannot create or change keys
doctor-pg-role-none = this login may not read keydesk's tables
doctor-pg-role-none-fix = grant it a role: GRANT keydesk_admin TO the login (or keydesk_verifier for a gateway), after running sql/postgres-roles.sql

## The clipboard route

doctor-clip-off = copying is turned off (clipboard = off, from { $source })
doctor-clip-use-auto = use --clipboard auto (or clipboard = "auto" in the config file)
doctor-clip-system = copies go to the system clipboard
doctor-clip-system-no-display = clipboard = system, but there is no desktop here (DISPLAY and WAYLAND_DISPLAY are unset): copies will fail
doctor-clip-desktop = copies go to the desktop's clipboard, through the terminal (OSC 52) if that fails
doctor-clip-tmux-on = copies go through tmux to your terminal (OSC 52; tmux has set-clipboard on)
doctor-clip-tmux-off = copies go to tmux, but tmux's set-clipboard is { $value }: tmux keeps them in a paste buffer and does not pass them on to your terminal
doctor-clip-tmux-unknown = copies go through tmux, but tmux did not say whether it passes them on (set-clipboard): { $error }
doctor-clip-tmux-fix = tmux set -g set-clipboard on (and add `set -g set-clipboard on` to ~/.tmux.conf)
doctor-clip-screen = copies go through GNU screen to your terminal (OSC 52, passed through screen)
doctor-clip-ssh = copies go over SSH to your terminal (OSC 52): your terminal must allow programs to set the clipboard
doctor-clip-osc52 = copies go to your terminal (OSC 52, clipboard = osc52)
doctor-clip-none = no clipboard route here: no desktop, no SSH session and no terminal multiplexer; keydesk would write OSC 52 to the terminal, which only some terminals honour
doctor-clip-none-fix = select the key on screen to copy it, or run keydesk in a desktop session or over SSH from a terminal that supports OSC 52
doctor-tmux-silent = tmux did not answer within { $seconds } s

## The terminal

doctor-term-present = a terminal (TERM={ $term })
doctor-term-none = no terminal: standard input or output is not a terminal, so the TUI will not start here (the subcommands work)
doctor-term-none-fix = run `keydesk` in a terminal for the TUI
doctor-term-dumb = TERM=dumb cannot move the cursor: the TUI will not start here
doctor-term-dumb-fix = set TERM to your terminal's type, e.g. TERM=xterm-256color
doctor-locale-utf8 = { $variable }={ $value }: UTF-8
doctor-locale-unset = no locale is set (LC_ALL, LC_CTYPE and LANG are empty): keydesk draws with ASCII only and speaks English
doctor-locale-not-utf8 = { $variable }={ $value } is not UTF-8: keydesk draws with ASCII only and speaks English
doctor-locale-fix = export LANG=en_US.UTF-8 (or zh_CN.UTF-8), with the locale installed (locale -a lists them)
doctor-colour-off = colour is off (from { $source })
doctor-colour-off-fix = unset NO_COLOR, or remove `color = false` from the config file
doctor-colour-24bit = colours: 24-bit (COLORTERM)
doctor-colour-256 = colours: 256
doctor-colour-basic = colours: the terminal's basic 16
doctor-mouse-on = the TUI takes the mouse
doctor-mouse-off = the mouse is off (from { $source })
doctor-mouse-off-fix = drop --no-mouse, or remove `mouse = false` from the config file
doctor-mouse-tmux-off = tmux's mouse option is off: the mouse does not reach keydesk inside tmux
doctor-mouse-tmux-fix = tmux set -g mouse on (and add it to ~/.tmux.conf)
