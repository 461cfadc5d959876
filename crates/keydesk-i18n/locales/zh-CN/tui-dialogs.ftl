# 终端界面的对话框、应用的状态消息（dialog-…），以及复制到剪贴板的结果（clipboard-…）。

## 各对话框共用的按钮

dialog-ok = 确定
dialog-cancel = 取消

## 创建对话框

dialog-create-title = 创建 API 密钥
dialog-create-name = 名称
dialog-create-agreement = 我已阅读并同意协议，并了解相关风险
# 跟在打开协议的按键（Ctrl-O）之后。
dialog-create-read-agreement = 阅读协议
dialog-create-not-yet = 还不能创建：{ $reason }
dialog-create-fix-name = 还不能创建：请先修正名称（见上方）
# $key：勾选该框的按键（Space）。
dialog-create-tick-agreement = 请先勾选同意协议（按 { $key } 勾选）
dialog-create-duplicate-again = 已有其他密钥名为 { $name }：仍要创建，请再按一次 { $key }
dialog-rename-duplicate-again = 已有其他密钥名为 { $name }：仍要改名，请再按一次 { $key }

## 协议查看器

dialog-agreement-title = API 密钥使用协议

## 名称输入框（创建与编辑名称）

dialog-name-unchanged = 未更改
dialog-name-valid = 名称可用
dialog-name-duplicate = 已有其他密钥名为 { $name }

## 有效期选择（创建与“设置有效期”）

dialog-expiry-label = 过期时间
dialog-expiry-date-label = 日期
# $left、$right：切换选项的按键（←、→）。
dialog-expiry-change = { $left }/{ $right } 切换
dialog-expiry-never-expires = 密钥永不过期
dialog-expiry-stops-at = 将于 { $at }（{ $offset }）失效
dialog-expiry-option-never = 永不过期
dialog-expiry-option-days = { $count } 天
dialog-expiry-option-year = 1 年
dialog-expiry-option-date = 指定日期
dialog-expiry-not-future = { $date } 不是将来的日期
dialog-expiry-too-far = { $date } 太远：最多为从现在起 { $max } 天
dialog-expiry-date-form = 请按 { $form } 格式输入日期，例如 2026-12-31

## “设置有效期”对话框

dialog-set-expiry-title = 设置有效期
dialog-set-expiry-key = 名称
dialog-set-expiry-id = ID
dialog-set-expiry-now = 当前过期时间
dialog-set-expiry-never = 永不过期
dialog-save-not-yet = 还不能保存：{ $reason }

## 完整密钥对话框（新密钥，或轮换后的新密钥）

dialog-secret-title = 您的新 API 密钥
dialog-secret-title-rotated = 轮换后的新密钥
# $name 会高亮显示。
dialog-secret-created = 密钥 { $name }（{ $id }）已创建：
dialog-secret-rotated = 密钥 { $name }（{ $id }）已轮换：
dialog-secret-warning = 请立即复制并妥善保管：完整密钥不会再次显示。keydesk 只保存其哈希值；如果遗失，请删除该密钥并重新创建。
dialog-secret-old-ended = 旧密钥（{ $masked }）已失效。
dialog-secret-old-until = 旧密钥（{ $masked }）在 { $at }（{ $offset }）之前仍然有效。
dialog-secret-confirm-close = 不复制就关闭？（{ $yes }/{ $no }）
dialog-secret-copy-again = 再次复制
dialog-secret-closed-uncopied = 密钥未复制即已关闭——它无法再次显示

## 编辑名称对话框

dialog-rename-title = 编辑名称
dialog-rename-key = 密钥
dialog-rename-current = 当前名称
dialog-rename-new-name = 新名称
dialog-rename-fix-name = 还不能保存：请先修正名称（见上方）
dialog-rename-unchanged = 名称未更改

## 删除对话框

dialog-delete-title = 删除密钥
dialog-delete-question = 确认删除此密钥？
dialog-delete-name = 名称
dialog-delete-id = ID
dialog-delete-api-key = 密钥
dialog-delete-last-used = 最近使用
dialog-delete-warning = 使用此密钥的应用或脚本将无法再调用服务，它们会停止工作。此操作无法撤销。
dialog-delete-instead = 拿不准？可以改为停用：密钥同样会停止工作，之后还能重新启用。
dialog-delete-button-disable = 改为停用
dialog-delete-button-delete = 删除

## 轮换对话框

