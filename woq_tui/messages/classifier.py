"""Words of the type classifier (docs/audit-classifier.md): `audit train`, `classify`,
and the one-line notices of a model that cannot be used."""

MESSAGES = {
    # load_model's reasons (woq_tui/classifier/__init__.py): one line each
    "classifier.no_table": (
        "数据库尚无分类模型表（先运行 woq-console db upgrade，再运行 woq-console audit train）",
        "The database has no model table yet (run woq-console db upgrade, then woq-console audit train)",
    ),
    "classifier.no_model": (
        "尚未训练分类模型（运行 woq-console audit train）",
        "No classifier has been trained yet (run woq-console audit train)",
    ),
    "classifier.unreadable": (
        "已保存的分类模型无法读取（运行 woq-console audit train 重新训练）",
        "The stored classifier cannot be read (run woq-console audit train again)",
    ),
    "classifier.other_schema": (
        "已保存的分类模型由其他版本训练，特征格式不同（运行 woq-console audit train 重新训练）",
        "The stored classifier was trained by another version with other features (run woq-console audit train again)",
    ),
    # audit train
    "classifier.train.reading": ("读取已办结工单的受理内容并训练…", "Reading the summaries of resolved tickets and training…"),
    "classifier.train.not_enough": (
        "可用于训练的工单太少：{tickets} 张已办结且有受理内容的工单，{types} 种类型（至少需要 {minimum} 张、2 种类型）",
        "Too little history to train on: {tickets} resolved tickets with a summary, {types} types "
        "(at least {minimum} tickets and 2 types are needed)",
    ),
    "classifier.train.done": (
        "用 {train:,} 张工单训练，留出 {test:,} 张检验，用时 {seconds:.1f} 秒",
        "Trained on {train:,} tickets, tested on {test:,} held back, in {seconds:.1f} s",
    ),
    "classifier.train.accuracy": ("留出检验准确率：{accuracy}", "Accuracy on the held-back fifth: {accuracy}"),
    "classifier.train.stored": ("模型已保存到数据库（训练时间 {at}）", "Model stored in the database (trained {at})"),
    "classifier.column.type": ("类型", "Type"),
    "classifier.column.precision": ("精确率", "Precision"),
    "classifier.column.recall": ("召回率", "Recall"),
    "classifier.column.support": ("检验工单数", "Tested"),
    "classifier.column.probability": ("概率", "Probability"),
    "classifier.column.summary": ("受理内容", "Summary"),
    # classify
    "classifier.classify.text_or_file": (
        "请给出一段受理内容 TEXT 或 --file F.csv（二者选一）",
        "Give either a summary TEXT or --file F.csv (one of the two)",
    ),
    "classifier.classify.no_summary_column": (
        "{path}：没有 summary（受理内容）列",
        "{path}: no summary column",
    ),
    "classifier.classify.bad_type": (
        "{path} 第 {row} 行：无法识别的类型 {value!r}",
        "{path} row {row}: not a ticket type: {value!r}",
    ),
    "classifier.classify.cannot_read": ("{path}：{error}", "{path}: {error}"),
    "classifier.classify.accuracy": (
        "准确率：{accuracy}（{correct}/{total} 条有类型的受理内容）",
        "Accuracy: {accuracy} ({correct}/{total} summaries with a type)",
    ),
    "classifier.classify.empty": ("{path}：没有受理内容", "{path}: no summaries"),
    "classifier.help.classify": (
        "用已训练的分类模型判断受理内容的业务类型",
        "predict the ticket type of summaries with the trained classifier",
    ),
    "classifier.help.classify_text": ("一段受理内容", "a summary"),
    "classifier.help.classify_file": (
        "CSV 或 XLSX 文件，含 summary 列（可选 type 列：给出准确率）",
        "a CSV or XLSX file with a summary column (and optionally a type column: prints the accuracy)",
    ),
    "classifier.help.classify_format": ("输出格式", "output format"),
    "classifier.help.audit_train": (
        "用数据库中已办结工单训练分类模型，在留出的五分之一上检验并保存",
        "train the classifier on the database's resolved tickets, test it on a held-back fifth, store it",
    ),
}
