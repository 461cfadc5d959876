# 命令行：各子命令给人看的输出（cli-…）、配置文件的消息和 `config show`
# （config-…）、`--help`（help-…）。
# 机器输出（--json、`verify` 输出的 ID 或 `invalid`、退出码）不在这里：
# 它们在任何语言下都一样。
#
# 帮助文字每段一行：clap 会原样输出换行。

## --help：程序本身、各子命令（help-cmd-…，`--help` 比 `-h` 多说的内容在
## `.long`）和各参数（help-arg-…）。

help-keydesk = 管理 AI 服务的 API 密钥：全屏 TUI，以及供脚本使用的 CLI
    .long =
        管理 AI 服务的 API 密钥。

        不带子命令运行时打开全屏 TUI。子命令供脚本和服务使用；TUI 打开时也可以放心运行。
help-exit-codes =
    退出码：
      0  成功
      1  密钥无效（verify：也包括已停用、已过期，或轮换后超过宽限期的旧密钥）、
         没有该 ID 的密钥，或密钥当前状态不允许该操作（启用、轮换已过期的密钥
         或修改其有效期）；未写入任何内容；doctor：有需要处理的问题（警告或错误）
      2  用法错误：参数有误、名称无效、缺少 --accept-terms/--yes、没有终端也
         没有 --allow-duplicate-name 时名称重复、时长或日期为零、格式错误、
         过长或已过去（--expires-in、--grace 等）
      3  数据库忙、无法读取、已损坏、不安全或不是 keydesk 数据库
      4  在确认提示处取消
      5  无法写出输出；此时 `create` 会再次删除新密钥（若删除也失败，stderr 会
         给出该密钥：请删除它，其完整密钥已丢失）；`rotate` 之后密钥仍保持轮换，
         旧密钥仍在宽限期内有效
      6  serve：无法在该地址上监听（已被占用或无权限）
      7  log --check：在能检查的范围内哈希链完整，但未能检查已封存条目的封存：
         没有审计密钥文件

# clap 自带的部分，在英语以外的语言中使用（英语保留 clap 原文）。
help-heading-usage = 用法：
help-heading-commands = 命令
help-heading-arguments = 参数
help-heading-options = 选项
help-builtin-help = 打印帮助
help-builtin-help-more = 打印帮助（--help 查看更多）
help-builtin-help-summary = 打印帮助（-h 查看摘要）
help-builtin-version = 打印版本
help-builtin-help-command = 打印本帮助，或指定子命令的帮助
help-builtin-help-command-arg = 打印指定子命令的帮助
help-tag-env = [环境变量：{ $name }]
help-tag-default = [默认：{ $value }]
help-tag-possible-values = [可选值：{ $values }]
help-tag-list-separator = 、
help-tag-possible-values-heading = 可选值：

help-arg-db = 数据库文件，或 PostgreSQL URL postgres://user@host/db（密码取自 PGPASSWORD、~/.pgpass 或 --db-password-file，绝不放在命令行上）[默认：用户数据目录，如 ~/.local/share/keydesk/keydesk.redb]
help-arg-db-password-file = 存放 PostgreSQL 密码的文件，用于 postgres:// 形式的 --db（取第一行）
help-arg-utc-offset = 以此 UTC 偏移显示时间：±HH:MM 或 ±H:MM，分钟可省略（+08:00、+8、-5:30、UTC+8、Z），范围 -12:00 到 +14:00 [默认：系统本地偏移]
help-arg-busy-timeout = 其他进程占用数据库时，持续重试这么久后才报告数据库忙：0s 到 10m 之间的时长，如 2s 或 500ms
help-arg-config = 配置文件 [默认：平台的配置目录，如 ~/.config/keydesk/config.toml；默认文件不存在没关系，指定的文件不存在则报错]
help-arg-lang = 界面和消息的语言：en 或 zh-CN（简体中文）[默认：取自 LC_ALL、LC_MESSAGES 或 LANG，zh_CN.UTF-8 表示中文；否则为英语]
help-arg-clipboard = 复制内容如何到达剪贴板：`auto` 在本地桌面使用系统剪贴板，通过 SSH 或没有显示器时使用终端（OSC 52）
help-clipboard-auto = 本地桌面用系统剪贴板，通过 SSH 或没有显示器时用 OSC 52
help-clipboard-system = 始终使用系统剪贴板（通过 SSH 且没有显示器时会失败）
help-clipboard-osc52 = 始终通过终端使用 OSC 52
help-clipboard-off = 从不复制；改为在屏幕上选中文字
help-arg-clear-clipboard-after = 复制的密钥若仍在剪贴板中，在这么久之后清除：1s 到 24h 之间的时长，如 30s；`off` 表示从不清除
help-arg-no-mouse = 把鼠标留给终端（随处可用终端自己的文字选择），而不在 keydesk 中使用点击和滚轮
help-arg-ascii = 只用 ASCII 字符绘制界面（边框用 + - |，不用箭头和圆点），用于无法显示 UTF-8 的终端；此时界面为英文 [默认：取配置文件的 unicode，否则除非 LC_ALL、LC_CTYPE 或 LANG 指定 UTF-8 区域设置，一律用 ASCII]

help-arg-key-id = 密钥的 ID（ak-…）
help-arg-name = 2–64 个字符：汉字、字母、数字、_ 或 -
help-arg-allow-duplicate-name = 即使已有其他密钥使用该名称，也不询问直接使用
help-arg-yes = 不询问确认（stdin 不是终端时必须使用）

help-cmd-verify = 检查从标准输入读取的密钥（绝不从参数读取：参数在 `ps` 中可见）
    .long =
        检查从标准输入读取的密钥（绝不从参数读取：参数在 `ps` 中可见）。

        密钥有效时打印其 ID 并以 0 退出；否则打印 `invalid` 并以 1 退出（格式错误、未知、已删除、已停用和已过期的密钥，以及超过宽限期的轮换旧密钥，回答都相同）。记录最近使用时间（每个密钥每分钟最多一次），并把这次检查计入该密钥的用量（每次检查已知密钥写一次数据库）。
