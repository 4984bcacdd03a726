"""Words shared by every part: names of codes, the shell, the command line."""

MESSAGES = {
    # ticket types
    "type.repair": ("故障报修", "Repair"),
    "type.complaint": ("投诉", "Complaint"),
    "type.report": ("举报", "Report"),
    "type.consultation": ("咨询", "Consultation"),
    "type.suggestion": ("意见建议", "Suggestion"),
    "type.service_request": ("服务申请", "Service request"),
    "type.praise": ("表扬", "Praise"),
    "type.other": ("其他", "Other"),
    # areas
    "area.urban": ("城区", "Urban"),
    "area.rural": ("农村", "Rural"),
    "area.remote": ("边远", "Remote"),
    # statuses
    "status.new": ("待派单", "New"),
    "status.dispatched": ("已派单", "Dispatched"),
    "status.accepted": ("已接单", "Accepted"),
    "status.in_progress": ("处理中", "In progress"),
    "status.resolved": ("已办结", "Resolved"),
    "status.closed": ("已归档", "Closed"),
    # channels
    "channel.phone": ("电话", "Phone"),
    "channel.web": ("网站", "Web"),
    "channel.app": ("网上国网", "App"),
    "channel.wechat": ("微信", "WeChat"),
    "channel.other": ("其他", "Other"),
    # satisfaction
    "satisfaction.satisfied": ("满意", "Satisfied"),
    "satisfaction.basically_satisfied": ("基本满意", "Basically satisfied"),
    "satisfaction.unsatisfied": ("不满意", "Unsatisfied"),
    # SLA states: a symbol and a word, never colour alone
    "sla.ok": ("正常", "OK"),
    "sla.at_risk": ("临期", "At risk"),
    "sla.overdue": ("超期", "Overdue"),
    # shell
    "app.title": ("95598 工单时效控制台", "95598 work-order console"),
    "screen.queue": ("实时队列", "Live queue"),
    "screen.overdue": ("超期与升级", "Overdue & escalation"),
    "screen.stations": ("供电所绩效", "Station performance"),
    "screen.meeting": ("周例会", "Weekly meeting"),
    "screen.outbox": ("调度发件箱", "Dispatch outbox"),
    "screen.help": ("帮助", "Help"),
    "key.quit": ("退出", "Quit"),
    "key.help": ("帮助", "Help"),
    "key.back": ("返回", "Back"),
    "help.title": ("快捷键：{screen}", "Keys: {screen}"),
    "help.key": ("按键", "Key"),
    "help.action": ("功能", "Action"),
    "help.close": ("按 Esc 关闭", "Press Esc to close"),
    "header.db": ("数据库 {db}", "Database {db}"),
    "header.refreshed": ("刷新于 {time}", "Refreshed {time}"),
    "none": ("—", "—"),
    # command line
    "cli.db_upgraded": ("数据库结构已是最新：{db}", "Schema is up to date: {db}"),
    "cli.db_rollup": (
        "站所×日与类型×日汇总：{how}，重算 {days} 天（{entries} 条变更），{seconds:.1f} 秒：{db}",
        "Station × day and type × day rollups {how}: {days} days recomputed ({entries} changes) in {seconds:.1f} s: {db}",
    ),
    "cli.db_rollup_built": ("已建立", "built"),
    "cli.db_rollup_refreshed": ("已刷新", "refreshed"),
    "cli.generated": (
        "已生成 {stations} 个供电所、{tickets} 张工单到 {db}",
        "Generated {stations} stations and {tickets} tickets into {db}",
    ),
}
MESSAGES.update(
    {
        "confirm.yes": ("是", "Yes"),
        "confirm.no": ("否", "No"),
        "confirm.hint": ("y 确认 · n / Esc 取消", "y yes · n / Esc no"),
        # One sentence a line: the dialog is 52 cells wide, and a wrapped sentence broke
        # inside words ("还有 1" / "推/送").
        "quit.pending": (
            "还有 {count} 条改派或改类未被调度系统确认。\n下次启动控制台（或运行 outbox push --wait）时会继续推送。",
            "{count} reassignments or reclassifications\nare not yet confirmed by the dispatch API.\n"
            "They are pushed at the next start (or by outbox push --wait).",
        ),
        "quit.pending_read_only": (
            "还有 {count} 条改派或改类未被调度系统确认。\n只读控制台不推送：需由其他控制台或 outbox push 推送。",
            "{count} reassignments or reclassifications\nare not yet confirmed by the dispatch API.\n"
            "A read-only console does not push them: another console or outbox push will.",
        ),
        "quit.failed": (
            "{count} 条改派或改类已失败、冲突或被拒，不会自动重试：\n请在发件箱（5）处理。",
            "{count} reassignments or reclassifications failed, conflicted\nor were refused and will not be retried\n"
            "by themselves: see the outbox (5).",
        ),
        "quit.question": ("仍要退出吗？", "Quit anyway?"),
        "db.unreachable": ("数据库不可用：{error}", "Database unreachable: {error}"),
        "db.prepare_threshold": (
            "{url}：prepare_threshold 只能是 none 或整数，不能是 {value}",
            "{url}: prepare_threshold is none or a whole number, not {value}",
        ),
        # the help's legend of symbols (widgets/symbols.py)
        "help.symbols": ("符号：", "Symbols:"),
        "symbol.overdue": ("超期", "overdue"),
        "symbol.at_risk": ("临期", "at risk"),
        "symbol.ok": ("正常", "on time"),
        "symbol.mark": ("已标记", "marked"),
        "symbol.moved": ("较上次增/减", "up/down since last time"),
        "symbol.worse": ("变差", "worse"),
        "symbol.pending": ("待确认", "pending"),
        "symbol.confirmed": ("已确认", "confirmed"),
        "symbol.conflict": ("冲突", "conflict"),
        "symbol.refused": ("被拒", "refused"),
        "symbol.failed": ("失败", "failed"),
        "symbol.bars": ("超期 / 升级", "overdue / escalated"),
        # the command palette (app.get_system_commands)
        "palette.key": ("按键 {keys}", "key {keys}"),
        "palette.placeholder": ("搜索命令…", "Search for commands…"),
        "palette.theme_placeholder": ("搜索配色主题…", "Search for themes…"),
        "palette.no_matches": ("没有匹配的命令", "No matches found"),
        "palette.theme": ("配色主题", "Theme"),
        "palette.theme_help": ("切换界面配色", "Change the colour theme"),
        "palette.maximize": ("最大化", "Maximize"),
        "palette.maximize_help": ("最大化当前控件", "Maximize the focused widget"),
        "palette.minimize": ("还原", "Minimize"),
        "palette.minimize_help": ("还原最大化的控件", "Restore the maximized widget"),
    }
)
# the command line: databases, read-only, schema (commands/_common.py, config.py)
MESSAGES.update(
    {
        # configuration errors (config.py): English as pydantic and the checks say it
        "cli.config_error": ("配置错误", "configuration error"),
        "config.unknown_key": ("未知的键", "unknown key"),
        "config.or": ("、", " or "),
        "config.comma": ("、", ", "),
        "config.got": ("（实际为 {value}）", " (got {value})"),
        "config.problem.int_type": ("应为整数", "{msg}"),
        "config.problem.int_parsing": ("应为整数", "{msg}"),
        "config.problem.int_from_float": ("应为整数", "{msg}"),
        "config.problem.float_type": ("应为数字", "{msg}"),
        "config.problem.float_parsing": ("应为数字", "{msg}"),
        "config.problem.bool_type": ("应为 true 或 false", "{msg}"),
        "config.problem.bool_parsing": ("应为 true 或 false", "{msg}"),
        "config.problem.string_type": ("应为文本（加引号）", "{msg}"),
        "config.problem.list_type": ("应为列表，例如 [\"a\", \"b\"]", "{msg}"),
        "config.problem.dict_type": ("应为一个表（[节]）", "{msg}"),
        "config.problem.literal_error": ("应为以下之一：{expected}", "{msg}"),
        "config.problem.greater_than_equal": ("应不小于 {ge}", "{msg}"),
        "config.problem.greater_than": ("应大于 {gt}", "{msg}"),
        "config.problem.less_than_equal": ("应不大于 {le}", "{msg}"),
        "config.problem.less_than": ("应小于 {lt}", "{msg}"),
        "config.problem.string_too_short": ("不能为空", "{msg}"),
        "config.problem.missing": ("缺少此键", "{msg}"),
        "config.unknown_zone": ("未知的时区 {zone}", "unknown time zone {zone}"),
        "config.unknown_theme": ("未知的配色主题；可选：{names}", "unknown theme; one of {names}"),
        "config.env_name": ("应为环境变量名（字母、数字、_）", "the name of an environment variable (letters, digits, _)"),
        "config.no_rule": ("没有这个质检规则编号（见 docs/audit.md）", "no such rule id (docs/audit.md lists them)"),
        "config.no_binding": ("没有这个按键编号（见 docs/configuration.md）", "no such binding id (docs/configuration.md lists them)"),
        "config.url.not_url": ("不是 URL", "not a URL"),
        "config.url.scheme": ("应以 http:// 或 https:// 开头", "must start with http:// or https://"),
        "config.url.host": ("缺少主机名", "has no host"),
        "config.url.port": ("端口应为 1 到 65535", "port must be 1 to 65535"),
        "config.url.credentials": (
            "不能包含用户名或密码：令牌来自 token_env 指定的环境变量",
            "must not hold credentials: the token comes from the variable token_env names",
        ),
        "config.url.query": ("不能带查询串或片段（? #）", "must not have a query or a fragment"),
        "config.read_url.not_url": (
            "不是数据库 URL（例如 postgresql+psycopg://用户@主机:5433/库）",
            "not a database URL (e.g. postgresql+psycopg://USER@HOST:5433/DB)",
        ),
        "config.read_url.not_postgres": (
            "只读副本须为 PostgreSQL（postgresql+psycopg://），不支持 {driver}",
            "a read replica must be PostgreSQL (postgresql+psycopg://), not {driver}",
        ),
        "config.read_url.no_primary": (
            "需要 [database] url 为 PostgreSQL 主库：SQLite 没有只读副本",
            "needs a PostgreSQL [database] url (its primary): SQLite has no read replica",
        ),
        "config.not_found": ("找不到配置文件", "config file not found"),
        "config.not_toml": ("不是有效的 TOML：{error}", "not valid TOML: {error}"),
        "config.unreadable": ("无法读取：{error}", "cannot be read: {error}"),
        "cli.bad_db_url": (
            "database url {url!r}：不是数据库 URL（例如 sqlite:///tickets.db）",
            "database url {url!r}: not a database URL (e.g. sqlite:///tickets.db)",
        ),
        "cli.unsupported_db": (
            "database url {url!r}：不支持 {driver}；请用 sqlite:///文件路径 或 postgresql+psycopg://用户@主机/库",
            "database url {url!r}: {driver} is not supported; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        ),
        "cli.memory_db": (
            "database url {url!r}：内存数据库在命令结束时即丢失；请给出文件，例如 sqlite:///tickets.db",
            "database url {url!r}: an in-memory database is lost when the command ends; give a file, "
            "e.g. sqlite:///tickets.db",
        ),
        "cli.no_database": (
            "数据库不存在：{path}（用 `woq-console import` 导入，或用 `woq-console db upgrade` 创建）",
            "no database at {path} (import a file with `woq-console import`, or create one with "
            "`woq-console db upgrade`)",
        ),
        "cli.no_folder": (
            "文件夹不存在：{folder}（不会自动创建；请先建好，或换一个路径）",
            "the folder {folder} does not exist (it is not created for you: make it, or give another path)",
        ),
        "cli.db_created": ("已创建数据库结构：{db}", "Created the schema in {db}"),
        "cli.db_migrated": ("数据库结构已从 {old} 升级到 {new}：{db}", "Upgraded the schema from {old} to {new}: {db}"),
        "cli.read_only.flag": ("--read-only", "--read-only"),
        "cli.read_only.viewer": ('配置 role = "viewer"', 'role = "viewer" in the config'),
        "cli.read_only.refused": (
            "只读（{why}）：`woq-console {command}` 会修改数据，已拒绝，未做任何改动",
            "read-only ({why}): `woq-console {command}` would change data; refused, nothing was changed",
        ),
        "demo.database_at": ("演示数据库：{path}", "Demo database: {path}"),
        "report.out_of_range": (
            "{option}：{value!r} 超出支持的范围（{first} 至 {last}）",
            "{option}: {value!r} is outside the supported range ({first} to {last})",
        ),
    }
)
# Textual's own command-palette binding names its description "palette".
MESSAGES["palette"] = ("命令", "palette")
