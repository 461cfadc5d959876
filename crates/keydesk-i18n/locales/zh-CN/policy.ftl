# 密钥策略（issue #25）：规则的含义、错误、`keydesk limit`、`create` 与 `limit`
# 的策略选项，以及 TUI 的策略对话框。

## 规则名称之后的含义（"rpm  每分钟 60 次请求"）。
policy-rule-rps = 每秒 { $count } 次请求
policy-rule-rpm = 每分钟 { $count } 次请求
policy-rule-rph = 每小时 { $count } 次请求
policy-rule-rpd = 每天 { $count } 次请求
policy-rule-max-parallel = 同时最多 { $count } 个请求
policy-rule-tpm = 每分钟 { $count } 个 token（输入与输出）
policy-rule-token-budget = { $period ->
        [day] 每天
        [week] 每周
        [month] 每月
       *[life] 密钥有效期内共
    } { $amount } 个 token
policy-rule-spend-limit = { $period ->
        [day] 每天
        [week] 每周
        [month] 每月
       *[life] 密钥有效期内共
    } { $amount }（[prices] 的货币）
policy-none = 没有规则：有效密钥能发的请求它都能发

## 读不懂的规则值。$rule 是规则名（rpm、paths 等）。
error-policy-empty = { $rule }：值或列表项为空
error-policy-not-a-number = { $rule }：{ $part } 不是整数
error-policy-zero = { $rule }：0 会拒绝所有请求（请改为停用密钥）
error-policy-too-large = { $rule }：{ $part } 超过上限 { $max }
error-policy-method = { $rule }：{ $part } 不是 HTTP 方法
error-policy-glob = { $rule }：{ $part } 不是有效的模式（{ $why }）
error-policy-separator = { $rule }：{ $part } 含有逗号或空格
error-policy-cidr = { $rule }：{ $part } 不是 IP 地址或 CIDR 网段
error-policy-unknown-rule = { $part } 不是规则
error-policy-repeated = { $rule } 出现了两次
error-policy-period = { $rule }：{ $part } 不是周期（day、week 或 month）
error-policy-amount = { $rule }：{ $part } 不是金额（如 20 或 0.50）
cli-limit-spend-needs-prices = 无法设置 spend-limit：没有任何模型有价格（在配置文件中添加 [prices] 表；`keydesk config path` 显示其位置）

## keydesk limit
cli-limit-changed = { $name }（{ $id }）的策略已更改：
cli-limit-unchanged = { $name }（{ $id }）的策略本来就是这样：没有更改。
cli-limit-rule-added = { $rule }：设为 { $value }
cli-limit-rule-changed = { $rule }：{ $from } → { $to }
cli-limit-rule-removed = { $rule }：已删除（原为 { $from }）
cli-limit-bad-value = 无法设置策略：{ $error }

## verify --explain：对有规则的密钥，在结论之后。
cli-explain-rules = 网关（keydesk serve）对此密钥执行的规则；verify 本身既不执行也不计入这些规则：
cli-explain-rate = 超出时网关拒绝请求（verify 不计数，所以无法判断密钥现在是否低于其 { $rule } 限制）
cli-explain-rule = { $meaning }：{ $consequence }
cli-explain-parallel = 代理模式的网关拒绝超出的请求
cli-explain-tpm = 最近 60 秒的 token 达到此值时，代理模式的网关拒绝请求（429 rate_limit_exceeded）
cli-explain-budget = 本周期的 token 或花费达到此值后，网关拒绝请求，直到周期重置（429 insufficient_quota）
cli-explain-methods = 其他方法的请求会被拒绝
cli-explain-paths = 其他路径的请求会被拒绝
cli-explain-models = 其他模型的请求，或读不出模型的请求，会被拒绝
cli-explain-ips = 来自其他地址的请求会被拒绝

## 策略选项（create 与 limit）和 `keydesk limit` 的帮助。
help-cmd-limit = 查看或更改密钥的策略：网关允许它的速率、并发、方法、路径、模型和地址
    .long = 查看或更改密钥的策略：`keydesk serve` 允许它的速率、并发、方法、路径、模型和地址。不带选项时打印策略。选项设置规则并保留其他规则；--clear 删除规则（先执行，所以 `--clear all --rpm 60` 只留下 rpm）。新策略打印到 stdout，更改打印到 stderr
