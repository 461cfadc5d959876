# TUI 主界面（密钥列表、审计日志、清理、详情、帮助）、按键提示与帮助，
# 以及与 `keydesk list` 共用的密钥表格。

## 界面名称（帮助中的「按键：」）
tui-screen-key-list = 密钥列表
tui-screen-filter = 筛选
tui-screen-actions = 操作菜单
tui-screen-create = 创建密钥
tui-screen-agreement = 协议
tui-screen-secret = 新密钥
tui-screen-secret-confirm = 不复制直接关闭？
tui-screen-rename = 编辑名称
tui-screen-delete = 删除密钥
tui-screen-rotate = 轮换密钥
tui-screen-rotate-confirm = 结束进行中的宽限期？
tui-screen-disable-confirm = 停用正在使用的密钥？
tui-screen-expiry = 设置有效期
tui-screen-log = 审计日志
tui-screen-log-filter = 审计日志筛选
tui-screen-cleanup = 清理
tui-screen-cleanup-disable = 停用已标记的密钥？
tui-screen-cleanup-delete = 删除已标记的密钥？
tui-screen-help = 帮助

## 状态栏按键提示：要短，整个界面的提示共用 80 列
tui-hint-new = 创建
tui-hint-actions = 操作
tui-hint-edit = 编辑
tui-hint-delete = 删除
tui-hint-filter = 筛选
tui-hint-sort = 排序
tui-hint-help = 帮助
tui-hint-quit = 退出
tui-hint-done = 完成
tui-hint-clear = 清除
tui-hint-move = 移动
tui-hint-run = 执行
tui-hint-copy-id = 复制 ID
tui-hint-close = 关闭
tui-hint-next = 下一项
tui-hint-tick = 勾选
tui-hint-ok = 确定
tui-hint-cancel = 取消
tui-hint-agreement = 协议
tui-hint-scroll = 滚动
tui-hint-back = 返回
tui-hint-copy = 复制
tui-hint-close-without-copying = 不复制直接关闭
tui-hint-go-back = 返回
tui-hint-save = 保存
tui-hint-keep = 保留
tui-hint-disable-instead = 改为停用
tui-hint-switch = 切换
tui-hint-press = 按下
tui-hint-shorter = 缩短
tui-hint-longer = 延长
tui-hint-rotate = 轮换
tui-hint-rotate-anyway = 仍然轮换
tui-hint-mark = 标记
tui-hint-all = 全部
tui-hint-spend = 花费
tui-hint-days = 天数
tui-hint-toggle = 停用/启用
tui-hint-expiry = 到期
tui-hint-log = 日志
tui-hint-details = 详情
tui-hint-cleanup = 清理
tui-hint-disable = 停用

