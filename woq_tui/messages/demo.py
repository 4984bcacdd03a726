"""Words of the demo: `woq-console generate` and `woq-console demo`."""

MESSAGES = {
    "demo.generating": ("生成演示数据…", "Generating demo data…"),
    "demo.training": ("训练工单分类模型（质检“疑似分类错误”用）…", "Training the ticket-type classifier (for the audit's type check)…"),
    "demo.trained": ("分类模型已保存，留出检验准确率 {accuracy}", "Classifier stored; accuracy on the held-back fifth {accuracy}"),
    "demo.progress": ("生成演示数据… {count:,} 张工单", "Generating demo data… {count:,} tickets"),
    "demo.speed": (
        "用时 {seconds:.1f} 秒（每秒 {rate:,.0f} 张工单），其中 {open:,} 张未办结",
        "Took {seconds:.1f} s ({rate:,.0f} tickets/s); {open:,} still open",
    ),
    "demo.bad_end": (
        "--end：无法识别的时间 {value!r}（例如 2026-11-26 或 2026-11-26 10:00）",
        "--end: not a date or time: {value!r} (e.g. 2026-11-26 or 2026-11-26 10:00)",
    ),
    "demo.bad_count": ("--{flag} 至少为 1（收到 {value}）", "--{flag} must be at least 1 (got {value})"),
    "demo.not_empty": (
        "{db} 中已有供电所或工单：generate 只写入空数据库",
        "{db} already holds stations or tickets: generate writes into an empty database only",
    ),
    "demo.reusing": (
        "使用已有的演示数据库 {path}（加 --fresh 重新生成）",
        "Using the existing demo database {path} (--fresh rebuilds it)",
    ),
}