dialog-rotate-title = 轮换密钥
dialog-rotate-key = 名称
dialog-rotate-id = ID
dialog-rotate-secret = 密钥
dialog-rotate-explain = 新密钥将替换此密钥当前的密钥值；ID、名称和有效期保持不变。在您选择的宽限期内，旧密钥仍可作为同一个密钥使用，以便服务不停机地完成切换。
dialog-rotate-grace = 宽限期
dialog-rotate-grace-now = 立即
dialog-rotate-grace-hour = 1 小时
dialog-rotate-grace-day = 24 小时
dialog-rotate-grace-week = 7 天
# 下列句子中的时间，带 UTC 偏移；以全角括号结尾，所以其后不加空格。
dialog-rotate-time = { $time }（{ $offset }）
dialog-rotate-ends-now = 旧密钥将立即失效。
dialog-rotate-ends-at = 旧密钥将于 { $at }失效。
dialog-rotate-running = 更早的旧密钥（{ $masked }）在 { $at }之前仍然有效；再次轮换会使其立即失效。
dialog-rotate-confirm = 立即结束该宽限期并继续轮换？（{ $yes }/{ $no }）

## 操作菜单

dialog-actions-title = 操作
dialog-actions-edit-name = 编辑名称
dialog-actions-enable = 启用
dialog-actions-disable = 停用
dialog-actions-rotate = 轮换
dialog-actions-set-expiry = 设置有效期
dialog-actions-delete = 删除
dialog-actions-copy-id = 复制 ID
dialog-actions-history = 历史记录

## 状态消息：操作的结果

dialog-input-full = 名称最多 64 个字符
dialog-expired-cannot-enable = { $name } 已过期，无法重新启用：请删除它，或创建新密钥
dialog-expired-cannot-rotate = { $name } 已过期，无法轮换：请创建新密钥
dialog-expired-cannot-set-expiry = { $name } 已过期，无法设置新的有效期：请删除它，或创建新密钥
dialog-expired-cannot-disable = { $name } 已过期，无需停用：请删除它，或创建新密钥
# 停用最近用过的密钥之前的提问。$ago 为 tui-span-…（「2 分钟」）。
dialog-disable-title = 停用密钥？
dialog-disable-used = { $name } 在 { $ago }前使用过，仍要停用吗？（{ $yes }/{ $no }）
dialog-disable-explain = 停用后，所有使用它的应用都会被拒绝，直到重新启用。
dialog-could-not-disable = 无法停用：{ $message }
dialog-could-not-enable = 无法启用：{ $message }
dialog-could-not-set-expiry = 无法设置有效期：{ $message }
# $key：重新启用的按键。
dialog-disabled = 已停用 { $name }（按 { $key } 可重新启用）
dialog-enabled = 已启用 { $name }：可以重新通过验证
dialog-now-expires = { $name } 的过期时间已设为 { $at }（{ $offset }）
dialog-now-never-expires = { $name } 现在永不过期
dialog-rotated = 已轮换 { $name }
dialog-could-not-rotate = 无法轮换：{ $message }
dialog-deleted-elsewhere = 密钥 { $name } 已在别处被删除
dialog-could-not-read-usage = 无法读取用量：{ $message }
dialog-could-not-read-keys = 无法读取密钥：{ $message }
dialog-created = 已创建 { $name }
dialog-could-not-create = 无法创建密钥：{ $message }
dialog-renamed = 名称已改为 { $name }
dialog-could-not-rename = 无法编辑名称：{ $message }
dialog-deleted = 已删除 { $name }（{ $id }）
dialog-could-not-delete = 无法删除：{ $message }
dialog-bug-saving = keydesk 在保存时遇到程序错误（{ $bug }）；请重新加载以查看已保存的内容
dialog-bug-usage = keydesk 在读取用量时遇到程序错误（{ $bug }）
# 程序错误本身未给出说明时的称呼。
dialog-bug-unknown = 未知的 panic

## 剪贴板。$kind 为 "secret"（完整密钥）或 "id"（密钥的 ID）。

clipboard-unavailable-secret = 剪贴板不可用——请在屏幕上选中密钥，手动复制
clipboard-unavailable-id = 剪贴板不可用——请在屏幕上选中文本，手动复制
clipboard-copied = { $kind ->
        [secret] 已将密钥复制到剪贴板。
       *[other] 已将 ID 复制到剪贴板。
    }
