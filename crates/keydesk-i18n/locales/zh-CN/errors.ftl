# 程序库的错误（error-…）和领域词汇（domain-…）：名称、密钥、存储。
# 命令行和 TUI 原样显示这些消息。

## 密钥名称

# 名称的规则，显示在输入框旁和「请输入名称」的错误中。
domain-name-rule = { $min }–{ $max } 个字符：汉字、字母、数字、_ 或 -
error-name-empty = 请输入名称（{ $rule }）
error-name-too-short = 名称太短：{ $count } 个字符，至少需要 { $min } 个
error-name-too-long = 名称太长：{ $count } 个字符，最多 { $max } 个
# $character 是下面 error-name-char-… 的描述之一。
error-name-invalid-character = 第 { $position } 个字符是{ $character }，不允许使用：名称只能包含汉字、字母、数字、_ 或 -
error-name-look-alike-radical = 第 { $position } 个字符是{ $character }，这是一个形似汉字的部首，并不是那个汉字，名称会与看上去的不一致：{ $advice }
error-name-radical-type-instead = 请改为输入「{ $character }」（{ $code }）
error-name-radical-type-itself = 请直接输入汉字本身
error-name-looks-like-secret = 名称中包含 API 密钥：切勿把密钥放进名称
error-name-looks-like-key = 名称看起来像 API 密钥（{ $prefix } 后跟 { $min } 个或更多字母或数字）：切勿把密钥放进名称
# 被拒绝的字符，可安全显示：$code 是它的码位（U+001B）。
error-name-char-space = 空格
error-name-char-full-width-space = 全角空格（{ $code }）
error-name-char-control = 控制字符（{ $code }）
error-name-char-invisible = 不可见字符（{ $code }）
error-name-char-space-like = 空白字符（{ $code }）
error-name-char-other = 「{ $character }」（{ $code }）

## 输入或粘贴的 API 密钥

error-key-wrong-length = 密钥应为 { $length } 个字符
error-key-missing-prefix = 密钥应以 { $prefix } 开头
error-key-invalid-character = 密钥在 { $prefix } 之后只能包含字母和数字
error-key-checksum-mismatch = 密钥校验和不匹配（输入有误，或不是 keydesk 的密钥）

## 审计日志

# 审计日志的哈希链在哪里断开（接在「审计日志被篡改：」之后）。
domain-audit-entry-changed = 条目 { $seq } 被修改
domain-audit-entry-removed = 条目 { $seq } 被删除
domain-audit-entry-inserted = 条目 { $seq } 是插入的（它没有接在条目 { $previous } 之后）
domain-audit-entry-unindexed = 密钥索引与条目 { $seq } 不一致（哈希链完整，但某个密钥的历史记录会出错）
domain-audit-entry-unsealed = 条目 { $seq } 未用审计密钥封存，而它之前的条目已封存（它是在没有密钥的情况下重新封存的）
domain-audit-entry-unexpected = 条目 { $seq } 与预期不符：它或它之前的某个条目被修改
domain-audit-head-invalid = `{ $head }` 不是审计日志头：应为 `keydesk log --head` 输出的 SEQ:DIGEST（一个数字、一个冒号、64 位十六进制数字）

## 数据库文件

# $path 是数据库的路径；$seconds 是 keydesk 等待的时长（2.0）。
error-store-busy = 数据库 { $path } 忙：另一个 keydesk 进程已占用它超过 { $seconds } 秒，请稍后重试
error-store-not-a-database = { $path } 不是 keydesk 数据库（不是 redb 文件），未做任何改动
error-store-foreign-database = { $path } 是其他程序的 redb 数据库，不属于 keydesk，未做任何改动
error-store-newer-schema = { $path } 由更新版本的 keydesk 写入（数据库结构版本 { $found }，当前版本最高只能读取 { $supported }）；请升级 keydesk，文件未做任何改动
error-store-needs-upgrade = 数据库 { $path } 需要升级（数据库结构版本 { $found } 升级到 { $current }）：请以可写权限运行一次 keydesk；未做任何改动
error-store-missing = { $path } 处没有数据库：请检查路径（keydesk 只在创建密钥或启动 TUI 时才会新建数据库）
# $kind 是下面 error-store-kind-… 之一。
error-store-not-a-file = { $path } 是{ $kind }，不是数据库文件：请用 --db 或 KEYDESK_DB 指定一个普通文件
error-store-kind-char-device = 字符设备
error-store-kind-block-device = 块设备
error-store-kind-fifo = 命名管道（FIFO）
error-store-kind-socket = 套接字
error-store-kind-directory = 目录
error-store-kind-other = 特殊文件
error-store-empty-file = { $path } 是空文件，不是 keydesk 数据库（keydesk 从不留下空的数据库），未做任何改动：请删除它，或换一个路径
# $reason 是下面 error-store-insecure-… 之一。
error-store-insecure = 拒绝使用 { $path }：{ $reason }
error-store-insecure-owner = 它属于用户 { $owner }，而你是用户 { $me }
# $mode 是八进制（666）。
error-store-insecure-writable = 其他用户可以写入它（权限 { $mode }）；请运行：chmod 600 { $path }
error-file-not-private = 其他用户可以读取它（权限 { $mode }）；请运行：chmod 600 { $path }
error-file-not-regular = 它是{ $kind }，不是普通文件（指向普通文件的符号链接可以）
error-file-too-large = 它太大，不可能是这个文件：请检查是否为正确的文件
error-store-not-found = 没有 ID 为 { $id } 的密钥
error-store-corrupt = 数据库 { $path } 已损坏：{ $detail }
# $reason 是 redb 发现的问题，为其原文。
error-store-restore-from-backup = { $reason }；请从备份恢复
error-store-unreadable-structure = 无法读取的结构
# $reason 是操作系统（或 redb）的原文。
error-store-io = 无法使用 { $path }：{ $reason }
error-store-previous-io = 之前的一次写入失败（磁盘已满或 I/O 错误），之后没有再写入任何内容
error-store-database = 数据库 { $path } 出错：{ $reason }
error-store-no-data-dir = 找不到用来存放数据库的主目录；请使用 --db PATH 或设置 KEYDESK_DB
error-audit-key-missing = { $location } 的审计日志已用审计密钥封存（条目 { $seq } 已封存），而本程序没有该密钥，因此未写入任何内容：修改此数据库的每个程序都需要同一个密钥文件（keydesk：见 `keydesk config show` 中的 `audit_key_file`）
error-audit-key-mismatch = { $location } 的审计日志条目 { $seq } 不是用本程序的审计密钥封存的，因此未写入任何内容：修改此数据库的各主机必须共用同一个密钥文件（keydesk：见 `keydesk config show` 中的 `audit_key_file`），或者该条目被修改过（请运行 `keydesk log --check`）

