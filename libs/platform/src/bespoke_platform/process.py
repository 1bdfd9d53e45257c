"""How a service process starts: it leaves out the console extras its libraries load
when installed (its ``__main__`` calls :func:`leave_out_console_extras` before anything
else), and sets aside for good what it made to start (:func:`freeze_startup`).
"""

from __future__ import annotations

import gc
import sys

CONSOLE_EXTRAS = ("httpx._main", "rich")
"""httpx's command line, which loads click, rich and pygments, and rich, which structlog uses
for coloured console tracebacks. Both are installed with Litestar's command line. A service
has no console: it logs JSON. Without them a service process starts with about 4 MiB less
(docs/performance.md)."""


def leave_out_console_extras() -> None:
    """Make importing each of :data:`CONSOLE_EXTRAS` raise ImportError in this process.

    httpx and structlog import them inside ``try``/``except ImportError`` and do without.
    An extra already imported stays.
    """
    for name in CONSOLE_EXTRAS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def freeze_startup() -> None:
    """Collect once, then move every object alive (modules, classes, the app and its
    routes and models: about 120,000 in each service) out of the garbage collector's
    reach. A full collection walked them all, every few seconds under load, stopping the
    event loop for about 60 ms each time: the slowest requests. What the process makes
    afterwards is collected as before."""
    gc.collect()
    gc.freeze()
