"""Words of the ticket quality audit (audit.md, docs/audit.md): rule names, severities,
verdicts, the `audit` command's lines."""

MESSAGES = {
    # rule names (audit.md's table)
    "audit.rule.missing_summary": ("受理内容缺失", "Summary missing"),
    "audit.rule.missing_address": ("报修地址缺失", "Repair address missing"),
    "audit.rule.missing_arrival": ("到达现场时间缺失", "Arrival time missing"),
    "audit.rule.missing_contact": ("投诉未联系客户", "Complaint without first contact"),
    "audit.rule.missing_survey": ("未回访", "Satisfaction survey missing"),
    "audit.rule.status_mismatch": ("状态与时间不符", "Status contradicts times"),
    "audit.rule.time_order": ("时间顺序错误", "Times out of order"),
    "audit.rule.too_fast": ("投诉办结过快", "Complaint resolved too fast"),
    "audit.rule.due_mismatch": ("处理时限与规定不符", "Due time differs from the limit"),
    "audit.rule.repeat_call": ("重复来电", "Repeat call"),
    "audit.rule.repeat_fault": ("重复故障", "Repeat fault"),
    "audit.rule.repeat_dispatch": ("重复派单", "Repeat dispatch"),
    "audit.rule.reopened": ("工单回退重启", "Reopened"),
    "audit.rule.type_suspect": ("疑似分类错误", "Type suspect"),
    "audit.rule.station_suspect": ("疑似派错单位", "Station suspect"),
    # severities
    "audit.severity.error": ("错误", "Error"),
    "audit.severity.warn": ("警告", "Warning"),
    "audit.severity.info": ("提示", "Info"),
    # verdicts
    "audit.verdict.confirmed": ("确认问题", "Confirmed"),
    "audit.verdict.dismissed": ("误报", "Dismissed"),
}
