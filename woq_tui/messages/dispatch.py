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
    "reassign.cli.bad_text": (
        "{option}：含有无法保存的字符（NUL 或非 UTF-8 字节）；未做任何改动",
        "{option}: holds characters that cannot be stored (NUL, or bytes that are not UTF-8); nothing was changed",
    ),
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
        "已存入发件箱（{id}），调度系统尚未确认：{error}。它会被自动送达：控制台或 "
        "`woq-console outbox push --wait` 会持续重试，直到 {until}",
        "queued in the outbox ({id}), not yet confirmed by the dispatch API: {error}. It will be delivered by "
        "itself: the console or `woq-console outbox push --wait` keeps retrying it until {until}",
    ),
    "reassign.cli.no_answer": ("尚无答复", "no answer yet"),
    "reassign.cli.failed": (
        "发送失败（{id}）：{error}。重试期限已过，不会再自动重试；可用 `woq-console outbox retry {id}` 重新发送",
        "failed ({id}): {error}. Its retry window has passed and nothing will retry it by itself; "
        "`woq-console outbox retry {id}` sends it again",
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
    "outbox.cli.empty": (
        "发件箱为空：所有改派和改类均已确认",
        "The outbox is empty: every reassignment and reclassification is confirmed",
    ),
    "outbox.cli.header": (
        "编号 状态 尝试 工单 改动 提交时间 下一步 最近错误",
        "ID State Attempts Ticket Change Requested Next-step Last-error",
    ),
    "outbox.cli.nothing": ("没有待推送的改派或改类", "Nothing to push"),
    "outbox.cli.pushed": (
        "已推送 {total} 条：确认 {confirmed}，冲突 {conflict}，拒绝 {refused}，失败 {failed}，待重试 {pending}",
        "Pushed {total}: {confirmed} confirmed, {conflict} conflict, {refused} refused, {failed} failed, "
        "{pending} to retry",
    ),
    "outbox.cli.still_pending": (
        "仍有 {count} 条待确认：会自动重试（控制台或 `woq-console outbox push --wait`）",
        "{count} still pending: they are retried by themselves (the console or `woq-console outbox push --wait`)",
    ),
    "outbox.cli.need_a_person": (
        "{count} 条未送达且不会再自动重试，需要人工处理：",
        "{count} not delivered and not retried by themselves; someone has to look:",
    ),
    "outbox.cli.person_line": ("  {id} {ticket} → {station}：{state}{error}；{step}", "  {id} {ticket} → {station}: {state}{error}; {step}"),
    "outbox.cli.need_id": ("需要条目编号", "an entry ID is required"),
    "outbox.step.pending": ("下次尝试 {next}，自动重试至 {until}", "next try {next}, retried by itself until {until}"),
    "outbox.step.pending_now": ("立即尝试，自动重试至 {until}", "due now, retried by itself until {until}"),
    "outbox.step.failed": ("不再自动重试：`woq-console outbox retry {id}`", "not retried by itself: `woq-console outbox retry {id}`"),
    "outbox.step.final": (
        "请重新改派（或改类），然后 `woq-console outbox drop {id}`",
        "reassign (or reclassify) again, then `woq-console outbox drop {id}`",
    ),
    # an entry's last error in words (outbox_words.py)
    "outbox.why.timeout": ("调度接口未及时应答", "the dispatch API did not answer in time"),
    "outbox.why.unreachable": ("连不上调度接口", "cannot reach the dispatch API"),
    "outbox.why.conflict": ("工单已被改动（版本冲突）", "the ticket changed meanwhile (version conflict)"),
    "outbox.why.unknown_ticket": ("调度系统没有这张工单", "the dispatch system has no such ticket"),
    "outbox.why.unknown_station": ("调度系统没有这个供电所", "the dispatch system has no such station"),
    "outbox.why.invalid": ("调度接口认为请求内容无效", "the dispatch API found the request invalid"),
    "outbox.why.key_reused": ("同一请求编号已用于另一请求", "the request ID was used for another request"),
    "outbox.why.token": ("调度接口拒绝了令牌", "the dispatch API refused the token"),
    "outbox.why.busy": ("调度接口繁忙", "the dispatch API is busy"),
    "outbox.why.server": ("调度接口出错（HTTP {status}）", "the dispatch API failed (HTTP {status})"),
    "outbox.why.other": ("调度接口拒绝（HTTP {status}）", "the dispatch API refused (HTTP {status})"),
    "outbox.error.need_station": ("需要目标供电所", "a target station is required"),
    "outbox.error.need_reason": ("需要原因", "a reason is required"),
    "outbox.error.need_operator": ("需要操作员", "an operator is required"),
    "outbox.error.short_id": ("发件箱条目 {id!r}：请至少给出编号的 4 个字符", "outbox entry {id!r}: give at least 4 characters of the ID"),
    "outbox.error.no_such": ("发件箱条目 {id!r}：没有这个条目", "outbox entry {id!r}: no such entry"),
    "outbox.error.ambiguous": (
        "发件箱条目 {id!r}：有多个条目以此开头，请给出更多字符",
        "outbox entry {id!r}: more than one entry starts with it; give more of the ID",
    ),
    "outbox.error.final_answer": (
        "发件箱条目 {id}：调度系统已答复「{state}」，重试只会得到同样结果：请重新改派（或改类）该工单",
        "outbox entry {id}: the dispatch API answered {state}; a retry would get the same answer: "
        "reassign (or reclassify) the ticket again",
    ),
    "outbox.error.already_confirmed": ("发件箱条目 {id}：已确认", "outbox entry {id}: already confirmed"),
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
    "dispatch.cli.bad_host": ("无法监听 {host}：不是本机地址或主机名", "cannot listen on {host}: not an address or host name of this machine"),
}

