"""What a service process leaves out: the console extras its libraries load when installed.

A service's ``__main__`` calls :func:`leave_out_console_extras` before anything else.
"""

from __future__ import annotations

import sys

CONSOLE_EXTRAS = ("httpx._main", "rich")
"""httpx's command line, which loads click, rich and pygments, and rich, which structlog uses
for coloured console tracebacks. Both are installed with Litestar's command line. A service
has no console: it logs JSON. Without them a service process starts with about 5 MiB less
(docs/performance.md)."""


def leave_out_console_extras() -> None:
    """Make importing each of :data:`CONSOLE_EXTRAS` raise ImportError in this process.

    httpx and structlog import them inside ``try``/``except ImportError`` and do without.
    An extra already imported stays.
    """
    for name in CONSOLE_EXTRAS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