## 帮助中的说明
tui-help-quit-anywhere = 退出 keydesk（任何界面均可）
tui-help-help-screen = 当前界面的帮助
tui-help-suspend = 挂起 keydesk（回到 shell；用 fg 恢复）
tui-help-move-up = 上移
tui-help-move-down = 下移
tui-help-page-up = 上翻一页
tui-help-page-down = 下翻一页
tui-help-first-key = 第一个密钥
tui-help-last-key = 最后一个密钥
tui-help-new-key = 创建新密钥
tui-help-open-actions = 所选密钥的操作（下列各项，以及复制 ID）
tui-help-edit-selected = 编辑所选密钥的名称
tui-help-delete-selected = 删除所选密钥
tui-help-toggle-selected = 停用所选密钥，或重新启用
tui-help-rotate-selected = 轮换：生成新密钥，旧密钥在宽限期内仍可用
tui-help-expiry-selected = 设置所选密钥的有效期
tui-help-filter-list = 按名称或 ID 即时筛选
tui-help-clear-filter = 清除筛选
tui-help-sort-next = 按下一列排序
tui-help-sort-reverse = 反转排序顺序
tui-help-open-log = 审计日志：谁在何时、从何处更改了哪个密钥
tui-help-toggle-details = 显示或隐藏所选密钥的详情和用量
tui-help-open-cleanup = 清理：未使用的密钥，可批量停用或删除
tui-help-show-help = 显示本帮助
tui-help-quit = 退出
tui-help-cursor-left = 光标左移
tui-help-cursor-right = 光标右移
tui-help-cursor-home = 光标移到开头
tui-help-cursor-end = 光标移到末尾
tui-help-delete-back = 删除光标前的字符
tui-help-delete-forward = 删除光标处的字符
tui-help-clear-to-start = 删除光标前的全部内容
tui-help-apply-filter = 保留筛选并返回列表
tui-help-match-up = 在匹配结果中上移
tui-help-match-down = 在匹配结果中下移
tui-help-previous-action = 上一个操作
tui-help-next-action = 下一个操作
tui-help-run-action = 执行所选操作
tui-help-edit-name = 编辑名称
tui-help-toggle = 停用或启用
tui-help-rotate = 轮换（生成新密钥）
tui-help-set-expiry = 设置有效期
tui-help-delete = 删除
tui-help-copy-id = 复制密钥的 ID
tui-help-history = 该密钥在审计日志中的历史记录
tui-help-close-menu = 关闭菜单
tui-help-next-field = 下一个输入框或按钮
tui-help-previous-field = 上一个输入框或按钮
tui-help-tick-agreement = 勾选或取消勾选协议（获得焦点时）
tui-help-create-key = 创建密钥（同「确定」）；焦点在按钮上时按下按钮
tui-help-cancel = 取消
tui-help-read-agreement = 阅读协议
tui-help-show-help-name-field = 显示本帮助（名称输入框无焦点时）
tui-help-scroll-up = 向上滚动
tui-help-scroll-down = 向下滚动
tui-help-top = 顶部
tui-help-bottom = 底部
tui-help-back-to-create = 返回创建对话框
tui-help-copy-key = 复制密钥
tui-help-close-secret = 关闭（如未复制密钥，会先询问）
tui-help-close-without-copying = 关闭；密钥将无法再次显示
tui-help-back-to-key = 返回密钥
tui-help-save-name = 保存新名称
tui-help-delete-key = 删除密钥
tui-help-keep-key = 保留密钥（取消）
tui-help-disable-used-key = 停用：使用它的应用将被拒绝
tui-help-keep-enabled = 保留，继续可用（默认）
tui-help-disable-instead = 改为停用密钥：停止验证，之后可重新启用
tui-help-next-button = 下一个按钮
tui-help-previous-button = 上一个按钮
tui-help-press-button = 按下当前按钮（未移动焦点时为「取消」）
tui-help-shorter-grace = 缩短旧密钥的宽限期
tui-help-longer-grace = 延长宽限期
tui-help-rotate-now = 轮换：生成新密钥
tui-help-rotate-anyway = 轮换；更早的旧密钥立即失效
tui-help-go-back = 返回（不做任何更改）
tui-help-date-field = 切换到日期输入框并返回
tui-help-save-expiry = 保存有效期
tui-help-show-help-date-field = 显示本帮助（日期输入框无焦点时）
tui-help-previous-entry = 上一条（较新）
tui-help-next-entry = 下一条（较旧）
tui-help-newest-entry = 最新一条
tui-help-oldest-entry = 已加载的最旧一条（再按：加载下一页）
tui-help-filter-log = 按名称、ID、操作或操作者即时筛选
tui-help-back-to-list = 返回密钥列表
tui-help-keep-filter = 保留筛选
tui-help-mark = 标记或取消标记所选密钥
tui-help-mark-all = 标记显示的全部密钥，或全部取消标记
tui-help-fewer-days = 减少未使用天数（30、90、180）
tui-help-more-days = 增加未使用天数（30、90、180）
tui-help-cleanup-spend = 按近 30 天花费列出有词元的密钥（未设价格时按词元数），或回到未使用的密钥
tui-help-disable-marked-ask = 停用已标记的密钥（可恢复），会先询问
tui-help-delete-marked-ask = 删除已标记的密钥，须先输入数量
tui-help-disable-marked = 停用已标记的密钥
tui-help-delete-marked = 删除已标记的密钥（输入的数字须等于标记数量）
tui-help-close-help = 关闭帮助

