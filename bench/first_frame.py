"""One start of an app, timed to its first painted frame: a child of bench/queue_bench.py.

    python -m bench.first_frame empty|floor|queue|cli URL CONFIG

Nothing is imported here before the app under test starts: whatever this module
imported first would be taken out of the time the console overlaps with its head
start's child process (commands/head_start.py), and would flatter the empty app too.
The parent times from before it starts the process; this prints the instant of the
first frame (and the process's peak RSS) as one JSON line.
"""

from __future__ import annotations

import sys
import time


def child_empty() -> None:
    from textual.app import App
    from textual.widgets import Static

    class Empty(App):
        def compose(self):
            yield Static("hello")

        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            if is_update(renderable):
                list(renderable.render_segments(self.console))
                _report()
                self.exit()

    Empty().run(headless=True)


def child_floor() -> None:
    """The empty app after importing what any database console on this stack needs
    (SQLAlchemy's ORM, SQLModel, pydantic): the floor under the queue's first paint."""
    import sqlalchemy.orm  # noqa: F401
    import sqlmodel  # noqa: F401

    child_empty()


def child_queue(url: str) -> None:
    from bench.queue_bench import APP_CSS, context_for
    from woq_tui.app import WoqApp

    class Timed(WoqApp):
        CSS_PATH = APP_CSS

        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            queue = self.screen
            painted = getattr(queue, "window", None)
            if painted and is_update(renderable):
                list(renderable.render_segments(self.console))
                _report()
                self.exit()

    Timed(context_for(url)).run(headless=True, size=(160, 45))


def child_cli(url: str, config: str) -> None:
    """The console as users start it (`woq-console --db URL`): config, schema check,
    imports, first page. Headless, and exits at the first frame that shows rows."""

    def patch(module) -> None:
        App = module.App
        run, display = App.run, App._display

        def headless_run(self, *args, **kwargs):
            return run(self, headless=True, size=(160, 45))

        def timed_display(self, screen, renderable):
            display(self, screen, renderable)
            if getattr(self.screen, "window", None) and is_update(renderable):
                list(renderable.render_segments(self.console))
                _report()
                self.exit()

        App.run, App._display = headless_run, timed_display

    # Patched when the console imports it, not before: importing Textual here would
    # move its import out of the time the console overlaps with the database's.
    _after_import("textual.app", patch)
    from woq_tui.cli import main

    main(["--db", url, "--config", config])


def _after_import(name: str, patch) -> None:
    """Call patch(module) right after `name` is first imported."""
    import importlib.abc
    import importlib.util

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            exec_module = spec.loader.exec_module

            def exec_and_patch(module) -> None:
                exec_module(module)
                patch(module)

            spec.loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, Finder())


def is_update(renderable) -> bool:
    from textual._compositor import CompositorUpdate

    return isinstance(renderable, CompositorUpdate)


def _report() -> None:
    # Textual captures print() while it runs: write past it.
    first_frame = time.time()
    import json

    from bench import peak_rss_mb

    sys.__stdout__.write(json.dumps({"first_frame": first_frame, "rss_mb": peak_rss_mb()}) + "\n")
    sys.__stdout__.flush()


if __name__ == "__main__":
    kind, url, config = sys.argv[1:4]
    if kind == "empty":
        child_empty()
    elif kind == "floor":
        child_floor()
    elif kind == "queue":
        child_queue(url)
    else:
        child_cli(url, config)
