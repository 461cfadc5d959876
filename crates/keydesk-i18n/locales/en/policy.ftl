# Key policies (issue #25): the rules' meanings, their errors, `keydesk limit`,
# the policy flags of `create` and `limit`, and the TUI's policy dialog.

## What each rule means, after its name ("rpm  60 requests per minute").
policy-rule-rps = { $count ->
        [one] 1 request per second
       *[other] { $count } requests per second
    }
policy-rule-rpm = { $count ->
        [one] 1 request per minute
       *[other] { $count } requests per minute
    }
policy-rule-rph = { $count ->
        [one] 1 request per hour
       *[other] { $count } requests per hour
    }
policy-rule-rpd = { $count ->
        [one] 1 request per day
       *[other] { $count } requests per day
    }
policy-rule-max-parallel = { $count ->
        [one] 1 request in flight at once
       *[other] { $count } requests in flight at once
    }
policy-none = no rules: the key may make any request a valid key may
policy-rule-tpm = { $count } tokens per minute (input and output)
policy-rule-token-budget = { $amount } tokens { $period ->
        [day] a day
        [week] a week
        [month] a month
       *[life] in the key's life
    }
policy-rule-spend-limit = { $amount } (the [prices] currency) { $period ->
        [day] a day
        [week] a week
        [month] a month
       *[life] in the key's life
    }

## A rule's value that cannot be read. $rule is the rule's name (rpm, paths, …).
error-policy-empty = { $rule }: an empty value
error-policy-not-a-number = { $rule }: { $part } is not a whole number
error-policy-zero = { $rule }: 0 would refuse every request (disable the key instead)
error-policy-too-large = { $rule }: { $part } is more than the maximum, { $max }
error-policy-method = { $rule }: { $part } is not an HTTP method
error-policy-glob = { $rule }: { $part } is not a valid pattern ({ $why })
error-policy-separator = { $rule }: { $part } contains a comma or a space
error-policy-cidr = { $rule }: { $part } is not an IP address or CIDR block
error-policy-unknown-rule = { $part } is not a rule
error-policy-repeated = { $rule } is given twice
error-policy-period = { $rule }: { $part } is not a period (day, week or month)
error-policy-amount = { $rule }: { $part } is not an amount (such as 20 or 0.50)
cli-limit-spend-needs-prices = cannot set spend-limit: no model has a price (add a [prices] table to the config file; `keydesk config path` shows where it is)

## keydesk limit
cli-limit-changed = Policy of { $name } ({ $id }) changed:
cli-limit-unchanged = The policy of { $name } ({ $id }) already was this: nothing changed.
cli-limit-rule-added = { $rule }: set to { $value }
cli-limit-rule-changed = { $rule }: { $from } → { $to }
cli-limit-rule-removed = { $rule }: removed (was { $from })
cli-limit-bad-value = cannot set the policy: { $error }

## verify --explain, after the verdict, for a key with rules.
cli-explain-rules = Rules a gateway (keydesk serve) applies to this key; verify itself neither enforces nor counts toward them:
cli-explain-rate = a gateway refuses requests over it (verify does not count requests, so it cannot say whether the key is under its { $rule } limit now)
cli-explain-rule = { $meaning }: { $consequence }
cli-explain-parallel = a gateway in proxy mode refuses requests beyond it
cli-explain-methods = a request with another method is refused
cli-explain-paths = a request for another path is refused
cli-explain-models = a request for another model, or whose model cannot be read, is refused
cli-explain-ips = a request from another address is refused
cli-explain-tpm = a gateway in proxy mode refuses requests while the tokens of the last 60 seconds reach it (429 rate_limit_exceeded)
cli-explain-budget = a gateway refuses requests once the period's tokens or spend reach it, until the period resets (429 insufficient_quota)

## Help of the policy flags (create and limit) and of `keydesk limit`.
help-cmd-limit = Show or change a key's policy: the rates, concurrency, methods, paths, models and addresses a gateway allows it
    .long = Show or change a key's policy: the rates, concurrency, methods, paths, models and addresses `keydesk serve` allows it. Without options, prints the policy. Options set rules and keep the others; --clear removes rules (it is applied first, so `--clear all --rpm 60` leaves only rpm). Prints the new policy on stdout and what changed on stderr