## 密钥表格，TUI 与 `keydesk list` 共用
tui-column-name = 名称
tui-column-id = ID
tui-column-api-key = 密钥
tui-column-created-at = 创建时间
tui-column-last-used = 最近使用
tui-column-status = 状态
# 时间列的表头：标题及时间所用的 UTC 偏移。
tui-column-with-offset = { $title }（{ $offset }）
# 状态列：最多 15 列宽。
tui-status-active = 正常
tui-status-disabled = 已停用
tui-status-expired = 已过期
# $when 为 tui-in-span：「5 天后过期」。
tui-status-expires = { $when }过期
# $left 为 tui-span-…：旧密钥还能用多久。
tui-status-rotating = 轮换剩 { $left }
# 有过期时间的轮换中密钥（有空间时）：「轮换剩 5 小时，3 天后过期」。
tui-status-rotating-expires = 轮换剩 { $left }，{ $when }过期
tui-in-span = { $span }后
tui-span-days = { $count } 天
tui-span-hours = { $count } 小时
tui-span-minutes = { $count } 分钟
tui-span-seconds = { $count } 秒
# 清理标记的图例，完整与简短两种。
tui-flag-unused = 创建 { $days } 天后仍未使用
tui-flag-idle = 超过 { $days } 天未使用
tui-flag-unused-brief = 未使用 { $days } 天+
tui-flag-idle-brief = 闲置 { $days } 天+

## UTC 偏移（--utc-offset、配置文件的 utc_offset）；$input 带引号
tui-offset-invalid = 无效的 UTC 偏移 { $input }：请使用 ±HH:MM 或 ±H:MM，例如 +08:00、+8 或 -05:30
tui-offset-out-of-range = UTC 偏移 { $input } 超出范围：偏移须在 { $min } 到 { $max } 之间

## 密钥列表
tui-title-keys = { $count } 个密钥
tui-title-shown = 显示 { $count } 个
# 右上角排序列名称之前。
tui-title-sorted-by = 排序：
tui-list-loading = 加载中…
# $key 为清除筛选的按键，单独着色。
tui-list-no-match = 没有匹配「{ $filter }」的密钥——按 { $key } 清除筛选
tui-list-empty-press = 还没有密钥——按 { $key } 创建
tui-list-empty = 还没有密钥
# 表格下方所选密钥的一行，各部分以「 · 」分隔。
tui-selected-created = 创建于 { $at }
tui-selected-last-used = 最近使用 { $at }
tui-selected-disabled-since = 停用于 { $at }
tui-selected-old-secret-until = 旧密钥有效至 { $at }
tui-selected-expired = 已于 { $at } 过期
tui-selected-expires = 过期时间 { $at }
tui-selected-old-secret-used = 旧密钥最近使用 { $at }
# 用于句中（表格中显示「-」）。
# 最近一次使用来自旧密钥（轮换宽限期内）：「2026-03-15 20:56:00 旧密钥」。
tui-last-used-old = { $at } 旧密钥
tui-never = 从未使用
tui-filter-label = 筛选：
tui-legend-title = 清理候选：
tui-legend-count = { $count } 个{ $meaning }
# 按调用次数排序（不是表格中的列）。
tui-sort-uses = 调用次数（30 天）
# 按输入与输出词元排序（排序时才显示为列）。
tui-sort-tokens = 词元（30 天）