help-arg-verify-quiet = 不打印任何内容；退出码即答案
help-arg-verify-explain = 说明密钥为何无效（未知、已停用、已于 … 过期、宽限期已于 … 结束的旧密钥），对有效密钥则列出网关对它执行的规则。供持有该密钥的运维人员使用；不要给服务的调用方看

help-cmd-list = 列出密钥：名称、ID、密钥（掩码）、创建时间、最近使用、状态
help-arg-list-json = 输出稳定的 JSON 数组（RFC 3339 UTC 时间；从未使用、无有效期、未轮换时为 `null`；`policy` 是规则 → 值的对象，没有规则时为 `{"{"}{"}"}`），而不是表格
help-arg-list-status = 只显示当前处于此状态的密钥
help-arg-list-expiring-within = 只显示尚未过期、但会在此时长内过期的密钥（如 7d），供在密钥过期前发出提醒的任务使用

help-cmd-create = 创建密钥。标准输出只打印完整密钥，因此 `KEY=$(keydesk create …)` 可以直接使用
    .long =
        创建密钥。标准输出只打印完整密钥，因此 `KEY=$(keydesk create …)` 可以直接使用。

        ID 和掩码后的密钥输出到 stderr。完整密钥只显示这一次，之后不会再显示。
help-arg-create-accept-terms = 确认你已阅读协议（`keydesk agreement`）并了解相关风险
help-arg-create-expires-in = 密钥在此时长后失效：一个整数加 s、m、h 或 d（如 30d）。默认：永不过期
help-arg-create-expires-at = 密钥在此时刻失效（RFC 3339，如 2026-12-31T23:59:59Z）

help-cmd-log = 审计日志：谁在何时、从何处修改了哪个密钥，最新的在前
    .long =
        审计日志：谁在何时、从何处修改了哪个密钥，最新的在前。

        每次修改（创建、编辑名称、删除、停用、启用、轮换、有效期、数据库结构升级）都会连同修改内容一起记录，并用审计密钥封存（HMAC-SHA-256；即 `keydesk config show` 中 `audit_key_file` 指向的文件，首次使用时创建）。`--check` 沿哈希链检查，指出第一条被修改、删除或插入的条目（退出码 1），或说明日志完整（退出码 0），或说明没有密钥文件而无法检查封存（退出码 7）。`--head` 以 SEQ:DIGEST 形式输出最新条目；保存它，之后用 `--check --expect SEQ:DIGEST` 可证明该条目及其之前的一切都未改变，末尾被截掉的条目也会因此暴露。
help-arg-log-key = 只显示关于此密钥的条目（其 ID，ak-…）；密钥删除后仍保留
help-arg-log-since = 只显示从这么久以前到现在的条目（如 7d、24h）
help-arg-log-json = 输出稳定的 JSON 数组（RFC 3339 UTC 时间），而不是逐行文字
help-arg-log-check = 检查哈希链，而不是打印日志
help-arg-log-expect = 与 --check 一起使用：条目 SEQ（即 --head 输出的）必须仍然存在且未被改变
help-arg-log-head = 以 SEQ:DIGEST 形式输出最新条目，留待以后 --check --expect 使用

help-cmd-usage = 各密钥每个 UTC 日的调用次数，按结果分：通过，或因已停用、已过期、轮换旧密钥超过宽限期而拒绝
    .long =
        各密钥每个 UTC 日的调用次数，按结果分：通过，或因已停用、已过期、轮换旧密钥超过宽限期而拒绝。

        指定 ID 时：显示范围内的每一天及合计；不指定时：每个密钥一行，显示其合计。由 `verify`、`Verifier` 和 `serve` 计数（每 30 秒批量写入）。
help-arg-usage-id = 只看此密钥（其 ID，ak-…）
help-arg-usage-days = 往回看多少天，含今天（UTC）：1 到 400（即保留的天数）
help-arg-usage-by = `model`：每个密钥的每个模型一行，列出输入、输出词元及其费用（按配置文件中的 [prices] 计）
help-arg-usage-json = 输出稳定的 JSON 数组 {"{"}id, name, total, input_tokens, output_tokens, cost, currency, …, days: [{"{"}date, …counts{"}"}]{"}"}（只含有计数或词元的日子；没有 [prices] 时 cost 为 null），而不是表格

help-cmd-cleanup = 找出一段时间未使用的密钥（从未使用的密钥从创建时算起）；列出它们，或在一个事务中全部停用或删除，每个密钥一条审计记录
    .long =
        找出一段时间未使用的密钥（从未使用的密钥从创建时算起）；列出它们，或在一个事务中全部停用或删除，每个密钥一条审计记录。

        在终端上不带 --yes 时会先询问；没有终端时，除非带 --yes，否则拒绝执行。
help-arg-cleanup-unused-for = 至少这么久未使用（如 90d）
help-arg-cleanup-disable = 停用找到的密钥（可撤销：`enable` 可恢复）。已停用或已过期的密钥不包括在内
help-arg-cleanup-delete = 删除找到的密钥
help-arg-cleanup-dry-run = 只说明将做什么，不做任何修改
help-arg-cleanup-json = 输出稳定的 JSON 对象 {"{"}unused_for_days, action, dry_run, keys: [{"{"}id, name, created_at, last_used{"}"}]{"}"}，而不是表格

help-cmd-disable = 停用密钥，可撤销（`enable` 可恢复）。作为第一步比删除更稳妥
help-cmd-enable = 重新启用已停用的密钥。已过期的密钥不能启用

help-cmd-rotate = 为密钥生成新的完整密钥（ID、名称和有效期不变）。标准输出只打印新密钥
    .long =
        为密钥生成新的完整密钥（ID、名称和有效期不变）。标准输出只打印新密钥。

        旧密钥在宽限期内仍然有效，之后失效。在宽限期内再次轮换会立即结束之前的宽限期。此操作无法撤销。
