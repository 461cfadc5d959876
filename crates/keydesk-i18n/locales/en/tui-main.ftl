# The TUI's main screens (key list, audit log, clean-up, details, help),
# the keymap's hints and help lines, and the key table shared with `keydesk list`.

## Screen names (the help overlay's "Keys for:")
tui-screen-key-list = Key list
tui-screen-filter = Filter
tui-screen-actions = Actions menu
tui-screen-create = Create key
tui-screen-agreement = Agreement
tui-screen-secret = New key
tui-screen-secret-confirm = Close without copying?
tui-screen-rename = Edit name
tui-screen-delete = Delete key
tui-screen-rotate = Rotate key
tui-screen-rotate-confirm = End the running grace?
tui-screen-disable-confirm = Disable a key in use?
tui-screen-expiry = Set expiry
tui-screen-log = Audit log
tui-screen-log-filter = Audit log filter
tui-screen-cleanup = Clean up
tui-screen-cleanup-disable = Disable the marked keys?
tui-screen-cleanup-delete = Delete the marked keys?
tui-screen-help = Help

## Status-bar hints: short, the bar has 80 columns for a whole screen's worth
tui-hint-new = new
tui-hint-actions = actions
tui-hint-edit = edit
tui-hint-delete = delete
tui-hint-filter = filter
tui-hint-sort = sort
tui-hint-help = help
tui-hint-quit = quit
tui-hint-done = done
tui-hint-clear = clear
tui-hint-move = move
tui-hint-run = run
tui-hint-copy-id = copy ID
tui-hint-close = close
tui-hint-next = next
tui-hint-tick = tick
tui-hint-ok = OK
tui-hint-cancel = cancel
tui-hint-agreement = agreement
tui-hint-scroll = scroll
tui-hint-back = back
tui-hint-copy = copy
tui-hint-close-without-copying = close without copying
tui-hint-go-back = go back
tui-hint-save = save
tui-hint-keep = keep
tui-hint-disable-instead = disable instead
tui-hint-switch = switch
tui-hint-press = press
tui-hint-shorter = shorter
tui-hint-longer = longer
tui-hint-rotate = rotate
tui-hint-rotate-anyway = rotate anyway
tui-hint-mark = mark
tui-hint-all = all
tui-hint-spend = spend
tui-hint-days = days
tui-hint-toggle = disable/enable
tui-hint-expiry = expiry
tui-hint-log = log
tui-hint-details = details
tui-hint-cleanup = clean up
tui-hint-disable = disable

