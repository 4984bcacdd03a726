"""Names the console's UI defines, for checking a config file before Textual loads:
the binding ids `[keys]` may remap and the theme names `[console] theme` may pick
(docs/configuration.md). The console's start path never imports Textual to check
settings (docs/decisions.md, head start); tests/test_config.py keeps these equal to
the bindings of woq_tui/app.py and woq_tui/screens/*.py and to the app's themes.
"""

from __future__ import annotations

BINDING_IDS = frozenset(
    {
        # woq_tui/app.py
        "screen.queue",
        "screen.overdue",
        "screen.stations",
        "screen.meeting",
        "screen.outbox",
        "screen.audit",
        "help",
        "quit",
        # screens/ticket_list.py (the queue and the overdue lists)
        "list.mark",
        "list.reassign",
        "list.reclassify",
        "list.urge",
        "list.pause",
        "list.export",
        "list.clear_marks",
        # screens/queue.py
        "queue.search",
        "queue.filter",
        "queue.clear",
        "queue.sort",
        "queue.reverse",
        "queue.escape",
        # screens/overdue.py
        "overdue.prev",
        "overdue.next",
        # screens/stations.py and station_detail.py
        "stations.sort",
        "stations.reverse_sort",
        "stations.period",
        "stations.previous",
        "stations.next",
        "stations.open",
        "stations.export",
        "stations.mark",
        "stations.pilot",
        "station_detail.back",
        "station_detail.previous",
        "station_detail.next",
        "station_detail.export",
        # screens/pilot.py
        "pilot.back",
        # screens/outbox.py
        "outbox.retry",
        "outbox.drop",
        "outbox.reassign",
        "outbox.open",
        # screens/meeting.py
        "meeting.period",
        "meeting.previous",
        "meeting.next",
        "meeting.export",
        # screens/ticket.py
        "ticket.back",
        "ticket.reveal",
        "ticket.urge",
        "ticket.reassign",
        "ticket.reclassify",
        "ticket.earlier",
        # screens/audit.py (screen 6, docs/audit-screen.md)
        "audit.confirm",
        "audit.dismiss",
        "audit.reassign",
        "audit.reclassify",
        "audit.filter",
        "audit.search",
        "audit.sort",
        "audit.reverse",
        "audit.period",
        "audit.previous",
        "audit.next",
        "audit.pause",
        "audit.export",
        "audit.escape",
        # screens/reassign.py (the suggested stations, docs/dispatch-assist.md)
        "reassign.suggestion1",
        "reassign.suggestion2",
        "reassign.suggestion3",
    }
)

THEME_NAMES = frozenset(
    {
        "ansi-dark",
        "ansi-light",
        "atom-one-dark",
        "atom-one-light",
        "catppuccin-frappe",
        "catppuccin-latte",
        "catppuccin-macchiato",
        "catppuccin-mocha",
        "dracula",
        "flexoki",
        "gruvbox",
        "monokai",
        "nord",
        "rose-pine",
        "rose-pine-dawn",
        "rose-pine-moon",
        "solarized-dark",
        "solarized-light",
        "textual-dark",
        "textual-light",
        "tokyo-night",
    }
)
