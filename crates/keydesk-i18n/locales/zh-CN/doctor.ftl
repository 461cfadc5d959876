# `keydesk doctor`：每条结论说明发现了什么；修复说明该怎么做。

doctor-level-ok = 正常
doctor-level-info = 提示
doctor-level-warning = 警告
doctor-level-error = 错误
doctor-fix = 修复：{ $fix }
doctor-all-well = 一切正常。
doctor-needs-attention = 有 { $count } 项需要处理。
doctor-chmod = chmod { $mode } { $path }
doctor-file-owner = { $path } 属于用户 { $owner }，而你是用户 { $me }：keydesk 拒绝使用它，因为它的所有者能决定哪些密钥有效
doctor-file-owner-fix = 改以用户 { $owner } 运行 keydesk，或把它交给自己：sudo chown { $me } { $path }

## 配置文件

doctor-config-none = { $path } 没有配置文件：使用 keydesk 的默认设置
doctor-config-read = 已读取 { $path }，没有问题
doctor-config-unreadable = 无法查看配置文件 { $path }：{ $error }
doctor-config-fix-path = 检查路径，或用 --config 或 KEYDESK_CONFIG 指定另一个文件
doctor-config-named-missing = --config 或 KEYDESK_CONFIG 指定的配置文件 { $path } 不存在
doctor-config-named-missing-fix = 创建它，或更正 --config 或 KEYDESK_CONFIG（两者都不设时，keydesk 读取默认文件，如果有的话）
doctor-config-not-a-file = 配置文件 { $path } 是{ $kind }，不是普通文件
doctor-config-writable = 其他用户可以修改配置文件 { $path }（权限 { $mode }），从而选择数据库：keydesk 拒绝使用它
doctor-config-mode-ok = 只有所有者可以修改（权限 { $mode }）
doctor-config-unknown-key = { $path }:{ $line }：未知的键 `{ $key }`：keydesk 因此拒绝整个文件
doctor-config-rename-key = 把第 { $line } 行的键改为 `{ $known }`
doctor-config-remove-key = 删除第 { $line } 行；可用的键为 { $keys }
doctor-config-fix-line = 更正 { $path } 中的那一行；改好后 `keydesk config show` 会列出 keydesk 读到的设置

## 数据库文件

doctor-db-path = { $path }（{ $size }）
doctor-db-none-yet = { $path } 还没有数据库：第一次运行 `keydesk`（或 `keydesk create`）时会创建
doctor-db-missing = { $path } 没有数据库
doctor-db-path-fix = 检查 --db、KEYDESK_DB 或配置文件中的 `db`（`keydesk config show` 会说明由哪一项设定）；`keydesk create` 可新建数据库
doctor-db-unreadable = 无法查看 { $path }：{ $error }
doctor-db-not-a-file = { $path } 是{ $kind }，不是数据库文件
doctor-db-empty = { $path } 是空文件：keydesk 从不留下空数据库，它属于别的程序
doctor-db-empty-fix = 查明是什么程序创建了它，然后删除它（rm { $path }）或选择其他路径
doctor-db-owner-ok = 所有者是你
doctor-db-mode-writable = 其他用户可以写入数据库（权限 { $mode }），从而决定哪些密钥有效：keydesk 拒绝使用它
doctor-db-mode-readable = 其他用户可以读取数据库（权限 { $mode }）：每个密钥的名称、限制和使用情况，以及审计日志（其中没有密钥本身，只有哈希）；keydesk 创建时为 600
doctor-db-mode-ok = 只有你可以读写（权限 { $mode }）
doctor-db-schema-current = 架构版本 { $version }，与本 keydesk 一致
doctor-db-schema-older = 架构版本 { $found }，比本 keydesk 的 { $current } 旧：下次 keydesk 以写方式打开时会升级
doctor-db-schema-older-fix = 先复制一份文件，再以其所有者身份运行 `keydesk list` 立即升级
doctor-db-schema-newer = 架构版本 { $found }，由更新的 keydesk 创建（本版本只认识 { $current }）：本 keydesk 拒绝使用它
doctor-db-schema-newer-fix = 升级本机上的 keydesk
doctor-db-needs-recovery = 文件没有正常关闭（崩溃或断电）：下一个以写方式打开它的 keydesk 会修复它
doctor-db-needs-recovery-fix = 运行一次 `keydesk list` 立即修复
doctor-db-damaged-fix = 保留该文件以便检查，并从备份恢复数据库
doctor-db-lock-free = 没有其他进程占用它
doctor-db-lock-held = 另一个进程占用数据库的时间超过了等待时限（{ $seconds } 秒）：每个 keydesk 命令都会等待这么久，然后以“忙”失败
doctor-db-lock-held-fix = 用 `fuser -v { $path }`（或 `lsof { $path }`）找到该进程并结束它；keydesk 自己每次只在一个操作期间占用文件
doctor-db-space-ok = 所在文件系统剩余 { $free }
doctor-db-space-low = 数据库所在文件系统只剩 { $free }：写入时会先复制要修改的页，再释放旧页，空间不足时写入会失败
doctor-db-space-low-fix = 在那里至少腾出 { $least }，或把数据库移到有空间的文件系统