## Help overlay lines
tui-help-quit-anywhere = quit keydesk (from anywhere)
tui-help-help-screen = help for the current screen
tui-help-suspend = suspend keydesk (back to the shell; fg resumes)
tui-help-move-up = move up
tui-help-move-down = move down
tui-help-page-up = one page up
tui-help-page-down = one page down
tui-help-first-key = first key
tui-help-last-key = last key
tui-help-new-key = create a new key
tui-help-open-actions = actions for the selected key (those below, and copy ID)
tui-help-edit-selected = edit the selected key's name
tui-help-delete-selected = delete the selected key
tui-help-toggle-selected = disable the selected key, or enable it again
tui-help-rotate-selected = rotate: a new secret; the old one works for a grace period
tui-help-expiry-selected = set when the selected key expires
tui-help-filter-list = filter by name or ID as you type
tui-help-clear-filter = clear the filter
tui-help-sort-next = sort by the next column
tui-help-sort-reverse = reverse the sort order
tui-help-open-log = the audit log: who changed which key, when, from where
tui-help-toggle-details = show or hide the selected key's details and usage
tui-help-open-cleanup = clean up: unused keys, to disable or delete together
tui-help-show-help = show this help
tui-help-quit = quit
tui-help-cursor-left = move the cursor left
tui-help-cursor-right = move the cursor right
tui-help-cursor-home = cursor to the start
tui-help-cursor-end = cursor to the end
tui-help-delete-back = delete the character before the cursor
tui-help-delete-forward = delete the character under the cursor
tui-help-clear-to-start = delete everything before the cursor
tui-help-apply-filter = keep the filter and go back to the list
tui-help-match-up = move up in the matches
tui-help-match-down = move down in the matches
tui-help-previous-action = previous action
tui-help-next-action = next action
tui-help-run-action = run the chosen action
tui-help-edit-name = edit name
tui-help-toggle = disable or enable
tui-help-rotate = rotate (a new secret)
tui-help-set-expiry = set expiry
tui-help-delete = delete
tui-help-copy-id = copy the key's ID
tui-help-history = the key's history in the audit log
tui-help-close-menu = close the menu
tui-help-next-field = next field or button
tui-help-previous-field = previous field or button
tui-help-tick-agreement = tick or untick the agreement box (when focused)
tui-help-create-key = create the key (like OK); on a button, press it
tui-help-cancel = cancel
tui-help-read-agreement = read the agreement
tui-help-show-help-name-field = show this help (when the name field is not focused)
tui-help-scroll-up = scroll up
tui-help-scroll-down = scroll down
tui-help-top = top
tui-help-bottom = bottom
tui-help-back-to-create = back to the create dialog
tui-help-copy-key = copy the key
tui-help-close-secret = close (asks first if the key was not copied)
tui-help-close-without-copying = close; the key cannot be shown again
tui-help-back-to-key = go back to the key
tui-help-save-name = save the new name
tui-help-delete-key = delete the key
tui-help-keep-key = keep the key (cancel)
tui-help-disable-used-key = disable it: applications using it are refused
tui-help-keep-enabled = keep it working (the default)
tui-help-disable-instead = disable the key instead: it stops verifying, and can be enabled again
tui-help-next-button = next button
tui-help-previous-button = previous button
tui-help-press-button = press the focused button (Cancel unless you moved)
tui-help-shorter-grace = a shorter grace period for the old secret
tui-help-longer-grace = a longer grace period
tui-help-rotate-now = rotate: make the new secret
tui-help-rotate-anyway = rotate; the older previous secret stops working now
tui-help-go-back = go back (nothing changes)
tui-help-date-field = to the date field and back
tui-help-save-expiry = save the expiry
tui-help-show-help-date-field = show this help (when the date field is not focused)
tui-help-previous-entry = previous entry (newer)
tui-help-next-entry = next entry (older)
tui-help-newest-entry = newest entry
tui-help-oldest-entry = oldest entry loaded (again: the next page)
tui-help-filter-log = filter by name, ID, action or who, as you type
tui-help-back-to-list = back to the key list
tui-help-keep-filter = keep the filter
tui-help-mark = mark or unmark the selected key
tui-help-mark-all = mark every key shown, or unmark all
tui-help-fewer-days = unused for fewer days (30, 90, 180)
tui-help-more-days = unused for more days (30, 90, 180)
tui-help-cleanup-spend = show every key with tokens by its 30-day spend (by tokens where no prices are set), or the unused keys again
tui-help-disable-marked-ask = disable the marked keys (reversible), after asking
tui-help-delete-marked-ask = delete the marked keys, after you type how many
tui-help-disable-marked = disable the marked keys
tui-help-delete-marked = delete the marked keys, if the number typed is how many are marked
tui-help-close-help = close the help

## The key table, shared by the TUI and `keydesk list`
tui-column-name = Name
tui-column-id = ID
tui-column-api-key = API Key
tui-column-created-at = Created At
tui-column-last-used = Last Used
tui-column-status = Status
# A time column's header: its title and the UTC offset of its times.
tui-column-with-offset = { $title } ({ $offset })
# The Status column: at most 15 columns.
tui-status-active = active
tui-status-disabled = disabled
tui-status-expired = expired
# $when is tui-in-span: "expires in 5d".
tui-status-expires = expires { $when }
# $left is a tui-span-…: "rotating, 5h" (the old secret works 5 more hours).
tui-status-rotating = rotating, { $left }
# A rotating key with an expiry, where there is room: "rotating 5h, expires in 3d".
tui-status-rotating-expires = rotating { $left }, expires { $when }
tui-in-span = in { $span }
tui-span-days = { $count }d
tui-span-hours = { $count }h
tui-span-minutes = { $count }m
tui-span-seconds = { $count }s
# The clean-up marks' legend, long and brief.
tui-flag-unused = never used after { $days } days
tui-flag-idle = idle over { $days } days
tui-flag-unused-brief = unused { $days }d+
tui-flag-idle-brief = idle { $days }d+

## UTC offsets (--utc-offset, the config's utc_offset); $input is quoted
tui-offset-invalid = invalid UTC offset { $input }: use ±HH:MM or ±H:MM, e.g. +08:00, +8 or -05:30
tui-offset-out-of-range = UTC offset { $input } is out of range: offsets run from { $min } to { $max }

## The key list
tui-title-keys = { $count ->
        [one] 1 key
       *[other] { $count } keys
    }
