"""The closed vocabularies of docs/sla.md and docs/import-format.md, with their Chinese names."""

from __future__ import annotations

from enum import StrEnum


class TicketType(StrEnum):
    repair = "repair"
    complaint = "complaint"
    report = "report"
    consultation = "consultation"
    suggestion = "suggestion"
    service_request = "service_request"
    praise = "praise"
    other = "other"


class AreaType(StrEnum):
    urban = "urban"
    rural = "rural"
    remote = "remote"


class Channel(StrEnum):
    phone = "phone"
    web = "web"
    app = "app"
    wechat = "wechat"
    other = "other"


class Status(StrEnum):
    new = "new"
    dispatched = "dispatched"
    accepted = "accepted"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"


class Satisfaction(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"


class SlaState(StrEnum):
    ok = "ok"
    at_risk = "at_risk"
    overdue = "overdue"


class EventKind(StrEnum):
    created = "created"
    imported = "imported"
    updated = "updated"
    dispatched = "dispatched"
    reassigned = "reassigned"
    reclassified = "reclassified"
    responded = "responded"
    urged = "urged"
    escalated = "escalated"
    resolved = "resolved"
    reopened = "reopened"
    closed = "closed"
    phone_revealed = "phone_revealed"


class OutboxKind(StrEnum):
    """What an outbox entry asks the dispatch API (docs/dispatch.md)."""

    reassign = "reassign"
    reclassify = "reclassify"


class OutboxState(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    conflict = "conflict"
    refused = "refused"
    failed = "failed"


# Chinese names as the import accepts them; the first one is the display name.
TYPE_NAMES_ZH: dict[TicketType, tuple[str, ...]] = {
    TicketType.repair: ("故障报修", "报修"),
    TicketType.complaint: ("投诉",),
    TicketType.report: ("举报",),
    TicketType.consultation: ("咨询", "业务咨询"),
    TicketType.suggestion: ("意见建议", "意见", "建议"),
    TicketType.service_request: ("服务申请",),
    TicketType.praise: ("表扬",),
    TicketType.other: ("其他",),
}
AREA_NAMES_ZH: dict[AreaType, tuple[str, ...]] = {
    AreaType.urban: ("城区", "城市"),
    AreaType.rural: ("农村", "乡村"),
    AreaType.remote: ("特殊边远", "边远"),
}
CHANNEL_NAMES_ZH: dict[Channel, tuple[str, ...]] = {
    Channel.phone: ("电话",),
    Channel.web: ("网站",),
    Channel.app: ("网上国网",),
    Channel.wechat: ("微信",),
    Channel.other: ("其他",),
}
STATUS_NAMES_ZH: dict[Status, tuple[str, ...]] = {
    Status.new: ("待派单",),
    Status.dispatched: ("已派单",),
    Status.accepted: ("已接单",),
    Status.in_progress: ("处理中",),
    Status.resolved: ("已办结",),
    Status.closed: ("已归档",),
}
SATISFACTION_NAMES_ZH: dict[Satisfaction, tuple[str, ...]] = {
    Satisfaction.satisfied: ("满意",),
    Satisfaction.basically_satisfied: ("基本满意",),
    Satisfaction.unsatisfied: ("不满意",),
}
OPEN_STATUSES = (Status.new, Status.dispatched, Status.accepted, Status.in_progress)