help-arg-rotate-grace = 旧密钥还能继续通过验证多久：一个整数加 s、m、h 或 d（如 24h），或 `now` 表示立即失效

help-cmd-expire = 设置或取消密钥的有效期。已过期的密钥会一直保持过期：请删除它或创建新密钥
help-arg-expire-in = 从现在起经过此时长后过期（如 30d）
help-arg-expire-at = 在此时刻过期（RFC 3339，如 2026-12-31T23:59:59Z）
help-arg-expire-never = 永不过期

help-cmd-rename = 编辑密钥名称
help-cmd-delete = 删除密钥。使用它的应用将无法再调用服务
help-cmd-agreement = 打印 `create --accept-terms` 所指的 API 密钥协议
help-cmd-config = 配置文件：在哪里查找，以及 keydesk 运行时使用的设置
help-cmd-config-path = 打印 keydesk 读取的配置文件路径（无论文件是否存在）
help-cmd-config-show = 打印每项设置、其生效的值及其来源（命令行、环境变量、配置文件及行号，或默认）

help-cmd-serve = 通过 HTTP 检查密钥：为网关提供转发认证端点，或（带 --upstream 时）作为代理
    .long =
        通过 HTTP 检查密钥：为网关提供转发认证端点，或（带 --upstream 时）作为代理。

        `ANY /verify` 对有效密钥回答 200 并带上 X-Keydesk-Key-Id，否则回答 401；网关（nginx auth_request、Caddy forward_auth、Traefik forwardAuth、Envoy ext_authz）在转发前询问它。带 --upstream URL 时，每个请求都先检查，再去掉密钥后转发。收到 SIGTERM/SIGINT 时，处理完进行中的请求并写入最近使用时间后停止。
help-arg-serve-listen = 监听地址：HOST:PORT，或 unix:/path/to/socket
help-arg-serve-upstream = 代理模式：检查每个请求的密钥，再转发到这个 http:// URL（如 Ollama 的 http://127.0.0.1:11434）。不带此项时只提供 /verify
help-arg-serve-upstream-auth-file = 存放上游服务自己的 API 密钥的文件，以 `Authorization: Bearer …` 发给上游（如以 --api-key 启动的 vLLM）
help-arg-serve-allow-query-key = 也从查询参数 `key` 读取密钥（请求本身的，或不带 --upstream 时 X-Original-URI / X-Forwarded-Uri 的）。默认关闭：查询字符串会进入访问日志
help-arg-serve-insecure-http = 允许在回环以外的地址上使用明文 HTTP。密钥会以明文在网络上传输
help-arg-serve-tls-cert = 使用此 PEM 证书链提供 HTTPS（与 --tls-key 一起使用；仅限 TCP）。收到 SIGHUP 时重新读取两个文件；新的一对有问题时保留旧的
help-arg-serve-tls-key = --tls-cert 的 PEM 私钥（PKCS#8、PKCS#1 或 SEC1）
help-arg-serve-header-timeout = 请求头超过此时长仍未收完就关闭连接（慢速或空闲的客户端）
help-arg-serve-upstream-connect-timeout = 连接上游超过此时长就放弃（回答 502）
help-arg-serve-upstream-timeout = 等待上游响应头超过此时长就放弃（回答 504）。已经开始流式传输的响应绝不会被切断
help-arg-serve-shutdown-timeout = 收到 SIGTERM/SIGINT 时，最多等待进行中的请求这么久再退出
help-arg-serve-max-index-age = 密钥索引超过此时长未确认为最新时（例如数据库无法读取），回答 503（/readyz 也报告未就绪）：宁可拒绝，也不依据旧密钥放行
help-arg-serve-fail-static = 静态降级：数据库无法读取期间，无论索引多旧都继续依据最后的索引回答（/readyz 回答 503 "degraded"）；适用于共用一个 PostgreSQL、必须挺过数据库故障的服务集群。最近使用时间暂存在内存中，每个密钥一条，数据库恢复后写入
help-arg-serve-max-connections = 同时最多这么多个客户端连接；更多的连接排队等待接受
help-arg-serve-threads = 工作线程数（默认：每个 CPU 核心一个）
help-arg-serve-log-format = serve 向 stderr 输出消息的格式：text（供人阅读）或 json（每行一个对象，供日志收集器使用）
help-arg-serve-trusted-proxies = 来自这些网络的连接可以用 X-Forwarded-For（对 /verify 还有 X-Real-IP）指明客户端地址，用于有地址规则的密钥。默认：/verify 为回环地址，代理模式下为无
help-arg-serve-max-model-body = 代理模式下，为有模型规则的密钥查找模型时，最多读取请求体的这么多字节；更大的请求体回答 413
help-arg-serve-count-tokens = 代理模式下，从转发的回答中读出令牌用量（OpenAI、Anthropic、Ollama、Gemini），不延迟回答；off 则不读取，原样转发
help-arg-serve-stream-usage = inject：对未要求用量的 OpenAI 流式请求加上 stream_options.include_usage，并从客户端收到的流中去掉因此多出的用量块；off：这类流按令牌数未知的请求计数
help-arg-serve-access-log = 每个请求写一行 JSON 到此文件（以 0600 权限创建，追加写入，收到 SIGHUP 时重新打开，便于 logrotate），或用 - 写到标准输出。默认关闭。日志行只记录密钥 ID，从不记录密钥本身；从不写入查询字符串和请求头的值

help-cmd-migrate = 把数据库文件中的密钥（哈希值，从不含完整密钥；包括生命周期和最近使用时间）及其审计日志复制到 PostgreSQL，然后核对两边的数量。可以重复运行：已存在的密钥保持不变，已复制过的审计日志会被识别出来
help-arg-migrate-from = 要复制的数据库文件（只读取；如需要会先升级数据库结构）
help-arg-migrate-to = 复制到的 PostgreSQL 数据库：postgres://user@host/db（密码取自 PGPASSWORD、~/.pgpass 或 --db-password-file）