tui-title-shown = { $count } shown
# Before the sort column's name, top right.
tui-title-sorted-by = sorted by{" "}
tui-list-loading = loading…
# $key is the key that clears the filter, drawn in its own style.
tui-list-no-match = No key matches “{ $filter }” — press { $key } to clear the filter
tui-list-empty-press = No keys yet — press { $key } to create one
tui-list-empty = No keys yet
# The selected-key line under the table, each part after " · ".
tui-selected-created = created { $at }
tui-selected-last-used = last used { $at }
tui-selected-disabled-since = disabled since { $at }
tui-selected-old-secret-until = old secret until { $at }
tui-selected-expired = expired { $at }
tui-selected-expires = expires { $at }
tui-selected-old-secret-used = old secret last used { $at }
# In a sentence (a table shows "-").
# Last Used when it was the old secret's (a rotation's grace): "2026-03-15 20:56:00 (old)".
tui-last-used-old = { $at } (old)
tui-never = never
tui-filter-label = Filter:{" "}
tui-legend-title = clean-up candidates:{" "}
tui-legend-count = { $count } { $meaning }
# Sorting by uses (not a table column).
tui-sort-uses = Uses (30 d)
# Sorting by input and output tokens (not a column of the table until then).
tui-sort-tokens = Tokens (30 d)

## The details pane
tui-details-title = Details
tui-details-none = no key selected
tui-details-usage-reading = usage: reading…
tui-details-uses-per-day = uses/day, 30 d
tui-details-uses-per-hour = uses/hour, 24 h
# After a sparkline's label: its highest value.
tui-details-peak = {" "}(peak { $peak })
tui-details-id = ID
tui-details-status = Status
tui-details-expires = Expires
tui-details-old-secret = Old secret
tui-details-until = until { $at }
tui-details-created = Created
tui-details-last-used = Last used
# Two facts a line when the pane is short.
tui-details-fact = { $label }: { $value }
tui-details-30-days = 30 d:{" "}
tui-details-uses = { $count ->
    [one] { $count } use
   *[other] { $count } uses
}
tui-details-none-refused = none refused
# $reasons: the tui-details-refused-… that happened, with their counts.
tui-details-refused = { $count } refused ({ $reasons })
tui-details-refused-disabled = disabled
tui-details-refused-expired = expired
tui-details-refused-old-secret = old secret
# Input and output tokens in 30 days, shortened (1.2M, 34.5k).
tui-details-tokens = tokens { $input } in · { $output } out
tui-details-cost = cost { $money }
# A cost: the amount (two decimals) and the currency of [prices].
tui-money = { $amount } { $currency }
tui-details-tokens-per-day = tokens/day, 30 d
# $period: day, week, month or life (the key's whole life).
tui-details-budget-tokens = { $used } / { $amount } tokens { $period ->
    [day] today
    [week] this week
    [month] this month
   *[life] in the key's life
}
tui-details-budget-spend = { $used } / { $amount } { $period ->
    [day] today
    [week] this week
    [month] this month
   *[life] in the key's life
}
# When a budget's period ends: "resets 1 Jan 00:00 UTC+8".
tui-details-budget-resets = resets { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $time } { $offset }
tui-details-budget-with-reset = { $figures }, { $resets }
tui-details-budget-no-prices = no [prices] in the config: spend unknown
# Between the items of a list in running text.
tui-list-separator = {", "}

## Overlays and the "terminal too small" screen
tui-help-title = Help
tui-help-keys-for = Keys for:{" "}
tui-more-below = ↓ more
tui-too-small = terminal too small
# $size is the terminal's, $need the minimum: "30×8", "60×15".
tui-too-small-size = { $size } — need { $need }
tui-too-small-quit = enlarge it, or { $key } to quit
tui-too-small-keys-ignored = (keys are ignored until then)

## The audit log
tui-log-title = Audit log
# After the title; $whose is tui-log-all-keys or tui-log-one-key, $count one of tui-log-reading, -entries, -found.
tui-log-title-details = {" "}({ $offset }, newest first) · { $whose } · { $count }
tui-log-all-keys = all keys
tui-log-one-key = { $name } ({ $id })
tui-log-reading = reading…
tui-log-entries = { $count ->
        [one] 1 entry
       *[other] { $count } entries
    }