## 审计链

doctor-audit-intact = 审计链完整：{ $count } 条记录
doctor-audit-sealed = 从第 { $first } 条起记录都以审计密钥签封，每个签封都通过校验
doctor-audit-not-keyed = 还没有记录以审计密钥签封：keydesk 做出的下一次更改起都会签封
doctor-audit-key-missing = 记录已用审计密钥签封，但 { $path } 没有密钥文件：无法校验签封，对密钥的更改也会被拒绝
doctor-audit-key-missing-fix = 从签封这些记录的主机把审计密钥文件复制到 { $path }（权限 600），或在配置文件中用 `audit_key_file` 指定它
doctor-audit-key-unusable-fix = 按消息所说修正该文件；`keydesk log --check` 会用它校验审计链
doctor-audit-broken = 审计日志被篡改：{ $found }
doctor-audit-broken-fix = 保留数据库以便检查（`keydesk log --check` 会指出哪条记录），查明谁能写入它，并从备份恢复
doctor-audit-failed-fix = `keydesk log --check` 会显示同样的错误；请先修复数据库
doctor-audit-no-database = 未检查：没有可检查的数据库
doctor-audit-unready = 在上面关于数据库的问题修复之前不检查
doctor-audit-not-permitted = 未检查：此登录是验证者（verifier），无权读取审计日志（请以管理员身份检查）

## PostgreSQL

doctor-pg-reachable = 已连接 { $location }
doctor-pg-setup-fix = 把密码放在文件中（--db-password-file）、PGPASSWORD 或 ~/.pgpass 中，切勿写在命令行的 URL 里
doctor-pg-unreachable-fix = 检查服务器是否在运行，URL 中的主机和端口是否正确：psql "{ $location }" -c 'select 1' 可做同样的尝试
doctor-pg-refused-fix = 检查用户、数据库名称和密码（--db-password-file、PGPASSWORD 或 ~/.pgpass）
doctor-pg-tls-on = 连接已加密（TLS）
doctor-pg-tls-local = 连接未加密，但不离开本机（套接字或回环地址）
doctor-pg-tls-off = 到另一台主机的连接未加密：登录信息和每个密钥哈希都以明文经过网络
doctor-pg-tls-off-fix = 在服务器上启用 ssl，并在 URL 中加上 sslmode=require
doctor-pg-schema-empty = 此数据库中没有 keydesk 的表
doctor-pg-schema-empty-fix = 以有权建表的角色运行一次 `keydesk create`（或 TUI）；然后运行 sql/postgres-roles.sql
doctor-pg-schema-older-fix = 以表的所有者身份运行一次 keydesk 来升级，然后再运行一次 sql/postgres-roles.sql
doctor-pg-role-owner = 此登录拥有 keydesk 的表：可以对它们做任何事，超出了管理密钥的需要
doctor-pg-role-owner-fix = 日常使用请以 keydesk_admin（人员）或 keydesk_verifier（网关）的成员登录：见 sql/postgres-roles.sql
doctor-pg-role-admin = 此登录可以管理密钥并写入审计日志（admin）
doctor-pg-role-verifier = 此登录只能验证密钥（verifier）：适合 `keydesk serve`，但不能创建或更改密钥
doctor-pg-role-none = 此登录无权读取 keydesk 的表
doctor-pg-role-none-fix = 先运行 sql/postgres-roles.sql，再授予角色：GRANT keydesk_admin TO 该登录（网关用 keydesk_verifier）