## 详情面板
tui-details-title = 详情
tui-details-none = 未选择密钥
tui-details-usage-reading = 用量：读取中…
tui-details-uses-per-day = 近 30 天每日调用次数
tui-details-uses-per-hour = 近 24 小时每小时调用次数
# 迷你图标题之后：最大值。
tui-details-peak = （峰值 { $peak }）
tui-details-id = ID
tui-details-status = 状态
tui-details-expires = 过期时间
tui-details-old-secret = 旧密钥
tui-details-until = 有效至 { $at }
tui-details-created = 创建时间
tui-details-last-used = 最近使用
# 面板较矮时每行两项。
tui-details-fact = { $label }：{ $value }
tui-details-30-days = 30 天：
tui-details-uses = 调用 { $count } 次
tui-details-none-refused = 无拒绝
# $reasons：各拒绝原因（tui-details-refused-…）及次数。
tui-details-refused = 拒绝 { $count } 次（{ $reasons }）
tui-details-refused-disabled = 已停用
tui-details-refused-expired = 已过期
tui-details-refused-old-secret = 旧密钥
# 30 天内的输入与输出词元，简写（1.2M、34.5k）。
tui-details-tokens = 词元 输入 { $input } · 输出 { $output }
tui-details-cost = 费用 { $money }
# 费用：金额（两位小数）与 [prices] 的币种。
tui-money = { $amount } { $currency }
tui-details-tokens-per-day = 近 30 天每日词元
# $period：day、week、month 或 life（密钥整个有效期）。
tui-details-budget-tokens = { $period ->
    [day] 今日
    [week] 本周
    [month] 本月
   *[life] 有效期内
}词元 { $used } / { $amount }
tui-details-budget-spend = { $period ->
    [day] 今日
    [week] 本周
    [month] 本月
   *[life] 有效期内
}花费 { $used } / { $amount }
# 预算周期结束的时间：「1月1日 00:00 UTC+8 重置」。
tui-details-budget-resets = { $month }月{ $day }日 { $time } { $offset } 重置
tui-details-budget-with-reset = { $figures }，{ $resets }
tui-details-budget-no-prices = 配置文件中没有 [prices]：无法计算花费
# 句中列举各项之间。
tui-list-separator = 、

## 浮层与「终端太小」界面
tui-help-title = 帮助
tui-help-keys-for = 按键：
tui-more-below = ↓ 更多
tui-too-small = 终端太小
# $size 为当前终端大小，$need 为最小要求：「30×8」「60×15」。
tui-too-small-size = { $size }——至少需要 { $need }
tui-too-small-quit = 请放大终端，或按 { $key } 退出
tui-too-small-keys-ignored = （在此之前按键将被忽略）

## 审计日志
tui-log-title = 审计日志
# 标题之后；$whose 为 tui-log-all-keys 或 tui-log-one-key，$count 为 tui-log-reading、-entries、-found 之一。
tui-log-title-details = （{ $offset }，最新在前）· { $whose } · { $count }
tui-log-all-keys = 全部密钥
tui-log-one-key = { $name }（{ $id }）
tui-log-reading = 读取中…
tui-log-entries = { $count } 条记录
tui-log-found = 找到 { $count } 条
# 搜索仍在继续，可能还有更多。
tui-log-entries-so-far = { $count }+ 条记录
tui-log-found-so-far = 已找到 { $count }+ 条
tui-log-cannot-read = 无法读取审计日志：{ $error }
tui-log-no-entries = 没有记录
# 每条记录的第二行：操作者、来源与方式。
tui-log-by = 操作者：{ $actor }
tui-log-sudo-from = 经 { $user } sudo
# 操作者一行各部分之间。
tui-log-actor-separator = ，
tui-log-searching = 搜索中…
# $seq 为记录编号。
tui-log-searching-before = 搜索中…（#{ $seq } 之前的记录）
tui-log-detail-expires = { $name }，过期时间 { $at }
tui-log-detail-never-expires = { $name }，永不过期
tui-log-detail-rotated = { $name }，旧密钥有效至 { $at }
tui-log-detail-upgraded = 数据库结构 { $from } → { $to }
tui-log-detail-policy = { $name }，策略 { $from } → { $to }
tui-log-detail-with-policy = { $detail }，策略 { $policy }
tui-log-policy-none = 无
# 操作列（`log --json` 仍用英文名称）。
tui-log-action-create = 创建
tui-log-action-rename = 编辑名称
tui-log-action-delete = 删除
tui-log-action-disable = 停用
tui-log-action-enable = 启用
tui-log-action-rotate = 轮换
tui-log-action-expire = 设置有效期
tui-log-action-policy = 设置策略
tui-log-action-upgrade = 升级