help-cmd-gateway = 打印 nginx、Caddy、Traefik 或 Envoy 的配置：每个请求先询问 keydesk（不带 --upstream 的 `serve`），再转给模型服务
    .long =
        打印 nginx、Caddy、Traefik 或 Envoy 的配置：每个请求先询问 keydesk（不带 --upstream 的 `serve`），再转给模型服务。

        nginx：若干 `upstream` 块和一个用于 `http` 上下文的 `server` 块；Caddy：一个站点块；Traefik：供其文件提供者使用的动态配置；Envoy：一个完整的配置文件。每份配置都把请求的方法、URI 和客户端地址发给 keydesk，把拒绝转告客户端（nginx 通过配置中的映射把超限拒绝变成带 Retry-After 的 429），把密钥的 ID 和名称告诉模型服务，并在转发前去掉密钥。除标准输出外不读写任何东西。
help-arg-gateway-gateway = 为哪种网关生成配置
help-arg-gateway-keydesk = `keydesk serve`（不带 --upstream）的监听地址：http://HOST:PORT 或 https://HOST:PORT
help-arg-gateway-upstream = 允许的请求转发到的模型服务：http://HOST:PORT 或 https://HOST:PORT。不给时使用 Ollama 的 http://127.0.0.1:11434，配置中会注明
help-arg-gateway-listen = 网关的监听地址：HOST:PORT、[IPV6]:PORT，或 :PORT 表示所有网络接口
help-cmd-backup = 在 keydesk 运行时把数据库文件复制到 PATH（同一个一致状态），检查副本，并打印其中的内容
    .long =
        在 keydesk 运行时把数据库文件复制到 PATH（同一个一致状态），检查副本，并打印其中的内容。

        复制在共享锁和一个读事务下进行：其他 keydesk 进程会等待它完成（在 --busy-timeout 之内），而不会在此期间修改文件。副本先以临时名称写在 PATH 旁边，权限 600，fsync 后打开并检查（redb 完整性检查、每个密钥、审计链），然后才重命名为 PATH。只有加 --force 才会替换已存在的 PATH。PostgreSQL 数据库请用 pg_dump（见指南）。
help-cmd-restore = 检查由 `keydesk backup` 制作的备份后，把它恢复为数据库
    .long =
        检查由 `keydesk backup` 制作的备份后，把它恢复为数据库。

        备份先被复制到数据库旁边并检查副本（schema，旧版本会被升级；redb 完整性检查；每个密钥；审计链，有审计密钥时一并校验封存），然后才会动数据库；审计链断裂的备份会被拒绝。已有的数据库只有加 --force 才会被替换，并保留为 <db>.before-restore。PostgreSQL 数据库请用 pg_restore（见指南）。
help-arg-backup-path = 备份写到哪里（一个文件；其目录必须已存在）
help-arg-backup-force = 替换 PATH 处已有的文件
help-arg-restore-path = 要恢复的备份（只读取，不修改）
help-arg-restore-force = 替换已有的数据库，并把它保留为 <db>.before-restore

help-cmd-completions = 打印某个 shell（bash、zsh、fish、elvish 或 powershell）的补全脚本
    .long =
        打印某个 shell（bash、zsh、fish、elvish 或 powershell）的补全脚本。脚本由 keydesk 解析的同一套命令行生成，因此总与当前版本一致。

        bash：在 ~/.bashrc 中写入 `source <(keydesk completions bash)`，或保存为 /usr/share/bash-completion/completions/keydesk。zsh：保存为 $fpath 中某个目录下的 `_keydesk`。fish：保存为 ~/.config/fish/completions/keydesk.fish。说明文字使用 keydesk 运行时的语言（--lang）。
help-arg-completions-shell = 为哪种 shell 生成脚本
help-cmd-man = 以 roff 格式打印 keydesk 或某个子命令的手册页，供 man(1) 显示
    .long =
        以 roff 格式打印 keydesk 或某个子命令的手册页（`keydesk man create` 即 keydesk-create(1)，`keydesk man config path` 即 keydesk-config-path(1)），供 man(1) 显示：`keydesk man create | man -l -`。

        带 --out-dir 时改为把所有手册页写入该目录（keydesk.1、keydesk-create.1 等），例如 /usr/local/share/man/man1，并打印每个文件的路径。手册页使用 keydesk 运行时的语言（--lang）。
help-arg-man-page = 要打印其手册页的子命令，例如 create 或 config path [默认：keydesk(1) 本身]
help-arg-man-out-dir = 把所有手册页写入此目录（不存在则创建），而不是打印一页

## 命令行上的值，在命令运行之前检查。

cli-lang-invalid = 请使用 en 或 zh-CN
cli-busy-timeout-invalid = 请使用 0s 到 10m 之间的时长，如 2s 或 500ms：{ $forms }
cli-db-env-empty = { $var } 已设置但为空：请设为一个数据库文件，或取消设置以使用默认数据库
cli-db-path-empty = 数据库路径为空
cli-audit-key-malformed = 它不是审计密钥（64 位十六进制数字）
cli-audit-key-unusable = 无法使用审计密钥文件 { $path }：{ $reason }
cli-audit-key-cannot-create = 无法创建审计密钥文件 { $path }：{ $error }（可在配置文件中用 `audit_key_file` 指定其他文件）
config-path-empty = 路径为空
cli-clear-after-invalid = 请使用 1s 到 24h 之间的时长，或用 off 表示从不清除：{ $forms }
cli-name-missing-value = --name 缺少值：'{ $option }' 是一个选项，不是名称
cli-duration-forms = 一个整数后跟 ms、s、m、h 或 d（毫秒、秒、分钟、小时、天），如 250ms、30s、5m、24h、30d
cli-instant-forms = 带偏移的 RFC 3339 日期时间，如 2026-12-31T23:59:59Z 或 2026-12-31T23:59:59+08:00，且必须在将来
cli-duration-invalid = 无效的时长 '{ $input }'：请使用{ $forms }
cli-duration-bare = '{ $input }' 没有单位：秒数请写作 { $input }s；请使用{ $forms }
cli-duration-too-long = '{ $input }' 太长：请使用{ $forms }
cli-too-far-ahead = '{ $input }' 太远：最多为从现在起 { $max } 天
cli-duration-zero = 时长不能为零：请使用{ $forms }
cli-grace-invalid = { $error }；或用 `now` 表示没有宽限期
cli-instant-invalid = 无效的日期时间 '{ $input }'：请使用{ $forms }
cli-instant-past = '{ $input }' 不在将来：请使用{ $forms }
cli-too-far = 时间太远：请使用{ $forms }
cli-not-shown = （不显示）
cli-gateway-url-scheme = 请使用以 http:// 或 https:// 开头的 URL，例如 http://127.0.0.1:7411
cli-gateway-url-extra = 只写协议、主机和端口，例如 http://127.0.0.1:7411（不带路径、查询参数或用户名）
cli-gateway-url-host = 主机必须是域名或 IP 地址（IPv6 写在方括号中），端口为 1 到 65535，例如 http://[::1]:7411
cli-gateway-listen-invalid = 请使用 HOST:PORT、[IPV6]:PORT 或 :PORT，端口为 1 到 65535，例如 127.0.0.1:8080
cli-man-unknown-page = keydesk 没有子命令“{ $name }”，无法显示其手册页；现有手册页：{ $pages }
cli-man-cannot-write = 无法写入手册页 { $path }：{ $error }

