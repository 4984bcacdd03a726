"""The exit statuses of docs/cli.md, defined once for every subcommand."""

EXIT_OK = 0  # done (reassign, reclassify: confirmed by the dispatch API)
EXIT_FAILURE = 1  # a runtime failure: database unreachable, file unreadable, ...
EXIT_USAGE = 2  # usage or configuration error; a writing command under --read-only
EXIT_QUEUED = 3  # reassign, reclassify: in the outbox, delivered by itself later
EXIT_REFUSED = 4  # reassign, reclassify: refused by the API, nothing changed