help-arg-limit-clear = Remove this rule (rps, rpm, rph, rpd, tpm, max-parallel, token-budget, spend-limit, methods, paths, models, ips), or all of them with `all`. Repeatable
help-arg-limit-json = Print the policy as JSON: {"{"}"id", "policy": {"{"}rule: value{"}"}, "text"{"}"}
help-arg-policy-rps = Accept at most N requests in any one-second window
help-arg-policy-rpm = Accept at most N requests in any 60-second window (sliding, not per calendar minute)
help-arg-policy-rph = Accept at most N requests in any one-hour window
help-arg-policy-rpd = Accept at most N requests in any 24-hour window
help-arg-policy-max-parallel = Allow at most N requests in flight at once (proxy mode only: forward-auth cannot see a request end)
help-arg-policy-tpm = Refuse requests while the key's tokens (input and output) in the last 60 seconds reach N (proxy mode counts them)
help-arg-policy-token-budget = Tokens per calendar period: N/day, N/week, N/month (reset at midnight, Monday, the 1st in the shown UTC offset), or N for the key's life
help-arg-policy-spend-limit = Spend per calendar period from the tokens and the config file's [prices]: AMOUNT/day, AMOUNT/week, AMOUNT/month, or AMOUNT for the key's life
help-arg-policy-allow-methods = Allow only these HTTP methods (comma-separated, e.g. GET,POST)
help-arg-policy-allow-paths = Allow only these request paths (comma-separated globs: * any run of characters, ? one character)
help-arg-policy-models = Allow only these models (comma-separated globs, e.g. 'gpt-4o-mini,llama3*')
help-arg-policy-allow-ips = Allow only clients at these addresses (comma-separated addresses or CIDR blocks, e.g. 10.0.0.0/8,2001:db8::/32)

## The key list: `keydesk list`'s column of rule names.
tui-column-rules = Rules

## The TUI: keys, help and the policy dialog.
tui-screen-policy = Key policy
tui-hint-policy = rules
tui-help-policy-selected = view and edit the selected key's rules (rates, methods, paths, models, addresses)
tui-help-edit-policy = view and edit the key's rules
tui-help-next-rule = next rule (then the buttons)
tui-help-previous-rule = previous rule
tui-help-save-policy = save the rules (Enter on Cancel closes)
dialog-actions-policy = Rules (Limits)
dialog-expired-cannot-set-policy = { $name } has expired: its rules no longer matter (it never verifies again)
dialog-policy-title = Rules of { $name }
dialog-policy-key = ID
dialog-policy-save = Save
dialog-policy-no-rule = none
dialog-policy-explain = An empty field is no rule. Running gateways apply the rules within a second
dialog-policy-fix = Fix this rule first: { $error }
dialog-policy-unchanged = The rules of { $name } are unchanged
dialog-policy-saved = { $count ->
        [one] { $name } now has 1 rule
       *[other] { $name } now has { $count } rules
    }
dialog-policy-saved-none = { $name } now has no rules
dialog-could-not-set-policy = Could not save the rules: { $message }
dialog-policy-hint-rps = requests accepted in any 1 second, e.g. 10; empty: no limit
dialog-policy-hint-rpm = requests accepted in any 60 seconds (sliding), e.g. 60; empty: no limit
dialog-policy-hint-rph = requests accepted in any hour, e.g. 1000; empty: no limit
dialog-policy-hint-rpd = requests accepted in any 24 hours, e.g. 10000; empty: no limit
dialog-policy-hint-max-parallel = requests in flight at once (proxy mode only); empty: no limit
dialog-policy-hint-tpm = input and output tokens in any 60 seconds, e.g. 20000; empty: no limit
dialog-policy-hint-token-budget = tokens per day, week or month, e.g. 5000000/month; a bare number: for the key's life
dialog-policy-hint-spend-limit = spend from [prices], e.g. 20/month or 0.50/day; empty: no limit
dialog-policy-hint-methods = HTTP methods, comma-separated, e.g. GET,POST; empty: any
dialog-policy-hint-paths = path patterns, comma-separated, e.g. /v1/chat/*,/v1/models; empty: any
dialog-policy-hint-models = model patterns, comma-separated, e.g. gpt-4o-mini,llama3*; empty: any
dialog-policy-hint-ips = addresses or CIDR blocks, comma-separated, e.g. 10.0.0.0/8; empty: any
tui-legend-rules = { $count ->
        [one] 1 key with rules
       *[other] { $count } with rules
    }
tui-legend-rules-brief = rules
tui-details-rules = Rules
tui-details-refused-rate = rate
tui-details-refused-concurrency = in flight
tui-details-refused-method = method
tui-details-refused-path = path
tui-details-refused-model = model
tui-details-refused-address = address