## clap 的解析错误，在英语以外的语言中使用（英语保留 clap 原文）。

cli-clap-error = 错误：
cli-clap-value-required = '{ $arg }' 需要一个值，但没有提供
cli-clap-invalid-value = '{ $arg }' 的值 '{ $value }' 无效
cli-clap-possible-values = 可选值：{ $values }
cli-clap-value-rejected = '{ $arg }' 的值 '{ $value }' 无效：{ $reason }
cli-clap-unknown-argument = 意外的参数 '{ $arg }'
cli-clap-unknown-subcommand = 无法识别的子命令 '{ $name }'
cli-clap-missing = 缺少以下必需的参数：
cli-clap-conflict = 参数 '{ $arg }' 不能与 { $other } 一起使用
cli-clap-repeated = 参数 '{ $arg }' 不能多次使用
cli-clap-similar = 提示：有相似的写法：{ $similar }
cli-clap-try-help = 更多信息请运行 '--help'。

## 各命令都可能报告的失败。

cli-cannot-read-input = 无法读取输入：{ $error }
cli-cannot-write-output = 无法写出输出：{ $error }
cli-cannot-write-settings = 无法写出设置：{ $error }
cli-no-postgres-support = { $db }：此 keydesk 构建时未包含 PostgreSQL 支持（cargo 特性 `postgres`）
cli-db-libpq = 数据库（--db、KEYDESK_DB 或配置文件中的 db）看起来是 libpq 连接字符串（key=value …），keydesk 不接受这种写法：请写成 URL，即 postgres://user@host:port/db，密码放在 PGPASSWORD、~/.pgpass 或 --db-password-file 指定的文件中
cli-db-not-postgres-url = { $db } 不是 PostgreSQL URL：数据库应是文件路径或 postgres://user@host:port/db（或 postgresql://，须小写）
cli-password-on-command-line = 拒绝 { $option } 中的密码（{ $url }）：其他用户可以看到命令行；请把 URL 放在 KEYDESK_DB 中，或把密码放在 PGPASSWORD、~/.pgpass 或 --db-password-file 指定的文件中
cli-cannot-read-password-file = 无法读取密码文件 { $file }：{ $error }
cli-invalid-name = 名称无效：{ $error }
cli-no-such-id = 没有该 ID 的密钥：ID 形如 ak-0123456789abcdef（见 `keydesk list`）

## 提示。回答 y 或 yes（或「是」）表示是；其他任何回答都表示否。

cli-confirm = { $question }（y/N）
cli-secret-prompt = 粘贴密钥后按 Enter：
cli-echo-off-failed = 无法关闭终端回显（{ $error }），密钥会被显示出来：请改用管道输入
cli-echo-unsupported = 只有 Unix 支持在终端上无回显地读取密钥：请改用管道输入

## 从命令行启动 TUI。

cli-needs-terminal = keydesk 需要终端；脚本请使用子命令，见 --help
cli-dumb-terminal = 此终端（TERM=dumb）无法显示全屏应用；请使用子命令，见 --help
cli-tui-create-question = { $path } 处没有数据库。要新建一个空数据库吗？
cli-tui-not-created = 未创建数据库
# 连接超过半秒时显示。$seconds：URL 中的 connect_timeout（未设置时为 10）。
cli-tui-connecting = 正在连接 PostgreSQL 服务器 { $location }（{ $seconds } 秒后放弃；按 Ctrl+C 停止）…

## list、create、rename、delete

cli-list-empty = （还没有密钥：用 `keydesk create --name NAME --accept-terms` 创建一个）
cli-create-needs-terms = 创建密钥需要同意协议：先用 `keydesk agreement` 阅读协议，然后加上 --accept-terms
cli-created = 已创建密钥 { $name }（ID { $id }，{ $masked }）。上面的完整密钥只显示这一次：请立即保存。
cli-secret-undelivered-deleted = 无法把完整密钥写到标准输出（{ $error }），因此已再次删除该密钥
cli-secret-lost = 密钥 { $id } 已创建，但其完整密钥已丢失：请删除它（`keydesk delete { $id } --yes`）。写出完整密钥失败（{ $error }），删除密钥也失败了（{ $delete_error }）
cli-renamed = 已将密钥 { $id } 的名称改为 { $name }。
cli-duplicate-name = 密钥 { $id }（{ $masked }）已使用名称 { $name }
cli-duplicate-refused = { $existing }：未经确认，拒绝使用重复的名称（stdin 不是终端）；如仍要使用，请加上 --allow-duplicate-name
cli-duplicate-question = { $existing }。仍要使用同一名称吗？
cli-duplicate-declined = 未做任何修改：该名称已被使用
cli-delete-needs-yes = 未经确认，拒绝删除：stdin 不是终端，请加上 --yes
cli-delete-question = 删除密钥 { $name }（{ $id }，{ $masked }）吗？使用它的应用或脚本将无法再调用服务。
cli-delete-declined = 未删除
cli-deleted = 已删除密钥 { $name }（{ $id }）。

