"""Words of the suggested stations (智能派单建议): their reasons, the dialog's part and
`woq-console suggest` (zh, en)."""

MESSAGES = {
    "suggest.sep": (" · ", " · "),
    "suggest.scope.address": ("此地址", "at this address"),
    "suggest.scope.road": ("同一道路", "on this road"),
    "suggest.scope.village": ("同村/社区", "in this village or community"),
    "suggest.scope.town": ("同街道/乡镇", "in this street or town"),
    "suggest.window.days": ("近 {days} 天", "in {days} days"),
    "suggest.window.all": ("以往", "in all"),
    "suggest.reason.history": (
        "{where}{window} {total} 单中 {handled} 单由 {station} 办理",
        "{handled} of {total} tickets {where} {window} handled by {station}",
    ),
    "suggest.reason.district": (
        "无历史工单：{station} 所名与地址所在区县相符",
        "no history: {station} is named after the address's district or county",
    ),
    "suggest.reason.open": ("在办 {count}", "open {count}"),
    "suggest.reason.overdue": ("超期 {count}", "overdue {count}"),
    "suggest.reason.at_risk": ("临期 {count}", "at risk {count}"),
    "suggest.reason.area_match": ("区域类型相符", "same area type"),
    "suggest.reason.area_other": ("区域类型不同", "other area type"),
    "suggest.current": ("（现属）", " (current)"),
    # the reassign dialog
    "suggest.title_plain": ("建议改派到", "Suggested stations"),
    "suggest.title": ("建议改派到（{keys} 选择）", "Suggested stations ({keys} chooses)"),
    "suggest.no_target": (
        "未选择目标供电所：按 {keys} 选建议，或输入代码、名称、拼音首字母，或用 ↑↓ 选择",
        "No station chosen: {keys} picks a suggestion; or type code, name, initials; or ↑↓",
    ),
    "suggest.loading": ("正在计算建议…", "Working out suggestions…"),
    "suggest.none": (
        "无建议：此地址及所在村/社区、街道/乡镇均无历史工单，请在下方列表中选择",
        "No suggestion: no earlier tickets at this address, village or street; choose from the list below",
    ),
    "suggest.only_current": (
        "无其他建议：{reason}，即现属供电所",
        "No other station to suggest: {reason}, where the ticket is now",
    ),
    "suggest.many": ("多张工单：不给出建议，请在下方列表中选择", "Several tickets: no suggestion; choose from the list below"),
    "suggest.failed": ("无法计算建议：{error}", "Cannot work out suggestions: {error}"),
    "suggest.key.choose": ("选择建议的供电所", "Choose a suggested station"),
    # woq-console suggest
    "cli.help.suggest": (
        "为工单建议供电所（按此地址及所在村/社区、街道的历史工单与负荷），最优在前，附理由",
        "the stations suggested for a ticket (from its address's history and their load), best first, with reasons",
    ),
    "cli.help.suggest_format": ("text 供人阅读，json 供程序读取", "text for people, json for machines"),
    "suggest.cli.unknown_ticket": ("工单 {ticket} 不存在", "unknown ticket {ticket}"),
    "suggest.cli.header": ("工单 {ticket}（现属 {station}）的建议供电所：", "Suggested stations for ticket {ticket} (now at {station}):"),
    "suggest.cli.none": (
        "工单 {ticket}：无建议（此地址及所在村/社区、街道/乡镇均无历史工单）",
        "ticket {ticket}: no suggestion (no earlier tickets at its address, village or street)",
    ),
}