tui-log-found = { $count } found
# More may come: the search goes on.
tui-log-entries-so-far = { $count }+ entries
tui-log-found-so-far = { $count }+ found
tui-log-cannot-read = cannot read the audit log: { $error }
tui-log-no-entries = no entries
# The second line of an entry: who did it, from where, with what.
tui-log-by = by { $actor }
tui-log-sudo-from = sudo from { $user }
# Between the parts of the who line.
tui-log-actor-separator = {", "}
tui-log-searching = searching…
# $seq is an entry's number.
tui-log-searching-before = searching… (entries before #{ $seq })
tui-log-detail-expires = { $name }, expires { $at }
tui-log-detail-never-expires = { $name }, never expires
tui-log-detail-rotated = { $name }, old until { $at }
tui-log-detail-upgraded = database schema { $from } → { $to }
tui-log-detail-policy = { $name }, policy { $from } → { $to }
tui-log-detail-with-policy = { $detail }, policy { $policy }
tui-log-policy-none = none
# The action column (`log --json` keeps the English names).
tui-log-action-create = create
tui-log-action-rename = rename
tui-log-action-delete = delete
tui-log-action-disable = disable
tui-log-action-enable = enable
tui-log-action-rotate = rotate
tui-log-action-expire = expire
tui-log-action-policy = policy
tui-log-action-upgrade = upgrade

## The clean-up view
tui-cleanup-title = Clean up
# Before the choice of days: 30 [90] 180.
tui-cleanup-unused-for = unused for
# After the choice of days.
tui-cleanup-title-rest = days, or never used after { $days } days · { $count ->
        [one] 1 key
       *[other] { $count } keys
    }
tui-cleanup-none = no keys unused for { $days } days
tui-cleanup-last-used = Last used
tui-cleanup-created = Created
# The column is at least 8 wide, wider for a longer header.
tui-cleanup-uses = Uses 30d
# The view by spend (s): keys with tokens in 30 days, highest first.
tui-cleanup-by-spend = by spend, 30 d · { $count ->
    [one] 1 key
   *[other] { $count } keys
}
tui-cleanup-by-tokens = by tokens, 30 d (no prices set) · { $count ->
    [one] 1 key
   *[other] { $count } keys
}
tui-cleanup-no-tokens = no key used tokens in 30 days
tui-cleanup-tokens-in = In 30d
tui-cleanup-tokens-out = Out 30d
tui-cleanup-cost = Cost { $currency }
tui-cleanup-marked = { $count } of { $total } marked
tui-cleanup-ask-disable = Disable { $count ->
        [one] 1 key
       *[other] { $count } keys
    }? They stop verifying until enabled again. (y/n)
# $number is $count as the user must type it.
tui-cleanup-ask-delete = Delete { $count ->
        [one] 1 key
       *[other] { $count } keys
    } for good? Type { $number } and press Enter:

## The status line: what just happened, and what goes on in the background
# Right of the status line, never cut.
tui-status-clipboard-clears = clipboard clears in { $seconds } s
tui-status-working = working…
tui-status-unreachable = database unreachable · read-only
tui-status-read-only = the database is unreachable: the list is the last one read, read-only until it is back
tui-status-no-room-for-details = the terminal is too small for the details pane
tui-status-no-key-selected = no key selected — press { $key } to create one
# $column is the sort column's name, $order one of tui-sort-… or "A → Z".
tui-status-sorted = sorted by { $column }, { $order }
tui-sort-newest-first = newest first
tui-sort-oldest-first = oldest first
tui-sort-most-used-first = most used first
tui-sort-least-used-first = least used first
tui-sort-most-tokens-first = most tokens first
tui-sort-fewest-tokens-first = fewest tokens first
tui-status-none-marked = no keys marked: Space marks one, a marks all
# $number is $count as the user must type it.
tui-status-type-count = type { $number } ({ $count ->
        [one] 1 key
       *[other] the number of keys
    }) to delete them
# $key enables a key again.
tui-status-bulk-disabled = Disabled { $count ->
        [one] 1 key
       *[other] { $count } keys
    } ({ $key } on a key in the list enables it again)
tui-status-bulk-deleted = Deleted { $count ->
        [one] 1 key
       *[other] { $count } keys
    }
tui-status-bulk-disable-failed = could not disable the keys: { $error }
tui-status-bulk-delete-failed = could not delete the keys: { $error }
tui-status-change-in-flight = still saving the last change — try again in a moment
tui-note-offset-unknown = local UTC offset unknown: times are in UTC (--utc-offset ±HH:MM to choose)
# The screen is ASCII only (no UTF-8 locale, --ascii or unicode = false),
# so it cannot show Chinese and speaks English.
tui-note-chinese-needs-unicode = Chinese needs a UTF-8 terminal: set LANG=zh_CN.UTF-8 (or unicode = true in the config file)
tui-error-events-stopped = the event sources stopped

## One audit log entry shown whole (Enter on the log).
tui-hint-open = open
tui-help-open-entry = show the whole entry, every field
tui-help-close-entry = back to the log
tui-screen-log-entry = Audit log entry
tui-log-field-entry = Entry
tui-log-field-time = Time
tui-log-field-action = Action
tui-log-field-key = Key
tui-log-field-name = Name
tui-log-field-detail = Detail
tui-log-field-by = By
