# The TUI's dialogs, the app's status messages (dialog-…) and what copying
# to the clipboard did (clipboard-…).

## Buttons shared by the dialogs

dialog-ok = OK
dialog-cancel = Cancel

## The create dialog

dialog-create-title = Create API key
dialog-create-name = Name
dialog-create-agreement = I have agreed to the agreement and understand the associated risks
# After the key that opens the agreement viewer (Ctrl-O).
dialog-create-read-agreement = read the agreement
dialog-create-not-yet = Can't create yet: { $reason }
dialog-create-fix-name = Can't create yet: fix the name first (see above)
# $key: the key that ticks the box (Space).
dialog-create-tick-agreement = Tick the agreement box first ({ $key } toggles it)
dialog-create-duplicate-again = Another key is already named { $name }: press { $key } again to create this one anyway
dialog-rename-duplicate-again = Another key is already named { $name }: press { $key } again to rename this one anyway

## The agreement viewer

dialog-agreement-title = API key usage agreement

## The name field (create and rename)

dialog-name-unchanged = unchanged
dialog-name-valid = valid name
dialog-name-duplicate = another key is already named { $name }

## The expiry field (create and "Set expiry")

dialog-expiry-label = Expires
dialog-expiry-date-label = Date
# $left, $right: the keys that change the choice (←, →).
dialog-expiry-change = { $left }/{ $right } change
dialog-expiry-never-expires = the key never expires
dialog-expiry-stops-at = stops verifying at { $at } ({ $offset })
dialog-expiry-option-never = Never
dialog-expiry-option-days = { $count ->
        [one] one day
       *[other] { $count } days
    }
dialog-expiry-option-year = 1 year
dialog-expiry-option-date = On a date
dialog-expiry-not-future = { $date } is not in the future
dialog-expiry-too-far = { $date } is too far ahead: at most { $max } days from now
dialog-expiry-date-form = type a date as { $form }, e.g. 2026-12-31

## The "Set expiry" dialog

dialog-set-expiry-title = Set expiry
dialog-set-expiry-key = Key
dialog-set-expiry-id = ID
dialog-set-expiry-now = Expires now
dialog-set-expiry-never = never
dialog-save-not-yet = Can't save yet: { $reason }

## The secret dialog (a new key, or a rotated key's new secret)

dialog-secret-title = Your new API key
dialog-secret-title-rotated = Your key's new secret
# $name is drawn highlighted.
dialog-secret-created = Key { $name } ({ $id }) was created:
dialog-secret-rotated = Key { $name } ({ $id }) was rotated:
dialog-secret-warning = Copy it now and keep it somewhere safe: it will not be shown again. keydesk stores only a hash of it; if you lose it, delete it and create a new one.
dialog-secret-old-ended = The old secret ({ $masked }) no longer works.
dialog-secret-old-until = The old secret ({ $masked }) keeps working until { $at } ({ $offset }).
dialog-secret-confirm-close = Close without copying? ({ $yes }/{ $no })
dialog-secret-copy-again = copy again
dialog-secret-closed-uncopied = key closed without copying — it cannot be shown again

## The rename dialog

dialog-rename-title = Edit name
dialog-rename-key = Key
dialog-rename-current = Current
dialog-rename-new-name = New name
dialog-rename-fix-name = Can't save yet: fix the name first (see above)
dialog-rename-unchanged = name unchanged

## The delete dialog

dialog-delete-title = Delete key
dialog-delete-question = Delete this key?
dialog-delete-name = Name
dialog-delete-id = ID
dialog-delete-api-key = API Key
dialog-delete-last-used = Last Used
dialog-delete-warning = Applications or scripts using this key will no longer be able to call the service. This cannot be undone.
dialog-delete-instead = Not sure? Disable it instead: it stops working the same way, and can be enabled again.
dialog-delete-button-disable = Disable instead
dialog-delete-button-delete = Delete

## The rotate dialog

dialog-rotate-title = Rotate key
dialog-rotate-key = Key
dialog-rotate-id = ID
dialog-rotate-secret = Secret
dialog-rotate-explain = A new secret replaces this key's secret; the ID, name and expiry stay. The old secret keeps working, as the same key, for the grace period you choose, so services can switch over without downtime.
dialog-rotate-grace = Grace
dialog-rotate-grace-now = Now
dialog-rotate-grace-hour = 1 hour
dialog-rotate-grace-day = 24 hours
dialog-rotate-grace-week = 7 days
# A time in the sentences below, with its UTC offset.
dialog-rotate-time = { $time } ({ $offset })
dialog-rotate-ends-now = The old secret stops working at once.
dialog-rotate-ends-at = The old secret stops working at { $at }.
dialog-rotate-running = An earlier secret ({ $masked }) still works until { $at }; rotating again ends that at once.
dialog-rotate-confirm = End that grace now and rotate anyway? ({ $yes }/{ $no })

## The actions menu

dialog-actions-title = Actions
dialog-actions-edit-name = Edit Name
dialog-actions-enable = Enable
dialog-actions-disable = Disable
dialog-actions-rotate = Rotate
dialog-actions-set-expiry = Set Expiry
dialog-actions-delete = Delete
dialog-actions-copy-id = Copy ID
dialog-actions-history = History

## Status messages: what a change did

