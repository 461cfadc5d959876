# 各部分共用的消息，以及 i18n 测试所用的消息。

# 仅供 i18n 模块自身的测试和文档示例使用。
i18n-test-plain = keydesk
i18n-test-args = { $name } 有 { $count } 个密钥