## 无法读取的记录和审计条目（$id：密钥 ID，或 error-audit-entry）

error-record-empty = 记录 { $id } 为空
error-record-unknown-version = 记录 { $id } 的格式版本 { $version } 未知
error-record-malformed = 记录 { $id } 无法解码：{ $reason }
error-record-bad-timestamp = 时间戳有误：{ $reason }
error-record-bad-policy = 其策略无法读取：{ $reason }
error-audit-entry = 「审计日志条目 { $seq }」
error-audit-entry-changed = 它已被修改；请运行 `keydesk log --check`
error-audit-index-disagrees = 密钥索引与日志不一致；请运行 `keydesk log --check`

## 密钥状态不允许的变更（$at、$now：RFC 3339 时间）

error-refused-expired-new-expiry = 密钥 { $id } 已于 { $at } 过期，不能再设置新的有效期：请删除它，或创建新密钥
error-refused-expired-enable = 密钥 { $id } 已于 { $at } 过期，不能再启用：请删除它，或创建新密钥
error-refused-expired-rotate = 密钥 { $id } 已于 { $at } 过期，不能轮换：请创建新密钥
error-refused-past-expiry = 密钥 { $id } 的过期时间必须在将来：{ $at } 不晚于 { $now }
error-refused-past-expiry-new-key = 新密钥的过期时间必须在将来：{ $at } 不晚于 { $now }
error-refused-negative-grace = 宽限期不能为负
error-refused-grace-too-long = 宽限期太长

## PostgreSQL（$location：postgres://user@host:port/db，从不含密码）

# $detail 是客户端或服务器的原文。
error-pg-unreachable = 无法连接 PostgreSQL 服务器 { $location }：{ $detail }
error-pg-server = PostgreSQL 出错（{ $location }）：{ $detail }
error-pg-not-initialised = PostgreSQL 数据库 { $location } 中没有 keydesk 的表：请先在其中创建一个密钥（`keydesk create`，使用有建表权限的角色），或检查 --db
error-pg-newer-schema = PostgreSQL 数据库 { $location } 由更新版本的 keydesk 建立（数据库结构版本 { $found }，当前版本最高只认识 { $supported }）；请升级 keydesk，未做任何改动
error-pg-invalid-url = 不是有效的 PostgreSQL URL：{ $reason }
error-pg-url-ambiguous = 无法分辨其各个部分：请对用户名或密码中的 @ : / ? 做百分号编码（%40 %3A %2F %3F）
# $seconds：URL 中的 connect_timeout=（未设置时为 10）。
error-pg-connect-timed-out = 连接（TCP、TLS 与登录）未在 { $seconds } 秒内完成（connect_timeout）
# $seconds：connect_timeout=，至少为 5。
error-pg-call-timed-out = 服务器未在 { $seconds } 秒内应答；该连接已关闭，将重新建立
error-pg-connection-closed = 与服务器的连接已关闭
# 代指一个连 postgres://… 都不是的 URL，因此不显示其中任何部分。
# 数据库 URL 或连接字符串中无法分辨的部分显示为这一句（接在 "postgres://…" 之后）。
error-db-unparsable = （无法解析）
error-pg-record-damaged = 记录 { $id } 已损坏：{ $reason }
error-pg-record-time-out-of-range = 时间超出范围
error-pg-record-bad-hash = 哈希值不是 32 字节
error-pg-audit-entry-changed = 审计日志条目 { $seq } 已被修改；请运行 `keydesk log --check`
error-pg-import-foreign-audit-log = 该 PostgreSQL 数据库已有自己的审计日志（{ $count } 条），且开头与文件中的不同：请导入到没有审计日志的数据库
# $problem 是下面 error-pg-root-certificate… 之一，或操作系统的原文。
error-pg-root-certificates = PGSSLROOTCERT（PostgreSQL TLS 的 CA 证书）：{ $problem }
error-pg-root-certificates-not-pem = 不是有效的 PEM 证书文件
error-pg-root-certificates-none = 文件中没有 PEM 证书（-----BEGIN CERTIFICATE-----）
error-pg-root-certificate-unusable = 有一个证书不能用作 CA：{ $reason }