dialog-input-full = names are at most 64 characters
dialog-expired-cannot-enable = { $name } has expired and cannot be enabled again: delete it, or create a new key
dialog-expired-cannot-rotate = { $name } has expired and cannot be rotated: create a new key
dialog-expired-cannot-set-expiry = { $name } has expired and cannot be given a new expiry: delete it, or create a new key
dialog-expired-cannot-disable = { $name } has expired: nothing to disable; delete it, or create a new key
# Asked before disabling a key used lately. $ago is a tui-span-… ("2m").
dialog-disable-title = Disable key?
dialog-disable-used = { $name } was used { $ago } ago — disable it? ({ $yes }/{ $no })
dialog-disable-explain = Every application using it is refused from then on, until it is enabled again.
dialog-could-not-disable = could not disable: { $message }
dialog-could-not-enable = could not enable: { $message }
dialog-could-not-set-expiry = could not set the expiry: { $message }
# $key: the key that enables it again.
dialog-disabled = disabled { $name } ({ $key } enables it again)
dialog-enabled = enabled { $name }: it verifies again
dialog-now-expires = { $name } now expires { $at } ({ $offset })
dialog-now-never-expires = { $name } now never expires
dialog-rotated = rotated { $name }
dialog-could-not-rotate = could not rotate: { $message }
dialog-deleted-elsewhere = the key { $name } was deleted elsewhere
dialog-could-not-read-usage = could not read usage counts: { $message }
dialog-could-not-read-keys = could not read the keys: { $message }
dialog-created = created { $name }
dialog-could-not-create = could not create the key: { $message }
dialog-renamed = renamed to { $name }
dialog-could-not-rename = could not rename: { $message }
dialog-deleted = deleted { $name } ({ $id })
dialog-could-not-delete = could not delete: { $message }
dialog-bug-saving = keydesk hit a bug while saving ({ $bug }); reload to see what was saved
dialog-bug-usage = keydesk hit a bug reading usage ({ $bug })
# What a bug is called when it says nothing about itself.
dialog-bug-unknown = a panic

## The clipboard. $kind is "secret" (a key's secret) or "id" (a key's ID).

clipboard-unavailable-secret = clipboard not available — select the key on screen to copy it by hand
clipboard-unavailable-id = clipboard not available — select the text on screen to copy it by hand
clipboard-copied = Copied { $kind ->
        [secret] the key
       *[other] the ID
    } to the clipboard.
clipboard-copied-clears = Copied { $kind ->
        [secret] the key
       *[other] the ID
    } to the clipboard (cleared in { $delay }).
clipboard-copied-ends-with-app = Copied { $kind ->
        [secret] the key
       *[other] the ID
    } to the clipboard (it may not outlive keydesk).
clipboard-copied-clears-ends-with-app = Copied { $kind ->
        [secret] the key
       *[other] the ID
    } to the clipboard (cleared in { $delay }; it may not outlive keydesk).
# One line for the status bar; $route is one of clipboard-brief-route-….
clipboard-brief-sent = { $kind ->
        [secret] Key
       *[other] ID
    } sent via { $route } — missing? select it on screen
clipboard-brief-route-tmux = OSC 52 (tmux: set-clipboard on)
clipboard-brief-route-screen = OSC 52 through screen
clipboard-brief-route-terminal = OSC 52 to your terminal
clipboard-brief-off = Copying is off (--clipboard off): select { $kind ->
        [secret] the key
       *[other] the ID
    } on screen
clipboard-brief-failed = Could not copy { $kind ->
        [secret] the key
       *[other] the ID
    }: select it on screen
# $route is one of clipboard-route-….
clipboard-sent = Sent { $kind ->
        [secret] the key
       *[other] the ID
    } to your terminal's clipboard ({ $route }) — if nothing was copied, select { $kind ->
        [secret] the key
       *[other] the ID
    } on screen.
clipboard-sent-fallback = No system clipboard, so sent { $kind ->
        [secret] the key
       *[other] the ID
    } to your terminal's clipboard ({ $route }) — if nothing was copied, select { $kind ->
        [secret] the key
       *[other] the ID
    } on screen.
clipboard-sent-clears = { " " }It is cleared in { $delay } if keydesk is still running.
clipboard-route-tmux = OSC 52 via tmux, which needs `set-clipboard on`
clipboard-route-screen = OSC 52 via screen
clipboard-route-terminal = OSC 52
clipboard-off = Copying is off (--clipboard off): select { $kind ->
        [secret] the key
       *[other] the ID
    } on screen and copy it with your terminal.
clipboard-failed = Could not copy { $kind ->
        [secret] the key
       *[other] the ID
    }: { $reason }. Select it on screen and copy it with your terminal.
clipboard-cleared = Cleared the key from the clipboard.
clipboard-left-alone = The clipboard no longer holds the key, so it was left alone.
clipboard-cleared-tmux = Clipboard cleared with a space (OSC 52); tmux keeps the key in an older paste buffer.
clipboard-cleared-terminal = Asked your terminal to clear the key from its clipboard (OSC 52).
clipboard-clear-failed = Could not clear the clipboard: { $reason }.
clipboard-delay-seconds = { $count } s
clipboard-delay-minutes = { $count } min
clipboard-delay-milliseconds = { $count } ms
clipboard-system-failed = the system clipboard failed ({ $error })
clipboard-terminal-failed = writing to the terminal failed ({ $error })
clipboard-both-failed = the system clipboard failed ({ $system }) and writing to the terminal failed ({ $terminal })
clipboard-system-not-open = the system clipboard is not open
clipboard-read-back-failed = could not read it back to check ({ $error })
clipboard-unknown-mode = unknown clipboard mode { $mode }: use auto, system, osc52 or off