MESSAGES.update(
    {
        # the reassign dialog
        "reassign.title_one": ("改派工单 {ticket}（现属 {station}）", "Reassign ticket {ticket} (now at {station})"),
        "reassign.title_many": ("改派 {count} 张工单（现属 {stations}）", "Reassign {count} tickets (now at {stations})"),
        "reassign.station": ("改派到供电所", "Target station"),
        "reassign.station_hint": (
            "输入编码、名称或拼音首字母，如 dlcx",
            "Type a code, name or pinyin initials, e.g. dlcx",
        ),
        "reassign.load": ("在办 {open}", "open {open}"),
        "reassign.overdue": ("超期 {overdue}", "overdue {overdue}"),
        "reassign.target": ("→ {station} {name}", "→ {station} {name}"),
        "reassign.no_match": ("没有匹配的供电所", "No station matches"),
        "reassign.no_target": (
            "未选择目标供电所：输入代码、名称或拼音首字母，或用 ↑↓ 选择",
            "No station chosen yet: type a code, name or initials, or pick one with ↑↓",
        ),
        "reassign.reason": ("改派原因（必填：选一个常用原因或直接输入）", "Reason (required: pick one or type your own)"),
        "reassign.reason_hint": ("改派原因", "Reason for the reassignment"),
        "reassign.hint": (
            "↑↓ 选供电所 · Enter 下一步 · Ctrl+S 确认 · Esc 取消",
            "↑↓ choose station · Enter next · Ctrl+S confirm · Esc cancel",
        ),
        "reassign.key.cancel": ("取消", "Cancel"),
        "reassign.key.confirm": ("确认改派", "Confirm"),
        "reassign.preset.address": ("地址不属本所辖区", "Address outside this station's area"),
        "reassign.preset.boundary": ("辖区调整", "Service area boundary changed"),
        "reassign.preset.crew": ("本所抢修力量不足", "Not enough crew at this station"),
        "reassign.preset.specialty": ("需其他专业处理", "Needs another speciality"),
        "reassign.preset.customer": ("客户要求", "Customer request"),
        "reassign.need_station": ("请选择要改派到的供电所", "Choose the station to reassign to"),
        "reassign.same_station": ("工单已在 {station}", "The ticket is already at {station}"),
        "reassign.need_reason": ("请填写改派原因", "A reason is required"),
        "reassign.load_failed": ("无法读取供电所：{error}", "Cannot read the stations: {error}"),
        # starting and following a reassignment
        "reassign.read_only": ("只读模式：不能改派", "Read-only: reassignment is not allowed"),
        "reassign.off": (
            "改派未启用：配置 [dispatch] base_url 后可用",
            "Reassignment is off: set [dispatch] base_url in the config",
        ),
        "reassign.nothing_marked": ("没有选中的工单", "No ticket selected"),
        "reassign.record_failed": ("改派未能写入发件箱：{error}", "Could not write the reassignment: {error}"),
        "reassign.queued": (
            "{count} 张工单改派到 {station}：已提交，等待调度系统确认",
            "{count} ticket(s) to {station}: sent, waiting for the dispatch API",
        ),
        "reassign.skipped": ("{count} 张工单已在 {station}，未改派", "{count} ticket(s) already at {station}: skipped"),
        "reassign.done": ("工单 {ticket} 已改派到 {station}", "Ticket {ticket} reassigned to {station}"),
        "reassign.conflict": (
            "工单 {ticket} 未改派：已被他人改动（现属 {current}，版本 {version}）",
            "Ticket {ticket} not reassigned: changed meanwhile (now at {current}, version {version})",
        ),
        "reassign.refused": ("工单 {ticket} 改派到 {station} 被拒绝：{error}", "Ticket {ticket} → {station} refused: {error}"),
        "reassign.refused_token": (
            "工单 {ticket} 改派被拒绝：{error}。请检查环境变量 {env} 中的令牌",
            "Ticket {ticket} refused: {error}. Check the token in {env}",
        ),
        "reassign.failed": (
            "工单 {ticket} → {station}：重试期内未能送达（{error}），已放弃；可在发件箱（5）按 t 重试",
            "Ticket {ticket} → {station}: not delivered within the retry window ({error}), given up; t retries it in the outbox (5)",
        ),
        # several tickets of one request with the same answer (screens/reassign_notices.py)
        "reassign.list_sep": ("、", ", "),
        "reassign.done_many": ("{count} 张工单已改派到 {station}", "{count} tickets reassigned to {station}"),
        "reassign.conflict_many": (
            "{count} 张工单未改派：已被他人改动（{tickets}），详见发件箱（5）",
            "{count} tickets not reassigned: changed meanwhile ({tickets}); see the outbox (5)",
        ),
        "reassign.refused_many": (
            "{count} 张工单改派到 {station} 被拒绝（{tickets}）：{error}",
            "{count} tickets → {station} refused ({tickets}): {error}",
        ),
        "reassign.refused_token_many": (
            "{count} 张工单改派被拒绝（{tickets}）：{error}。请检查环境变量 {env} 中的令牌",
            "{count} tickets refused ({tickets}): {error}. Check the token in {env}",
        ),
        "reassign.failed_many": (
            "{count} 张工单 → {station}：多次尝试均失败（{tickets}；{error}），可在发件箱（5）重试",
            "{count} tickets → {station}: failed after every attempt ({tickets}; {error}); retry them in the outbox (5)",
        ),
        # the outbox screen
        "outbox.col.state": ("状态", "State"),
        "outbox.col.ticket": ("工单", "Ticket"),
        "outbox.col.move": ("改动", "Change"),
        "outbox.col.attempts": ("尝试", "Tries"),
        "outbox.col.next": ("下一步", "Next"),
        "outbox.next.now": ("即将推送", "sending now"),
        "outbox.next.at": ("{time} 自动重试", "retried by itself at {time}"),
        "outbox.next.person.failed": ("已放弃：按 t 重试", "given up: t retries"),
        "outbox.next.person.conflict": ("冲突：按 r 重新改派", "conflict: r reassigns again"),
        "outbox.next.person.refused": ("被拒：按 r 重新改派", "refused: r reassigns again"),
        "outbox.col.requested": ("提交时间", "Requested"),
        "outbox.col.error": ("最近错误", "Last error"),
        "outbox.col.id": ("编号", "ID"),
        "outbox.empty": (
            "发件箱为空：所有改派和改类均已确认",
            "The outbox is empty: every reassignment and reclassification is confirmed",
        ),
        "outbox.off": (
            "改派未启用（[dispatch] base_url 未设置）",
            "Reassignment is off ([dispatch] base_url is not set)",
        ),
        "outbox.key.retry": ("重试", "Retry"),
        "outbox.key.drop": ("删除", "Drop"),
        "outbox.detail": (
            "{ticket}：{from_station} → {to_station} · 原因：{reason} · 操作员 {operator} · 下次尝试 {next}",
            "{ticket}: {from_station} → {to_station} · reason: {reason} · by {operator} · next try {next}",
        ),
        "outbox.retry_final": (
            "调度系统已答复「{state}」，重试只会得到同样结果：请按 r 重新改派（或改类）",
            "The dispatch API answered {state}; a retry would get the same answer: r reassigns (or reclassifies) the ticket again",
        ),
        "outbox.retry_confirmed": ("该改派已确认", "This reassignment is already confirmed"),
        "outbox.retried": ("已重新排队：工单 {ticket}", "Queued again: ticket {ticket}"),
        "outbox.drop_question": (
            "删除发件箱中工单 {ticket} → {station} 的改派？删除后不会再发送。",
            "Drop the reassignment of ticket {ticket} → {station}? It will not be sent.",
        ),
        "outbox.dropped": ("已删除：工单 {ticket}", "Dropped: ticket {ticket}"),
        "outbox.edit_failed": ("操作未完成：{error}", "Not done: {error}"),
        "outbox.summary": (
            "待确认 {pending} · 失败 {failed} · 冲突 {conflict} · 拒绝 {refused} · 24 小时内已确认 {confirmed}",
            "pending {pending} · failed {failed} · conflict {conflict} · refused {refused} · confirmed in 24 h {confirmed}",
        ),
    }
)
