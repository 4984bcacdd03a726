"""The classifier's subcommands on the command line (docs/audit.md, docs/cli.md): `classify` and
`audit train`. Only argparse here, so that building the parser stays cheap; the work is
in commands/classify.py and commands/audit_train.py."""

from __future__ import annotations


def add_classify(sub, common) -> None:
    """`classify TEXT | --file F.csv [--format text|json]`; `common(parser)` adds --db,
    --config, --lang, --read-only."""
    from woq_tui.i18n import t

    classify = sub.add_parser("classify", help=t("classifier.help.classify"), description=t("classifier.help.classify"))
    common(classify)
    classify.add_argument("text", nargs="?", metavar="TEXT", help=t("classifier.help.classify_text"))
    classify.add_argument("--file", metavar="F.csv", help=t("classifier.help.classify_file"))
    classify.add_argument("--format", choices=("text", "json"), default="text", help=t("classifier.help.classify_format"))


def add_audit_train(audit_sub, common) -> None:
    """`audit train` under the `audit` subcommand's subparsers (dest "audit_command",
    which the read-only check reads: commands/_common.py)."""
    from woq_tui.i18n import t

    train = audit_sub.add_parser("train", help=t("classifier.help.audit_train"), description=t("classifier.help.audit_train"))
    common(train)