## 清理界面
tui-cleanup-title = 清理
# 天数选项之前：30 [90] 180。
tui-cleanup-unused-for = 未使用
# 天数选项之后。
tui-cleanup-title-rest = 天，或创建 { $days } 天后仍未使用 · { $count } 个密钥
tui-cleanup-none = 没有 { $days } 天未使用的密钥
tui-cleanup-last-used = 最近使用
tui-cleanup-created = 创建时间
# 列宽至少 8，表头更长时随之加宽。
tui-cleanup-uses = 30 天调用
# 按花费查看（s）：30 天内有词元的密钥，高者在前。
tui-cleanup-by-spend = 按 30 天花费 · { $count } 个密钥
tui-cleanup-by-tokens = 按 30 天词元（未设价格）· { $count } 个密钥
tui-cleanup-no-tokens = 30 天内没有密钥使用词元
tui-cleanup-tokens-in = 30 天输入
tui-cleanup-tokens-out = 30 天输出
tui-cleanup-cost = 费用 { $currency }
tui-cleanup-marked = 已标记 { $count } / { $total }
tui-cleanup-ask-disable = 停用 { $count } 个密钥？停用后将停止验证，直到重新启用。（y/n）
# $number 为用户须输入的数字（即 $count）。
tui-cleanup-ask-delete = 永久删除 { $count } 个密钥？请输入 { $number } 并按 Enter：

## 状态行：刚发生的事，以及后台正在进行的事
# 状态行右侧，不会被截断。
tui-status-clipboard-clears = 剪贴板将在 { $seconds } 秒后清空
tui-status-working = 处理中…
tui-status-unreachable = 数据库无法访问 · 只读
tui-status-read-only = 数据库无法访问：列表为最后一次读取的内容，恢复前为只读
tui-status-no-room-for-details = 终端太小，无法显示详情面板
tui-status-no-key-selected = 未选择密钥——按 { $key } 创建
# $column 为排序列名称，$order 为 tui-sort-… 之一或「A → Z」。
tui-status-sorted = 按{ $column }排序，{ $order }
tui-sort-newest-first = 最新在前
tui-sort-oldest-first = 最早在前
tui-sort-most-used-first = 调用最多在前
tui-sort-least-used-first = 调用最少在前
tui-sort-most-tokens-first = 词元最多在前
tui-sort-fewest-tokens-first = 词元最少在前
tui-status-none-marked = 未标记密钥：Space 标记一个，a 标记全部
# $number 为用户须输入的数字。
tui-status-type-count = 请输入 { $number }（已标记的密钥数量）以删除
# $key 可重新启用密钥。
tui-status-bulk-disabled = 已停用 { $count } 个密钥（在列表中选中密钥按 { $key } 可重新启用）
tui-status-bulk-deleted = 已删除 { $count } 个密钥
tui-status-bulk-disable-failed = 无法停用这些密钥：{ $error }
tui-status-bulk-delete-failed = 无法删除这些密钥：{ $error }
tui-status-change-in-flight = 仍在保存上一次更改——请稍后再试
tui-note-offset-unknown = 本地 UTC 偏移未知：时间按 UTC 显示（可用 --utc-offset ±HH:MM 指定）
# The screen is ASCII only (no UTF-8 locale, --ascii or unicode = false),
# so it cannot show Chinese and speaks English.
tui-note-chinese-needs-unicode = 中文界面需要 UTF-8 终端：请设置 LANG=zh_CN.UTF-8（或在配置文件中设置 unicode = true）
tui-error-events-stopped = 事件源已停止

## One audit log entry shown whole (Enter on the log).
tui-hint-open = 打开
tui-help-open-entry = 显示整条记录的每个字段
tui-help-close-entry = 返回审计日志
tui-screen-log-entry = 审计日志记录
tui-log-field-entry = 编号
tui-log-field-time = 时间
tui-log-field-action = 操作
tui-log-field-key = 密钥
tui-log-field-name = 名称
tui-log-field-detail = 详情
tui-log-field-by = 操作者
