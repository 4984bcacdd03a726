"""Words of the periods a view shows (domain/periods.period_label)."""

MESSAGES = {
    "period.week": ("第{week}周 {start}—{end}", "Week {week} {start}—{end}"),
    "period.month": ("{year}年{month}月", "{month_name} {year}"),
    "period.quarter": ("{year}年第{quarter}季度", "{year} Q{quarter}"),
    "period.year": ("{year}年", "{year}"),
    "period.days": ("{start}—{end}", "{start}—{end}"),
    "period.until": ("（至{day}）", " (to {day})"),
    "period.kind.week": ("周", "Week"),
    "period.kind.month": ("月", "Month"),
    "period.kind.quarter": ("季度", "Quarter"),
    "period.kind.year": ("年", "Year"),
    "period.kind.custom": ("自定义", "Custom"),
    "period.future": ("{day} 之后的周期还没有到来", "The period after {day} has not come yet"),
}
