"""Words of reassignment, the outbox and the dispatch server (zh, en)."""

MESSAGES = {
    # outbox states
    "outbox.state.pending": ("待确认", "Pending"),
    "outbox.state.confirmed": ("已确认", "Confirmed"),
    "outbox.state.conflict": ("冲突", "Conflict"),
    "outbox.state.refused": ("被拒绝", "Refused"),
    "outbox.state.failed": ("发送失败", "Failed"),
    # command line: reassign
    "reassign.cli.off": (
        "改派未启用：请在配置文件 [dispatch] 中设置 base_url",
        "reassignment is off: set base_url in the [dispatch] section of the config",
    ),
    "reassign.cli.blank_reason": ("改派原因不能为空", "a reason is required and must not be blank"),
    "reassign.cli.unknown_ticket": ("工单 {ticket} 不存在：未做任何改动", "unknown ticket {ticket}: nothing was changed"),
    "reassign.cli.same_station": (
        "工单 {ticket} 已在 {station}：未做任何改动",
        "ticket {ticket} is already at {station}: nothing was changed",
    ),
    "reassign.cli.confirmed": (
        "已改派：工单 {ticket} → {station}（版本 {version}），调度系统已确认",
        "reassigned: ticket {ticket} → {station} (version {version}), confirmed by the dispatch API",
    ),
    "reassign.cli.queued": (
        "已存入发件箱（{id}），调度系统尚未确认：{error}。控制台或 `woq-console outbox push` 会继续推送",
        "queued in the outbox ({id}), not yet confirmed by the dispatch API: {error}. "
        "The console or `woq-console outbox push` will push it again",
    ),
    "reassign.cli.conflict": (
        "被拒绝：工单 {ticket} 已被他人改动（当前在 {station}，版本 {version}）；未做任何改动",
        "refused: ticket {ticket} was changed meanwhile (now at {station}, version {version}); nothing was changed",
    ),
    "reassign.cli.refused": ("被拒绝：{error}；未做任何改动", "refused: {error}; nothing was changed"),
    "reassign.cli.token": (
        "被拒绝：{error}。请检查环境变量 {env} 中的令牌",
        "refused: {error}. Check the token in the environment variable {env}",
    ),
    # command line: outbox
    "outbox.cli.empty": ("发件箱为空：所有改派均已确认", "The outbox is empty: every reassignment is confirmed"),
    "outbox.cli.header": (
        "编号 状态 尝试 工单 改派 提交时间 最近错误",
        "ID State Attempts Ticket Reassignment Requested Last-error",
    ),
    "outbox.cli.nothing": ("没有待推送的改派", "Nothing to push"),
    "outbox.cli.pushed": (
        "已推送 {total} 条：确认 {confirmed}，冲突 {conflict}，拒绝 {refused}，失败 {failed}，待重试 {pending}",
        "Pushed {total}: {confirmed} confirmed, {conflict} conflict, {refused} refused, {failed} failed, "
        "{pending} to retry",
    ),
    "outbox.cli.line": ("{ticket} → {station}：{state}{error}", "{ticket} → {station}: {state}{error}"),
    "outbox.cli.dropped": ("已删除 {id}（工单 {ticket} → {station}），不会再发送", "Dropped {id} (ticket {ticket} → {station}); it will not be sent"),
    # command line: dispatch server
    "dispatch.cli.no_token": (
        "拒绝启动：环境变量 {env} 未设置令牌（测试时可加 --no-auth）",
        "refusing to start: no token in the environment variable {env} (add --no-auth to run without one)",
    ),
    "dispatch.cli.no_auth_exposed": (
        "警告：--no-auth 且监听 {host}，任何能访问此地址的人都可改派工单",
        "warning: --no-auth while listening on {host}: anyone who can reach it can reassign tickets",
    ),
    "dispatch.cli.cannot_listen": ("无法监听 {host}:{port}：{error}", "cannot listen on {host}:{port}: {error}"),
    "dispatch.cli.listening": ("调度接口已启动：{url}（Ctrl+C 停止）", "dispatch API listening on {url} (Ctrl+C stops it)"),
}