clipboard-copied-clears = { $kind ->
        [secret] 已将密钥复制到剪贴板（{ $delay }后清除）。
       *[other] 已将 ID 复制到剪贴板（{ $delay }后清除）。
    }
clipboard-copied-ends-with-app = { $kind ->
        [secret] 已将密钥复制到剪贴板（keydesk 退出后可能随之消失）。
       *[other] 已将 ID 复制到剪贴板（keydesk 退出后可能随之消失）。
    }
clipboard-copied-clears-ends-with-app = { $kind ->
        [secret] 已将密钥复制到剪贴板（{ $delay }后清除；keydesk 退出后可能随之消失）。
       *[other] 已将 ID 复制到剪贴板（{ $delay }后清除；keydesk 退出后可能随之消失）。
    }
# 状态栏中的一行；$route 为 clipboard-brief-route-… 之一，都以全角括号结尾，所以其后不加空格。
clipboard-brief-sent = { $kind ->
        [secret] 已通过 { $route }发送密钥——没收到？请在屏幕上选中
       *[other] 已通过 { $route }发送 ID——没收到？请在屏幕上选中
    }
clipboard-brief-route-tmux = OSC 52（tmux：需 set-clipboard on）
clipboard-brief-route-screen = OSC 52（经 screen）
clipboard-brief-route-terminal = OSC 52（终端）
clipboard-brief-off = { $kind ->
        [secret] 复制已关闭（--clipboard off）：请在屏幕上选中密钥
       *[other] 复制已关闭（--clipboard off）：请在屏幕上选中 ID
    }
clipboard-brief-failed = { $kind ->
        [secret] 无法复制密钥：请在屏幕上选中
       *[other] 无法复制 ID：请在屏幕上选中
    }
# $route 为 clipboard-route-… 之一。
clipboard-sent = { $kind ->
        [secret] 已将密钥发送到终端的剪贴板（{ $route }）——如果没有复制成功，请在屏幕上选中密钥。
       *[other] 已将 ID 发送到终端的剪贴板（{ $route }）——如果没有复制成功，请在屏幕上选中 ID。
    }
clipboard-sent-fallback = { $kind ->
        [secret] 没有系统剪贴板，因此已将密钥发送到终端的剪贴板（{ $route }）——如果没有复制成功，请在屏幕上选中密钥。
       *[other] 没有系统剪贴板，因此已将 ID 发送到终端的剪贴板（{ $route }）——如果没有复制成功，请在屏幕上选中 ID。
    }
clipboard-sent-clears = 如果 keydesk 仍在运行，将在 { $delay }后清除。
clipboard-route-tmux = 经 tmux 的 OSC 52，需要 `set-clipboard on`
clipboard-route-screen = 经 screen 的 OSC 52
clipboard-route-terminal = OSC 52
clipboard-off = { $kind ->
        [secret] 复制已关闭（--clipboard off）：请在屏幕上选中密钥，用终端复制。
       *[other] 复制已关闭（--clipboard off）：请在屏幕上选中 ID，用终端复制。
    }
clipboard-failed = { $kind ->
        [secret] 无法复制密钥：{ $reason }。请在屏幕上选中它，用终端复制。
       *[other] 无法复制 ID：{ $reason }。请在屏幕上选中它，用终端复制。
    }
clipboard-cleared = 已从剪贴板清除密钥。
clipboard-left-alone = 剪贴板中已不再是该密钥，因此未作改动。
clipboard-cleared-tmux = 已用一个空格覆盖剪贴板（OSC 52）；tmux 仍在较早的粘贴缓冲区中保留着密钥。
clipboard-cleared-terminal = 已请求终端从其剪贴板清除密钥（OSC 52）。
clipboard-clear-failed = 无法清除剪贴板：{ $reason }。
clipboard-delay-seconds = { $count } 秒
clipboard-delay-minutes = { $count } 分钟
clipboard-delay-milliseconds = { $count } 毫秒
clipboard-system-failed = 系统剪贴板出错（{ $error }）
clipboard-terminal-failed = 写入终端失败（{ $error }）
clipboard-both-failed = 系统剪贴板出错（{ $system }），写入终端也失败（{ $terminal }）
clipboard-system-not-open = 系统剪贴板未打开
clipboard-read-back-failed = 无法读回内容进行核对（{ $error }）
clipboard-unknown-mode = 未知的剪贴板模式 { $mode }：请使用 auto、system、osc52 或 off
