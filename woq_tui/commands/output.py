"""Where a command's document goes: the --out file (announced on stderr) or stdout.
One way for `report`, `bulletin` and `pilot`, so that they fail the same way."""

from __future__ import annotations

import sys

from woq_tui.commands.exit_codes import EXIT_FAILURE, EXIT_OK
from woq_tui.i18n import t


def emit(content: bytes, out: str | None, command: str, written: str, cannot_write: str) -> int:
    """Write `content` to `out` (then say so with the message `written`) or to stdout.
    A file that cannot be written: one line with `cannot_write`, exit 1."""
    if out:
        try:
            with open(out, "wb") as stream:
                stream.write(content)
        except OSError as exc:
            print(f"woq-console {command}: {t(cannot_write, path=out, error=exc.strerror or exc)}", file=sys.stderr)
            return EXIT_FAILURE
        print(t(written, path=out), file=sys.stderr)
        return EXIT_OK
    sys.stdout.buffer.write(content)
    sys.stdout.flush()
    return EXIT_OK
