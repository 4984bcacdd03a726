"""The command line's --help: what each subcommand and option does (zh, en).

The language is --lang when given, else the locale's (the config file is read only
after the arguments are parsed)."""

MESSAGES = {
    "cli.help.description": ("95598 供电服务工单时效控制台。", "A terminal console for 95598 power-service work orders."),
    "cli.help.version": ("显示版本号并退出", "show the version and exit"),
    "cli.help.db": ("数据库 URL（SQLAlchemy 格式，优先于配置文件）", "SQLAlchemy database URL (overrides the config)"),
    "cli.help.config": ("配置文件（默认：WOQ_CONFIG 或用户配置目录）", "config file (default: WOQ_CONFIG or the user config dir)"),
    "cli.help.lang": ("界面语言（默认：按系统区域设置）", "console language (default: the locale)"),
    "cli.help.read_only": (
        "只读：不改派、不催办、不显示完整电话；所有会修改数据的子命令都会被拒绝",
        "read-only: no reassignment, urging or reveal; every subcommand that would write refuses",
    ),
    "cli.help.commands": ("子命令", "subcommands"),
    # subcommands
    "cli.help.demo": ("在带实时模拟的演示数据库上打开控制台", "open the console on a demo database with a live simulator"),
    "cli.help.generate": ("向数据库写入演示数据", "write demo data into a database"),
    "cli.help.db_group": ("数据库结构", "database schema"),
    "cli.help.db_action": ("数据库操作", "what to do with the schema"),
    "cli.help.upgrade": ("创建或升级数据库结构", "create or migrate the schema"),
    "cli.help.db_rollup": (
        "建立或刷新站所×日与类型×日指标汇总（长周期指标更快；docs/speed.md）",
        "build or refresh the station × day and type × day rollups of the figures (long periods read faster; docs/speed.md)",
    ),
    "cli.help.import": ("导入 CSV 或 XLSX 工单导出文件", "import a CSV or XLSX ticket export"),
    "cli.help.report": ("某一时段的供电所绩效报告", "station performance for a period"),
    "cli.help.reassign": ("通过调度接口改派一张工单", "reassign one ticket through the dispatch API"),
    "cli.help.outbox": (
        "调度接口尚未确认的改派和改类",
        "reassignments and reclassifications not yet confirmed by the dispatch API",
    ),
    "cli.help.reclassify": ("通过调度接口更改一张工单的类型", "change a ticket's type through the dispatch API"),
    "cli.help.dispatch_server": ("基于工单数据库的参考调度接口", "the reference dispatch API over the ticket database"),
    # demo and generate
    "cli.help.seed": ("随机种子：同一种子生成相同的数据（默认 95598）", "random seed: the same seed gives the same data (default 95598)"),
    "cli.help.stations": ("供电所数量（默认 100）", "how many stations (default 100)"),
    "cli.help.days": ("生成多少天的工单（默认 365）", "how many days of tickets (default 365)"),
    "cli.help.no_live": ("不启动模拟器：数据保持不变", "no simulator: the data stands still"),
    "cli.help.fresh": ("重新生成演示数据库", "rebuild the demo database"),
    "cli.help.end": (
        "生成数据的截止时刻（默认：现在），如 2026-11-26 或 2026-11-26T10:00",
        "the instant the generated data ends (default: now), e.g. 2026-11-26 or 2026-11-26T10:00",
    ),
    # import
    "cli.help.file": ("要导入的 CSV 或 XLSX 文件", "the CSV or XLSX file to import"),
    "cli.help.dry_run": ("只校验和计数，不写入", "validate and count, write nothing"),
    "cli.help.rejects": ("把被拒绝的行写入此 CSV 文件", "write the rejected rows to this CSV file"),
    "cli.help.import_format": ("摘要格式：text（默认）或 json", "summary format: text (default) or json"),
    # report
    "cli.help.from": (
        "时段开始：日期（当地零点）或日期时间；默认为上一个完整的周一至周日",
        "start of the period: a date (local midnight) or a datetime; default: the last full Monday-to-Sunday week",
    ),
    "cli.help.to": ("时段结束（不含）：日期或日期时间", "end of the period (exclusive): a date or a datetime"),
    "cli.help.as_of": (
        "判断未办结工单所用的时刻（默认：现在），使报告可复现",
        "the instant open tickets are judged at (default: now), so that a report is reproducible",
    ),
    "cli.help.report_format": ("输出格式（默认 md）", "output format (default md)"),
    "cli.help.out": ("写入此文件，而不是标准输出", "write to this file instead of standard output"),
    # reassign
    "cli.help.ticket_no": ("工单编号", "the ticket number"),
    "cli.help.to_station": ("改派到的供电所编码", "the code of the station to reassign to"),
    "cli.help.reason": ("原因（必填，不能为空）", "why (required, not blank)"),
    "cli.help.to_type": (
        "新类型：类型编码（如 repair）或中文名称（如 故障报修）",
        "the new type: a type code (e.g. repair) or its Chinese name (e.g. 故障报修)",
    ),
    "cli.help.operator": ("记录的操作员（默认：配置中的 operator）", "the operator recorded (default: [console] operator)"),
    # outbox
    "cli.help.outbox_action": (
        "list 列出；push 立即推送所有待确认的改派；retry 重试一条失败的改派；drop 删除一条",
        "list them; push every pending one now; retry a failed one; drop one",
    ),
    "cli.help.entry_id": ("条目编号（retry、drop 需要；至少 4 个字符）", "the entry's ID (retry, drop; 4 characters or more)"),
    "cli.help.wait": (
        "push：持续推送，直到没有待确认的改派（适合定时任务或服务）",
        "push: keep pushing until none is pending (for a timer or a service)",
    ),
    # dispatch-server
    "cli.help.host": ("监听地址（默认 127.0.0.1）", "address to listen on (default 127.0.0.1)"),
    "cli.help.port": ("监听端口，1–65535，0 为任一空闲端口（默认 8765）", "port to listen on, 1-65535, 0 for any free port (default 8765)"),
    "cli.help.no_auth": ("不要求令牌（仅用于测试）", "accept requests without a bearer token (tests only)"),
    "cli.bad_port": ("端口须为 0–65535 的整数：{value!r}", "a port is a whole number from 0 to 65535: {value!r}"),
}