## disable、enable、expire、rotate、verify --explain

cli-disabled = 已停用密钥 { $name }（{ $id }）：它不再通过验证。`keydesk enable { $id }` 可以撤销。
cli-enabled = 已启用密钥 { $name }（{ $id }）：它重新通过验证。
cli-expiry-not-future = 该有效期不在将来：请使用{ $forms }
cli-expires-at = 密钥 { $name }（{ $id }）现在将于 { $at }（{ $zone }）过期。
cli-never-expires = 密钥 { $name }（{ $id }）现在永不过期。
cli-rotated-old-until = 旧密钥在 { $at }（{ $zone }）之前仍然有效
cli-rotated-old-stopped = 旧密钥已失效
cli-rotated = 已轮换密钥 { $name }（{ $id }，现为 { $masked }）：{ $old }。上面的新密钥只显示这一次：请立即保存。
cli-rotate-undelivered-old-until = 其旧密钥（{ $masked }）仍和之前一样，在 { $at }（{ $zone }）之前有效
cli-rotate-undelivered-old-kept = 其旧密钥仍保留
cli-rotate-undelivered = 新密钥未送达：无法写到标准输出（{ $error }），没有人拿到它。密钥 { $id } 仍然已被轮换（轮换无法撤销）；{ $old }。要得到服务可用的密钥，请在输出正常时再次轮换：`keydesk rotate { $id } --grace DURATION > FILE`。这会立即结束旧密钥的宽限期（只保留一个旧密钥），所以请选择能更新服务的时机
cli-time-in-zone = { $at }（{ $zone }）
cli-explain-previous-until = { $id }（轮换前的旧密钥：在 { $at } 之前有效）
cli-explain-previous = { $id }（轮换前的旧密钥）
cli-explain-unknown = 无效：未知密钥（格式错误、从未创建或已删除）
cli-explain-disabled = 无效：密钥 { $id } 已停用（自 { $since } 起）；`keydesk enable { $id }` 可以恢复
cli-explain-expired = 无效：密钥 { $id } 已于 { $at } 过期
cli-explain-grace-ended = 无效：这是密钥 { $id } 的旧密钥，其宽限期已于 { $at } 结束；请使用该密钥当前的完整密钥

## log

cli-log-intact = 审计日志完整：{ $count } 条记录
cli-log-tampered = 审计日志被篡改：{ $found }
cli-log-keyed-from-start = 所有条目都已用审计密钥封存
cli-log-keyed-from = 从条目 { $first } 起用审计密钥封存；条目 1–{ $before } 写于密钥封存之前（仅 SHA-256：任何能写数据库的人都可能改写过它们）
cli-log-not-keyed = 没有条目用审计密钥封存（仅 SHA-256：任何能写数据库的人都可能改写过它们）
cli-log-expected-found = 条目 { $seq } 与预期一致
cli-log-seals-not-checked = 未检查已封存条目的封存：{ $path } 处没有审计密钥文件（只检查了它们的顺序和链接）
cli-log-no-head = 审计日志为空：没有可输出的条目
cli-log-empty = 没有审计记录
cli-log-by = 操作人 { $actor }
cli-log-expires = { $name }（{ $at } 过期）
cli-log-old-secret-until = { $name }（旧密钥有效至 { $at }）
cli-log-never-expires = { $name }（永不过期）
cli-log-schema = 数据库结构 { $from } -> { $to }
# 策略变更：前后均为策略的文本形式（rpm=60 methods=GET,POST）。
cli-log-policy-changed = { $name }（策略 { $from } -> { $to }）
# 日志中的空策略。
cli-log-policy-none = 无
# 创建时带策略：通常的详情，然后是策略。
cli-log-with-policy = { $detail }（策略 { $policy }）
cli-log-sudo = 经 sudo，原用户 { $user }

## usage

cli-usage-day = 日期（UTC）
cli-usage-accepted = 通过
cli-usage-disabled = 拒绝：已停用
cli-usage-expired = 拒绝：已过期
cli-usage-previous-ended = 拒绝：旧密钥
cli-usage-total = 合计
cli-usage-id = ID
cli-usage-name = 名称
cli-usage-range = （最近 { $days } 天，UTC）
cli-usage-no-keys = 没有密钥
cli-usage-input-tokens = 输入词元
cli-usage-output-tokens = 输出词元
cli-usage-cost = 费用（{ $currency }）
cli-usage-model = 模型
cli-usage-no-model = （未注明）
cli-usage-no-tokens = 最近 { $days } 天没有统计到词元（只有 `keydesk serve --upstream` 会统计词元）

## cleanup

cli-cleanup-refused-disable = 未经确认，拒绝停用 { $count } 个密钥：stdin 不是终端，请加上 --yes
cli-cleanup-refused-delete = 未经确认，拒绝删除 { $count } 个密钥：stdin 不是终端，请加上 --yes
cli-cleanup-question-disable = 停用 { $count } 个 { $days } 天或更久未使用的密钥吗？它们将不再通过验证，直到重新启用。
cli-cleanup-question-delete = 删除 { $count } 个 { $days } 天或更久未使用的密钥吗？使用它们的应用将无法再调用服务；此操作无法撤销。
cli-cleanup-declined-disable = 未停用任何密钥
cli-cleanup-declined-delete = 未删除任何密钥
cli-cleanup-done-disable = 已停用 { $count } 个密钥。
cli-cleanup-done-delete = 已删除 { $count } 个密钥。
cli-cleanup-would-disable = 将停用 { $count } 个密钥。
cli-cleanup-would-delete = 将删除 { $count } 个密钥。
cli-cleanup-none = 没有未使用的密钥
cli-cleanup-id = ID
cli-cleanup-name = 名称
cli-cleanup-last-used = 最近使用（{ $zone }）
cli-cleanup-created = 创建时间（{ $zone }）
cli-cleanup-status = 状态
cli-cleanup-never = -
cli-status-active = 正常
cli-status-disabled = 已停用
cli-status-expired = 已过期
cli-status-deleted = 已删除

