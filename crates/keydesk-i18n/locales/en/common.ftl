# Messages every part of keydesk shares, and the ones the i18n tests use.
# A message's id says where it is used: tui-…, dialog-…, cli-…, error-….

# Used only by the i18n module's own tests and doc example.
i18n-test-plain = keydesk
i18n-test-args = { $name } has { $count ->
        [one] one key
       *[other] { $count } keys
    }
