"""Words of reclassification: the dialog behind `R`, the `reclassify` command, the
notices of the dispatch API's answers (zh, en)."""

MESSAGES = {
    # keys and actions
    "reclassify.key": ("改类", "Reclassify"),
    "action.reclassify": ("改类", "reclassify"),
    # the dialog
    "reclassify.title_one": ("改类工单 {ticket}（现为 {type}）", "Reclassify ticket {ticket} (now {type})"),
    "reclassify.title_many": ("改类 {count} 张工单（现为 {types}）", "Reclassify {count} tickets (now {types})"),
    "reclassify.type": ("改为类型", "New type"),
    "reclassify.no_choice": (
        "尚未选择类型：请用方向键或数字键选择，系统不会替您默认",
        "No type chosen yet: pick one (arrows or 1–8); there is no default",
    ),
    "reclassify.chosen": ("→ {name}（{code}）· 办结时限：{limit}", "→ {name} ({code}) · resolve within {limit}"),
    "reclassify.chosen_plain": ("→ {name}（{code}）", "→ {name} ({code})"),
    "reclassify.current": ("现类型", "current"),
    "reclassify.suggested": ("建议", "suggested"),
    "reclassify.reason": ("改类原因（必填）", "Reason (required)"),
    "reclassify.reason_hint": ("如：实为故障报修，客户描述有误", "e.g. really a repair: the customer's words misled"),
    "reclassify.hint": (
        "↑↓ 或 1–8 选类型 · Enter 填原因 · Ctrl+S 提交 · Esc 取消",
        "↑↓ or 1–8 pick a type · Enter: the reason · Ctrl+S sends · Esc cancels",
    ),
    "reclassify.need_type": ("请先选择新类型：改类没有默认类型", "Pick the new type first: reclassification has no default"),
    "reclassify.same_type": ("工单已是「{type}」：请选择另一类型", "The ticket is already {type}: pick another type"),
    "reclassify.need_reason": ("请填写改类原因", "A reason is required"),
    "reclassify.key.cancel": ("取消", "Cancel"),
    "reclassify.key.confirm": ("提交", "Send"),
    "reclassify.limit.minutes": ("{hours} 小时", "{hours} h"),
    "reclassify.limit.days": ("{days} 个工作日", "{days} working day(s)"),
    # starting and following a reclassification
    "reclassify.read_only": ("只读模式：不能改类", "Read-only: reclassification is not allowed"),
    "reclassify.off": (
        "改类未启用：配置 [dispatch] base_url 后可用",
        "Reclassification is off: set [dispatch] base_url in the config",
    ),
    "reclassify.record_failed": ("改类未能写入发件箱：{error}", "Could not write the reclassification: {error}"),
    "reclassify.queued": (
        "{count} 张工单改为「{target}」：已提交，等待调度系统确认",
        "{count} ticket(s) to {target}: sent, waiting for the dispatch API",
    ),
    "reclassify.skipped": ("{count} 张工单已是「{target}」，未改类", "{count} ticket(s) already {target}: skipped"),
    "reclassify.done": ("工单 {ticket} 已改为「{target}」", "Ticket {ticket} reclassified as {target}"),
    "reclassify.conflict": (
        "工单 {ticket} 未改类：已被他人改动（现为 {current}，版本 {version}）",
        "Ticket {ticket} not reclassified: changed meanwhile (now {current}, version {version})",
    ),
    "reclassify.refused": ("工单 {ticket} 改为「{target}」被拒绝：{error}", "Ticket {ticket} → {target} refused: {error}"),
    "reclassify.refused_token": (
        "工单 {ticket} 改类被拒绝：{error}。请检查环境变量 {env} 中的令牌",
        "Ticket {ticket} refused: {error}. Check the token in {env}",
    ),
    "reclassify.failed": (
        "工单 {ticket} → {target}：重试期内未能送达（{error}），已放弃；可在发件箱（5）按 t 重试",
        "Ticket {ticket} → {target}: not delivered within the retry window ({error}), given up; t retries it in the outbox (5)",
    ),
    "reclassify.done_many": ("{count} 张工单已改为「{target}」", "{count} tickets reclassified as {target}"),
    "reclassify.conflict_many": (
        "{count} 张工单未改类：已被他人改动（{tickets}），详见发件箱（5）",
        "{count} tickets not reclassified: changed meanwhile ({tickets}); see the outbox (5)",
    ),
    "reclassify.refused_many": (
        "{count} 张工单改为「{target}」被拒绝（{tickets}）：{error}",
        "{count} tickets → {target} refused ({tickets}): {error}",
    ),
    "reclassify.refused_token_many": (
        "{count} 张工单改类被拒绝（{tickets}）：{error}。请检查环境变量 {env} 中的令牌",
        "{count} tickets refused ({tickets}): {error}. Check the token in {env}",
    ),
    "reclassify.failed_many": (
        "{count} 张工单 → {target}：多次尝试均失败（{tickets}；{error}），可在发件箱（5）重试",
        "{count} tickets → {target}: failed after every attempt ({tickets}; {error}); retry them in the outbox (5)",
    ),
    # the command line
    "reclassify.cli.blank_reason": ("改类原因不能为空", "a reason is required and must not be blank"),
    "reclassify.cli.unknown_type": (
        "未知类型 {type!r}：可用 {codes}，或其中文名称",
        "unknown type {type!r}: use one of {codes}, or its Chinese name",
    ),
    "reclassify.cli.same_type": (
        "工单 {ticket} 已是「{type}」：未做任何改动",
        "ticket {ticket} is already {type}: nothing was changed",
    ),
    "reclassify.cli.confirmed": (
        "已改类：工单 {ticket} → {type}（版本 {version}，新时限 {due}），调度系统已确认",
        "reclassified: ticket {ticket} → {type} (version {version}, now due {due}), confirmed by the dispatch API",
    ),
    "reclassify.cli.conflict": (
        "被拒绝：工单 {ticket} 已被他人改动（现为 {type}，版本 {version}）；未做任何改动",
        "refused: ticket {ticket} was changed meanwhile (now {type}, version {version}); nothing was changed",
    ),
    # the outbox, for either command
    "outbox.error.need_type": ("需要一个有效的新类型", "a valid new type is required"),
    "outbox.next.person.conflict.reclassify": ("冲突：按 r 重新改类", "conflict: r reclassifies again"),
    "outbox.next.person.refused.reclassify": ("被拒：按 r 重新改类", "refused: r reclassifies again"),
    # a `reclassified` event in the ticket's timeline
    "event.reclassified": ("改类", "reclassified"),
}
