"""`woq-console audit` on the command line (docs/audit.md, docs/cli.md): the listing's options,
`audit review`, and the slot `audit train` fills (cli_classifier.add_audit_train).
Only argparse here, so that building the parser stays cheap; the work is in
commands/audit.py (and commands/audit_train.py)."""

from __future__ import annotations

from woq_tui import cli_classifier


def add_audit(sub, common, parser_class) -> None:
    from woq_tui.i18n import t

    audit = sub.add_parser("audit", help=t("cli.help.audit"), description=t("cli.help.audit"))
    common(audit)
    audit.add_argument("--from", dest="date_from", metavar="DATE", help=t("cli.help.from"))
    audit.add_argument("--to", dest="date_to", metavar="DATE", help=t("cli.help.to"))
    audit.add_argument("--as-of", dest="as_of", metavar="DATETIME", help=t("cli.help.as_of"))
    audit.add_argument("--rule", dest="rules", action="append", metavar="ID", help=t("cli.help.audit_rule"))
    audit.add_argument("--station", metavar="CODE", help=t("cli.help.audit_station"))
    audit.add_argument("--format", choices=("text", "json", "csv"), default="text", help=t("cli.help.audit_format"))
    audit.add_argument("--out", metavar="FILE", help=t("cli.help.out"))
    # No action: the listing. dest "audit_command" is what the read-only check reads
    # (commands/_common.py: "audit review" and "audit train" write).
    actions = audit.add_subparsers(
        dest="audit_command", parser_class=parser_class, metavar="ACTION", help=t("cli.help.audit_action")
    )

    review = actions.add_parser("review", help=t("cli.help.audit_review"), description=t("cli.help.audit_review"))
    common(review)
    review.add_argument("ticket_no", metavar="TICKET_NO", help=t("cli.help.ticket_no"))
    review.add_argument("rule", metavar="RULE", help=t("cli.help.audit_rule_id"))
    verdict = review.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--confirm", dest="verdict", action="store_const", const="confirmed", help=t("cli.help.audit_confirm"))
    verdict.add_argument("--dismiss", dest="verdict", action="store_const", const="dismissed", help=t("cli.help.audit_dismiss"))
    review.add_argument("--note", metavar="TEXT", help=t("cli.help.audit_note"))
    review.add_argument("--operator", metavar="ID", help=t("cli.help.operator"))

    cli_classifier.add_audit_train(actions, common)


def add_report_options(report) -> None:
    """`report --with-audit` (docs/cli.md)."""
    from woq_tui.i18n import t

    report.add_argument("--with-audit", action="store_true", help=t("cli.help.with_audit"))