help-arg-limit-clear = 删除此规则（rps、rpm、rph、rpd、tpm、max-parallel、token-budget、spend-limit、methods、paths、models、ips），用 `all` 删除全部。可重复
help-arg-limit-json = 以 JSON 打印策略：{"{"}"id", "policy": {"{"}规则: 值{"}"}, "text"{"}"}
help-arg-policy-rps = 任意一秒内最多接受 N 个请求
help-arg-policy-rpm = 任意 60 秒内最多接受 N 个请求（滑动窗口，不按日历分钟）
help-arg-policy-rph = 任意一小时内最多接受 N 个请求
help-arg-policy-rpd = 任意 24 小时内最多接受 N 个请求
help-arg-policy-max-parallel = 同时最多允许 N 个进行中的请求（仅代理模式：forward-auth 看不到请求何时结束）
help-arg-policy-tpm = 密钥最近 60 秒的 token（输入与输出）达到 N 时拒绝请求（由代理模式计数）
help-arg-policy-token-budget = 每个日历周期的 token：N/day、N/week、N/month（按显示的 UTC 偏移在午夜、周一、每月 1 日重置），或 N 表示密钥整个有效期
help-arg-policy-spend-limit = 按 token 与配置文件的 [prices] 计算的每周期花费：AMOUNT/day、AMOUNT/week、AMOUNT/month，或 AMOUNT 表示密钥整个有效期
help-arg-policy-allow-methods = 只允许这些 HTTP 方法（逗号分隔，如 GET,POST）
help-arg-policy-allow-paths = 只允许这些请求路径（逗号分隔的通配模式：* 任意字符串，? 一个字符）
help-arg-policy-models = 只允许这些模型（逗号分隔的通配模式，如 'gpt-4o-mini,llama3*'）
help-arg-policy-allow-ips = 只允许来自这些地址的客户端（逗号分隔的地址或 CIDR 网段，如 10.0.0.0/8,2001:db8::/32）

## 密钥列表：`keydesk list` 的规则名列。
tui-column-rules = 规则

## TUI：按键、帮助和策略对话框。
tui-screen-policy = 密钥策略
tui-hint-policy = 规则
tui-help-policy-selected = 查看并编辑所选密钥的规则（速率、方法、路径、模型、地址）
tui-help-edit-policy = 查看并编辑密钥的规则
tui-help-next-rule = 下一条规则（然后是按钮）
tui-help-previous-rule = 上一条规则
tui-help-save-policy = 保存规则（焦点在“取消”上时关闭）
dialog-actions-policy = 规则（限制）
dialog-expired-cannot-set-policy = { $name } 已过期：它的规则已无意义（它再也不会通过验证）
dialog-policy-title = { $name } 的规则
dialog-policy-key = ID
dialog-policy-save = 保存
dialog-policy-no-rule = 无
dialog-policy-explain = 留空即没有此规则。运行中的网关在一秒内应用规则
dialog-policy-fix = 请先修正此规则：{ $error }
dialog-policy-unchanged = { $name } 的规则没有变化
dialog-policy-saved = { $name } 现在有 { $count } 条规则
dialog-policy-saved-none = { $name } 现在没有规则
dialog-could-not-set-policy = 无法保存规则：{ $message }
dialog-policy-hint-rps = 任意 1 秒内接受的请求数，如 10；留空：不限
dialog-policy-hint-rpm = 任意 60 秒内（滑动）接受的请求数，如 60；留空：不限
dialog-policy-hint-rph = 任意一小时内接受的请求数，如 1000；留空：不限
dialog-policy-hint-rpd = 任意 24 小时内接受的请求数，如 10000；留空：不限
dialog-policy-hint-max-parallel = 同时进行的请求数（仅代理模式）；留空：不限
dialog-policy-hint-tpm = 任意 60 秒内的输入与输出 token，如 20000；留空：不限
dialog-policy-hint-token-budget = 每天、每周或每月的 token，如 5000000/month；只写数字：密钥整个有效期
dialog-policy-hint-spend-limit = 按 [prices] 计算的花费，如 20/month 或 0.50/day；留空：不限
dialog-policy-hint-methods = HTTP 方法，逗号分隔，如 GET,POST；留空：任意
dialog-policy-hint-paths = 路径模式，逗号分隔，如 /v1/chat/*,/v1/models；留空：任意
dialog-policy-hint-models = 模型模式，逗号分隔，如 gpt-4o-mini,llama3*；留空：任意
dialog-policy-hint-ips = 地址或 CIDR 网段，逗号分隔，如 10.0.0.0/8；留空：任意
tui-legend-rules = { $count } 个有规则
tui-legend-rules-brief = 有规则
tui-details-rules = 规则
tui-details-refused-rate = 速率
tui-details-refused-concurrency = 并发
tui-details-refused-method = 方法
tui-details-refused-path = 路径
tui-details-refused-model = 模型
tui-details-refused-address = 地址