## backup and restore

cli-backup-done = 已把 { $keys } 个密钥和 { $entries } 条审计记录（schema 版本 { $schema }）备份到 { $path }
cli-backup-exists = { $path } 已存在：请换一个路径，或加 --force 替换它
cli-backup-postgres = 数据库是 PostgreSQL：请用 pg_dump 备份，例如 pg_dump --format=custom --table='keydesk_*' --file=keydesk.dump "$URL"（见指南）
cli-backup-chain-broken = 备份已写入，但它复制的审计日志没有通过检查：{ $found }
cli-copy-recovered = 副本需要崩溃后的恢复，已经恢复
cli-copy-chain-intact = 审计链完整；最新条目 { $head }（以后可用 keydesk log --check --expect { $head } 比对）
cli-copy-chain-empty = 审计日志为空
cli-copy-same-file = { $path } 就是数据库本身：请换一个文件
cli-restore-done = 已从 { $path } 把 { $keys } 个密钥和 { $entries } 条审计记录（schema 版本 { $schema }）恢复到 { $db }
cli-restore-upgraded = 备份的 schema 已从版本 { $from } 升级到 { $to }
cli-restore-exists = { $db } 处已有数据库：加 --force 替换它（它会被保留为 { $db }.before-restore）
cli-restore-kept-exists = { $kept } 已存在（来自之前的一次恢复）：请先把它移走
cli-restore-kept = 被替换的数据库保留为 { $kept }
cli-restore-chain-broken = 不恢复 { $path }：它的审计日志没有通过检查：{ $found }；数据库没有被改动
cli-restore-postgres = 数据库是 PostgreSQL：请用 pg_restore 恢复 pg_dump 的归档，例如 pg_restore --dbname="$URL" --single-transaction keydesk.dump（见指南）

## migrate

cli-migrate-to-not-postgres = --to 必须是 PostgreSQL URL，即 postgres://user@host/db
cli-migrate-keys = 密钥：文件中 { $keys } 个；已复制 { $copied } 个，PostgreSQL 中已有 { $present } 个（其中 { $differing } 个内容不同，保持原样）
cli-migrate-audit = 审计日志：文件中 { $entries } 条；已复制 { $copied } 条，已有 { $present } 条
cli-migrate-usage = 用量计数：文件中 { $buckets } 个按小时和按天的计数桶；已复制 { $copied } 个，已有 { $present } 个
cli-migrate-total = PostgreSQL 现有 { $keys } 个密钥和 { $entries } 条审计记录；{ $verdict }
cli-migrate-checks-out = 文件中的每个密钥都已在其中，哈希链完整，用量计数一致
cli-migrate-check-failed = 核对失败（见下文）
cli-migrate-mismatch = 复制结果核对不上：PostgreSQL 中缺少 { $missing } 个密钥，审计记录 { $copied } / { $entries } 条，哈希链：{ $chain }，用量计数{ $counts }
cli-migrate-chain-intact = 完整
cli-migrate-counts-equal = 一致
cli-migrate-counts-different = 不一致

## serve 在终端上的提示（其 HTTP 回答和指标保持英语）

cli-serve-listening = keydesk serve：正在监听 { $address }
cli-serve-stopping = keydesk serve：{ $signal }：正在处理完进行中的请求
cli-serve-shutdown-timeout = keydesk serve：超过 --shutdown-timeout 后仍有请求在运行；将其关闭
cli-serve-accept-failed = keydesk serve：无法接受连接（自上次报告以来失败 { $failures } 次）：{ $error }
cli-serve-index-stale = keydesk serve：密钥索引已有 { $seconds } 秒未能刷新（{ $error }）；{ $answer }
cli-serve-index-stale-closed = 在恢复之前，所有密钥请求都回答 503
cli-serve-index-stale-static = 按最后一次读到的索引回答密钥请求（--fail-static）
cli-serve-index-current = keydesk serve：密钥索引已恢复为最新
cli-serve-cannot-start = 无法启动：{ $error }
cli-serve-cannot-handle-signals = 无法处理信号：{ $error }
cli-serve-tls-on-unix = --tls-cert 和 --tls-key 只适用于 TCP 的 --listen 地址，不适用于 Unix 套接字
cli-serve-auth-file-unreadable = --upstream-auth-file { $path }：{ $error }
cli-serve-auth-file-empty = --upstream-auth-file { $path }：文件为空
cli-serve-duration-zero = 必须大于零：请使用{ $forms }
cli-serve-bad-network = { $part } 不是 IP 地址或 CIDR 网段（例如 10.0.0.0/8、127.0.0.1、::1）
cli-serve-bad-body-size = 必须是 1 到 { $max } 之间的整数字节数
cli-serve-listen-unix-path = --listen unix: 需要一个路径，例如 unix:/run/keydesk/keydesk.sock
cli-serve-listen-form = --listen { $address }：请使用 HOST:PORT 或 unix:/PATH（{ $error }）
cli-serve-listen-no-address = --listen { $address }：该主机没有地址
cli-serve-listen-exposed = --listen { $address } 可被其他主机访问，通过明文 HTTP 传输时密钥会以明文经过网络：请添加 --tls-cert 和 --tls-key，或在 TLS 网关之后监听 127.0.0.1，或添加 --insecure-http
cli-serve-plain-http-warning = keydesk serve：警告：{ $address } 上使用明文 HTTP：密钥以明文经过网络（--insecure-http）
cli-serve-cannot-listen = 无法监听 { $address }：{ $error }
cli-serve-socket-path-taken = 无法监听 { $path }：该位置已有一个不是套接字的文件
cli-serve-socket-in-use = 无法监听 { $path }：已有另一个服务器在此监听
cli-serve-unknown-address = 未知地址
cli-serve-upstream-not-url = --upstream：不是 URL：{ $url }
cli-serve-upstream-not-http = --upstream：请使用 http:// URL（上游通常在本机）
cli-serve-upstream-no-host = --upstream：该 URL 没有主机
cli-serve-tls-setup = 无法设置 TLS：{ $error }
cli-serve-tls-cert-file = --tls-cert { $path }：{ $problem }
cli-serve-tls-key-file = --tls-key { $path }：{ $problem }
cli-serve-tls-mismatch = --tls-key { $key } 与 --tls-cert { $cert } 中的证书不匹配
cli-serve-tls-first-unparsable = --tls-cert { $path }：无法解析第一个证书
cli-serve-pem-certificate = 证书
cli-serve-pem-private-key = 私钥
cli-serve-pem-no-certificate = 文件中没有 PEM 证书（-----BEGIN CERTIFICATE-----）
cli-serve-pem-none = 文件中没有 PEM { $what }
cli-serve-pem-too-large = PEM 段过大
cli-serve-pem-invalid = 不是有效的 PEM { $what }文件
cli-serve-key-unusable = 该私钥不是 ring 可用的 RSA、ECDSA 或 Ed25519 密钥
cli-serve-sighup-reloaded = keydesk serve：SIGHUP：新连接现在使用 { $path } 中的证书
cli-serve-sighup-kept = keydesk serve：SIGHUP：继续使用当前证书：{ $reason }
cli-serve-sighup-failed = 重新加载失败
cli-serve-sighup-nothing = keydesk serve：SIGHUP：无需重新加载（未配置 TLS 证书）；继续服务
cli-serve-access-log-empty = --access-log：请给出文件路径，或用 - 表示标准输出
cli-serve-access-log-unopenable = --access-log：无法打开 { $path }：{ $error }
cli-serve-access-log-failing = keydesk serve：无法写入访问日志：{ $error }
cli-serve-sighup-access-log = keydesk serve：SIGHUP：已重新打开访问日志：{ $path }
cli-serve-sighup-access-log-kept = keydesk serve：SIGHUP：访问日志仍写入已打开的文件：{ $reason }

