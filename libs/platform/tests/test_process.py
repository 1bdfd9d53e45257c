"""How a service process starts (``bespoke_platform.process``), in processes of their own."""

from __future__ import annotations

import subprocess
import sys

SERVE = """
import gc, sys
from litestar import Litestar
import bespoke_platform.serving as serving

made_at_startup = [[] for _ in range(50_000)]  # lists: the collector tracks them
serving.uvicorn.run = lambda *args, **kwargs: print(gc.get_freeze_count())
serving.serve(Litestar([]), "127.0.0.1", 0, "probe")
"""


def test_serving_sets_aside_what_the_process_made_to_start() -> None:
    """Objects alive when the server starts are out of the collector's reach, so a full
    collection under load does not walk them (about 60 ms a time in a service)."""
    done = subprocess.run([sys.executable, "-c", SERVE], capture_output=True, text=True, check=True)
    frozen = int(done.stdout.splitlines()[-1])
    assert frozen > 50_000