## 剪贴板途径

doctor-clip-off = 复制已关闭（clipboard = off，来自{ $source }）
doctor-clip-use-auto = 使用 --clipboard auto（或在配置文件中写 clipboard = "auto"）
doctor-clip-system = 复制到系统剪贴板
doctor-clip-system-no-display = clipboard = system，但这里没有桌面（DISPLAY 和 WAYLAND_DISPLAY 未设置）：复制会失败
doctor-clip-desktop = 复制到桌面剪贴板，失败时经终端（OSC 52）
doctor-clip-tmux-on = 经 tmux 复制到你的终端（OSC 52；tmux 的 set-clipboard 为 on）
doctor-clip-tmux-off = 复制会送到 tmux，但 tmux 的 set-clipboard 为 { $value }：tmux 只把它留在粘贴缓冲区，不会转给你的终端
doctor-clip-tmux-unknown = 经 tmux 复制，但 tmux 没有说明是否转发（set-clipboard）：{ $error }
doctor-clip-tmux-fix = tmux set -g set-clipboard on（并在 ~/.tmux.conf 中加上 `set -g set-clipboard on`）
doctor-clip-screen = 经 GNU screen 复制到你的终端（OSC 52，由 screen 透传）
doctor-clip-ssh = 经 SSH 复制到你的终端（OSC 52）：你的终端须允许程序设置剪贴板
doctor-clip-osc52 = 复制到你的终端（OSC 52，clipboard = osc52）
doctor-clip-none = 这里没有剪贴板途径：没有桌面、没有 SSH 会话，也没有终端复用器；keydesk 会向终端写 OSC 52，只有部分终端支持
doctor-clip-none-fix = 在屏幕上选中密钥来复制，或在桌面会话中、或从支持 OSC 52 的终端经 SSH 运行 keydesk
doctor-tmux-silent = tmux 在 { $seconds } 秒内没有回应

## 终端

doctor-term-present = 终端（TERM={ $term }）
doctor-term-none = 没有终端：标准输入或输出不是终端，TUI 在这里无法启动（子命令可用）
doctor-term-none-fix = 在终端中运行 `keydesk` 以使用 TUI
doctor-term-dumb = TERM=dumb 无法移动光标：TUI 在这里无法启动
doctor-term-dumb-fix = 把 TERM 设为你的终端类型，例如 TERM=xterm-256color
doctor-locale-utf8 = { $variable }={ $value }：UTF-8
doctor-locale-unset = 没有设置区域（LC_ALL、LC_CTYPE 和 LANG 均为空）：keydesk 只用 ASCII 绘制，并使用英文
doctor-locale-not-utf8 = { $variable }={ $value } 不是 UTF-8：keydesk 只用 ASCII 绘制，并使用英文
doctor-locale-fix = export LANG=zh_CN.UTF-8（或 en_US.UTF-8），并确保已安装该区域（locale -a 可列出）
doctor-colour-off = 颜色已关闭（来自{ $source }）
doctor-colour-off-fix = 取消 NO_COLOR，或从配置文件中删除 `color = false`
doctor-colour-24bit = 颜色：24 位（COLORTERM）
doctor-colour-256 = 颜色：256 色
doctor-colour-basic = 颜色：终端的 16 种基本色
doctor-mouse-on = TUI 使用鼠标
doctor-mouse-off = 鼠标已关闭（来自{ $source }）
doctor-mouse-off-fix = 去掉 --no-mouse，或从配置文件中删除 `mouse = false`
doctor-mouse-tmux-off = tmux 的 mouse 选项为 off：在 tmux 中鼠标无法到达 keydesk
doctor-mouse-tmux-fix = tmux set -g mouse on（并加入 ~/.tmux.conf）