## 配置文件和 `config show`

config-file = 配置文件：{ $path }
config-file-missing = 配置文件：{ $path }（未找到：使用默认值）
config-setting-source = （{ $source }）
config-source-default = 默认
config-source-file = 配置文件，第 { $line } 行
config-source-environment = 环境变量，{ $name }
config-source-command-line = 命令行
config-no-home = 不知道主目录在哪里，因此没有默认配置文件（请使用 --config）
config-named-missing = 这里没有配置文件（由 --config 或 KEYDESK_CONFIG 指定）
config-no-data-folder = （不知道数据目录在哪里）
config-local-offset = 系统本地偏移
config-url-without-postgres = （一个 URL；此 keydesk 构建时未包含 PostgreSQL 支持）
# $kind 是 error-store-kind-… 之一。
config-not-a-file = 它是{ $kind }，不是普通文件：配置文件必须是普通文件（指向普通文件的符号链接也可以）
# $reason 是 error-store-insecure-owner 或 error-store-insecure-writable。
config-untrusted = 拒绝使用：能修改它的人就能决定使用哪个数据库，从而决定哪些密钥能通过验证：{ $reason }
config-too-large = 它大于 1 MiB，因此不予读取：配置文件通常只有几行；请确认是否选对了文件
config-cannot-read = 无法读取配置文件：{ $error }
config-no-home-for-tilde = 无法展开 `~`：不知道主目录在哪里
config-unknown-key-near = 未知的键 `{ $key }`，你是想写 `{ $known }` 吗？
config-unknown-key = 未知的键 `{ $key }`；可用的键有 { $keys }
config-toml = 文件格式有误：{ $detail }
config-duration-not-a-string = 时长要写成带单位的字符串：{ $fix }（{ $forms }）

help-cmd-doctor = 检查常见问题（数据库、配置文件、审计链、PostgreSQL、剪贴板途径、终端），并说明如何修复
    .long =
        检查常见问题并说明如何修复：数据库（路径、所有者、权限、架构版本、剩余空间、被其他进程占用）、配置文件（位置、权限、未知的键）、审计链、已配置时的 PostgreSQL（能否连接、TLS、架构、角色）、在这里复制会走的剪贴板途径，以及终端（区域、颜色、鼠标）。不做任何更改。

        一切正常时退出码为 0，有需要处理的问题时为 1。关于运行环境的结论（没有剪贴板途径、没有终端、区域不是 UTF-8）只作提示，不会使退出码为 1。
help-arg-doctor-json = 以 JSON 输出结论：一个对象，含 `needs_attention`（true 或 false）和 `findings`，每项有 `check`（如 database.mode 的标识）、`level`（ok、info、warning 或 error）、`message` 和 `fix`（无需处理时为 null）
config-prices-not-a-table = `prices` 必须是一个表：[prices] 中写 `currency = "USD"`，再为每个模型写一个 [prices."模型通配符"]
config-prices-no-currency = [prices] 需要一个 `currency`（例如 `currency = "USD"`）：所有价格都以它计
config-prices-bad-currency = `currency` 必须是一个简短的名称（至多 16 字节，不含控制字符），而不是 "{ $currency }"
config-prices-not-a-string = `{ $key }` 必须是字符串
config-prices-model-not-a-table = "{ $glob }" 的价格必须是一个表：[prices."{ $glob }"]，其中写 `input_per_million` 和 `output_per_million`
config-prices-unknown-key = 模型价格中有未知的键 `{ $key }`；可用的键为 { $keys }
config-prices-bad-amount = `{ $key }` 必须是每百万词元的金额：0 到 1000000 之间、至多六位小数的数（0.15、2、"0.075"）
config-prices-missing = "{ $glob }" 的价格缺少 `{ $key }`
config-prices-bad-glob = "{ $glob }" 不是有效的模型通配符（可用 `*`、`?` 和 `[…]`；`[` 需要配对的 `]`）
