"""Pure domain: models, SLA rules and the quality figures. No I/O, no UI."""
