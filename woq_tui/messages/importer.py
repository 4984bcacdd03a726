"""Words of `woq-console import`: refusals, whole-file failures, the summary."""

MESSAGES = {
    # why a row was refused (the reason code travels beside the message)
    "import.reject.missing_field": ("缺少必填值：{columns}", "required value missing: {columns}"),
    "import.reject.duplicate": (
        "工单编号 {ticket_no} 在本文件前面已出现，以前面的为准",
        "ticket_no {ticket_no} already appeared earlier in this file; the earlier row stands",
    ),
    "import.reject.bad_type": ("{column}：未知的业务类型 {value}", "{column}: unknown ticket type {value}"),
    "import.reject.bad_timestamp": ("{column}：无法识别的时间 {value}", "{column}: not a readable time {value}"),
    "import.reject.bad_number": ("{column}：应为不小于 0 的整数，实为 {value}", "{column}: not a whole number ≥ 0: {value}"),
    "import.reject.bad_value": ("{column}：无法识别的值 {value}", "{column}: unknown value {value}"),
    "import.reject.nul": ("{column}：含有空字符（NUL）", "{column}: contains a NUL character"),
    "import.reject.surrogate": (
        "{column}：含有无法编码的字符 {char}（孤立的代理项）",
        "{column}: contains {char}, a lone surrogate that no text encoding can hold",
    ),
    "import.reject.too_long": ("{column}：超过 {limit} 个字符", "{column}: longer than {limit} characters"),
    "import.reject.time_order": ("{column} 早于 {created}", "{column} lies before {created}"),
    # whole-file failures: one line, nothing imported
    "import.file.not_found": ("文件不存在", "no such file"),
    "import.file.unreadable": ("无法读取：{error}", "cannot be read: {error}"),
    "import.file.empty": ("文件为空", "the file is empty"),
    "import.file.binary": ("不是 CSV 或 XLSX 文件", "not a CSV or XLSX file"),
    "import.file.xls": (
        "是旧版 Excel 97-2003 (.xls) 工作簿：请另存为 .xlsx 或 CSV",
        "an Excel 97-2003 (.xls) workbook: save it as .xlsx or CSV",
    ),
    "import.file.bad_xlsx": ("不是可读的 XLSX 工作簿：{error}", "not a readable XLSX workbook: {error}"),
    "import.file.encoding": (
        "既不是 UTF-8 也不是 GB18030/GBK 编码的文本",
        "neither UTF-8 nor GB18030/GBK text",
    ),
    "import.file.no_header": ("第 1 行没有表头", "no header in row 1"),
    "import.file.missing_columns": ("缺少必需的列：{columns}", "required columns missing: {columns}"),
    # a required column by the header the exports write, and its key (docs/import-format.md)
    "import.column_named": ("{header}（{field}）", "{field} ({header})"),
    "import.list_sep": ("、", ", "),
    "import.file.broken_row": (
        "第 {row} 行无法读取（之前的完整批次已写入，修正后重新导入即可）：{error}",
        "row {row} cannot be read (complete batches before it are saved; fix and import again): {error}",
    ),
    "import.file.encoding_row": (
        "第 {row} 行既不是 UTF-8 也不是 GB18030/GBK 编码的文本",
        "row {row} is neither UTF-8 nor GB18030/GBK text",
    ),
    "import.file.mixed_encoding": (
        "编码混杂：前面的行是 {first}，第 {row} 行却是 {other}；请把整个文件另存为同一种编码（如 UTF-8）后重新导入",
        "mixed encodings: the rows before are {first} but row {row} is {other}; "
        "save the whole file in one encoding (UTF-8, say) and import it again",
    ),
    # what one file may cost (docs/import-format.md, "Limits")
    "import.limit.columns": ("第 {row} 行超过 {limit:,} 列", "row {row} has more than {limit:,} columns"),
    "import.limit.row_size": ("第 {row} 行超过 {limit} MB", "row {row} is larger than {limit} MB"),
    "import.limit.row_elements": (
        "第 {row} 行的 XML 元素超过 {limit:,} 个",
        "row {row} holds more than {limit:,} XML elements",
    ),
    "import.limit.cell_reference": (
        "单元格引用 {reference} 超出最后一列 XFD（第 {limit:,} 列）",
        "cell reference {reference} lies beyond the last column, XFD ({limit:,})",
    ),
    "import.limit.rows": (
        "工作表超过 XLSX 的上限 {limit:,} 行",
        "the worksheet has more than the {limit:,} rows an XLSX sheet may have",
    ),
    "import.limit.value_size": (
        "{part} 中有一个值超过 {limit} MB",
        "{part} holds a value larger than {limit} MB",
    ),
    "import.limit.elements": (
        "{part} 中连续 {limit:,} 个 XML 元素不属于任何一行",
        "{part} holds more than {limit:,} XML elements outside any row",
    ),
    "import.limit.part_size": (
        "{part} 解压后为 {size:,} MB，超过上限 {limit:,} MB",
        "{part} expands to {size:,} MB, more than the {limit:,} MB allowed",
    ),
    "import.limit.ratio": (
        "{part} 解压后为 {size:,} MB，是压缩大小的 {ratio:,.0f} 倍（上限 {limit} 倍）：疑似压缩炸弹",
        "{part} expands to {size:,} MB, {ratio:,.0f} times its compressed size (at most {limit}): a zip bomb?",
    ),
    # the database an import writes into
    "import.memory_database": (
        "不能导入到内存数据库（sqlite://）：进程结束后数据即消失；请用 --db 指定一个数据库文件",
        "cannot import into an in-memory database (sqlite://): the data would vanish when the command ends; "
        "name a database file with --db",
    ),
    "import.database_replaced": (
        "导入期间数据库文件 {path} 被删除或替换，已写入的内容不在该文件中；请检查后重新导入",
        "the database file {path} was deleted or replaced during the import: what was written is not in it; "
        "check and import again",
    ),
    "import.rejects_is_input": ("拒收文件不能是被导入的文件本身", "the rejects file cannot be the file being imported"),
    "import.temp_failed": ("无法使用临时文件：{error}", "cannot use temporary files: {error}"),
    "import.rejects_unwritable": ("无法写入拒收文件 {path}：{error}", "cannot write the rejects file {path}: {error}"),
    # the summary
    "import.summary": (
        "读取 {read:,} 行：新增 {inserted:,}，更新 {updated:,}，未变 {unchanged:,}，拒收 {rejected:,}",
        "read {read:,} rows: {inserted:,} inserted, {updated:,} updated, {unchanged:,} unchanged, {rejected:,} rejected",
    ),
    "import.stations_changed": (
        "供电单位：新增 {inserted:,}，更新名称或区域 {updated:,}",
        "stations: {inserted:,} added, {updated:,} renamed or moved to another area",
    ),
    "import.summary_dry_run": ("（试运行：未写入数据库）", "(dry run: nothing was written)"),
    "import.ignored_columns": ("已忽略的列：{columns}", "ignored columns: {columns}"),
    "import.reject_line": ("第 {row} 行 {ticket_no} [{reason}] {message}", "row {row} {ticket_no} [{reason}] {message}"),
    "import.more_rejects": ("……另有 {count:,} 行被拒收", "… and {count:,} more rejected rows"),
    "import.took": ("用时 {seconds:.1f} 秒（{rate:,.0f} 行/秒）", "took {seconds:.1f} s ({rate:,.0f} rows/s)"),
    "import.interrupted": (
        "导入已中断：已写入的完整批次保留，重新导入同一文件即可补全",
        "import interrupted: the whole batches written so far are kept; import the file again to complete it",
    ),
    "import.rejects_written": ("拒收行已写入 {path}", "rejected rows written to {path}"),
    "import.rejects_hint": ("用 --rejects 文件.csv 导出全部拒收行", "use --rejects FILE.csv to get every rejected row"),
    "import.progress": ("导入", "Importing"),
    "import.rows_per_second": ("行/秒", "rows/s"),
    "import.building_indexes": ("重建统计索引", "Building the figure indexes"),
    "import.indexes_rebuilt": (
        "统计索引在导入期间暂时移除，导入后重建用时 {seconds:.1f} 秒",
        "the figure indexes were dropped for the import and built again in {seconds:.1f} s",
    ),
}
