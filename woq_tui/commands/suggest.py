"""woq-console suggest TICKET_NO [--format text|json]: the stations suggested for a
ticket, best first, with their reasons (docs/cli.md; docs/dispatch-assist.md has the JSON
keys and how the stations are ranked).

Exit status: 0 done (also when nothing can be suggested: that is an answer); 1 the
ticket is not in the database, one line on stderr (a runtime finding, as an unreadable
file is: the arguments were well formed, docs/cli.md "Exit status"); 2 usage; 1 database
failures (cli.py).
"""

from __future__ import annotations

import json
import sys

from rich.cells import cell_len

from woq_tui.commands._common import open_for_reading
from woq_tui.domain.safe_text import terminal_text
from woq_tui.i18n import t
from woq_tui.values.suggestions import Suggestions, reason_text

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def document(found: Suggestions) -> dict:
    """The JSON document (docs/dispatch-assist.md, "woq-console suggest")."""
    evidence = found.evidence
    return {
        "ticket_no": found.ticket_no,
        "station_code": found.station_code,
        "evidence": None if evidence is None else {"scope": evidence.scope, "days": evidence.days, "tickets": evidence.tickets},
        "suggestions": [
            {
                "station_code": s.code,
                "name": s.name,
                "area_type": s.area_type,
                "handled": s.handled,
                "open": s.open,
                "overdue": s.overdue,
                "at_risk": s.at_risk,
                "area_match": s.area_match,
                "current": s.current,
            }
            for s in found.suggestions
        ],
    }


def text(found: Suggestions) -> str:
    if not found.suggestions or found.evidence is None:
        return t("suggest.cli.none", ticket=found.ticket_no) + "\n"
    names = [s.name + (t("suggest.current") if s.current else "") for s in found.suggestions]
    code_width = max(cell_len(s.code) for s in found.suggestions)
    name_width = max(cell_len(name) for name in names)
    lines = [t("suggest.cli.header", ticket=found.ticket_no, station=found.station_code)]
    for rank, (s, name) in enumerate(zip(found.suggestions, names), start=1):
        code = s.code + " " * (code_width - cell_len(s.code))
        name += " " * (name_width - cell_len(name))
        lines.append(f"{rank:>2}  {code}  {name}  {reason_text(s, found.evidence)}")
    return "\n".join(lines) + "\n"


def run(args, settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from woq_tui.domain.clock import SystemClock
    from woq_tui.errors import DatabaseError, first_line
    from woq_tui.store.db import describe_url
    from woq_tui.store.suggest import suggest_stations

    context = open_for_reading(args, settings, must_exist=True)
    engine = context.read_engine
    try:
        found = suggest_stations(
            engine, args.ticket_no, SystemClock().now(), settings.sla_policy(), settings.audit.route_min_history
        )
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{describe_url(str(engine.url))}: {first_line(exc)}") from None
    finally:
        context.dispose()
    if found is None:
        print(f"woq-console suggest: {terminal_text(t('suggest.cli.unknown_ticket', ticket=args.ticket_no))}", file=sys.stderr)
        return EXIT_FAILURE
    if args.format == "json":
        out = json.dumps(document(found), ensure_ascii=False, indent=2) + "\n"
    else:
        out = terminal_text(text(found), keep_newlines=True)
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK
